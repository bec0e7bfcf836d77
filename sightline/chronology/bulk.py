"""Writing chronology entries in bulk, for the ingest pipeline.

A new source record becomes version 1 of a new lineage (lineage = its own id). A changed
source record never edits: it adds the next version of the same lineage and closes the current
one (`superseded_at`, `superseded_by`) when the new one was recorded, so the story "as known
on" an earlier date still shows what was known then (chronology.bitemporal). A change dated no
later than the version it replaces is recorded as learned when it was written
(`bitemporal.version_recorded_at`): history is never rewritten, and on any date at most one
version of an entry is shown.

This module cannot import the records app (they are siblings in the layer order); the pipeline
hands it plain values shaped like `EntryValues`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sightline.chronology.bitemporal import version_recorded_at
from sightline.chronology.models import ChronologyEntry, EntrySubject
from sightline.chronology.signals import StoryChanges
from sightline.core import clock
from sightline.core.fastinsert import Adapter, FastTable

_IN_BATCH = 2000

# Why a version's recorded_at is not the one its line gave (shown in the entry's history).
RECORDED_WHEN_RECEIVED = (
    "Updated by the source feed, which dated the change no later than the version it replaces: "
    "it is shown as known from when Sightline received it."
)

ENTRY_COLUMNS = [
    "lineage",
    "version",
    "agency_id",
    "type",
    "occurred_at",
    "precision",
    "has_time",
    "ended_at",
    "recorded_at",
    "summary",
    "detail",
    "grade",
    "sensitivity",
    "intelligence_grade",
    "location_postcode",
    "location_label",
    "is_significant",
    "source_record_id",
    "author_id",
    "superseded_at",
    "superseded_by_id",
    "correction_reason",
]


class EntryValues(Protocol):
    """The fields of an entry as the pipeline parsed them (records.ingest.lines.EntryLine)."""

    type: str
    occurred_at: dt.datetime
    precision: str
    has_time: bool
    ended_at: dt.datetime | None
    recorded_at: dt.datetime
    summary: str
    detail: str
    grade: str
    sensitivity: str
    intelligence_grade: dict[str, Any] | None
    location_postcode: str
    location_label: str
    is_significant: bool


@dataclass(slots=True)
class EntryWrite:
    entry: EntryValues
    source_record_id: int
    # The source record version this one replaces (None: a new record, a new lineage).
    previous_record_id: int | None
    agency_id: int
    # (person id, role) of each subject; a person named twice keeps their first role.
    subjects: list[tuple[int, str]] = field(default_factory=list)


def entries_write(
    items: Sequence[EntryWrite],
    *,
    adapter: Adapter,
    changes: StoryChanges | None = None,
    learned_at: dt.datetime | None = None,
) -> list[int]:
    """Insert one entry version per item (and its subjects); returns the new entries' ids.
    `changes` collects them for the one announcement of the whole batch (story_changed).
    `learned_at` (default: now) is when a change dated no later than the version it replaces
    is recorded."""
    if not items:
        return []
    learned = learned_at or clock.now()
    heads = _current_heads([i.previous_record_id for i in items if i.previous_record_id])
    table = FastTable(ChronologyEntry, ENTRY_COLUMNS)
    ids = list(table.allocate(len(items)))
    when, json = adapter.datetime, adapter.json
    rows = []
    subjects = []
    superseding: list[tuple[int, int, dt.datetime]] = []  # (head id, new id, new recorded_at)
    for entry_id, item in zip(ids, items, strict=True):
        e = item.entry
        head = heads.get(item.previous_record_id) if item.previous_record_id else None
        recorded, reason = e.recorded_at, ""
        if head is None:
            lineage, version = entry_id, 1
        else:
            lineage, version = head[1], head[2] + 1
            recorded = version_recorded_at(
                claimed=e.recorded_at, previous=head[3], learned_at=learned
            )
            if recorded != e.recorded_at:
                reason = RECORDED_WHEN_RECEIVED
            superseding.append((head[0], entry_id, recorded))
        occurred = when(e.occurred_at)
        if len(item.subjects) == 1:
            person_id, role = item.subjects[0]
            subjects.append((entry_id, person_id, role, occurred))
        else:
            seen: set[int] = set()
            for person_id, role in item.subjects:
                if person_id not in seen:  # two records of one person (linked) name them once
                    seen.add(person_id)
                    subjects.append((entry_id, person_id, role, occurred))
        rows.append(
            (
                entry_id,
                lineage,
                version,
                item.agency_id,
                e.type,
                occurred,
                e.precision,
                e.has_time,
                when(e.ended_at),
                when(recorded),
                e.summary,
                e.detail,
                e.grade,
                e.sensitivity,
                json(e.intelligence_grade),
                e.location_postcode,
                e.location_label,
                e.is_significant,
                item.source_record_id,
                None,
                None,
                None,
                reason,
            )
        )
    table.insert(rows)
    subject_table = FastTable(EntrySubject, ["entry_id", "person_id", "role", "occurred_at"])
    subject_ids = subject_table.allocate(len(subjects))
    subject_table.insert([(i, *row) for i, row in zip(subject_ids, subjects, strict=True)])
    if superseding:
        _close(superseding)
    if changes is not None:
        changes.add(ids, {person_id for _, person_id, _, _ in subjects})
    return ids


def _current_heads(
    previous_record_ids: list[int | None],
) -> dict[int, tuple[int, int, int, dt.datetime]]:
    """source record id -> (head id, lineage, head version, head recorded_at): the current
    version of the lineage each earlier record started (a correction made in Sightline may
    have added versions since)."""
    wanted = [i for i in previous_record_ids if i is not None]
    if not wanted:
        return {}
    lineage_of: dict[int, int] = {}
    for start in range(0, len(wanted), _IN_BATCH):
        chunk = wanted[start : start + _IN_BATCH]
        for record_id, entry_id, lineage in ChronologyEntry.objects.filter(
            source_record_id__in=chunk
        ).values_list("source_record_id", "id", "lineage"):
            lineage_of[record_id] = lineage or entry_id
    lineages = list(set(lineage_of.values()))
    heads: dict[int, tuple[int, int, dt.datetime]] = {}
    for start in range(0, len(lineages), _IN_BATCH):
        chunk = lineages[start : start + _IN_BATCH]
        for entry_id, lineage, version, recorded_at in ChronologyEntry.objects.filter(
            lineage__in=chunk, superseded_by__isnull=True
        ).values_list("id", "lineage", "version", "recorded_at"):
            if lineage is not None and (lineage not in heads or version > heads[lineage][1]):
                heads[lineage] = (entry_id, version, recorded_at)
    out = {}
    for record_id, lineage in lineage_of.items():
        if lineage in heads:
            head_id, version, recorded_at = heads[lineage]
            out[record_id] = (head_id, lineage, version, recorded_at)
    return out


def _close(superseding: list[tuple[int, int, dt.datetime]]) -> None:
    """Close each replaced version when its successor was recorded (always after the replaced
    version's own recorded_at: `version_recorded_at`)."""
    heads = ChronologyEntry.objects.in_bulk([head for head, _, _ in superseding])
    changed = []
    for head_id, new_id, recorded_at in superseding:
        head = heads[head_id]
        if head.superseded_at is not None or not recorded_at > head.recorded_at:
            # Never: heads are current, and a successor is recorded after them.
            raise RuntimeError(f"entry {head_id} cannot be closed at {recorded_at}")
        head.superseded_at = recorded_at
        head.superseded_by_id = new_id
        changed.append(head)
    ChronologyEntry.objects.bulk_update(changed, ["superseded_at", "superseded_by"])
