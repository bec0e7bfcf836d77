"""The ingest pipeline: one feed file becomes one import batch, all or nothing.

read (sources/) -> validate (validate.py) -> classify against what is already held (new,
changed, unchanged) -> resolve references to person lines -> write in chunks -> audit -> commit
-> announce `batch_imported`.

- **Transactional per file.** The batch row, every record and every derived row are written in
  one transaction. A file with a bad line is refused whole (nothing is written; a rejected batch
  row and an audit event are recorded on their own) unless `accept_valid`, which writes the good
  lines and reports the rest. A killed import commits nothing; running the file again completes
  it.
- **Idempotent.** A line's key is (source, source_id). Sent again unchanged (same canonical
  hash) it changes nothing; changed, it adds a version of the source record and supersedes what
  the earlier version derived (docs/adr/0002-ingest-pipeline.md).
- **Fast.** Lines are handled in chunks; each chunk costs a fixed number of queries whatever its
  size, and rows are inserted with `core.fastinsert`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from django.conf import settings
from django.db import connection, transaction

from sightline.agencies.models import Agency
from sightline.agencies.vocabulary import agency_kinds
from sightline.core import clock
from sightline.core.actors import SystemActor
from sightline.core.dates import LONDON, PartialDateError, format_partial
from sightline.core.fastinsert import Adapter, FastTable
from sightline.core.lookups import key_by_key
from sightline.governance import audit
from sightline.governance.audit import AuditAction
from sightline.people import bulk as people_bulk
from sightline.records.ingest import hooks, quality, spec
from sightline.records.ingest.hooks import SourceInfo, WriteContext, WriteItem
from sightline.records.ingest.lines import (
    Counts,
    EntryLine,
    InvolvementLine,
    Line,
    LineError,
    PersonLine,
    RelationshipLine,
)
from sightline.records.ingest.persons import PersonWriter
from sightline.records.ingest.reading import CheckedLines, fewer_collections
from sightline.records.ingest.validate import LineValidator, Vocabulary, partial_when
from sightline.records.models import ImportBatch, SourceRecord, SourceSystem
from sightline.records.signals import batch_imported

CHUNK_SIZE = 2000
_IN_BATCH = 2000
IMPORT_CACHE_KIB = 512 * 1024  # SQLite page cache while importing

# Which lines of the file this batch takes: all of them, only person lines, or all but person
# lines (several files are imported people first, so lines may name people of other files).
Phase = Literal["all", "people", "rest"]

RECORD_COLUMNS = [
    "source_system_id",
    "source_id",
    "kind",
    "version",
    "is_current",
    "payload",
    "payload_hash",
    "batch_id",
    "line_number",
    "person_id",
]


@dataclass
class ImportOptions:
    accept_valid: bool = False
    rejects_path: Path | None = None
    rejects_append: bool = False
    phase: Phase = "all"
    chunk_size: int = CHUNK_SIZE
    progress: Callable[[int], None] | None = None  # called with bytes read so far
    # Check the lines in a second process (reading.py); None: when the file is large enough
    # (settings.IMPORT_WORKER_MIN_BYTES) and the machine has more than one core.
    check_in_worker: bool | None = None
    # Person lines of other files of the same import that were refused (source code ->
    # source_id -> "file line N"), so a line naming one says why it is not found.
    refused_elsewhere: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass
class BatchResult:
    path: Path
    # "imported", "rejected", "empty" (the phase had no lines), and for a whole file
    # (records.services.feeds_import) "empty file" or "skipped" (not a feed; `note` says why).
    phase: Phase
    status: str
    batch_id: int | None
    counts: Counts
    errors: list[LineError] = field(default_factory=list)
    rejects_path: Path | None = None
    note: str = ""
    # What recording the outcome needs (`batch_result_record`): the refused batch row and the
    # reject report are written once the import's transaction is over.
    started_at: dt.datetime | None = field(default=None, repr=False)
    file_sha256: str = field(default="", repr=False)
    raw_lines: dict[int, str] = field(default_factory=dict, repr=False)
    # (source, source_id) -> line number of every person line of the batch, refused or not.
    person_lines: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)
    sources: list[str] = field(default_factory=list, repr=False)
    recorded: bool = field(default=False, repr=False)

    @property
    def filename(self) -> str:
        return self.path.name


@dataclass(slots=True)
class Existing:
    """The current version of a record already held."""

    id: int
    kind: str
    payload_hash: str
    version: int
    person_id: int | None


class _Rejected(Exception):
    pass


class _Empty(Exception):
    pass


def import_file(path: Path, *, actor: Any, options: ImportOptions | None = None) -> BatchResult:
    """Import one feed file as one batch (see the module docstring), and record the outcome: a
    refused file's batch row and audit event, the reject report."""
    options = options or ImportOptions()
    result = import_file_within(path, actor=actor, options=options)
    batch_result_record(result, actor=actor, append=options.rejects_append)
    return result


def import_file_within(path: Path, *, actor: Any, options: ImportOptions) -> BatchResult:
    """Import one feed file as one batch in a transaction of its own, or a savepoint of the
    caller's: several files imported together are one transaction (records.services), so a
    file refused late takes back everything it gave earlier. Records nothing of a refusal:
    the caller does, with `batch_result_record`, once its transaction is over."""
    return _Import(path, actor, options).run()


def batch_result_record(result: BatchResult, *, actor: Any, append: bool = False) -> None:
    """Record what became of a batch, outside the import's transaction (a refusal must outlast
    its rollback): a refused batch gets its rejected batch row and `batch_rejected` event, and
    a batch with bad lines its reject report."""
    if result.recorded:
        return
    result.recorded = True
    if result.status == "rejected":
        errors = result.errors
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                filename=str(result.path),
                phase=result.phase,
                file_sha256=result.file_sha256,
                started_at=result.started_at or clock.now(),
                finished_at=clock.now(),
                status=ImportBatch.Status.REJECTED,
                accept_valid=False,
                counts=result.counts.as_dict(),
                error_count=len(errors),
                errors=quality.stored_errors(result.filename, errors),
                rejects_path=str(result.rejects_path) if result.rejects_path else "",
                actor=_user(actor),
                actor_name=_actor_name(actor),
            )
            audit.record(
                actor,
                AuditAction.BATCH_REJECTED,
                object_type="import_batch",
                object_id=batch.pk,
                detail={
                    "filename": result.filename,
                    "phase": result.phase,
                    "counts": result.counts.as_dict(),
                    "errors": len(errors),
                    "sources": result.sources,
                },
            )
        result.batch_id = batch.pk
    if result.errors and result.rejects_path is not None:
        quality.write_rejects(
            result.rejects_path,
            filename=result.filename,
            errors=result.errors,
            raw_lines=result.raw_lines,
            append=append,
        )


def vocabulary_current() -> Vocabulary:
    """The vocabularies lines are checked against: the partnership's agency kinds, and the
    entry types and entry text limits registered with the pipeline (cases.ingest)."""
    return Vocabulary(
        agency_kinds=frozenset(agency_kinds()),
        entry_types=dict(hooks.entry_types()),
        entry_text_limits=dict(hooks.entry_text_limits()),
    )


class _Import:
    def __init__(self, path: Path, actor: Any, options: ImportOptions) -> None:
        self.path = path
        self.actor = actor
        self.options = options
        self.now = clock.now()
        self.validator = LineValidator(vocabulary_current(), now=self.now)
        self.lines = CheckedLines(
            path, self.validator, phase=options.phase, in_worker=_check_in_worker(path, options)
        )
        self.counts = Counts()
        self.errors: list[LineError] = []
        self.rejected: set[int] = set()
        self.raw: dict[int, str] = {}  # line number -> text, for refused lines
        # Per source code: source_id -> line number (duplicates); person source_id -> person id
        # (None while not written); person source_id -> line of a refused person line.
        self.seen: dict[str, dict[str, int]] = defaultdict(dict)
        self.people: dict[str, dict[str, int | None]] = defaultdict(dict)
        self.bad_people: dict[str, dict[str, int]] = defaultdict(dict)
        # When people were born (start, precision): person source_id -> as this file's line
        # says; person id -> the earliest any of their records says (looked up, see
        # `_born_first`).
        self.births: dict[str, dict[str, tuple[dt.date, str] | None]] = defaultdict(dict)
        self.earliest_birth: dict[int, tuple[dt.date, str] | None] = {}
        self.pending: list[Line] = []
        self.sources: dict[str, SourceInfo | None] = {}
        self.agencies: dict[tuple[int, str], int] = {}
        self.batch_id = 0
        self.adapter: Adapter | None = None
        self.batch_state: dict[str, Any] = {}  # the writers' own, for the batch (hooks)

    @property
    def writing(self) -> bool:
        """Whether lines are still being written: once a line is refused (and good lines are
        not accepted on their own) the file will be rolled back, so the rest is only checked."""
        return self.options.accept_valid or not self.errors

    # -- the batch -----------------------------------------------------------------------------

    def run(self) -> BatchResult:
        started = clock.now()
        try:
            with transaction.atomic():
                batch = ImportBatch.objects.create(
                    filename=str(self.path),
                    phase=self.options.phase,
                    file_sha256="",
                    started_at=started,
                    accept_valid=self.options.accept_valid,
                    actor=_user(self.actor),
                    actor_name=_actor_name(self.actor),
                )
                self.batch_id = batch.pk
                self.adapter = Adapter()
                with _import_cache(), fewer_collections():
                    for chunk in self._chunks():
                        self._process(chunk, final=False)
                    self._process(self.pending, final=True)
                if self.errors and not self.options.accept_valid:
                    raise _Rejected
                if self.counts.read == 0:
                    raise _Empty
                self._finish(batch, ImportBatch.Status.IMPORTED)
                audit.record(
                    self.actor,
                    AuditAction.BATCH_IMPORTED,
                    object_type="import_batch",
                    object_id=batch.pk,
                    detail=self._audit_detail(),
                )
                batch_id = batch.pk
                transaction.on_commit(
                    lambda: batch_imported.send(sender=ImportBatch, batch_id=batch_id)
                )
            status = "imported"
        except _Empty:
            status, batch_id = "empty", None
        except _Rejected:
            # Nothing was imported: only what was read and refused counts.
            self.counts.created = self.counts.superseded = self.counts.unchanged = 0
            self.counts.by_kind = {}
            status, batch_id = "rejected", None
        else:
            batch_id = batch.pk
        errors = self._sorted_errors()
        person_lines = {
            (source, source_id): line_no
            for source, lines in self.bad_people.items()
            for source_id, line_no in lines.items()
        }
        if self.options.phase == "people":
            for source, seen in self.seen.items():
                for source_id, line_no in seen.items():
                    person_lines.setdefault((source, source_id), line_no)
        return BatchResult(
            self.path,
            self.options.phase,
            status,
            batch_id,
            self.counts,
            errors,
            self._rejects_path() if errors else None,
            started_at=started,
            file_sha256=self.lines.sha256(),
            raw_lines=self.raw,
            person_lines=person_lines,
            sources=sorted(code for code, info in self.sources.items() if info),
        )

    def _sorted_errors(self) -> list[LineError]:
        return sorted(self.errors, key=lambda e: e.line)

    def _finish(self, batch: ImportBatch, status: str) -> None:
        errors = self._sorted_errors()
        batch.status = status
        batch.finished_at = clock.now()
        batch.file_sha256 = self.lines.sha256()
        batch.counts = self.counts.as_dict()
        batch.error_count = len(errors)
        batch.errors = quality.stored_errors(self.path.name, errors)
        if errors:
            batch.rejects_path = str(self._rejects_path())
        batch.save()

    def _audit_detail(self) -> dict[str, Any]:
        return {
            "filename": self.path.name,
            "phase": self.options.phase,
            "counts": self.counts.as_dict(),
            "errors": len(self.errors),
            "sources": sorted(code for code, info in self.sources.items() if info),
        }

    def _rejects_path(self) -> Path:
        return self.options.rejects_path or quality.default_rejects_path(self.path)

    # -- reading and checking each line ---------------------------------------------------------

    def _chunks(self) -> Iterator[list[Line]]:
        chunk: list[Line] = []
        progress = self.options.progress
        size = self.options.chunk_size
        check_in_file = self._check_in_file
        for checked in self.lines:
            self.counts.read += 1
            line = checked.line
            errors = checked.errors if line is None else check_in_file(line)
            if errors:
                if checked.person_key is not None:
                    source, source_id = checked.person_key
                    self.bad_people[source].setdefault(source_id, checked.line_no)
                elif line is not None and line.kind == spec.PERSON:
                    self.bad_people[line.source].setdefault(line.source_id, line.line_no)
                self._refuse(checked.line_no, checked.text, errors)
                continue
            assert line is not None
            chunk.append(line)
            if len(chunk) >= size:
                yield chunk
                chunk = []
                if progress:
                    progress(self.lines.bytes_read)
        if chunk:
            yield chunk
        if progress:
            progress(self.lines.bytes_read)

    def _check_in_file(self, line: Line) -> list[LineError]:
        """The rules a line cannot check alone: a registered source, one line per key."""
        source = self._source(line.source)
        if source is None:
            return [
                LineError(
                    line.line_no,
                    "source",
                    f"{line.source} is not a registered source "
                    f"(register it: sightline sources add {line.source} …)",
                )
            ]
        seen = self.seen[line.source]
        first = seen.setdefault(line.source_id, line.line_no)
        if first != line.line_no:
            return [
                LineError(
                    line.line_no,
                    "source_id",
                    f"{line.source_id} appears twice in this file (first on line {first})",
                )
            ]
        if (
            isinstance(line, InvolvementLine)
            and source.access_scope == SourceSystem.AccessScope.TEAM
            and not line.team
        ):
            return [
                LineError(
                    line.line_no,
                    "team",
                    f"is required: source {source.code} is team-scoped, "
                    "so only the team named may see this person",
                )
            ]
        return []

    def _refuse(self, line_no: int, text: str, errors: Iterable[LineError]) -> None:
        self.errors.extend(errors)
        if line_no not in self.rejected:
            self.rejected.add(line_no)
            self.counts.rejected += 1
        self.raw[line_no] = text

    def _source(self, code: str) -> SourceInfo | None:
        if code not in self.sources:
            # Locked until the import commits: two imports of one source at once take turns
            # (PostgreSQL; SQLite's write lock does the same), so each reads the versions the
            # other wrote and a record never gets two successors.
            system = (
                SourceSystem.objects.select_related("agency")
                .select_for_update(of=("self",))
                .filter(code=code)
                .first()
            )
            self.sources[code] = (
                SourceInfo(
                    id=system.pk,
                    code=system.code,
                    agency_id=system.agency_id,
                    agency_kind=system.agency.kind,
                    access_scope=system.access_scope,
                )
                if system
                else None
            )
        return self.sources[code]

    def _agency_for(self, source: SourceInfo, kind: str | None) -> int:
        """The agency a line's `agency` kind names: the source's own agency when the kinds agree;
        otherwise the partnership's agency of that kind (code = the kind), created on first use."""
        if kind is None or kind == source.agency_kind:
            return source.agency_id
        cache_key = (source.agency_id, kind)
        if cache_key not in self.agencies:
            agency, _ = Agency.objects.get_or_create(
                code=kind, defaults={"kind": kind, "name": agency_kinds().get(kind, kind)}
            )
            self.agencies[cache_key] = agency.pk
        return self.agencies[cache_key]

    # -- a chunk ------------------------------------------------------------------------------

    def _process(self, lines: list[Line], *, final: bool) -> None:
        if not lines:
            return
        if final:
            self.pending = []
        by_source: dict[str, list[Line]] = defaultdict(list)
        for line in lines:
            by_source[line.source].append(line)
        for code, source_lines in by_source.items():
            source = self._source(code)
            assert source is not None  # checked when the line was read
            self._process_source(source, source_lines, final=final)

    def _process_source(self, source: SourceInfo, lines: list[Line], *, final: bool) -> None:
        existing = self._existing(source, [line.source_id for line in lines])
        known = self.people[source.code]
        fresh: list[tuple[Line, Existing | None]] = []
        for line in lines:
            held = existing.get(line.source_id)
            if held is None:
                fresh.append((line, None))
            elif held.kind != line.kind:
                self._refuse(
                    line.line_no,
                    line.raw,
                    [
                        LineError(
                            line.line_no,
                            "source_id",
                            f"{line.source_id} was imported as a {held.kind} line; "
                            "a record cannot change kind",
                        )
                    ],
                )
                if line.kind == spec.PERSON:
                    self.bad_people[source.code][line.source_id] = line.line_no
            elif held.payload_hash == line.payload_hash:
                self.counts.unchanged += 1
                if isinstance(line, PersonLine):
                    known[line.source_id] = held.person_id
                    self._born(source, line)
            else:
                fresh.append((line, held))
        persons = [(line, held) for line, held in fresh if line.kind == spec.PERSON]
        others = [(line, held) for line, held in fresh if line.kind != spec.PERSON]
        if persons:
            self._write_people(source, persons)
        if others:
            self._write_others(source, others, final=final)

    def _existing(self, source: SourceInfo, source_ids: list[str]) -> dict[str, Existing]:
        return {
            sid: Existing(pk, kind, digest, version, person_id)
            for sid, pk, kind, digest, version, person_id in _current_records(source.id, source_ids)
        }

    # -- person lines ---------------------------------------------------------------------------

    def _write_people(self, source: SourceInfo, items: list[tuple[Line, Existing | None]]) -> None:
        lines = [(line, held) for line, held in items if isinstance(line, PersonLine)]
        known = self.people[source.code]
        for line, _ in lines:
            self._born(source, line)
        if not self.writing:
            for line, held in lines:
                known[line.source_id] = held.person_id if held else None
            return
        record_ids = list(_records_table().allocate(len(lines)))
        writer = PersonWriter(
            source=source,
            actor=self.actor,
            adapter=self._adapter(),
            now=self.now,
            agency_for=lambda kind: self._agency_for(source, kind),
        )
        person_ids = writer.write(lines, record_ids, self._insert_records)
        for (line, _), person_id in zip(lines, person_ids, strict=True):
            known[line.source_id] = person_id
            self.earliest_birth.pop(person_id, None)  # it may have a new record now
        self._count_written(lines)

    def _born(self, source: SourceInfo, line: PersonLine) -> None:
        birth = (line.birth_date, line.birth_date_precision) if line.birth_date else None
        self.births[source.code][line.source_id] = birth

    # -- entries, relationships, involvements ------------------------------------------------

    def _write_others(
        self, source: SourceInfo, items: list[tuple[Line, Existing | None]], *, final: bool
    ) -> None:
        self._look_up_people(source, [line for line, _ in items])
        ready = self._resolved(source, items, final=final)
        if not ready or not self.writing:
            return
        record_ids = list(_records_table().allocate(len(ready)))
        self._insert_records(
            [
                (line, held, rid, None)
                for (line, held, _), rid in zip(ready, record_ids, strict=True)
            ]
        )
        by_kind: dict[str, list[WriteItem]] = defaultdict(list)
        agency_of: dict[str | None, int | None] = {None: None}
        for (line, held, people), rid in zip(ready, record_ids, strict=True):
            kind = getattr(line, "agency_kind", None)
            if kind not in agency_of:
                agency_of[kind] = self._agency_for(source, kind)
            by_kind[line.kind].append(
                WriteItem(
                    line=line,
                    source_record_id=rid,
                    previous_record_id=held.id if held else None,
                    agency_id=agency_of[kind],
                    people=people,
                )
            )
        context = WriteContext(
            actor=self.actor,
            batch_id=self.batch_id,
            source=source,
            adapter=self._adapter(),
            agency_for_kind=lambda kind: self._agency_for(source, kind),
            batch_state=self.batch_state,
        )
        for kind, kind_items in by_kind.items():
            if kind == spec.RELATIONSHIP:
                self._write_relationships(kind_items)
            else:
                writer = hooks.line_writer(kind)
                if writer is None:
                    raise RuntimeError(f"no writer registered for {kind} lines")
                writer(context, kind_items)
        self._count_written((line, held) for line, held, _ in ready)

    def _resolved(
        self, source: SourceInfo, items: list[tuple[Line, Existing | None]], *, final: bool
    ) -> list[tuple[Line, Existing | None, list[int]]]:
        """Lines whose people are all known, with their person ids. A line naming a person not
        (yet) seen waits for the end of the file; then, or if that person's line was refused,
        the line is refused."""
        known = self.people[source.code]
        refused = self.bad_people[source.code]
        checking_only = not self.writing
        ready: list[tuple[Line, Existing | None, list[int]]] = []
        for line, held in items:
            refs = line.references()
            people = [known.get(ref) or 0 for ref in refs]
            if all(people) or (checking_only and all(ref in known for ref in refs)):
                ready.append((line, held, people))
                continue
            problems: list[LineError] = []
            waiting = False
            for index, ref in enumerate(refs):
                if ref in refused:
                    problems.append(
                        LineError(
                            line.line_no,
                            line.reference_field(index),
                            f"person line {ref} (line {refused[ref]}) was refused",
                        )
                    )
                elif ref not in known:
                    waiting = True
                    if final:
                        where = self.options.refused_elsewhere.get(source.code, {}).get(ref)
                        reason = (
                            f"person line {ref} is in {where}, which was refused"
                            if where
                            else f"no person line {ref} from source {source.code} "
                            "in this file or already imported"
                        )
                        problems.append(
                            LineError(line.line_no, line.reference_field(index), reason)
                        )
            if problems:
                self._refuse(line.line_no, line.raw, problems)
            elif waiting:
                self.pending.append(line)  # its person may come later in the file
            else:
                ready.append((line, held, people))
        return self._born_first(source, ready)

    def _born_first(
        self, source: SourceInfo, ready: list[tuple[Line, Existing | None, list[int]]]
    ) -> list[tuple[Line, Existing | None, list[int]]]:
        """The ready lines, less the entries about a time before a person they name was born
        (refused). One query for the chunk: the dates of birth of the people named."""
        wanted = {
            person_id
            for line, _, people in ready
            if line.kind == spec.ENTRY
            for person_id in people
            if person_id and person_id not in self.earliest_birth
        }
        if wanted:
            found = _earliest_births(sorted(wanted))
            self.earliest_birth.update({pid: found.get(pid) for pid in wanted})
        kept = []
        for item in ready:
            line, _, people = item
            unborn = self._before_birth(source, line, people) if line.kind == spec.ENTRY else None
            if unborn is None:
                kept.append(item)
            else:
                self._refuse(line.line_no, line.raw, [unborn])
        return kept

    def _before_birth(self, source: SourceInfo, line: Line, people: list[int]) -> LineError | None:
        """An entry that happened before a person it names was born
        (spec.BEFORE_BIRTH_TOLERANCE: work before a birth, a pre-birth assessment, is recorded
        about the unborn child). Both dates at their precision: the entry's period must end
        before the earliest the person may have been born, less the tolerance, for the entry to
        be refused. The date of birth is the earliest any record of the person gives (one
        agency's mistyped date does not refuse another's entry), or for a person this file
        gives and this batch does not write (it is only checking), what their line says."""
        assert isinstance(line, EntryLine)
        births = self.births[source.code]
        started = line.occurred_at.astimezone(LONDON).date()
        for index, (subject, person_id) in enumerate(zip(line.subjects, people, strict=True)):
            if person_id:
                birth = self.earliest_birth.get(person_id)
            else:
                birth = births.get(subject.source_id)
            if birth is None:
                continue
            born, precision = birth
            earliest = born - spec.BEFORE_BIRTH_TOLERANCE
            if started >= earliest:
                continue  # nearly every entry: its period begins after the earliest day
            if period_end(started, line.precision) <= earliest:
                weeks = spec.BEFORE_BIRTH_TOLERANCE.days // 7
                return LineError(
                    line.line_no,
                    "occurred_at",
                    f"is more than {weeks} weeks before subjects[{index}] "
                    f"({subject.source_id}) was born ({format_partial(born, precision)}, the "
                    "earliest date of birth recorded for them)",
                )
        return None

    def _look_up_people(self, source: SourceInfo, lines: Sequence[Line]) -> None:
        """Find the people that lines refer to and this file has not named: person records of
        the same source imported before."""
        known = self.people[source.code]
        refused = self.bad_people[source.code]
        wanted = {
            ref
            for line in lines
            for ref in line.references()
            if ref not in known and ref not in refused
        }
        for sid, _, kind, _, _, person_id in _current_records(source.id, sorted(wanted)):
            if kind == spec.PERSON:
                known[sid] = person_id

    def _write_relationships(self, items: Sequence[WriteItem]) -> None:
        values = []
        for item in items:
            line = item.line
            assert isinstance(line, RelationshipLine)
            values.append(
                people_bulk.RelationshipValue(
                    source_record_id=item.source_record_id,
                    previous_record_id=item.previous_record_id,
                    from_person_id=item.people[0],
                    to_person_id=item.people[1],
                    type=line.type,
                    from_on=line.from_on,
                    to_on=line.to_on,
                )
            )
        people_bulk.relationships_write(values, adapter=self._adapter())

    # -- source records ------------------------------------------------------------------------

    def _insert_records(
        self, rows: Sequence[tuple[Line, Existing | None, int, int | None]]
    ) -> None:
        """Insert source records (line, held version, new id, person id) and retire the versions
        they replace."""
        system_ids = {}
        for line, _, _, _ in rows:
            if line.source not in system_ids:
                source = self._source(line.source)
                assert source is not None
                system_ids[line.source] = source.id
        json = self._adapter().json
        batch_id = self.batch_id
        _records_table().insert(
            [
                (
                    rid,
                    system_ids[line.source],
                    line.source_id,
                    line.kind,
                    held.version + 1 if held else 1,
                    True,
                    json(line.payload),
                    line.payload_hash,
                    batch_id,
                    line.line_no,
                    person_id,
                )
                for line, held, rid, person_id in rows
            ]
        )
        retired = [held.id for _, held, _, _ in rows if held is not None]
        for start in range(0, len(retired), _IN_BATCH):
            SourceRecord.objects.filter(id__in=retired[start : start + _IN_BATCH]).update(
                is_current=False
            )

    def _count_written(self, items: Iterable[tuple[Line, Existing | None]]) -> None:
        counts = self.counts
        for line, held in items:
            if held is None:
                counts.created += 1
            else:
                counts.superseded += 1
            counts.by_kind[line.kind] = counts.by_kind.get(line.kind, 0) + 1

    def _adapter(self) -> Adapter:
        assert self.adapter is not None
        return self.adapter


@contextmanager
def _import_cache() -> Iterator[None]:
    """On SQLite, a larger page cache while importing (index pages stay in memory as the tables
    grow: about 15% faster at 200,000 lines); the connection's setting is restored after."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _check_in_worker(path: Path, options: ImportOptions) -> bool:
    if options.check_in_worker is not None:
        return options.check_in_worker
    if len(os.sched_getaffinity(0)) < 2:  # the cores this process may use, not the machine's
        return False
    try:
        return path.stat().st_size >= settings.IMPORT_WORKER_MIN_BYTES
    except OSError:
        return False  # reading it will say what is wrong


def _records_table() -> FastTable:
    return FastTable(SourceRecord, RECORD_COLUMNS)


def _current_records(
    source_system_id: int, source_ids: Sequence[str]
) -> Iterator[tuple[str, int, str, str, int, int | None]]:
    """(source_id, id, kind, payload_hash, version, person_id) of the current version of each
    record held. Raw SQL: the ORM's per-parameter preparation costs more than the query."""
    columns = ["source_id", "id", "kind", "payload_hash", "version", "person_id"]
    table = SourceRecord._meta.db_table
    postgres = connection.vendor == "postgresql"
    # Key by key on PostgreSQL (core.lookups.key_by_key): as a join, or with
    # `source_id = ANY(array)`, the planner hashed every record of the source for every chunk.
    where = '"source_system_id" = %s AND "is_current"'
    sql = key_by_key(table, columns, key="source_id", key_type="text", where=where)
    with connection.cursor() as cursor:
        for start in range(0, len(source_ids), _IN_BATCH):
            chunk = list(source_ids[start : start + _IN_BATCH])
            if postgres:
                cursor.execute(sql, [chunk, source_system_id])
            else:
                marks = ", ".join(["%s"] * len(chunk))
                selected = ", ".join(f'r."{column}"' for column in columns)
                cursor.execute(
                    f'SELECT {selected} FROM "{table}" r WHERE r."source_system_id" = %s '  # noqa: S608
                    f'AND r."is_current" AND r."source_id" IN ({marks})',
                    [source_system_id, *chunk],
                )
            yield from cursor.fetchall()


def _earliest_births(person_ids: Sequence[int]) -> dict[int, tuple[dt.date, str]]:
    """person id -> the earliest date of birth a current person record of theirs gives
    (start, precision); people whose records give none are left out."""
    table = SourceRecord._meta.db_table
    postgres = connection.vendor == "postgresql"
    if postgres:  # key by key, as `_current_records`
        rows = key_by_key(
            table,
            ["person_id", "payload"],
            key="person_id",
            key_type="bigint",
            where='"kind" = %s AND "is_current"',
        )
        sql = f'SELECT q."person_id", q."payload"->>\'birth_date\' FROM ({rows}) q'  # noqa: S608
    earliest: dict[int, tuple[dt.date, str]] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(person_ids), _IN_BATCH):
            chunk = list(person_ids[start : start + _IN_BATCH])
            if postgres:
                cursor.execute(sql, [chunk, spec.PERSON])
            else:
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f'SELECT "person_id", json_extract("payload", \'$.birth_date\') '  # noqa: S608
                    f'FROM "{table}" WHERE "person_id" IN ({marks}) AND "kind" = %s '
                    'AND "is_current"',
                    [*chunk, spec.PERSON],
                )
            for person_id, text in cursor.fetchall():
                birth = _birth(text)
                if birth is not None and (
                    person_id not in earliest or birth[0] < earliest[person_id][0]
                ):
                    earliest[person_id] = birth
    return earliest


def _birth(text: Any) -> tuple[dt.date, str] | None:
    """A birth date as a person line stored it (it was checked when it was imported)."""
    if not isinstance(text, str) or not text:
        return None
    try:
        when = partial_when(text, None)
    except PartialDateError:
        return None
    return when.start.date(), when.precision


def period_end(start: dt.date, precision: str) -> dt.date:
    """The day after a partial date's period: 4 March 2019 -> 5 March, March 2019 -> 1 April,
    summer 2019 (from 1 June) -> 1 September, 2019 -> 1 January 2020."""
    if precision == "day":
        return start + dt.timedelta(days=1)
    if precision == "year":
        return dt.date(start.year + 1, 1, 1)
    months = start.month - 1 + (3 if precision == "season" else 1)
    return dt.date(start.year + months // 12, months % 12 + 1, 1)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) and not isinstance(actor, SystemActor) else None


def _actor_name(actor: Any) -> str:
    if isinstance(actor, SystemActor):
        return str(actor)
    return actor.get_username() if hasattr(actor, "get_username") else str(actor)
