"""Score pairs of records with a trained model and decide: auto-link, review or no link.

    linkage = Linkage(model, records)                 # records: standardise_records(...) output
    pairs = linkage.predict()                         # Arrow table, one row per scored pair
    decisions = linkage.decisions(pairs)              # list[PairDecision], each with its waterfall
    new_pairs = linkage.predict_between(new_records)  # a new batch against everyone known
    linkage.add(new_records)                          # then the batch joins the known records

Pairs scoring below the review threshold (and not decided by an identifier) are dropped at
source: a million records give a few million candidate pairs, and only those worth a decision
leave DuckDB.
"""

# ruff: noqa: S608 - SQL here is assembled from the model's own column names and table names,
# never from input data.

from __future__ import annotations

import copy
import itertools
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from splink import Linker

from sightline.identity.linkage.cluster import ambiguous_weak_links
from sightline.identity.linkage.engine import new_db_api, register
from sightline.identity.linkage.guard import (
    REASON_TEXT,
    Decision,
    Levels,
    Reason,
    Thresholds,
    decide,
    decision_sql,
    level_table,
)
from sightline.identity.linkage.settings import IDENTIFIERS
from sightline.identity.linkage.standardise import SCHEMA

TF_COLUMNS = ("first_name", "surname")
# Columns shown beside each comparison in an explanation (the values compared).
VALUE_COLUMNS = {
    "nhs_number": "nhs_number",
    "upn": "upn",
    "pnc_id": "pnc_id",
    "first_name": "first_name",
    "middle_names": "middle_names",
    "surname": "surname",
    "dob": "dob",
    "postcode": "postcode",
    "sex": "sex",
}
_counter = itertools.count(1)


@dataclass(frozen=True)
class WaterfallStep:
    comparison: str  # "first_name"
    description: str  # "First name"
    level: str  # "nickname or alias"
    weight: float  # bits the level adds (log2 m/u)
    frequency_adjustment: float  # bits from how common the value is (names, postcodes)
    value_l: Any
    value_r: Any

    @property
    def total(self) -> float:
        return self.weight + self.frequency_adjustment


@dataclass(frozen=True)
class PairDecision:
    unique_id_l: str
    unique_id_r: str
    match_weight: float
    match_probability: float
    decision: Decision
    reason: Reason | None
    method: str  # "nhs_number" | "upn" | "pnc_id" | "probabilistic"
    prior_weight: float
    waterfall: tuple[WaterfallStep, ...]
    model_version: str

    def explanation(self, *, with_values: bool = True) -> dict[str, Any]:
        """A JSON-able account of the decision, for the link's page and the audit trail."""
        return {
            "model_version": self.model_version,
            "decision": str(self.decision),
            "method": self.method,
            "reason": str(self.reason) if self.reason else None,
            "reason_text": REASON_TEXT[self.reason] if self.reason else None,
            "match_weight": round(self.match_weight, 2),
            "match_probability": self.match_probability,
            "prior_weight": round(self.prior_weight, 2),
            "steps": [
                {
                    "comparison": s.comparison,
                    "description": s.description,
                    "level": s.level,
                    "weight": round(s.weight, 2),
                    "frequency_adjustment": round(s.frequency_adjustment, 2),
                    **({"left": s.value_l, "right": s.value_r} if with_values else {}),
                }
                for s in self.waterfall
            ],
        }

    def explanation_text(self) -> list[str]:
        """One line per field, e.g. "Date of birth: day and month swapped (+8.5)"."""
        lines = []
        for s in self.waterfall:
            tf = f", {s.frequency_adjustment:+.1f} for how common" if s.frequency_adjustment else ""
            lines.append(f"{s.description}: {s.level} ({s.weight:+.1f}{tf})")
        return lines


def prior_for(model: dict[str, Any], n_records: int) -> float:
    """The prior scales with population: two random records of a county ten times the size of
    the training set are ten times less likely to be the same child."""
    trained = model["splink"]["probability_two_random_records_match"]
    n_trained = model.get("training", {}).get("records") or n_records
    if n_records <= 1:
        return float(trained)
    return float(min(0.5, trained * n_trained / n_records))


class Linkage:
    """A trained model loaded over the known records, in one DuckDB connection."""

    def __init__(
        self,
        model: dict[str, Any],
        records: pa.Table,
        *,
        thresholds: Thresholds | None = None,
        memory_limit: str | None = None,
        threads: int | None = None,
    ) -> None:
        self.model = model
        self.version = str(model.get("version"))
        self.thresholds = thresholds or Thresholds()
        self.db_api = new_db_api(memory_limit=memory_limit, threads=threads)
        self.con = self.db_api.duckdb_con
        splink_settings = copy.deepcopy(model["splink"])
        splink_settings["probability_two_random_records_match"] = prior_for(model, records.num_rows)
        splink_settings["retain_matching_columns"] = True
        splink_settings["retain_intermediate_calculation_columns"] = True
        self.splink_settings = splink_settings
        self.levels = Levels.from_model(splink_settings)
        self.level_table = level_table(splink_settings)
        self.records = register(self.db_api, records, "records")
        self.linker = Linker(self.records, splink_settings)
        self._tf_ready = False
        lam = splink_settings["probability_two_random_records_match"]
        self.prior_weight = math.log2(lam / (1 - lam))

    # -- scoring --------------------------------------------------------------------------

    @property
    def min_weight(self) -> float:
        return self.thresholds.review

    def _decide(self, predictions_table: str) -> pa.Table:
        # Filtered in Arrow: a WHERE over the CASE makes DuckDB's planner slow (~0.1 s a call).
        table = self.con.sql(decision_sql(predictions_table, self.levels, self.thresholds))
        decided = table.to_arrow_table()
        keep = pc.or_(
            pc.not_equal(decided.column("decision"), "no_link"),
            pc.is_valid(decided.column("reason")),
        )
        return decided.filter(keep).sort_by(
            [("unique_id_l", "ascending"), ("unique_id_r", "ascending")]
        )

    def predict(self) -> pa.Table:
        """Score every blocked pair among the known records (a full run)."""
        # Identifier links score far above any threshold, so one cut-off keeps them all.
        predictions = self.linker.inference.predict(
            threshold_match_weight=self._predict_cutoff(), warning_mode="never"
        )
        try:
            return resolve_ambiguous(self._decide(predictions.physical_name))
        finally:
            predictions.drop_table_from_database_and_remove_from_cache()

    def _predict_cutoff(self) -> float:
        # Low enough to keep pairs with a different NHS number that still need a record.
        return self.thresholds.review

    def _ensure_tf(self) -> None:
        if not self._tf_ready:
            for col in TF_COLUMNS:
                self.linker.table_management.compute_tf_table(col)
            self._tf_ready = True

    def predict_between(
        self, new: pa.Table, *, person_of: Mapping[str, str] | None = None
    ) -> pa.Table:
        """Score a new batch against every known record, and within itself; the known records
        are not compared with each other again. `person_of` (known record -> person) lets a
        new record with no first name that matches two known people go to review."""
        self._ensure_tf()
        name = f"new_{next(_counter)}"
        new_sdf = register(self.db_api, new, name)
        cutoff = self._predict_cutoff()
        # Only known records sharing a blocking key with the batch take part: Splink would
        # otherwise join term frequencies onto every known record for every batch.
        candidates = self._candidates(name)
        between = self.linker.inference.predict_between(
            candidates, new_sdf, threshold_match_weight=cutoff, warning_mode="never"
        )
        tables = [between]
        if new.num_rows > 1:
            tables.append(
                self.linker.inference.predict_within(
                    new_sdf, threshold_match_weight=cutoff, warning_mode="never"
                )
            )
        try:
            if len(tables) == 1:
                scored = tables[0].physical_name
            else:
                columns = ", ".join(f'"{c}"' for c in self._columns(between.physical_name))
                union = " UNION ALL ".join(
                    f"SELECT {columns} FROM {t.physical_name}" for t in tables
                )
                self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name}_pairs AS {union}")
                scored = f"{name}_pairs"
            return resolve_ambiguous(self._decide(scored), person_of=person_of)
        finally:
            self.con.execute(f"DROP TABLE IF EXISTS {name}_pairs")
            for t in tables:
                t.drop_table_from_database_and_remove_from_cache()
            self.con.execute(f"DROP TABLE IF EXISTS {name}")
            self.con.execute(f"DROP TABLE IF EXISTS {name}_known")

    def _candidates(self, new_table: str) -> Any:
        joins = []
        for rule in self.splink_settings["blocking_rules_to_generate_predictions"]:
            sql = rule["blocking_rule"] if isinstance(rule, dict) else str(rule)
            condition = re.sub(r"\br\.", "n.", re.sub(r"\bl\.", "k.", sql))
            joins.append(f"SELECT k.unique_id FROM records k JOIN {new_table} n ON {condition}")
        self.con.execute(
            f"CREATE OR REPLACE TABLE {new_table}_known AS SELECT * FROM records WHERE unique_id "
            f"IN ({' UNION '.join(joins)})"
        )
        return self.db_api.register(f"{new_table}_known", table_name=f"{new_table}_known_sdf")

    def blocking_counts(self, *, record_sample_proportion: float = 1.0) -> list[dict[str, Any]]:
        """Pairs each prediction blocking rule adds (marginal) and the running total."""
        from splink.blocking_analysis import count_comparisons_from_blocking_rules

        counts = count_comparisons_from_blocking_rules(
            self.records,
            blocking_rules=self.splink_settings["blocking_rules_to_generate_predictions"],
            link_type="dedupe_only",
            record_sample_proportion=record_sample_proportion,
        )
        return [
            {
                "rule": str(c["blocking_rule"]),
                "pairs": int(c["marginal_comparison_count"]),
                "cumulative": int(c["cumulative_comparison_count"]),
            }
            for c in counts
        ]

    def _columns(self, table: str) -> list[str]:
        return [r[0] for r in self.con.sql(f"DESCRIBE {table}").fetchall()]

    def add(self, new: pa.Table) -> None:
        """Append a linked batch to the known records (term frequencies are recomputed on the
        next incremental run)."""
        view = f"__arrow_add_{next(_counter)}"
        self.con.register(view, new)
        self.con.execute(f"INSERT INTO records SELECT * FROM {view}")
        self.con.unregister(view)
        self.linker.table_management.invalidate_cache()
        self._tf_ready = False

    def score_pair(self, left: dict[str, Any], right: dict[str, Any]) -> PairDecision:
        """Score two standardised records directly, whatever blocking would say."""
        self._ensure_tf()
        tables = []
        for rec in (left, right):
            name = f"pair_{next(_counter)}"
            tables.append(register(self.db_api, pa.Table.from_pylist([rec], schema=SCHEMA), name))
        try:
            scored = self.linker.inference.predict_between(
                tables[0],
                tables[1],
                blocking_rules_to_generate_predictions=["1=1"],
                warning_mode="never",
            )
            decided = self._decide(scored.physical_name).to_pylist()
            scored.drop_table_from_database_and_remove_from_cache()
        finally:
            for t in tables:
                self.con.execute(f"DROP TABLE IF EXISTS {t.physical_name}")
        row = decided[0] if decided else None
        if row is None:  # below every threshold: score it again without the cut-off
            raise LookupError("pair scored below the review threshold")
        return self.pair_decision(row)

    # -- decisions and explanations --------------------------------------------------------

    def pair_decision(self, row: dict[str, Any]) -> PairDecision:
        steps = []
        for comparison in self.splink_settings["comparisons"]:
            name = comparison["output_column_name"]
            gamma = int(row.get(f"gamma_{name}", -1))
            level = self.level_table.get((name, gamma), {})
            value_col = VALUE_COLUMNS.get(name, name)
            steps.append(
                WaterfallStep(
                    comparison=name,
                    description=level.get("comparison", name),
                    level=str(level.get("label", gamma)),
                    weight=float(row.get(f"mw_{name}") or 0.0),
                    frequency_adjustment=float(row.get(f"mw_tf_adj_{name}") or 0.0),
                    value_l=row.get(f"{value_col}_l"),
                    value_r=row.get(f"{value_col}_r"),
                )
            )
        decision, reason, method = decide(row, self.levels, self.thresholds)
        if row.get("decision") is not None:
            # The row's own decision stands: the SQL rules (the same as `decide`), then the
            # ambiguity rule, which can send a weak automatic link to review.
            decision = Decision(row["decision"])
            reason = Reason(row["reason"]) if row.get("reason") else None
        return PairDecision(
            unique_id_l=row["unique_id_l"],
            unique_id_r=row["unique_id_r"],
            match_weight=float(row["match_weight"]),
            match_probability=float(row["match_probability"]),
            decision=decision,
            reason=reason,
            method=method,
            prior_weight=self.prior_weight,
            waterfall=tuple(steps),
            model_version=self.version,
        )

    def decisions(self, pairs: pa.Table) -> list[PairDecision]:
        return [self.pair_decision(row) for row in pairs.to_pylist()]


def resolve_ambiguous(pairs: pa.Table, *, person_of: Mapping[str, str] | None = None) -> pa.Table:
    """Send to review the weak automatic links (no first name on one side) of any record that
    would join two different people; see cluster.ambiguous_weak_links."""
    if pairs.num_rows == 0:
        return pairs
    cols = pairs.select(
        [
            "unique_id_l",
            "unique_id_r",
            "match_weight",
            "decision",
            "method",
            "gamma_first_name",
            "gamma_dob",
        ]
    ).to_pydict()
    strong: list[tuple[str, str, float]] = []
    weak: list[tuple[str, str, float]] = []
    for left, right, weight, decision, method, gamma_fn, gamma_dob in zip(
        cols["unique_id_l"],
        cols["unique_id_r"],
        cols["match_weight"],
        cols["decision"],
        cols["method"],
        cols["gamma_first_name"],
        cols["gamma_dob"],
        strict=True,
    ):
        if decision != "auto_link":
            continue
        weak_evidence = gamma_fn == -1 or gamma_dob == -1
        (weak if method == "probabilistic" and weak_evidence else strong).append(
            (left, right, weight)
        )
    attributes: dict[str, tuple[str | None, str | None]] = {}
    if "first_name_l" in pairs.column_names and "dob_l" in pairs.column_names:
        values = pairs.select(["first_name_l", "first_name_r", "dob_l", "dob_r"]).to_pydict()
        for side in ("l", "r"):
            for uid, first_name, dob in zip(
                cols[f"unique_id_{side}"],
                values[f"first_name_{side}"],
                values[f"dob_{side}"],
                strict=True,
            ):
                attributes[uid] = (first_name, dob)
    demoted = ambiguous_weak_links(strong, weak, person_of=person_of, attributes=attributes or None)
    if not demoted:
        return pairs
    flags = [
        (left, right) in demoted
        for left, right in zip(cols["unique_id_l"], cols["unique_id_r"], strict=True)
    ]
    decision = ["review" if flag else d for flag, d in zip(flags, cols["decision"], strict=True)]
    reason = [
        str(Reason.AMBIGUOUS) if flag else r
        for flag, r in zip(flags, pairs.column("reason").to_pylist(), strict=True)
    ]
    pairs = pairs.set_column(
        pairs.schema.get_field_index("decision"), "decision", pa.array(decision)
    )
    return pairs.set_column(
        pairs.schema.get_field_index("reason"), "reason", pa.array(reason, pa.string())
    )


def predict_pairs(
    records: pa.Table, model: dict[str, Any], thresholds: Thresholds | None = None
) -> list[PairDecision]:
    """A full run in one call: every pair worth a decision, with its explanation."""
    linkage = Linkage(model, records, thresholds=thresholds)
    return linkage.decisions(linkage.predict())


def predict_between(
    new: pa.Table, existing: pa.Table, model: dict[str, Any], thresholds: Thresholds | None = None
) -> list[PairDecision]:
    """A new batch against the known records (and within itself), in one call."""
    linkage = Linkage(model, existing, thresholds=thresholds)
    return linkage.decisions(linkage.predict_between(new))


def links(
    pairs: pa.Table, *, decisions: Iterable[str] = ("auto_link",)
) -> list[tuple[str, str, float]]:
    """(left, right, weight) edges of the chosen decisions, for `cluster.cluster`."""
    wanted = set(decisions)
    cols = pairs.select(["unique_id_l", "unique_id_r", "match_weight", "decision"]).to_pydict()
    return [
        (left, right, weight)
        for left, right, weight, decision in zip(
            cols["unique_id_l"],
            cols["unique_id_r"],
            cols["match_weight"],
            cols["decision"],
            strict=True,
        )
        if decision in wanted
    ]


__all__ = [
    "IDENTIFIERS",
    "Decision",
    "Linkage",
    "PairDecision",
    "Reason",
    "Thresholds",
    "WaterfallStep",
    "links",
    "predict_between",
    "predict_pairs",
    "prior_for",
]
