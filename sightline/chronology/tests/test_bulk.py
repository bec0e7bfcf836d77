"""chronology.bulk: entry versions written by the ingest pipeline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from sightline.chronology.bulk import EntryWrite, entries_write
from sightline.chronology.models import ChronologyEntry, EntrySubject
from sightline.chronology.tests.factories import (
    EntryFactory,
    new_agency,
    new_person,
    source_record_for,
)
from sightline.core.dates import LONDON
from sightline.core.fastinsert import Adapter

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


def test_a_new_record_starts_a_lineage() -> None:
    child = new_person()
    agency = new_agency()
    first = source_record_for(agency)
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
    child = new_person()
    agency = new_agency()
    first = source_record_for(agency)
    [v1] = entries_write(
        [EntryWrite(Values(), first.pk, None, agency.pk, [(child.pk, "subject")])],
        adapter=Adapter(),
    )
    original = ChronologyEntry.objects.get(pk=v1)
    corrected = EntryFactory.create(
        agency=agency,
        lineage=original.lineage,
        version=2,
        recorded_at=dt.datetime(2024, 3, 6, tzinfo=LONDON),
    )
    original.superseded_by = corrected
    original.superseded_at = corrected.recorded_at
    original.save()

    second = source_record_for(agency)
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
