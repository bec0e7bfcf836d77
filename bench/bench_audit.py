"""The audit log's cost: appending a row (as a page view does, alone and in a transaction, and
as a deferred batch), and `sightline audit verify` over many rows.

    .venv/bin/python bench/bench_audit.py [--appends 2000] [--rows 1000000]
    DATABASE_URL=postgres://… .venv/bin/python bench/bench_audit.py

Runs on a new SQLite file (WAL, as the application configures it) or, with DATABASE_URL, a new
database on that PostgreSQL server (created and dropped). Appends go through
`governance.audit.record`, so the same script measures code from before the chain
(BENCH_ROOT=DIR names that checkout; the verify step is skipped there). Prints microseconds a
row, wall-clock and this process's CPU.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

# The checkout measured: this one, or another's (BENCH_ROOT, e.g. the code before a change).
ROOT = Path(os.environ.get("BENCH_ROOT") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))


def _database() -> tuple[str, str | None]:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        name = f"bench_audit_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return url.rsplit("/", 1)[0] + f"/{name}", name
    path = Path(tempfile.mkdtemp(prefix="bench-audit-")) / "audit.sqlite3"
    return f"sqlite:///{path}", None


def _timed(label: str, rows: int, work: object) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    work()  # type: ignore[operator]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"{label}: {wall / rows * 1e6:,.0f} us a row wall, {cpu / rows * 1e6:,.0f} us CPU ({rows:,} rows, {wall:.1f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    url, created = _database()
    original = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, transaction

        from sightline.core.actors import IMPORTER
        from sightline.governance import audit
        from sightline.governance.audit import AuditAction

        call_command("migrate", verbosity=0)

        def view(i: int) -> None:
            audit.record(
                IMPORTER,
                AuditAction.STORY_VIEWED,
                object_type="person",
                object_id=f"SL{i:08d}",
                person_id=i,
                purpose="core group",
                detail={"filters": {"types": ["home_visit"]}, "page": 1, "via": "api"},
            )

        def alone() -> None:
            for i in range(args.appends):
                view(i)

        def in_transaction() -> None:
            with transaction.atomic():
                for i in range(args.appends):
                    view(i)

        _timed("one row, its own transaction", args.appends, alone)
        _timed("one row at a time, in a transaction", args.appends, in_transaction)
        if not hasattr(audit, "deferred"):
            return
        from sightline.governance import chain

        def fill() -> None:
            for start in range(0, args.rows, 10_000):
                with transaction.atomic(), audit.deferred():
                    for i in range(start, min(start + 10_000, args.rows)):
                        view(i)

        _timed("deferred, 10,000 rows at a time", args.rows, fill)
        connection.close()
        report: list[chain.Report] = []
        _timed("verify", args.rows, lambda: report.append(chain.verify()))
        total = report[0].rows
        assert report[0].ok, report[0].problem
        print(f"verified {total:,} rows")
    finally:
        if created:
            from django.db import connections

            connections.close_all()
            import psycopg

            assert original is not None
            with psycopg.connect(original, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')


if __name__ == "__main__":
    main()
