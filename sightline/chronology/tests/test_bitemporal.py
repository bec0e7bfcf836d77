"""The bitemporal rule: which entry versions make up the story "as known on" a date."""

from __future__ import annotations

import datetime as dt

import pytest

from sightline.chronology.bitemporal import known_at_q, known_cutoff, was_known
from sightline.chronology.models import ChronologyEntry
from sightline.chronology.tests.factories import EntryFactory, at

UTC = dt.UTC
KNOWN_ON = dt.date(2019, 8, 4)  # British Summer Time: the day ends at 23:00 UTC

# (case, recorded_at, superseded_at, shown on 4 August 2019)
CASES = [
    ("recorded before the date, never corrected", at(2019, 8, 3, 10), None, True),
    ("recorded in the last minute of the day", at(2019, 8, 4, 23, 59), None, True),
    ("recorded at midnight after the day", at(2019, 8, 5), None, False),
    ("recorded after the date", at(2019, 8, 10), None, False),
    ("corrected after the date: the original shows", at(2019, 8, 1), at(2019, 8, 6), True),
    ("the correction made after the date is hidden", at(2019, 8, 6), None, False),
    ("corrected before the date: the original is hidden", at(2019, 8, 1), at(2019, 8, 3), False),
    ("a correction made before the date shows", at(2019, 8, 3), None, True),
    (
        "corrected later on the same day: the original is hidden",
        at(2019, 8, 1),
        at(2019, 8, 4, 12),
        False,
    ),
    (
        "corrected at midnight after the day: the original shows",
        at(2019, 8, 1),
        at(2019, 8, 5),
        True,
    ),
    ("recorded and corrected after the date", at(2019, 9, 1), at(2019, 9, 2), False),
]


def test_cutoff_is_the_next_london_midnight():
    assert known_cutoff(KNOWN_ON) == dt.datetime(2019, 8, 4, 23, 0, tzinfo=UTC)
    assert known_cutoff(dt.date(2020, 1, 4)) == dt.datetime(2020, 1, 5, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(("case", "recorded_at", "superseded_at", "shown"), CASES)
def test_was_known(case, recorded_at, superseded_at, shown):
    cutoff = known_cutoff(KNOWN_ON)
    assert was_known(recorded_at=recorded_at, superseded_at=superseded_at, cutoff=cutoff) is shown


@pytest.mark.parametrize(
    ("superseded_at", "shown"), [(None, True), (at(2019, 8, 1), False)], ids=["current", "replaced"]
)
def test_today_shows_only_current_versions(superseded_at, shown):
    assert was_known(recorded_at=at(2019, 1, 1), superseded_at=superseded_at, cutoff=None) is shown


@pytest.mark.django_db
@pytest.mark.parametrize("known_on", [KNOWN_ON, None], ids=["as-known-on", "today"])
def test_query_agrees_with_the_rule(known_on):
    entries = {
        case: EntryFactory.create(recorded_at=recorded, superseded_at=superseded)
        for case, recorded, superseded, _ in CASES
    }
    cutoff = known_cutoff(known_on) if known_on else None
    found = set(ChronologyEntry.objects.filter(known_at_q(cutoff)).values_list("pk", flat=True))
    expected = {
        entries[case].pk
        for case, recorded, superseded, _ in CASES
        if was_known(recorded_at=recorded, superseded_at=superseded, cutoff=cutoff)
    }
    assert found == expected
