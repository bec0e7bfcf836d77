"""Benchmark the child's page: server time to render the story of a child with many entries.

    SIGHTLINE_VAR_DIR=/tmp/bench-story .venv/bin/python manage.py migrate
    SIGHTLINE_VAR_DIR=/tmp/bench-story .venv/bin/python bench/bench_story.py --entries 1000
    DATABASE_URL=postgres://... .venv/bin/python bench/bench_story.py --entries 1000

On first run it adds one benchmark child (reference BENCH-STORY) with --entries entries spread
over eight agencies and ten years (a seventh of them police intelligence, a few corrected), a
social worker with a grant, and then requests the page through the Django test client (the whole
server side: middleware, access check, queries, audit row, template) in several shapes: the first
page, a deep page, filtered by theme, date range and significance, and "as known on" a past
date. Prints p50/p95/max in milliseconds and the queries per request, and the p95 of this process's
CPU time per request: on SQLite that is the whole server side, and what an idle machine's wall
time would be; on PostgreSQL the database server's own work is not in it.

With --child REFERENCE it measures an existing child instead (say a `long_history` child of an
imported synthetic county, `truth/trajectories.jsonl`): the benchmark social worker's agency is
granted access to that child and no entries are added."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from sightline.accounts.models import User  # noqa: E402
from sightline.agencies.models import Agency, Membership  # noqa: E402
from sightline.chronology.models import ChronologyEntry, EntrySubject  # noqa: E402
from sightline.chronology.vocabulary import entry_types  # noqa: E402
from sightline.core import clock  # noqa: E402
from sightline.core.dates import LONDON  # noqa: E402
from sightline.governance.models import AccessGrant  # noqa: E402
from sightline.people.models import Person  # noqa: E402

REFERENCE = "BENCH-STORY"
KINDS = (
    "childrens_social_care",
    "police",
    "school",
    "health_ae",
    "camhs",
    "youth_justice",
    "child_exploitation_team",
    "early_help",
)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


@transaction.atomic
def populate(entries: int, reference: str = REFERENCE) -> tuple[Person, User]:
    rng = random.Random(2026)
    agencies = [
        Agency.objects.get_or_create(
            code=f"bench-{kind}",
            defaults={
                "name": f"Bench {kind.replace('_', ' ')}",
                "kind": kind,
                "phone": "01632 960000",
            },
        )[0]
        for kind in KINDS
    ]
    if reference != REFERENCE:  # an existing child: only the social worker and the grant
        person, created = Person.objects.get(reference=reference), False
    else:
        person, created = Person.objects.get_or_create(
            reference=REFERENCE,
            defaults={
                "given_names": "Bench",
                "family_name": "Child",
                "birth_date": dt.date(2008, 3, 4),
                "created_at": clock.now(),
            },
        )
    user = User.objects.filter(username="bench.story@sightline.invalid").first()
    if user is None:
        user = User.objects.create_user(
            "bench.story@sightline.invalid", password="bench story 2026!"
        )
        Membership.objects.create(user=user, agency=agencies[0], role="social_worker")
    AccessGrant.objects.get_or_create(
        person=person,
        agency=agencies[0],
        team=None,
        basis="involvement",
        defaults={"granted_at": clock.now()},
    )
    if created:
        codes = list(entry_types())
        start = dt.datetime(2015, 1, 1, tzinfo=LONDON)
        rows = []
        for n in range(entries):
            occurred = start + dt.timedelta(minutes=rng.randrange(10 * 365 * 24 * 60))
            intel = n % 7 == 0
            rows.append(
                ChronologyEntry(
                    agency=agencies[1] if intel else rng.choice(agencies),
                    type="intelligence_received" if intel else rng.choice(codes),
                    occurred_at=occurred,
                    precision=rng.choice(["day"] * 8 + ["month", "year"]),
                    has_time=rng.random() < 0.4,
                    recorded_at=occurred + dt.timedelta(days=rng.randrange(1, 20)),
                    summary="Benchmark entry " + "with a realistic length of summary text " * 3,
                    detail="Detail " * rng.randrange(0, 60),
                    grade="intelligence" if intel else "fact",
                    sensitivity="police_intelligence" if intel else "standard",
                    intelligence_grade={
                        "system": "3x5x2",
                        "source": "2",
                        "assessment": "B",
                        "handling": "P",
                    }
                    if intel
                    else None,
                    version=1,
                )
            )
        ChronologyEntry.objects.bulk_create(rows, batch_size=500)
        for row in rows:
            row.lineage = row.pk
        ChronologyEntry.objects.bulk_update(rows, ["lineage"], batch_size=500)
        EntrySubject.objects.bulk_create(
            [EntrySubject(entry=r, person=person, occurred_at=r.occurred_at) for r in rows],
            batch_size=500,
        )
    return person, user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=60, help="per shape")
    parser.add_argument(
        "--child", default=REFERENCE, help="measure this existing child (a Sightline reference)"
    )
    args = parser.parse_args()
    person, user = populate(args.entries, args.child)
    total = EntrySubject.objects.filter(person=person).count()
    client = Client()
    client.force_login(user)
    base = f"/children/{person.reference}/"
    shapes = {
        "first page": "",
        "page 10": "?page=10",
        "theme exploitation": "?theme=exploitation&theme=missing",
        "date range": "?from=2018-01-01&to=2019-12-31",
        "significant only": "?significant=1",
        "as known on": "?as_known_on=2020-06-30",
    }
    print(
        f"{connection.vendor}: child {person.reference} with {total} entries, "
        f"{args.requests} requests per shape"
    )
    print(
        f"  {'shape':<22}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}{'queries':>9}{'CPU p95 ms':>12}"
    )
    everything: list[float] = []
    all_cpu: list[float] = []
    for name, query in shapes.items():
        client.get(base + query)  # warm
        timings, cpu = [], []
        for _ in range(args.requests):
            with CaptureQueriesContext(connection) as queries:
                began, began_cpu = time.perf_counter(), time.process_time()
                response = client.get(base + query)
                timings.append((time.perf_counter() - began) * 1000)
                cpu.append((time.process_time() - began_cpu) * 1000)
            assert response.status_code == 200, response.status_code
        everything += timings
        all_cpu += cpu
        print(
            f"  {name:<22}{statistics.median(timings):>10.1f}{percentile(timings, 95):>10.1f}"
            f"{max(timings):>10.1f}{len(queries):>9}{percentile(cpu, 95):>12.1f}"
        )
    print(
        f"  {'all':<22}{statistics.median(everything):>10.1f}"
        f"{percentile(everything, 95):>10.1f}{max(everything):>10.1f}{'':>9}"
        f"{percentile(all_cpu, 95):>12.1f}"
    )


if __name__ == "__main__":
    main()
