"""Import throughput: lines per second for a typical feed (mostly entry lines).

    .venv/bin/python bench/bench_import.py [--lines 200000] [--runs 3]
    .venv/bin/python bench/bench_import.py --file DIR_OR_FEED   # e.g. `sightline synth --out DIR`
    .venv/bin/python bench/bench_import.py --file DIR --runs 1 --tables
    DATABASE_URL=postgres://… .venv/bin/python bench/bench_import.py

Generates a feed of one source (10% person lines, 85% entries, 2.5% relationships, 2.5%
involvements; deterministic) unless --file names a feed or a directory of feeds (their sources
are registered, each with the agency kind most of its lines name, and a directory is imported
as `sightline import DIR --accept-valid` would), then imports it N times, each time into a
new empty database in a new process, and prints the median. The database is a new SQLite file
(WAL, as the application configures it) or, with DATABASE_URL, a new database on that
PostgreSQL server (created and dropped). Linking on import is off (IDENTITY_LINK_ON_IMPORT=0):
this measures the import; bench_linkage.py measures linking. Wall-clock rates depend on what
else the machine runs: the importer's own CPU time is printed too, and the server's when a
PostgreSQL server runs on this machine (server_cpu.py). `--tables` prints, for each run, the
time spent in each table's bulk insert (SQLite's library work is in the importing process).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
from server_cpu import server_cpu

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TYPES = [
    "missing_episode",
    "found_after_missing",
    "police_incident",
    "home_visit",
    "school_exclusion",
    "attendance_low",
    "ae_attendance",
    "gp_attendance",
    "concern_raised",
    "referral_made",
    "strategy_discussion",
    "arrest",
]
GIVEN = ["James", "Amy", "Liam", "Olivia", "Mohammed", "Zofia", "Kayden", "Ellie", "Noah", "Ava"]
FAMILY = ["Smith", "Jones", "Khan", "Nowak", "Williams", "Brown", "Taylor", "Patel", "Evans"]


def nhs_number(n: int) -> str:
    """A valid NHS number unique to n (each n has its own block of eleven bodies)."""
    for j in range(11):
        body = f"{400_000_000 + n * 11 + j:09d}"
        total = sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True))
        check = (11 - total % 11) % 11
        if check != 10:
            return body + str(check)
    raise AssertionError("unreachable: one body in eleven has a usable check digit")


def generate(path: Path, lines: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    people = max(1, lines // 10)
    rels = lines * 25 // 1000
    invs = lines * 25 // 1000
    entries = lines - people - rels - invs
    base = dt.datetime(2015, 1, 1, 9, 0)  # noqa: DTZ001 (local times, as feeds send them)
    with path.open("wb") as fh:
        for i in range(people):
            year = 1998 + i % 16  # born before 2015, when the entries start
            fh.write(
                orjson.dumps(
                    {
                        "format": "sightline/1",
                        "kind": "person",
                        "source": "bench",
                        "source_id": f"P-{i}",
                        "given_names": rng.choice(GIVEN),
                        "family_name": rng.choice(FAMILY),
                        "other_names": [],
                        "birth_date": f"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                        "sex": rng.choice(["male", "female"]),
                        "ethnicity": "WBRI",
                        "identifiers": {
                            "nhs_number": nhs_number(i),
                            "upn": None,
                            "pnc_id": None,
                            "local_id": f"L{i}",
                        },
                        "addresses": [
                            {
                                "line": f"{i % 200} High St",
                                "postcode": "CV34 4AB",
                                "from": None,
                                "to": None,
                            }
                        ],
                    }
                )
                + b"\n"
            )
        for i in range(entries):
            occurred = base + dt.timedelta(minutes=rng.randrange(0, 5_000_000))
            recorded = occurred + dt.timedelta(hours=rng.randrange(1, 200))
            fh.write(
                orjson.dumps(
                    {
                        "format": "sightline/1",
                        "kind": "entry",
                        "source": "bench",
                        "source_id": f"E-{i}",
                        "agency": "police",
                        "type": rng.choice(TYPES),
                        "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M"),
                        "precision": "day",
                        "ended_at": None,
                        "recorded_at": recorded.strftime("%Y-%m-%dT%H:%M"),
                        "subjects": [
                            {"source_id": f"P-{rng.randrange(people)}", "role": "subject"}
                        ],
                        "summary": "Reported missing overnight; found by officers in another town.",
                        "detail": None,
                        "grade": "fact",
                        "sensitivity": "standard",
                        "intelligence_grade": None,
                        "location": {"postcode": "B1 1AA", "label": None},
                    }
                )
                + b"\n"
            )
        for i in range(rels):
            a, b = rng.sample(range(people), 2)
            fh.write(
                orjson.dumps(
                    {
                        "format": "sightline/1",
                        "kind": "relationship",
                        "source": "bench",
                        "source_id": f"R-{i}",
                        "from": f"P-{a}",
                        "to": f"P-{b}",
                        "type": "sibling",
                        "from_date": None,
                        "to_date": None,
                    }
                )
                + b"\n"
            )
        for i in range(invs):
            fh.write(
                orjson.dumps(
                    {
                        "format": "sightline/1",
                        "kind": "involvement",
                        "source": "bench",
                        "source_id": f"I-{i}",
                        "person": f"P-{rng.randrange(people)}",
                        "agency": "police",
                        "team": f"Team {i % 5}",
                        "practitioner": {
                            "name": "Sam Jones",
                            "role": "PC",
                            "email": "sam@example.org",
                            "phone": None,
                        },
                        "is_lead": False,
                        "from": "2019-09-01",
                        "to": None,
                    }
                )
                + b"\n"
            )


def feed_sources(paths: list[Path]) -> dict[str, str]:
    """source code -> the agency kind most of its lines name (to register the sources of a
    directory of feeds, such as the synthetic county's)."""
    from collections import Counter

    from sightline.records.ingest.sources import open_feed

    kinds: dict[str, Counter[str]] = {}
    for path in paths:
        for raw in open_feed(path):
            obj = raw.obj if isinstance(raw.obj, dict) else {}
            if obj.get("source"):
                kinds.setdefault(obj["source"], Counter())[obj.get("agency") or ""] += 1
    return {code: next(k for k, _ in c.most_common() if k) for code, c in kinds.items()}


def run_once(feed: Path, chunk: int | None, tables: bool = False) -> None:
    """One import into the (empty) database of this process; prints a JSON result line (and,
    with `tables`, the time spent inserting into each table before it)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.core.management import call_command

    from sightline.core.actors import IMPORTER
    from sightline.records.ingest.pipeline import ImportOptions, import_file
    from sightline.records.services import feed_files, feeds_import, source_system_register

    call_command("migrate", verbosity=0)
    files = feed_files([feed])
    for code, kind in feed_sources(files).items():
        source_system_register(actor=IMPORTER, code=code, name=code, agency_kind=kind)
    inserts = _time_inserts() if tables else {}
    url = os.environ.get("DATABASE_URL", "")
    server = server_cpu(url)
    wall, cpu, checkers = time.perf_counter(), time.process_time(), _children_cpu()
    if feed.is_dir():
        results = feeds_import(actor=IMPORTER, paths=[feed], accept_valid=True)
    else:
        options = ImportOptions() if chunk is None else ImportOptions(chunk_size=chunk)
        results = [import_file(feed, actor=IMPORTER, options=options)]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    checkers = _children_cpu() - checkers  # the processes that checked large files' lines
    after = server_cpu(url)
    server = None if server is None or after is None else after - server
    refused = [r for r in results if r.status == "rejected" or r.counts.rejected]
    if refused:
        raise SystemExit(f"lines refused: {[(r.filename, r.errors[:3]) for r in refused]}")
    lines = sum(r.counts.read for r in results)
    if inserts:
        inserts["all tables"] = [
            sum(v[0] for v in inserts.values()),
            sum(v[1] for v in inserts.values()),
        ]
    for table, (seconds, rows) in sorted(inserts.items(), key=lambda item: -item[1][0]):
        print(
            f"  insert {table:32} {seconds:7.2f} s {rows:>10,} rows "
            f"{1e6 * seconds / max(rows, 1):5.1f} µs/row "
            f"{1e6 * seconds / max(lines, 1):5.1f} µs/line"
        )
    result = {"lines": lines, "wall": wall, "cpu": cpu, "checkers": checkers, "server": server}
    print(orjson.dumps(result).decode())


def _time_inserts() -> dict[str, list[float]]:
    """Time every bulk insert, per table: the database's own share of the importer's work
    (SQLite's library runs in the importing process; on PostgreSQL the COPY's round trip)."""
    from sightline.core.fastinsert import FastTable

    spent: dict[str, list[float]] = {}
    insert = FastTable.insert

    def timed(self: FastTable, rows: Any) -> None:
        start = time.perf_counter()
        insert(self, rows)
        total = spent.setdefault(self.table, [0.0, 0])
        total[0] += time.perf_counter() - start
        total[1] += len(rows)

    FastTable.insert = timed  # type: ignore[method-assign]
    return spent


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def size_of(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.iterdir() if p.is_file())
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--file",
        type=Path,
        help="import this feed, or every feed in this directory (such as `sightline synth "
        "--out DIR`), instead of a generated one; its sources are registered first",
    )
    parser.add_argument("--chunk", type=int, default=None, help="lines per chunk")
    parser.add_argument(
        "--tables",
        action="store_true",
        help="also print, for each run, the time spent inserting into each table",
    )
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    feed = args.file
    if feed is None:
        feed = Path(tempfile.gettempdir()) / f"sightline-bench-2-{args.lines}.jsonl"
        if not feed.exists():
            generate(feed, args.lines)
    if args.once:
        run_once(feed, args.chunk, args.tables)
        return

    url = os.environ.get("DATABASE_URL", "")
    postgres = url.startswith("postgres")
    rates, cpu_rates = [], []
    per_line: list[float] = []  # µs of CPU per line: importer, checkers and a local server
    for run in range(args.runs):
        env = dict(os.environ)
        tmp = tempfile.mkdtemp(prefix="sightline-bench-")
        env["SIGHTLINE_VAR_DIR"] = tmp  # a fresh SQLite file each run
        env["IDENTITY_LINK_ON_IMPORT"] = "0"  # the import alone; linking is bench_linkage.py
        name = None
        if postgres:  # a fresh database on the same server each run
            import psycopg

            name = f"sightline_bench_{os.getpid()}_{run}"
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            env["DATABASE_URL"] = url.rsplit("/", 1)[0] + f"/{name}"
        try:
            command = [sys.executable, __file__, "--once", "--file", str(feed)]
            if args.chunk:
                command += ["--chunk", str(args.chunk)]
            if args.tables:
                command.append("--tables")
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        finally:
            if name:
                with psycopg.connect(url, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            shutil.rmtree(tmp, ignore_errors=True)
        *details, last = [line for line in done.stdout.splitlines() if line.strip()]
        result = orjson.loads(last)
        rates.append(result["lines"] / result["wall"])
        cpu = result["cpu"] + result["checkers"]
        cpu_rates.append(result["lines"] / cpu)
        server = result.get("server")
        per_line.append(1e6 * (cpu + (server or 0)) / max(result["lines"], 1))
        print(
            f"run {run + 1}: {result['lines']} lines in {result['wall']:.2f} s = "
            f"{rates[-1]:,.0f} lines/s (importer CPU {cpu:.2f} s, {result['checkers']:.2f} s "
            f"of it checking in second processes = {cpu_rates[-1]:,.0f} lines per CPU second"
            + ("" if server is None else f"; server CPU {server:.2f} s")
            + ")",
            flush=True,
        )
        for detail in details:
            print(detail, flush=True)
    load = os.getloadavg()[0]
    print(
        f"{'postgresql' if postgres else 'sqlite'}: median {statistics.median(rates):,.0f} lines/s "
        f"({statistics.median(cpu_rates):,.0f} per importer CPU second) over {args.runs} runs; "
        f"{feed.name}, {size_of(feed) / 1e6:.1f} MB; {os.cpu_count()} CPUs, "
        f"load average {load:.1f}"
        + f"; CPU per line {statistics.median(per_line):.0f} µs"
        + (" (importer and server)" if postgres else "")
    )


if __name__ == "__main__":
    main()
