"""Benchmark the alert rules over a county: the daily sweep, and one child after a new entry.

    SIGHTLINE_VAR_DIR=/tmp/bench-county .venv/bin/python bench/bench_alerts.py --runs 3
    DATABASE_URL=postgres://... .venv/bin/python bench/bench_alerts.py --runs 3

Needs an imported county (bench/run_all.sh --keep, or `sightline synth` then `sightline import`)
with its migrations applied. Each sweep run first deletes every alert, so each run raises what
a first sweep raises (the most writing a sweep ever does), then sweeps again at once (the same
facts: nothing to write, the steady state of every later day). Prints per run the wall time, its
phases (reading, evaluating, writing), the people evaluated, the alerts raised, and the process's
peak memory (max RSS), then the median of the runs.

One child: `--children N` children with a story are picked at random (fixed seed); for each, an
entry is recorded through the chronology service as a practitioner would, then the child is
re-evaluated exactly as the task after the change does (`evaluation.evaluate_people`, with its
own system scope); the time of the re-evaluation is the number. Prints p50/p95/max in ms.

--limit N sweeps only the first N people (a quick check that the script works)."""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django

django.setup()

from django.db import connection  # noqa: E402

from sightline.alerts import evaluation, histories  # noqa: E402
from sightline.alerts.models import Alert, AlertEvent  # noqa: E402
from sightline.alerts.tasks import EVALUATE_PURPOSE, EVALUATOR, SWEEP_PURPOSE  # noqa: E402
from sightline.governance import access  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time of this process and of the worker processes that have ended."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))]


def clear_alerts() -> None:
    AlertEvent.objects.all().delete()
    Alert.objects.all().delete()


def sweep_once(limit: int | None, batch: int, workers: int) -> evaluation.Evaluated:
    scope = access.system_scope(actor=EVALUATOR, purpose=SWEEP_PURPOSE, detail={"bench": True})
    return evaluation.sweep(
        scope=scope, actor=EVALUATOR, batch_size=batch, workers=workers, limit=limit
    )


def report(label: str, r: evaluation.Evaluated, cpu: float) -> str:
    return (
        f"{label}: {r.seconds:6.1f} s for {r.people:,} people, {r.entries:,} entries (read {r.read_seconds:.1f} s, "
        f"evaluate {r.evaluate_seconds:.1f} s, write {r.write_seconds:.1f} s); "
        f"{r.applied.counts or 'nothing changed'}; CPU {cpu:.1f} s (workers included); "
        f"peak memory {peak_mb():,.0f} MB (a worker: {children_peak_mb():,.0f} MB)"
    )


def one_child(children: int, seed: int) -> tuple[list[float], list[float]]:
    from django.utils import timezone

    from sightline.accounts.models import User
    from sightline.agencies.models import Agency, Membership
    from sightline.chronology.services import EntryFields, entry_record
    from sightline.core.dates import PartialDate, Precision
    from sightline.governance.models import AccessGrant
    from sightline.people.models import Person

    agency = Agency.objects.filter(kind="childrens_social_care").order_by("id").first()
    assert agency is not None, "no children's social care agency: import a county first"
    user = User.objects.filter(username="bench.alerts@sightline.invalid").first()
    if user is None:
        user = User.objects.create_user(
            "bench.alerts@sightline.invalid", password="bench alerts 2026!"
        )
        Membership.objects.create(user=user, agency=agency, role="social_worker")
    rng = random.Random(seed)
    people = histories.people_to_evaluate()
    picked = rng.sample(people, min(children, len(people)))
    times, cpus = [], []
    for pid in picked:
        person = Person.objects.get(pk=pid)
        AccessGrant.objects.get_or_create(
            person=person, agency=agency, team=None, basis="manual",
            defaults={"granted_at": timezone.now()},
        )  # fmt: skip
        entry_record(
            actor=user,
            person=person,
            fields=EntryFields(
                type="missing_episode",
                occurred=PartialDate(
                    timezone.now() - timezone.timedelta(days=5), Precision.DAY, False
                ),
                summary="Reported missing overnight (benchmark).",
            ),
        )
        scope = access.system_scope(actor=EVALUATOR, purpose=EVALUATE_PURPOSE, detail={"bench": 1})
        started, cpu = time.perf_counter(), time.process_time()
        evaluation.evaluate_people(scope=scope, actor=EVALUATOR, person_ids=[pid])
        times.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return times, cpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--children", type=int, default=50, help="one-child re-evaluations")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--batch", type=int, default=2000, help="children per batch")
    parser.add_argument("--limit", type=int, default=None, help="sweep only the first N people")
    parser.add_argument("--workers", type=int, default=1, help="sweep processes (0: one per core)")
    parser.add_argument("--skip-sweep", action="store_true")
    parser.add_argument("--skip-child", action="store_true")
    args = parser.parse_args()
    print(
        f"database {connection.vendor}; rules in force: {len(evaluation.rules_in_force(evaluation.clock.today()))}"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM chronology_entrysubject")
        print(f"entry subjects: {cursor.fetchone()[0]:,}")
    if not args.skip_sweep:
        first, again = [], []
        for run in range(1, args.runs + 1):
            clear_alerts()
            cpu = cpu_seconds()
            r = sweep_once(args.limit, args.batch, args.workers)
            print(report(f"run {run} first sweep", r, cpu_seconds() - cpu), flush=True)
            first.append(r.seconds)
            cpu = cpu_seconds()
            r = sweep_once(args.limit, args.batch, args.workers)
            print(report(f"run {run} next day  ", r, cpu_seconds() - cpu), flush=True)
            again.append(r.seconds)
        print(f"sweep: median {statistics.median(first):.1f} s (first, raising), "
              f"{statistics.median(again):.1f} s (again, nothing new) over {args.runs} runs; "
              f"peak memory {peak_mb():,.0f} MB")  # fmt: skip
    if not args.skip_child:
        times, cpus = one_child(args.children, args.seed)
        print(
            f"one child after a new entry ({len(times)} children): wall p50 "
            f"{percentile(times, 50):.1f} ms, p95 {percentile(times, 95):.1f} ms, max "
            f"{max(times):.1f} ms; CPU p50 {percentile(cpus, 50):.1f} ms, p95 "
            f"{percentile(cpus, 95):.1f} ms"
        )


if __name__ == "__main__":
    main()
