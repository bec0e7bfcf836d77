"""The replay's worker: a process of its own whose database is a new SQLite file in the
replay's temporary directory (ADR 17). `sightline replay` starts it; nobody else should.

    python -m sightline.alerts.replay.worker JOB.json

JOB.json names the feeds, the dates, the rule directories, the database file and where to
write the result. The worker refuses to start unless DATABASE_URL is that file: whatever goes
wrong, nothing here can reach the partnership's database. It creates the schema, registers
every source the feeds name (as agency kind `other`: each entry names its own agency), imports
the feeds with the importer, links people with `sightline link`'s linker, reads everyone's
History and replays each one with the engine. The result is JSON: the replay's report, or the
problems that stopped it (exit status 2)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

INPUT_ERROR = 2


class InputProblem(Exception):
    """The feeds or the job cannot be replayed; the messages say why (file, line, field)."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


def _check_database(job: dict[str, Any]) -> None:
    """DATABASE_URL must name the job's own new file (the parent sets it; a caller who starts
    the worker by hand with another database gets nothing done)."""
    expected = f"sqlite:///{job['database']}"
    if os.environ.get("DATABASE_URL") != expected or Path(job["database"]).exists():
        raise SystemExit("the replay worker runs only on its own new database")


def _sources_in(paths: list[Path]) -> Iterator[str]:
    """The `source` codes the feed files name (read loosely: the importer reports bad lines)."""
    from sightline.records.services import feed_files

    for path in feed_files(paths):
        try:
            if path.suffix.lower() == ".csv":
                with path.open(encoding="utf-8", newline="") as fh:
                    for row in csv.DictReader(fh):
                        yield (row.get("source") or "").strip()
                continue
            with path.open(encoding="utf-8") as fh:
                for text in fh:
                    try:
                        line = json.loads(text)
                    except ValueError:
                        continue
                    if isinstance(line, dict) and isinstance(line.get("source"), str):
                        yield line["source"].strip()
        except (OSError, UnicodeDecodeError, csv.Error):
            continue  # the importer says what is wrong with the file


def _register_sources(paths: list[Path]) -> list[str]:
    from sightline.core.actors import IMPORTER
    from sightline.core.errors import ValidationFailed
    from sightline.records.models import SourceSystem
    from sightline.records.services import source_system_register

    registered = []
    for code in sorted(set(_sources_in(paths))):
        if not code or SourceSystem.objects.filter(code=code).exists():
            continue
        try:
            # Each source its own agency (of kind `other`), so that each counts once when a
            # person's shown details are chosen from what the agencies record.
            source_system_register(
                actor=IMPORTER,
                code=code,
                name=f"{code} (replayed feed)",
                agency_kind="other",
                organisation=f"{code} (replayed feed)",
            )
        except ValidationFailed:
            continue  # not a valid code: the importer refuses its lines, naming them
        registered.append(code)
    return registered


def _import(paths: list[Path], rejects: Path) -> dict[str, int]:
    from sightline.core.actors import IMPORTER
    from sightline.core.errors import DomainError
    from sightline.records.ingest.quality import format_error
    from sightline.records.services import feeds_import

    rejects.mkdir(exist_ok=True)
    try:
        results = feeds_import(actor=IMPORTER, paths=paths, rejects=rejects)
    except DomainError as exc:
        raise InputProblem([exc.message]) from exc
    except OSError as exc:
        raise InputProblem([f"{exc.filename or ''}: {exc.strerror or exc}"]) from exc
    problems: list[str] = []
    explained = {r.path for r in results if r.status == "rejected" and r.errors}
    for result in results:
        if result.status == "rejected" and result.errors:
            problems += [format_error(result.filename, e) for e in result.errors]
        elif result.status == "rejected" and result.path not in explained:
            problems.append(f"{result.filename}: refused ({result.note or 'no reason given'})")
    if problems:
        raise InputProblem(problems)
    imported = [r for r in results if r.status not in ("skipped", "empty file", "empty")]
    if not imported:
        raise InputProblem(["no feed lines to replay: name .jsonl or .csv files or directories"])
    return {
        "files": len({r.path for r in imported}),
        "lines": sum(r.counts.read for r in imported),
    }


def _link() -> dict[str, Any]:
    from sightline.core.actors import LINKER
    from sightline.governance import access
    from sightline.identity import linking
    from sightline.identity.models import CandidateLink

    scope = access.system_scope(actor=LINKER, purpose="link people in a replay's own database")
    try:
        run = linking.link_full(actor=LINKER, scope=scope, train=False)
    except linking.LinkError as exc:
        raise InputProblem([str(exc)]) from exc
    pending = (
        CandidateLink.objects.filter(status=CandidateLink.Status.PENDING)
        .select_related("record_a__source_system", "record_b__source_system")
        .order_by("pk")
    )
    possible = [
        {
            "records": [
                {"source": c.record_a.source_system.code, "source_id": c.record_a.source_id},
                {"source": c.record_b.source_system.code, "source_id": c.record_b.source_id},
            ],
            "match_weight": c.match_weight,
        }
        for c in pending
        if c.record_a.person_id != c.record_b.person_id
    ]
    return {"counts": run.counts, "possible_matches": possible}


def _create_schema() -> None:
    """The tables, created from the models as they are now (as Django's test runner does with
    MIGRATE off): a new empty database needs no history, and this takes a tenth of the time of
    running every migration. CI's `makemigrations --check` keeps models and migrations equal."""
    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command

    settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
    call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)


def run(job: dict[str, Any]) -> dict[str, Any]:
    """The replay, start to end, inside the throwaway database."""
    import django

    timings: dict[str, float] = {}
    started = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal started
        now = time.perf_counter()
        timings[name] = round(now - started, 3)
        started = now

    django.setup()
    from sightline.alerts.replay import replaying

    rule_set = replaying.rule_set(
        [Path(d) for d in job["rule_dirs"]],
        job.get("holidays"),
        run_cases=not job.get("cases_checked", False),
    )
    lap("start")  # the process, Django and the rule set
    _create_schema()
    lap("schema")
    paths = [Path(p) for p in job["paths"]]
    _register_sources(paths)
    imported = _import(paths, Path(job["workdir"]) / "rejects")
    lap("import")
    linked = _link()
    lap("link")
    report = replaying.replay_everyone(
        rule_set,
        start=dt.date.fromisoformat(job["from"]) if job.get("from") else None,
        end=dt.date.fromisoformat(job["to"]) if job.get("to") else None,
        holidays=job.get("holidays"),
        timings=timings,
    )
    lap("replay")
    report["possible_matches"] = linked["possible_matches"]
    report["stats"] = {
        "files": imported["files"],
        "lines": imported["lines"],
        "linking": linked["counts"],
        "seconds": timings,
    }
    return report


def main(argv: list[str]) -> int:
    job_path = Path(argv[0])
    job = json.loads(job_path.read_text(encoding="utf-8"))
    _check_database(job)
    out = Path(job["result"])
    try:
        report = run(job)
    except InputProblem as problem:
        out.write_text(json.dumps({"errors": problem.messages}), encoding="utf-8")
        return INPUT_ERROR
    except Exception as exc:
        from sightline.alerts.replay.replaying import ReplayProblem

        if not isinstance(exc, ReplayProblem):
            raise
        out.write_text(json.dumps({"errors": exc.messages}), encoding="utf-8")
        return INPUT_ERROR
    out.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
