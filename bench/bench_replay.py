"""Benchmark `sightline replay` on one child with a long history: by default 1,000 entries over
ten years from eight agencies (missing episodes and return interviews, police incidents and
intelligence, school attendance and exclusions, A&E and GP, social care visits and plan reviews),
a tenth of them recorded late and a few corrected.

    .venv/bin/python bench/bench_replay.py                  # 1,000 entries, 3 runs
    .venv/bin/python bench/bench_replay.py --entries 5000 --runs 5

Each run is a whole `sightline replay` as a user runs it (a worker process, its own temporary
database created, the feeds imported and linked, every rule replayed day by day over the ten
years, the report written), timed from outside; the worker's own split (schema, import, link,
engine) is printed beside it. Needs no database: the replay makes its own."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from sightline.alerts.replay import throwaway  # noqa: E402
from sightline.alerts.rulesets import active_rule_set, rule_dirs  # noqa: E402

# (agency kind, source, entry type, weight)
MIX = [
    ("police", "bench-police", "missing_episode", 8),
    ("childrens_social_care", "bench-csc", "return_interview", 6),
    ("police", "bench-police", "police_incident", 6),
    ("police", "bench-police", "intelligence_received", 2),
    ("school", "bench-school", "attendance_low", 8),
    ("school", "bench-school", "concern_raised", 5),
    ("school", "bench-school", "school_exclusion", 2),
    ("health_ae", "bench-hospital", "ae_attendance", 5),
    ("health_gp", "bench-gp", "gp_attendance", 6),
    ("childrens_social_care", "bench-csc", "home_visit", 14),
    ("childrens_social_care", "bench-csc", "no_access_visit", 6),
    ("childrens_social_care", "bench-csc", "cin_review", 4),
    ("childrens_social_care", "bench-csc", "core_group", 4),
    ("childrens_social_care", "bench-csc", "strategy_discussion", 2),
    ("early_help", "bench-early-help", "direct_work", 8),
    ("camhs", "bench-camhs", "appointment_missed", 3),
    ("school_nursing", "bench-nursing", "direct_work", 3),
    ("youth_justice", "bench-yjs", "appointment_missed", 2),
]
PERSON = {
    "given_names": "Morgan",
    "family_name": "Ellery",
    "birth_date": "2006-02-14",
    "sex": "male",
    "identifiers": {"nhs_number": "9990000018"},
}


def write_feeds(directory: Path, entries: int, seed: int) -> None:
    rng = random.Random(seed)
    first = dt.date(2014, 1, 6)
    days = 3650
    lines: dict[str, list[dict[str, object]]] = {}
    weights = [w for *_, w in MIX]
    for kind, source, _type, _w in MIX:
        lines.setdefault(
            source,
            [
                {
                    "format": "sightline/1",
                    "kind": "person",
                    "source": source,
                    "source_id": f"{source}-P1",
                    "agency": kind,
                    **PERSON,
                }
            ],
        )
    for n in range(entries):
        kind, source, type_, _w = rng.choices(MIX, weights)[0]
        on = first + dt.timedelta(days=rng.randrange(days))
        at = dt.datetime.combine(on, dt.time(rng.randrange(7, 23), rng.choice([0, 15, 30, 45])))
        lag = rng.randrange(20, 120) if rng.random() < 0.1 else 0  # recorded late
        line: dict[str, object] = {
            "format": "sightline/1",
            "kind": "entry",
            "source": source,
            "source_id": f"{source}-E{n}",
            "agency": kind,
            "type": type_,
            "occurred_at": at.strftime("%Y-%m-%dT%H:%M"),
            "recorded_at": (at + dt.timedelta(days=lag, hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "subjects": [{"source_id": f"{source}-P1", "role": "subject"}],
            "summary": f"{type_.replace('_', ' ').capitalize()} ({n}).",
            "grade": "intelligence" if type_ == "intelligence_received" else "fact",
            "sensitivity": "police_intelligence"
            if type_ == "intelligence_received"
            else "standard",
        }
        if type_ == "intelligence_received":
            line["intelligence_grade"] = {
                "system": "3x5x2",
                "source": "2",
                "assessment": "B",
                "handling": "P",
            }
        if type_ == "missing_episode":
            line["ended_at"] = (at + dt.timedelta(hours=rng.randrange(3, 30))).strftime(
                "%Y-%m-%dT%H:%M"
            )
        lines[source].append(line)
    for source, rows in lines.items():
        (directory / f"{source}.jsonl").write_text(
            "".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    active_rule_set()  # as the command does before it starts the worker
    with tempfile.TemporaryDirectory() as directory:
        write_feeds(Path(directory), args.entries, args.seed)
        walls, splits = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            report = throwaway.run(
                throwaway.Job(
                    paths=[Path(directory)],
                    start=None,
                    end=None,
                    rule_dirs=rule_dirs(),
                    cases_checked=True,
                )
            )
            walls.append(time.perf_counter() - started)
            splits.append(report["stats"]["seconds"])
        child = max(report["people"], key=lambda p: p["entries"])
        print(
            f"{child['entries']} entries from {report['from']} to {report['to']}, "
            f"{len(report['rules'])} rules, {len(child['alerts'])} alerts"
        )
        print(
            f"whole replay: median {statistics.median(walls):.1f} s "
            f"(min {min(walls):.1f}, max {max(walls):.1f}) over {args.runs} runs"
        )
        for name in splits[0]:
            values = [s[name] for s in splits]
            print(f"  {name:<7} median {statistics.median(values):.2f} s")


if __name__ == "__main__":
    main()
