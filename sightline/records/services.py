"""The records app owns the feeds agencies send: source systems (registered feeds), import
batches and source records (every line kept as received). Its pipeline (records.ingest) turns
feed files into people, chronology entries, relationships and involvements.

Writes here are atomic and audited in the same transaction (an import's audit row commits with
its records; a refused file's with its rejected batch row)."""

from __future__ import annotations

import logging
import re
import stat
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils.text import slugify

from sightline.agencies.models import Agency
from sightline.agencies.vocabulary import agency_kinds
from sightline.core import clock
from sightline.core.errors import ValidationFailed
from sightline.governance import audit
from sightline.governance.audit import AuditAction
from sightline.records.ingest.lines import Counts
from sightline.records.ingest.pipeline import (
    BatchResult,
    ImportOptions,
    Phase,
    batch_result_record,
    import_file,
    import_file_within,
)
from sightline.records.models import SourceSystem

logger = logging.getLogger(__name__)

_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
FEED_SUFFIXES = (".jsonl", ".csv")
REJECTS_SUFFIX = ".rejects.jsonl"
PHASES: tuple[Phase, ...] = ("all", "people", "rest")


@transaction.atomic
def source_system_register(
    *,
    actor: Any,
    code: str,
    name: str,
    agency_kind: str,
    organisation: str | None = None,
    access_scope: str = SourceSystem.AccessScope.AGENCY,
) -> SourceSystem:
    """Register a feed before its first import. The feed belongs to an agency: the one named
    `organisation` (created if new), or else the partnership's agency of that kind."""
    errors: dict[str, str] = {}
    if not _CODE.match(code):
        errors["code"] = "must be lower-case letters, digits, - or _ (like police or csc-mosaic)"
    elif SourceSystem.objects.filter(code=code).exists():
        errors["code"] = f"a source called {code} is already registered"
    if agency_kind not in agency_kinds():
        errors["agency_kind"] = (
            f"{agency_kind} is not an agency kind; see `sightline sources kinds`"
        )
    if access_scope not in SourceSystem.AccessScope.values:
        errors["access"] = "must be agency or team"
    if not name.strip():
        errors["name"] = "is required"
    if errors:
        raise ValidationFailed("The source could not be registered", errors=errors)
    agency = _agency(agency_kind, organisation)
    system = SourceSystem.objects.create(
        code=code,
        name=name.strip(),
        agency=agency,
        access_scope=access_scope,
        registered_at=clock.now(),
    )
    audit.record(
        actor,
        AuditAction.SOURCE_REGISTERED,
        object_type="source_system",
        object_id=system.pk,
        detail={"code": code, "agency": agency.code, "access_scope": access_scope},
    )
    return system


def _agency(kind: str, organisation: str | None) -> Agency:
    if organisation:
        agency = Agency.objects.filter(name__iexact=organisation.strip()).first()
        if agency is not None:
            if agency.kind != kind:
                raise ValidationFailed(
                    "The source could not be registered",
                    errors={"organisation": f"{agency.name} is a {agency.kind} agency, not {kind}"},
                )
            return agency
        base = slugify(organisation)[:50] or kind
        code, n = base, 1
        while Agency.objects.filter(code=code).exists():
            n += 1
            code = f"{base}-{n}"
        return Agency.objects.create(code=code, name=organisation.strip(), kind=kind)
    agency = Agency.objects.filter(code=kind).first()
    if agency is not None:
        return agency
    of_kind = list(Agency.objects.filter(kind=kind)[:2])
    if len(of_kind) == 1:
        return of_kind[0]
    if len(of_kind) > 1:
        raise ValidationFailed(
            "The source could not be registered",
            errors={"organisation": f"there are several {kind} agencies: name one"},
        )
    return Agency.objects.create(code=kind, name=agency_kinds()[kind], kind=kind)


@dataclass(frozen=True)
class Skipped:
    """A file in a directory given to import that is not imported, and why."""

    path: Path
    reason: str


def feed_listing(paths: Iterable[Path]) -> tuple[list[Path], list[Skipped]]:
    """The feed files named, and what a directory held that is not one. Files are taken as
    given; a directory gives its *.jsonl and *.csv files in name order. Nothing is followed
    through a symbolic link: a link could lead a data officer's import to any file on the
    machine (and its lines into a reject report), so a link given is refused and a link in a
    directory is skipped, like subdirectories, other files and reject reports."""
    files: list[Path] = []
    skipped: list[Skipped] = []
    seen: set[Path] = set()
    for path in paths:
        try:
            mode = path.lstat().st_mode
        except FileNotFoundError:
            raise ValidationFailed(f"{path}: no such file or directory") from None
        if stat.S_ISLNK(mode):
            raise ValidationFailed(f"{path}: is a symbolic link; name the file or directory itself")
        if stat.S_ISDIR(mode):
            for entry in sorted(path.iterdir()):
                reason = _not_a_feed(entry)
                if reason is None and entry.resolve() in seen:
                    reason = "named twice"
                if reason is None:
                    seen.add(entry.resolve())
                    files.append(entry)
                else:
                    skipped.append(Skipped(entry, reason))
        elif stat.S_ISREG(mode):
            if path.suffix.lower() not in (*FEED_SUFFIXES, ".ndjson"):
                raise ValidationFailed(f"{path}: not a feed file (expected .jsonl or .csv)")
            if path.resolve() in seen:
                skipped.append(Skipped(path, "named twice"))
                continue
            seen.add(path.resolve())
            files.append(path)
        else:
            raise ValidationFailed(f"{path}: not a regular file or a directory")
    return files, skipped


def _not_a_feed(entry: Path) -> str | None:
    """Why a directory's entry is not imported (None: it is a feed file)."""
    try:
        mode = entry.lstat().st_mode
    except FileNotFoundError:
        return "gone while the directory was read"
    if stat.S_ISLNK(mode):
        return "a symbolic link (links are not followed)"
    if stat.S_ISDIR(mode):
        return "a directory (only the files directly in it are imported)"
    if not stat.S_ISREG(mode):
        return "not a regular file"
    if entry.name.endswith(REJECTS_SUFFIX):
        return "a reject report"
    if entry.suffix.lower() not in FEED_SUFFIXES:
        return "not a feed file (.jsonl or .csv)"
    return None


def feed_files(paths: Iterable[Path]) -> list[Path]:
    """The feed files named (`feed_listing` without what it skips)."""
    return feed_listing(paths)[0]


def batch_import(
    *,
    actor: Any,
    path: Path,
    accept_valid: bool = False,
    rejects_path: Path | None = None,
    phase: Phase = "all",
    rejects_append: bool = False,
    progress: Callable[[int], None] | None = None,
) -> BatchResult:
    """Import one feed file as one batch (records.ingest.pipeline)."""
    return import_file(
        path,
        actor=actor,
        options=ImportOptions(
            accept_valid=accept_valid,
            rejects_path=rejects_path,
            rejects_append=rejects_append,
            phase=phase,
            progress=progress,
        ),
    )


class _Refused(Exception):
    """Some files of an attempt were refused: its transaction is rolled back."""

    def __init__(self, results: list[BatchResult]) -> None:
        super().__init__()
        self.results = results


def feeds_import(
    *,
    actor: Any,
    paths: Iterable[Path],
    accept_valid: bool = False,
    rejects: Path | None = None,
    progress: Callable[[Path, str], Callable[[int], None] | None] | None = None,
) -> list[BatchResult]:
    """Import feed files, each file imported whole or refused whole, whatever else is imported
    with it (docs/adr/0012-what-an-import-promises.md).

    With more than one file, person lines go first: every file's person lines (one batch
    each), then every file's other lines, so an entry may name a person sent in another file
    of the same source. All the files are one transaction. When a file is refused (a bad line
    in either of its batches), the transaction is rolled back and the files not refused are
    imported again without it, until none is refused: nothing of a refused file stays, not
    even the people its first batch gave, and no line of another file points at them.

    The results name every file: its batches, an empty file ("empty file"), and what a
    directory held that was not imported ("skipped")."""
    files, skipped = feed_listing(paths)
    if rejects is not None and len(files) > 1 and not rejects.is_dir():
        raise ValidationFailed("--rejects must be a directory when importing more than one file")
    together = len(files) > 1

    def plan(of: list[Path]) -> list[tuple[Path, Phase]]:
        if not together:
            return [(f, "all") for f in of]
        return [(f, "people") for f in of] + [(f, "rest") for f in of]

    def options_for(path: Path, phase: Phase, elsewhere: Any) -> ImportOptions:
        target = rejects
        if target is not None and target.is_dir():
            target = target / (path.name + REJECTS_SUFFIX)
        return ImportOptions(
            accept_valid=accept_valid,
            rejects_path=target,
            phase=phase,
            progress=progress(path, phase) if progress else None,
            refused_elsewhere=elsewhere,
        )

    refused: dict[Path, list[BatchResult]] = {}
    # Person lines of refused files (source -> source_id -> where), to explain lines naming them.
    elsewhere: dict[str, dict[str, str]] = defaultdict(dict)
    imported: list[BatchResult] = []
    try:
        while remaining := [f for f in files if f not in refused]:
            try:
                # The files' audit rows are appended when the last file is in: the chain's
                # lock is then held only from there to the commit (governance.audit).
                with transaction.atomic(), audit.deferred():
                    attempt: list[BatchResult] = []
                    known = defaultdict(dict, {k: dict(v) for k, v in elsewhere.items()})
                    for path, phase in plan(remaining):
                        result = import_file_within(
                            path, actor=actor, options=options_for(path, phase, known)
                        )
                        attempt.append(result)
                        for (source, source_id), line_no in result.person_lines.items():
                            if result.status == "rejected" or line_no in result.raw_lines:
                                known[source].setdefault(source_id, f"{path.name} (line {line_no})")
                    if any(r.status == "rejected" for r in attempt):
                        raise _Refused(attempt)
                    imported = attempt
            except _Refused as again:
                out = {r.path for r in again.results if r.status == "rejected"}
                for result in again.results:
                    if result.path in out:
                        refused.setdefault(result.path, []).append(result)
                        for (source, source_id), line_no in result.person_lines.items():
                            elsewhere[source].setdefault(
                                source_id, f"{result.filename} (line {line_no})"
                            )
                continue
            break
    finally:
        # A refusal is recorded even when a later attempt fails (a checker that died…).
        _refusals_record(refused, actor=actor)
    # The reports of imported batches with bad lines (--accept-valid), once the import is in.
    reported: set[Path] = set()
    for result in imported:
        batch_result_record(result, actor=actor, append=result.rejects_path in reported)
        if result.rejects_path is not None:
            reported.add(result.rejects_path)
    results = _in_plan_order(plan(files), imported, refused)
    if any(r.counts.created or r.counts.superseded for r in results):
        _statistics_refresh()
    results += [
        BatchResult(s.path, "all", "skipped", None, Counts(), note=s.reason) for s in skipped
    ]
    return results


def _refusals_record(refused: dict[Path, list[BatchResult]], *, actor: Any) -> None:
    """Each refused file's batches: those with bad lines get their rejected batch row, audit
    event and reject report; the others were refused with their file."""
    reported: set[Path] = set()
    for results in refused.values():
        for result in results:
            if result.status == "empty":
                result.recorded = True
                continue
            if result.status != "rejected":
                result.status = "rejected"
                result.note = "its file was refused"
                result.batch_id = None
                result.counts.created = result.counts.superseded = 0
                result.counts.unchanged = 0
                result.counts.by_kind = {}
                if not result.errors:
                    result.recorded = True
                    continue
            append = result.rejects_path in reported
            batch_result_record(result, actor=actor, append=append)
            if result.rejects_path is not None:
                reported.add(result.rejects_path)


def _in_plan_order(
    plan: list[tuple[Path, Phase]],
    imported: list[BatchResult],
    refused: dict[Path, list[BatchResult]],
) -> list[BatchResult]:
    """One result per batch in the order of the plan; a file whose batches were all empty is
    one "empty file" result, and an empty batch of a file with lines is left out."""
    by_batch = {(r.path, r.phase): r for r in imported}
    for results in refused.values():
        by_batch.update({(r.path, r.phase): r for r in results})
    out: list[BatchResult] = []
    done: set[Path] = set()
    for path, phase in plan:
        result = by_batch.get((path, phase))
        if result is None or path in done:
            continue
        if result.status == "empty":
            phases = [by_batch.get((path, p)) for p in PHASES]
            if all(r is None or r.status == "empty" for r in phases):
                done.add(path)
                out.append(
                    BatchResult(
                        path,
                        "all",
                        "empty file",
                        None,
                        result.counts,
                        note="no lines: nothing to import",
                    )
                )
            continue
        out.append(result)
    return out


def _statistics_refresh() -> None:
    """On SQLite, refresh the query planner's table statistics after an import changed rows.
    Without them SQLite guesses, and some guesses walk a whole table (at 100,000 children,
    search p95 fell from 115 to 95 ms once statistics existed). `analysis_limit` samples each
    index instead of reading it: milliseconds even for a 4 GB database. PostgreSQL's
    autovacuum analyses tables that changed on its own."""
    if connection.vendor != "sqlite":
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA analysis_limit = 1000")
            cursor.execute("ANALYZE")
    except DatabaseError:  # busy with another import: the next import refreshes them
        logger.warning("table statistics not refreshed after the import", exc_info=True)
