"""The evaluation harness: how well each method links, against ground truth.

Methods, side by side on the same standardised records:
- "exact": same first name, surname and date of birth (after standardisation);
- "untuned": Splink with library comparisons, trained by EM only, no floors, no guard, a plain
  threshold at the auto-link weight;
- "sightline": our model, deterministic identifier links, the household guard and the bands.

Metrics (pairwise; a "pair" is two source records of one true person):
- auto links: precision and recall of the pairs the method links automatically, and of the
  people they form (connected components, with the NHS-number constraint);
- the review queue: its size in pairs and as a share of people, and how many are true;
- after review: the people formed when a reviewer confirms every true candidate pair and rejects
  every false one (the best a queue can do), precision and recall;
- hard cases (synthetic truth): recall of records carrying each noise tag (nickname, swapped
  date, moved house, missing identifiers...), and how often twins and siblings were merged.
"""

# ruff: noqa: S608 - SQL here is assembled from the model's own column names and table names,
# never from input data.

from __future__ import annotations

import contextlib
import csv
import gc
import json
import math
import resource
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa

from sightline.identity.linkage import febrl as febrl_sets
from sightline.identity.linkage.cluster import Clusters, cluster
from sightline.identity.linkage.engine import new_db_api, register
from sightline.identity.linkage.guard import Thresholds
from sightline.identity.linkage.predict import Linkage, links
from sightline.identity.linkage.standardise import record_key, standardise_records
from sightline.identity.linkage.training import train

PAIR_TAGS = ("twin", "sibling")


@dataclass
class Truth:
    true_id: dict[str, str]  # record unique id -> true person id
    role: dict[str, str] = field(default_factory=dict)  # true person id -> role
    record_tags: dict[str, list[str]] = field(default_factory=dict)  # tag -> record ids
    pair_tags: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # tag -> pairs

    @property
    def people(self) -> int:
        return len(set(self.true_id.values()))

    def true_pairs(self) -> int:
        return sum(n * (n - 1) // 2 for n in Counter(self.true_id.values()).values())


# -- reading synthetic feeds ------------------------------------------------------------------


def read_person_lines(directory: Path) -> Iterator[dict[str, Any]]:
    """Person lines of every feed in a directory: `*.jsonl` (any kind of line; only persons are
    parsed) and `*.person.csv` (dotted columns, JSON arrays in cells)."""
    for path in sorted(directory.glob("*.jsonl")):
        with path.open("rb") as handle:
            for raw in handle:
                if b'"kind":"person"' not in raw and b'"kind": "person"' not in raw:
                    continue
                line = orjson.loads(raw)
                if line.get("kind") == "person":
                    yield line
    for path in sorted(directory.glob("*.person.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for cells in csv.DictReader(handle):
                yield unflatten(cells)


def unflatten(cells: dict[str, str]) -> dict[str, Any]:
    line: dict[str, Any] = {}
    for key, text in cells.items():
        value: Any = text if text != "" else None
        if isinstance(value, str) and value[:1] in "[{":
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        if "." in key:
            outer, inner = key.split(".", 1)
            line.setdefault(outer, {})[inner] = value
        else:
            line[key] = value
    return line


def read_truth(directory: Path) -> Truth:
    truth = Truth({})
    with (directory / "truth" / "persons.jsonl").open("rb") as handle:
        for raw in handle:
            rec = orjson.loads(raw)
            truth.true_id[record_key(rec["source"], rec["source_id"])] = rec["true_id"]
            truth.role.setdefault(rec["true_id"], rec.get("role") or "")
    hard = directory / "truth" / "hard_cases.jsonl"
    if hard.exists():
        with hard.open("rb") as handle:
            for raw in handle:
                case = orjson.loads(raw)
                tag = case.get("tag") or case.get("kind") or "other"
                keys = [record_key(r["source"], r["source_id"]) for r in case.get("records", [])]
                if len(keys) == 2:
                    truth.pair_tags.setdefault(tag, []).append((keys[0], keys[1]))
                else:
                    truth.record_tags.setdefault(tag, []).extend(keys)
    return truth


# -- metrics ------------------------------------------------------------------------------


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 5) if b else None


def edge_metrics(edges: Iterable[tuple[str, str, float]], truth: Truth) -> dict[str, Any]:
    tp = fp = 0
    for left, right, _ in edges:
        if truth.true_id.get(left) == truth.true_id.get(right):
            tp += 1
        else:
            fp += 1
    return {
        "pairs": tp + fp,
        "true": tp,
        "false": fp,
        "precision": _ratio(tp, tp + fp),
        "recall": _ratio(tp, truth.true_pairs()),
    }


def cluster_metrics(clusters: Clusters, truth: Truth) -> dict[str, Any]:
    both: Counter[tuple[str, str]] = Counter()
    sizes: Counter[str] = Counter()
    for uid, true_id in truth.true_id.items():
        person = clusters.person_of.get(uid, uid)
        both[(person, true_id)] += 1
        sizes[person] += 1
    tp = sum(n * (n - 1) // 2 for n in both.values())
    predicted = sum(n * (n - 1) // 2 for n in sizes.values())
    actual = truth.true_pairs()
    return {
        "people": len(sizes),
        "true_people": truth.people,
        "precision": _ratio(tp, predicted),
        "recall": _ratio(tp, actual),
        "false_pairs": predicted - tp,
        "missed_pairs": actual - tp,
    }


def hard_case_metrics(
    clusters: Clusters, truth: Truth, review: set[tuple[str, str]]
) -> dict[str, Any]:
    """Record tags: recall of the true pairs those records belong to. Pair tags (twins,
    siblings: two different children): how many ended up as one person, how many were queued."""
    group: Counter[tuple[str, str]] = Counter()
    true_size: Counter[str] = Counter()
    person_of = clusters.person_of
    for uid, true_id in truth.true_id.items():
        group[(person_of.get(uid, uid), true_id)] += 1
        true_size[true_id] += 1
    out: dict[str, Any] = {}
    for tag, uids in sorted(truth.record_tags.items()):
        found = possible = 0
        for uid in uids:
            if uid not in truth.true_id:
                continue
            true_id = truth.true_id[uid]
            possible += true_size[true_id] - 1
            found += group[(person_of.get(uid, uid), true_id)] - 1
        out[tag] = {"records": len(uids), "true_pairs": possible, "recall": _ratio(found, possible)}
    for tag, pairs in sorted(truth.pair_tags.items()):
        same_person = [(a, b) for a, b in pairs if truth.true_id.get(a) == truth.true_id.get(b)]
        different = [(a, b) for a, b in pairs if truth.true_id.get(a) != truth.true_id.get(b)]
        if different:
            merged = sum(1 for a, b in different if person_of.get(a, a) == person_of.get(b, b))
            queued = sum(1 for a, b in different if (min(a, b), max(a, b)) in review)
            out[tag] = {
                "pairs": len(different),
                "merged": merged,
                "merged_rate": _ratio(merged, len(different)),
                "in_review": queued,
            }
        if same_person:
            found = sum(1 for a, b in same_person if person_of.get(a, a) == person_of.get(b, b))
            out[tag] = {"pairs": len(same_person), "recall": _ratio(found, len(same_person))}
    return out


# -- methods ------------------------------------------------------------------------------


def _peak_rss_gb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2, 2)


def exact_baseline(records: pa.Table, truth: Truth) -> dict[str, Any]:
    """Link records with the same standardised first name, surname and date of birth."""
    started = time.perf_counter()
    groups: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    cols = records.select(["unique_id", "first_name", "surname", "dob"]).to_pydict()
    for uid, fn, sn, dob in zip(
        cols["unique_id"], cols["first_name"], cols["surname"], cols["dob"], strict=True
    ):
        if fn and sn and dob:
            groups[(fn, sn, dob)].append(uid)
    edges = [(m[0], other, 1.0) for m in groups.values() for other in m[1:]]
    clusters = cluster(cols["unique_id"], edges)
    all_pairs = [(a, b, 1.0) for m in groups.values() for i, a in enumerate(m) for b in m[i + 1 :]]
    hard = hard_case_metrics(clusters, truth, set())
    return {
        "auto": edge_metrics(all_pairs, truth),
        "people_auto": cluster_metrics(clusters, truth),
        "review": {"pairs": 0, "true": 0, "share_of_people": 0.0},
        "after_review": cluster_metrics(clusters, truth),
        "hard_cases_auto": hard,
        "hard_cases_after_review": hard,
        "seconds": round(time.perf_counter() - started, 1),
    }


def untuned_baseline(
    records: pa.Table, truth: Truth, thresholds: Thresholds, *, em_max_pairs: float = 2e6
) -> dict[str, Any]:
    """Splink as first written: library comparisons, EM, a plain threshold, no guard."""
    started = time.perf_counter()
    model = train(
        records, version="untuned", untuned=True, u_max_pairs=1e7, em_max_pairs=em_max_pairs
    )
    trained = time.perf_counter()
    db_api = new_db_api()
    sdf = register(db_api, records, "records")
    from splink import Linker  # inside identity.linkage

    linker = Linker(sdf, model["splink"])
    predictions = linker.inference.predict(
        threshold_match_weight=thresholds.review, warning_mode="never"
    )
    cols = (
        db_api.duckdb_con.sql(
            f"SELECT unique_id_l, unique_id_r, match_weight FROM {predictions.physical_name}"
        )
        .to_arrow_table()
        .to_pydict()
    )
    auto: list[tuple[str, str, float]] = []
    review: list[tuple[str, str, float]] = []
    for left, right, weight in zip(
        cols["unique_id_l"], cols["unique_id_r"], cols["match_weight"], strict=True
    ):
        (auto if weight >= thresholds.auto_link else review).append((left, right, weight))
    return _summarise(records, truth, auto, review, started, trained_at=trained)


def sightline_method(
    records: pa.Table, truth: Truth, model: dict[str, Any], thresholds: Thresholds
) -> dict[str, Any]:
    started = time.perf_counter()
    linkage = Linkage(model, records, thresholds=thresholds)
    pairs = linkage.predict()
    predicted = time.perf_counter()
    auto = links(pairs, decisions=("auto_link",))
    review = links(pairs, decisions=("review",))
    reasons = Counter(
        r
        for r, d in zip(
            pairs.column("reason").to_pylist(), pairs.column("decision").to_pylist(), strict=True
        )
        if d == "review"
    )
    del pairs, linkage
    gc.collect()
    result = _summarise(records, truth, auto, review, started, predicted_at=predicted)
    result["review"]["by_reason"] = dict(reasons.most_common())
    return result


def review_candidates(
    people: Clusters, review: list[tuple[str, str, float]]
) -> list[tuple[str, str, float]]:
    """The review queue as a person sees it: one candidate per pair of people (after automatic
    links), represented by its strongest record pair; pairs already in one person drop out."""
    best: dict[tuple[str, str], tuple[str, str, float]] = {}
    person_of = people.person_of
    for left, right, weight in review:
        a, b = person_of.get(left, left), person_of.get(right, right)
        if a == b:
            continue
        key = (min(a, b), max(a, b))
        if key not in best or weight > best[key][2]:
            best[key] = (left, right, weight)
    return list(best.values())


def _summarise(
    records: pa.Table,
    truth: Truth,
    auto: list[tuple[str, str, float]],
    review: list[tuple[str, str, float]],
    started: float,
    *,
    predicted_at: float | None = None,
    trained_at: float | None = None,
) -> dict[str, Any]:
    ids = records.column("unique_id").to_pylist()
    nhs = dict(zip(ids, records.column("nhs_number").to_pylist(), strict=True))
    people_auto = cluster(ids, auto, nhs_numbers=nhs)
    candidates = review_candidates(people_auto, review)
    accepted = [e for e in candidates if truth.true_id.get(e[0]) == truth.true_id.get(e[1])]
    people_after = cluster(ids, auto + accepted, nhs_numbers=nhs)
    queued = {(min(a, b), max(a, b)) for a, b, _ in review}
    out: dict[str, Any] = {
        "auto": edge_metrics(auto, truth),
        "people_auto": cluster_metrics(people_auto, truth),
        "review": {
            "pairs": len(candidates),
            "true": len(accepted),
            "share_of_people": _ratio(len(candidates), truth.people),
            "record_pairs": len(review),
        },
        "after_review": cluster_metrics(people_after, truth),
        "refused_by_nhs_constraint": len(people_auto.refused),
        "hard_cases_auto": hard_case_metrics(people_auto, truth, queued),
        "hard_cases_after_review": hard_case_metrics(people_after, truth, queued),
        "seconds": round(time.perf_counter() - started, 1),
    }
    if predicted_at:
        out["predict_seconds"] = round(predicted_at - started, 1)
    if trained_at:
        out["train_seconds"] = round(trained_at - started, 1)
    return out


def evaluate(
    rows: Iterable[dict[str, Any]],
    truth: Truth,
    *,
    model: dict[str, Any] | None,
    thresholds: Thresholds,
    methods: tuple[str, ...] = ("exact", "untuned", "sightline"),
    uk_postcodes: bool = True,
    name: str = "",
) -> dict[str, Any]:
    """Standardise, then run each method; `model=None` trains ours on the same records (no
    ground truth is used in training: labels come from shared identifiers and EM)."""
    started = time.perf_counter()
    records = standardise_records(rows, uk_postcodes=uk_postcodes)
    report: dict[str, Any] = {
        "dataset": name,
        "records": records.num_rows,
        "people": truth.people,
        "true_pairs": truth.true_pairs(),
        "standardise_seconds": round(time.perf_counter() - started, 1),
        "thresholds": {"auto_link": thresholds.auto_link, "review": thresholds.review},
        "methods": {},
    }
    if model is None and "sightline" in methods:
        t = time.perf_counter()
        model = train(records, version="evaluation", description=f"trained on {name}")
        report["train_seconds"] = round(time.perf_counter() - t, 1)
    for method in methods:
        if method == "exact":
            report["methods"]["exact"] = exact_baseline(records, truth)
        elif method == "untuned":
            report["methods"]["untuned"] = untuned_baseline(records, truth, thresholds)
        elif method == "sightline":
            assert model is not None
            report["model_version"] = model.get("version")
            report["methods"]["sightline"] = sightline_method(records, truth, model, thresholds)
        gc.collect()
    report["peak_rss_gb"] = _peak_rss_gb()
    return report


def evaluate_febrl(
    name: str, thresholds: Thresholds, methods: tuple[str, ...] = ("exact", "untuned", "sightline")
) -> dict[str, Any]:
    data = febrl_sets.load(name)
    truth = Truth(dict(data.truth))
    return evaluate(
        data.rows,
        truth,
        model=None,
        thresholds=thresholds,
        methods=methods,
        uk_postcodes=False,
        name=name,
    )


def evaluate_synth(
    directory: Path,
    model: dict[str, Any] | None,
    thresholds: Thresholds,
    methods: tuple[str, ...] = ("exact", "untuned", "sightline"),
) -> dict[str, Any]:
    truth = read_truth(directory)
    return evaluate(
        read_person_lines(directory),
        truth,
        model=model,
        thresholds=thresholds,
        methods=methods,
        name=str(directory),
    )


# -- reporting ----------------------------------------------------------------------------


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:.4f}" if value <= 1 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _hard_case_table(methods: dict[str, Any]) -> list[str]:
    """Our method's hard cases (automatic links, after review, queued), beside the others'
    result after review: recall of the tagged records' true pairs, and how many twin and
    sibling pairs (different children) were made one person."""
    ours = methods["sightline"]
    others = [m for m in methods if m != "sightline" and methods[m].get("hard_cases_after_review")]
    lines = [
        "",
        "Hard cases: recall of the tagged records' true pairs; for twins and siblings (different "
        "children), how many pairs were made one person:",
        "",
        "| case | records or pairs | sightline: auto-link | sightline: after review "
        "| sightline: in review |" + "".join(f" {m} |" for m in others),
        "|---|---|---|---|---|" + "---|" * len(others),
    ]
    auto, after = ours["hard_cases_auto"], ours["hard_cases_after_review"]
    for tag, a in after.items():
        b = auto.get(tag, {})
        if "merged" in a:
            cells = [
                f"{tag} (different children)",
                _fmt(a["pairs"]),
                f"merged {_fmt(b.get('merged'))}",
                f"merged {_fmt(a['merged'])}",
                _fmt(a["in_review"]),
            ]
            key, word = "merged", "merged "
        else:
            cells = [
                tag,
                _fmt(a.get("records", a.get("pairs"))),
                f"recall {_fmt(b.get('recall'))}",
                f"recall {_fmt(a.get('recall'))}",
                "",
            ]
            key, word = "recall", "recall "
        for m in others:
            value = methods[m]["hard_cases_after_review"].get(tag, {}).get(key)
            cells.append(f"{word}{_fmt(value)}")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def render_markdown(report: dict[str, Any]) -> str:
    """A report as Markdown tables (for docs/identity.md)."""
    lines = [
        f"#### {report['dataset']}",
        "",
        f"{report['records']:,} records, {report['people']:,} people, "
        f"{report['true_pairs']:,} true pairs; thresholds: auto-link ≥ "
        f"{report['thresholds']['auto_link']}, review ≥ {report['thresholds']['review']}"
        + (f"; model {report['model_version']}" if report.get("model_version") else "")
        + ".",
        "",
        "| method | auto-link precision | auto-link recall | people precision | people recall "
        "| review pairs | review, % of people | true in review | after review: precision "
        "| after review: recall | people (true) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for method, r in report["methods"].items():
        share = r["review"].get("share_of_people")
        lines.append(
            f"| {method} | {_fmt(r['auto']['precision'])} | {_fmt(r['auto']['recall'])} "
            f"| {_fmt(r['people_auto']['precision'])} | {_fmt(r['people_auto']['recall'])} "
            f"| {_fmt(r['review']['pairs'])} | {f'{100 * share:.2f}' if share is not None else '-'} "
            f"| {_fmt(r['review']['true'])} | {_fmt(r['after_review']['precision'])} "
            f"| {_fmt(r['after_review']['recall'])} "
            f"| {_fmt(r['after_review']['people'])} ({_fmt(r['after_review']['true_people'])}) |"
        )
    ours = report["methods"].get("sightline")
    if ours and ours.get("hard_cases_after_review"):
        lines += _hard_case_table(report["methods"])
    if ours and ours["review"].get("by_reason"):
        reasons = ", ".join(f"{k}: {v:,}" for k, v in ours["review"]["by_reason"].items())
        lines += ["", f"Record pairs sent to review, by reason: {reasons}."]
    timings = [f"standardise {report['standardise_seconds']} s"]
    if "train_seconds" in report:
        timings.append(f"train {report['train_seconds']} s")
    for method, r in report["methods"].items():
        timings.append(f"{method} {r['seconds']} s")
    lines += ["", f"Timings: {', '.join(timings)}; peak RSS {report['peak_rss_gb']} GB.", ""]
    return "\n".join(lines)
