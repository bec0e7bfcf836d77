"""chronology.bulk: entry versions written by the ingest pipeline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from sightline.chronology.bulk import EntryWrite, entries_write
from sightline.chronology.models import ChronologyEntry, EntrySubject
from sightline.chronology.tests.factories import EntryFactory
from sightline.core.dates import LONDON
from sightline.core.fastinsert import Adapter
from sightline.people.tests.factories import PersonFactory
from sightline.records.models import ImportBatch, SourceRecord, SourceSystem

pytestmark = pytest.mark.django_db


@dataclass
class Values:
    type: str = "home_visit"
    occurred_at: dt.datetime = dt.datetime(2024, 3, 4, 10, 0, tzinfo=LONDON)
    precision: str = "day"
    has_time: bool = True
    ended_at: dt.datetime | None = None
    recorded_at: dt.datetime = dt.datetime(2024, 3, 5, 9, 0, tzinfo=LONDON)
    summary: str = "Home visit; child seen alone."
    detail: str = ""
    grade: str = "fact"
    sensitivity: str = "standard"
    intelligence_grade: dict[str, Any] | None = None
    location_postcode: str = ""
    location_label: str = ""
    is_significant: bool = False


def record(agency: Any, version: int = 1) -> SourceRecord:
    system, _ = SourceSystem.objects.get_or_create(
        code="csc",
        defaults={"name": "csc", "agency": agency, "registered_at": dt.datetime.now(dt.UTC)},
    )
    batch = ImportBatch.objects.create(
        filename="x", file_sha256="", started_at=dt.datetime.now(dt.UTC)
    )
    return SourceRecord.objects.create(
        source_system=system,
        source_id="E-1",
        kind="entry",
        version=version,
        payload={},
        payload_hash=str(version),
        batch=batch,
        line_number=1,
    )


def test_a_new_record_starts_a_lineage() -> None:
    child = PersonFactory()
    first = record(agency=EntryFactory().agency)
    [entry_id] = entries_write(
        [
            EntryWrite(
                Values(),
                first.pk,
                None,
                first.source_system.agency_id,
                [(child.pk, "subject"), (child.pk, "victim")],
            )
        ],
        adapter=Adapter(),
    )
    entry = ChronologyEntry.objects.get(pk=entry_id)
    assert (entry.lineage, entry.version, entry.summary) == (
        entry.pk,
        1,
        "Home visit; child seen alone.",
    )
    assert list(EntrySubject.objects.filter(entry=entry).values_list("person_id", "role")) == [
        (child.pk, "subject")
    ]


def test_a_changed_record_follows_corrections_made_in_sightline() -> None:
    """The feed's correction becomes the next version after the lineage's current head, even
    when a practitioner corrected the entry in Sightline in between."""
    child = PersonFactory()
    agency = EntryFactory().agency
    first = record(agency)
    [v1] = entries_write(
        [EntryWrite(Values(), first.pk, None, agency.pk, [(child.pk, "subject")])],
        adapter=Adapter(),
    )
    original = ChronologyEntry.objects.get(pk=v1)
    corrected = EntryFactory(
        agency=agency,
        lineage=original.lineage,
        version=2,
        recorded_at=dt.datetime(2024, 3, 6, tzinfo=LONDON),
    )
    original.superseded_by = corrected
    original.superseded_at = corrected.recorded_at
    original.save()

    second = record(agency, version=2)
    later = Values(
        summary="Corrected by the feed.", recorded_at=dt.datetime(2024, 3, 10, tzinfo=LONDON)
    )
    [v3] = entries_write(
        [EntryWrite(later, second.pk, first.pk, agency.pk, [(child.pk, "subject")])],
        adapter=Adapter(),
    )

    newest = ChronologyEntry.objects.get(pk=v3)
    assert (newest.lineage, newest.version) == (original.lineage, 3)
    corrected.refresh_from_db()
    assert corrected.superseded_by_id == newest.pk
    assert corrected.superseded_at == later.recorded_at
