"""chronology.bulk: entry versions written by the ingest pipeline."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.forms.models import model_to_dict
from hypothesis import given, settings
from hypothesis import strategies as st

from sightline.chronology.bitemporal import known_at_q, known_cutoff
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


# -- the bitemporal invariant over any sequence of re-sends ------------------------------------

ORIGIN = dt.datetime(2024, 3, 5, 9, 0, tzinfo=LONDON)
IMPORTED = dt.datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)


def versions(lineage: int) -> list[ChronologyEntry]:
    return list(ChronologyEntry.objects.filter(lineage=lineage).order_by("version"))


def shown_on(lineage: int, on: dt.date) -> list[int]:
    return list(
        ChronologyEntry.objects.filter(lineage=lineage)
        .filter(known_at_q(known_cutoff(on)))
        .values_list("version", flat=True)
    )


@contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@settings(max_examples=60, deadline=None)
@given(
    sends=st.lists(
        st.tuples(
            st.sampled_from(["Seen.", "Seen alone.", "Not seen."]),
            # Hours after the first version: earlier, equal or later than the current one.
            st.integers(min_value=-48, max_value=24 * 20),
        ),
        min_size=1,
        max_size=6,
    ),
    gaps=st.lists(st.integers(min_value=0, max_value=3), min_size=6, max_size=6),
)
def test_any_sequence_of_re_sends_keeps_history(
    sends: list[tuple[str, int]], gaps: list[int]
) -> None:
    with rolled_back():
        child, agency = new_person(), new_agency()
        record = source_record_for(agency)
        [first] = entries_write(
            [
                EntryWrite(
                    Values(recorded_at=ORIGIN), record.pk, None, agency.pk, [(child.pk, "subject")]
                )
            ],
            adapter=Adapter(),
        )
        lineage = ChronologyEntry.objects.get(pk=first).lineage
        assert lineage is not None
        learned = IMPORTED
        for (summary, hours), gap in zip(sends, gaps, strict=False):
            written = {e.pk: model_to_dict(e) for e in versions(lineage)}
            head = versions(lineage)[-1]
            previous, record = record, source_record_for(agency)
            learned += dt.timedelta(days=gap, minutes=1)
            claimed = ORIGIN + dt.timedelta(hours=hours)
            values = Values(summary=summary, recorded_at=claimed)
            [new_id] = entries_write(
                [EntryWrite(values, record.pk, previous.pk, agency.pk, [(child.pk, "subject")])],
                adapter=Adapter(),
                learned_at=learned,
            )
            new = ChronologyEntry.objects.get(pk=new_id)
            # Its own time when later than what it replaces, else when it was received.
            assert new.recorded_at == (claimed if claimed > head.recorded_at else learned)
            # Versions once written never change, except the head being closed, once.
            for entry in versions(lineage):
                if entry.pk in written:
                    now = model_to_dict(entry)
                    if entry.pk == head.pk:
                        assert (now["superseded_at"], now["superseded_by"]) == (
                            new.recorded_at,
                            new.pk,
                        )
                        now["superseded_at"], now["superseded_by"] = None, None
                    assert now == written[entry.pk]
        chain = versions(lineage)
        for earlier, later in itertools.pairwise(chain):
            assert earlier.recorded_at < later.recorded_at == earlier.superseded_at
        assert chain[-1].superseded_at is None
        # On every day around every version's time: at most one version, the one known then.
        days = {e.recorded_at.astimezone(LONDON).date() + dt.timedelta(days=d) for e in chain
                for d in (-1, 0, 1)}  # fmt: skip
        for day in sorted(days):
            cutoff = known_cutoff(day)
            expected = [e.version for e in chain if e.recorded_at < cutoff][-1:]
            assert shown_on(lineage, day) == expected, day
        # Each version is shown on exactly the days from its recording to its successor's.
        for earlier, later in itertools.pairwise(chain):
            for day in sorted(days):
                shown = earlier.version in shown_on(lineage, day)
                cutoff = known_cutoff(day)
                assert shown == (earlier.recorded_at < cutoff <= later.recorded_at)
