"""Train the linkage model and keep it as versioned JSON.

Recipe (docs/adr/0004-identity-resolution.md, reference/anchors-linkage.md §6.4):
1. the prior from deterministic rules (shared NHS number; same name and date of birth);
2. u by random sampling, with u fixed for "identifier equal" levels;
3. m from *silver labels*: pairs that share a valid NHS number, UPN or PNC id, after dropping
   every identifier whose records look like two different people (a collision);
4. capped EM sessions on rules that never group a household (never on postcode);
5. floors: no level's m below `M_FLOOR`, no "different" level's m below `DISAGREE_M_FLOOR`,
   and no missing u or m left in the model (a model with holes fails, it is not saved).
"""

# ruff: noqa: S608 - SQL here is assembled from the model's own column names and table names,
# never from input data.

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from pathlib import Path
from typing import Any

import pyarrow as pa
from splink import Linker, block_on

from sightline.identity.linkage import settings as model_settings
from sightline.identity.linkage.engine import new_db_api, register

log = logging.getLogger(__name__)

FORMAT = "sightline-linkage-model/1"
TRAINED_DIR = Path(__file__).resolve().parent / "trained"

# Floors on m: a level never seen in training must not become an (almost) infinite veto.
M_FLOOR = 1e-3
DISAGREE_M_FLOOR = 0.01
U_FLOOR = 1e-7
MAX_UNOBSERVED_WEIGHT = 10
# An identifier shared by more records than this is a placeholder, not a person.
MAX_RECORDS_PER_IDENTIFIER = 40


class TrainingError(RuntimeError):
    pass


def silver_label_sql(table: str, *, count_collisions: bool = False) -> str:
    """Pairs that share a valid identifier, minus every identifier value that looks shared by
    two different people (sex differs, or birth years differ by more than one, while the given
    names disagree outright). One bad number drops all of its pairs, not only the odd one."""
    parts = [
        f"SELECT '{scheme}' AS scheme, {scheme} AS value, unique_id, first_name, "
        f"fn_variants, dob_year, sex FROM {table} WHERE {scheme} IS NOT NULL"
        for scheme in model_settings.IDENTIFIERS
    ]
    ids = " UNION ALL ".join(parts)
    final = (
        "SELECT count(*) FROM collided"
        if count_collisions
        else "SELECT DISTINCT p.unique_id_l, p.unique_id_r, 1.0 AS clerical_match_score "
        "FROM pairs p ANTI JOIN collided c ON p.scheme = c.scheme AND p.value = c.value"
    )
    return f"""
    WITH ids AS ({ids}),
    sizes AS (SELECT scheme, value, count(*) AS n FROM ids GROUP BY 1, 2),
    pairs AS (
        SELECT l.scheme, l.value, l.unique_id AS unique_id_l, r.unique_id AS unique_id_r,
          (
            l.first_name IS NOT NULL AND r.first_name IS NOT NULL
            AND jaro_winkler_similarity(l.first_name, r.first_name) < 0.8
            AND len(list_intersect(l.fn_variants, r.fn_variants)) = 0
          ) AND (
            (l.sex IS NOT NULL AND r.sex IS NOT NULL AND l.sex <> r.sex)
            OR abs(l.dob_year - r.dob_year) > 1
          ) AS conflict
        FROM ids l JOIN ids r
          ON l.scheme = r.scheme AND l.value = r.value AND l.unique_id < r.unique_id
        JOIN sizes s ON s.scheme = l.scheme AND s.value = l.value
        WHERE s.n <= {MAX_RECORDS_PER_IDENTIFIER}
    ),
    collided AS (SELECT DISTINCT scheme, value FROM pairs WHERE conflict)
    {final}
    """


def train(
    records: pa.Table,
    *,
    version: str,
    seed: int = 42,
    u_max_pairs: float = 1e7,
    em_max_pairs: float = 2e6,
    description: str = "",
    untuned: bool = False,
) -> dict[str, Any]:
    """Train on standardised records (standardise.standardise_records) and return the model
    document: metadata plus the Splink settings under "splink". `untuned=True` trains the
    baseline (library comparisons, EM only, no silver labels, no floors) for evaluation."""
    started = dt.datetime.now(dt.UTC)
    db_api = new_db_api()
    sdf = register(db_api, records, "records")
    creator = (
        model_settings.untuned_settings_creator() if untuned else model_settings.settings_creator()
    )
    linker = Linker(sdf, creator)
    train_log: dict[str, Any] = {"records": records.num_rows, "seed": seed}

    linker.training.estimate_probability_two_random_records_match(
        [block_on("nhs_number"), block_on("first_name", "surname", "dob")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=u_max_pairs, seed=seed)

    if not untuned:
        labels = db_api.duckdb_con.sql(silver_label_sql(sdf.physical_name)).to_arrow_table()
        n_collided = db_api.duckdb_con.sql(
            silver_label_sql(sdf.physical_name, count_collisions=True)
        ).fetchall()[0][0]
        train_log["silver_pairs"] = labels.num_rows
        train_log["identifiers_dropped_as_collisions"] = n_collided
        if labels.num_rows:
            labels_sdf = register(db_api, labels, "silver_labels")
            linker.training.estimate_m_from_pairwise_labels(labels_sdf)
        rules = list(model_settings.TRAINING_BLOCKING_RULES)
        if not labels.num_rows:  # no identifiers: the given name's m can only come from EM
            rules.append(model_settings.FIRST_NAME_TRAINING_RULE)
    else:
        rules = [("first_name", "surname"), ("dob",)]
    for rule in rules:
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on(*rule), max_pairs=em_max_pairs
        )
    train_log["em_sessions"] = [list(r) for r in rules]
    train_log["em_max_pairs"] = em_max_pairs
    train_log["u_max_pairs"] = u_max_pairs

    splink_settings = linker.misc.save_model_to_json()
    missing = fill_missing(splink_settings)
    floored = [] if untuned else apply_floors(splink_settings)
    train_log["floored_levels"] = floored
    train_log["filled_missing"] = missing
    train_log["seconds"] = round((dt.datetime.now(dt.UTC) - started).total_seconds(), 1)
    return {
        "format": FORMAT,
        "version": version,
        "kind": "untuned" if untuned else "sightline",
        "trained_at": started.replace(microsecond=0).isoformat(),
        "description": description,
        "training": train_log,
        "splink": splink_settings,
    }


def _levels(splink_settings: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (comparison["output_column_name"], level)
        for comparison in splink_settings["comparisons"]
        for level in comparison["comparison_levels"]
        if not level.get("is_null_level")
    ]


def apply_floors(splink_settings: dict[str, Any]) -> list[str]:
    """Raise every m below its floor; return what was changed, for the training log.

    A floor caps how much one disagreement can count against a link; it never turns a level
    into evidence *for* a link (m is not raised above u), and fixed levels are left alone."""
    changed = []
    for name, level in _levels(splink_settings):
        m, u = level.get("m_probability"), level.get("u_probability")
        if m is None or level.get("fix_m_probability"):
            continue
        floor = DISAGREE_M_FLOOR if level.get("sql_condition") == "ELSE" else M_FLOOR
        if u is not None:
            floor = min(floor, u)
        if m < floor:
            changed.append(f"{name}: {level.get('label_for_charts')} m {m:.3g} -> {floor:.3g}")
            level["m_probability"] = floor
    return changed


def fill_missing(splink_settings: dict[str, Any]) -> list[str]:
    """Give levels that training never observed values that claim nothing, and say so.

    Neither m nor u seen: weight 0. Only u missing: a "different" level takes the rest of the
    u mass; any other level is capped at +10 bits. Only m missing: at most weight 0."""
    filled = []
    for comparison in splink_settings["comparisons"]:
        name = comparison["output_column_name"]
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        for level in levels:
            label = level.get("label_for_charts")
            m, u = level.get("m_probability"), level.get("u_probability")
            if m is None and u is None:
                level["m_probability"] = level["u_probability"] = M_FLOOR
                filled.append(f"{name}: {label} m and u (never observed: weight 0)")
            elif u is None:
                if level.get("sql_condition") == "ELSE":
                    others = sum(lv.get("u_probability") or 0 for lv in levels if lv is not level)
                    level["u_probability"] = max(0.5, 1 - others)
                else:
                    level["u_probability"] = max(U_FLOOR, m / 2**MAX_UNOBSERVED_WEIGHT)
                filled.append(f"{name}: {label} u")
            elif m is None:
                level["m_probability"] = min(M_FLOOR, u)
                filled.append(f"{name}: {label} m")
            if level["u_probability"] < U_FLOOR:
                level["u_probability"] = U_FLOOR
    return filled


def check_model(model: dict[str, Any]) -> None:
    """Refuse a model with holes: every non-null level needs a finite m and u in (0, 1]."""
    if model.get("format") != FORMAT:
        raise TrainingError(f"not a {FORMAT} document")
    for name, level in _levels(model["splink"]):
        for key in ("m_probability", "u_probability"):
            value = level.get(key)
            if value is None or not (0 < value <= 1) or math.isnan(value):
                raise TrainingError(f"{name} level {level.get('label_for_charts')}: {key}={value}")


def model_path(version: str, directory: Path | None = None) -> Path:
    return (directory or TRAINED_DIR) / f"model-{version}.json"


def save_model(model: dict[str, Any], directory: Path | None = None) -> Path:
    check_model(model)
    path = model_path(model["version"], directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(model, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return path


def load_model(version: str | None = None, directory: Path | None = None) -> dict[str, Any]:
    """The model of that version, or the newest one in `trained/` (highest version number)."""
    if version is None:
        version = latest_version(directory)
    model: dict[str, Any] = json.loads(model_path(version, directory).read_text(encoding="utf-8"))
    check_model(model)
    return model


def latest_version(directory: Path | None = None) -> str:
    paths = sorted(
        (directory or TRAINED_DIR).glob("model-*.json"),
        key=lambda p: _version_key(p.stem.removeprefix("model-")),
    )
    if not paths:
        raise TrainingError(f"no trained model in {directory or TRAINED_DIR}")
    return paths[-1].stem.removeprefix("model-")


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))


def next_version(directory: Path | None = None) -> str:
    try:
        current = latest_version(directory)
    except TrainingError:
        return "1"
    return str(_version_key(current)[0] + 1)


def model_summary(model: dict[str, Any]) -> list[dict[str, Any]]:
    """Each level's m, u and match weight, for docs and for reviewing a retrain's diff."""
    rows = []
    for comparison in model["splink"]["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m, u = level["m_probability"], level["u_probability"]
            rows.append(
                {
                    "comparison": comparison["output_column_name"],
                    "level": level.get("label_for_charts"),
                    "m": m,
                    "u": u,
                    "weight": round(math.log2(m / u), 2),
                }
            )
    return rows
