"""Benchmark "Find a child" on an already-loaded database.

    .venv/bin/python bench/bench_search.py                      # the default SQLite (var/)
    DATABASE_URL=postgres://... .venv/bin/python bench/bench_search.py
    .venv/bin/python bench/bench_search.py --searches 500 --role social_worker --explain

Names are sampled from the people in the database and searched for in several shapes (full name,
a typing slip, a nickname, family name only, name with date of birth, identifier) through the
selector (`person_search_for`, including its audit row) and through the page (the Django test
client: POST the form, follow the redirect, render the results). Prints p50/p95/max per shape.

The searcher is a user of the given role: an existing one (--viewer EMAIL) or a benchmark user
created on first run (bench.<role>@sightline.invalid) in an agency holding the most records.

Without an importer at hand, `--populate CHILDREN` first fills an EMPTY database with synthetic
people (2.5 people per child, names with aliases and hyphenated family names, the NameKey index,
grants, identifiers and addresses) straight through the ORM."""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402

from sightline.agencies.models import Agency, Membership  # noqa: E402
from sightline.core import clock  # noqa: E402
from sightline.governance.models import AccessGrant  # noqa: E402
from sightline.people.models import Identifier, NameKey, Person, PersonName  # noqa: E402
from sightline.people.search_keys import NICKNAME_ROOT  # noqa: E402

BENCH_PASSWORD = "bench search password 2026"  # a throwaway account in a benchmark database


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def report(label: str, timings: dict[str, list[float]]) -> None:
    print(f"\n{label}")
    print(f"  {'shape':<22}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    everything: list[float] = []
    for shape, values in timings.items():
        everything += values
        print(
            f"  {shape:<22}{len(values):>6}{statistics.median(values):>10.1f}"
            f"{percentile(values, 95):>10.1f}{max(values):>10.1f}"
        )
    print(
        f"  {'all':<22}{len(everything):>6}{statistics.median(everything):>10.1f}"
        f"{percentile(everything, 95):>10.1f}{max(everything):>10.1f}"
    )


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


_NICKNAMES: dict[str, list[str]] = defaultdict(list)
for _name, _root in NICKNAME_ROOT.items():
    _NICKNAMES[_root].append(_name)


def queries(n: int, seed: int) -> list[tuple[str, dict]]:
    rng = random.Random(seed)
    sample = list(
        Person.objects.filter(merged_into__isnull=True)
        .exclude(family_name="")
        .order_by("?")
        .values_list("pk", "given_names", "family_name", "birth_date")[: n * 2]
    )
    if not sample:
        sys.exit("No people in this database: import some (or use --populate).")
    ids = dict(
        Identifier.objects.filter(person_id__in=[s[0] for s in sample]).values_list(
            "person_id", "value"
        )
    )
    out: list[tuple[str, dict]] = []
    shapes = ["full name", "typing slip", "nickname", "family name only", "name + birth date"]
    if ids:
        shapes.append("identifier")
    for i in range(n):
        pk, given, family, born = sample[i % len(sample)]
        first = given.split()[0] if given else ""
        shape = shapes[i % len(shapes)]
        if shape == "full name":
            out.append((shape, {"name": f"{first} {family}"}))
        elif shape == "typing slip":
            out.append((shape, {"name": f"{first} {_typo(family.split('-')[0], rng)}"}))
        elif shape == "nickname":
            root = NICKNAME_ROOT.get(first.lower(), first.lower())
            nick = rng.choice(_NICKNAMES.get(root) or [first])
            out.append((shape, {"name": f"{nick} {family}"}))
        elif shape == "family name only":
            out.append((shape, {"name": family}))
        elif shape == "name + birth date":
            out.append((shape, {"name": f"{first} {family}", "birth_date": born}))
        elif pk in ids:
            out.append((shape, {"identifier": ids[pk]}))
        else:
            out.append(("full name", {"name": f"{first} {family}"}))
    return out


def viewer_for(role: str, email: str | None):
    from sightline.accounts.models import User

    if email:
        return User.objects.get(username=email)
    username = f"bench.{role}@sightline.invalid"
    existing = User.objects.filter(username=username).first()
    if existing:
        return existing
    from sightline.agencies.services import practitioner_create
    from sightline.core.actors import SystemActor

    if role == "mash_manager":
        agency, _ = Agency.objects.get_or_create(
            code="bench-mash", defaults={"name": "Benchmark MASH", "kind": "mash"}
        )
    else:
        busiest = (
            AccessGrant.objects.values("agency_id")
            .annotate(n=Count("id"))
            .order_by("-n")
            .values_list("agency_id", flat=True)
            .first()
        )
        if busiest is None:
            sys.exit("No access grants in this database: a practitioner would find nobody.")
        agency = Agency.objects.get(pk=busiest)
    return practitioner_create(
        actor=SystemActor("bench"),
        email=username,
        given_name="Bench",
        family_name=role.replace("_", " ").title(),
        password=BENCH_PASSWORD,
        agency=agency,
        role=role,
    )


def run_selector(viewer, qs: list[tuple[str, dict]], repeat: int = 1) -> dict[str, list[float]]:
    from sightline.people.selectors import person_search_for

    timings: dict[str, list[float]] = defaultdict(list)
    for shape, params in qs:
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            person_search_for(viewer=viewer, **params)
            best = min(best, time.perf_counter() - start)
        timings[shape].append(best * 1000)
    return timings


def run_page(viewer, qs: list[tuple[str, dict]], repeat: int = 1) -> dict[str, list[float]]:
    client = Client()
    client.force_login(viewer)
    timings: dict[str, list[float]] = defaultdict(list)
    for shape, params in qs:
        born = params.get("birth_date")
        data = {
            "name": params.get("name", ""),
            "identifier": params.get("identifier", ""),
            "birth_date-day": str(born.day) if born else "",
            "birth_date-month": str(born.month) if born else "",
            "birth_date-year": str(born.year) if born else "",
        }
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            response = client.post("/children/", data, follow=True)
            best = min(best, time.perf_counter() - start)
            if response.status_code != 200:
                sys.exit(f"The page answered {response.status_code} for {shape}")
        timings[shape].append(best * 1000)
    return timings


def explain(viewer, name: str) -> None:
    from sightline.people.selectors import name_candidate_query

    options = {"analyze": True} if connection.vendor == "postgresql" else {}
    print(f"\nEXPLAIN ({connection.vendor}) candidate query for {name!r}:")
    print(name_candidate_query(name).explain(**options))


# --- populate (no importer needed) ---------------------------------------------------------

_STREETS = [
    "High Street",
    "Station Road",
    "Church Lane",
    "Mill Lane",
    "Park Avenue",
    "Queen Street",
]
_DISTRICTS = ["CV31", "CV32", "CV34", "CV35", "B90", "B93", "OX16", "NN11"]


def populate(children: int, seed: int) -> None:
    from faker import Faker

    from sightline.people.search_keys import name_keys

    if Person.objects.exists():
        sys.exit("--populate fills an empty database only; this one has people.")
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    agencies = [
        Agency.objects.get_or_create(
            code=f"bench-{kind}", defaults={"name": f"Benchmark {kind}", "kind": kind}
        )[0]
        for kind in ("childrens_social_care", "police", "school", "health_gp", "early_help")
    ]
    total = int(children * 2.5)
    now = clock.now()
    print(f"Populating {total} people ({children} children)…", flush=True)
    batch = 5000
    for start in range(0, total, batch):
        with transaction.atomic():
            people = []
            for n in range(start, min(total, start + batch)):
                is_child = n % 5 < 2
                year = rng.randint(2008, 2025) if is_child else rng.randint(1960, 1995)
                family = fake.last_name()
                if rng.random() < 0.05:
                    family = f"{family}-{fake.last_name()}"
                given = fake.first_name()
                if rng.random() < 0.3:
                    given = f"{given} {fake.first_name()}"
                precision = "day" if rng.random() < 0.95 else "year"
                born = (
                    clock.today().replace(
                        year=year, month=rng.randint(1, 12), day=rng.randint(1, 28)
                    )
                    if precision == "day"
                    else clock.today().replace(year=year, month=1, day=1)
                )
                people.append(
                    Person(
                        reference=f"B{n:09d}",
                        given_names=given,
                        family_name=family,
                        birth_date=born,
                        birth_date_precision=precision,
                        sex=rng.choice(["male", "female", "unknown"]),
                        created_at=now,
                    )
                )
            Person.objects.bulk_create(people)
            people = list(Person.objects.filter(reference__in=[p.reference for p in people]))
            names, keys, grants, ids = [], [], [], []
            for person in people:
                all_names = [(person.given_names, person.family_name, "recorded")]
                if rng.random() < 0.1:
                    all_names.append((fake.first_name(), person.family_name, "alias"))
                if rng.random() < 0.1:
                    all_names.append((person.given_names, fake.last_name(), "recorded"))
                person_keys: set[str] = set()
                for given, family, kind in all_names:
                    names.append(
                        PersonName(person=person, given_names=given, family_name=family, kind=kind)
                    )
                    person_keys |= name_keys(given, family)
                keys += [NameKey(person=person, key=k) for k in person_keys]
                grants += [
                    AccessGrant(person=person, agency=agency, basis="holds_records", granted_at=now)
                    for agency in rng.sample(agencies, rng.randint(1, 3))
                ]
                ids.append(
                    Identifier(
                        person=person,
                        scheme="nhs_number",
                        value=str(rng.randrange(10**9, 10**10)),
                    )
                )
            PersonName.objects.bulk_create(names)
            NameKey.objects.bulk_create(keys)
            AccessGrant.objects.bulk_create(grants)
            Identifier.objects.bulk_create(ids)
        print(f"  {min(total, start + batch)}", end="\r", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"\nDone: {Person.objects.count()} people, {NameKey.objects.count()} name keys.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument(
        "--role", default="mash_manager", choices=[r.value for r in Membership.Role]
    )
    parser.add_argument("--viewer", help="email of an existing user to search as")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run each search N times and keep the fastest (filters out other processes' noise)",
    )
    parser.add_argument("--no-page", action="store_true", help="skip the page benchmark")
    parser.add_argument("--explain", action="store_true", help="print the candidate query plan")
    parser.add_argument("--populate", type=int, metavar="CHILDREN", help="fill an empty database")
    parser.add_argument(
        "--pg-random-page-cost",
        type=float,
        help="PostgreSQL only: SET random_page_cost for this session (1.1 is the usual SSD value)",
    )
    args = parser.parse_args()
    if args.pg_random_page_cost and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET random_page_cost = %s", [args.pg_random_page_cost])

    if args.populate:
        populate(args.populate, args.seed)
    people = Person.objects.count()
    print(f"Database: {connection.vendor}; {people} people; {NameKey.objects.count()} name keys")
    viewer = viewer_for(args.role, args.viewer)
    qs = queries(args.searches, args.seed)
    run_selector(viewer, qs[:20])  # warm caches and connections
    timed = f"{len(qs)} searches" + (f", best of {args.repeat}" if args.repeat > 1 else "")
    report(f"person_search_for as {args.role} ({timed})", run_selector(viewer, qs, args.repeat))
    if not args.no_page:
        run_page(viewer, qs[:5])  # compile the templates
        report(
            f"POST /children/ and results page as {args.role} ({timed})",
            run_page(viewer, qs, args.repeat),
        )
    if args.explain:
        explain(viewer, qs[0][1].get("name") or "Oliver Smith")


if __name__ == "__main__":
    main()
