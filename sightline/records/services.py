"""The records app owns the feeds agencies send: source systems (registered feeds), import
batches and source records (every line kept as received). Its pipeline (records.ingest) turns
feed files into people, chronology entries, relationships and involvements.

Writes here are atomic and audited in the same transaction (an import's audit row commits with
its records; a refused file's with its rejected batch row)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
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
from sightline.records.ingest.pipeline import BatchResult, ImportOptions, Phase, import_file
from sightline.records.ingest.quality import default_rejects_path
from sightline.records.models import SourceSystem

logger = logging.getLogger(__name__)

_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
FEED_SUFFIXES = (".jsonl", ".csv")
REJECTS_SUFFIX = ".rejects.jsonl"


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


def feed_files(paths: Iterable[Path]) -> list[Path]:
    """The feed files named: files as given, directories expanded to their *.jsonl and *.csv
    files in name order (reject reports, *.rejects.jsonl, are left out)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                p
                for p in path.iterdir()
                if p.is_file()
                and p.suffix.lower() in FEED_SUFFIXES
                and not p.name.endswith(REJECTS_SUFFIX)
            )
        elif path.is_file():
            if path.suffix.lower() not in (*FEED_SUFFIXES, ".ndjson"):
                raise ValidationFailed(f"{path}: not a feed file (expected .jsonl or .csv)")
            files.append(path)
        else:
            raise ValidationFailed(f"{path}: no such file or directory")
    return files


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


def feeds_import(
    *,
    actor: Any,
    paths: Iterable[Path],
    accept_valid: bool = False,
    rejects: Path | None = None,
    progress: Callable[[Path, str], Callable[[int], None] | None] | None = None,
) -> list[BatchResult]:
    """Import several feed files. With more than one file, person lines go first: every
    file's person lines (one batch each), then every file's other lines, so an entry may name a
    person sent in another file of the same source."""
    files = feed_files(paths)
    if rejects is not None and len(files) > 1 and not rejects.is_dir():
        raise ValidationFailed("--rejects must be a directory when importing more than one file")
    plan: list[tuple[Path, Phase]] = (
        [(f, "all") for f in files]
        if len(files) == 1
        else [(f, "people") for f in files] + [(f, "rest") for f in files]
    )
    results: list[BatchResult] = []
    reported: set[Path] = set()
    for path, phase in plan:
        target = rejects
        if target is not None and target.is_dir():
            target = target / (path.name + REJECTS_SUFFIX)
        report = target or default_rejects_path(path)
        result = batch_import(
            actor=actor,
            path=path,
            accept_valid=accept_valid,
            rejects_path=target,
            phase=phase,
            rejects_append=report in reported,
            progress=progress(path, phase) if progress else None,
        )
        if result.rejects_path is not None:
            reported.add(result.rejects_path)
        results.append(result)
    if any(r.counts.created or r.counts.superseded for r in results):
        _statistics_refresh()
    return results


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
