"""Presenting entries and the identity bar: dates at their precision, grades, sources,
restriction notices. No database needed."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from sightline.chronology.presenters import (
    age_text,
    format_intelligence_grade,
    grade_text,
    iso_for,
    present_entry,
    present_restricted,
    short_name,
    when_text,
)
from sightline.chronology.selectors import AgencyContact, RestrictedRow, restricted_period
from sightline.chronology.tests.factories import at


@pytest.mark.parametrize(
    ("occurred", "precision", "has_time", "ended", "text"),
    [
        (at(2019, 8, 3, 22, 10), "day", True, None, "3 August 2019, 22:10"),
        (at(2019, 8, 3, 22, 10), "day", False, None, "3 August 2019"),
        (at(2019, 3, 1), "month", False, None, "March 2019"),
        (at(2018, 6, 1), "season", False, None, "summer 2018"),
        (at(2018, 12, 1), "season", False, None, "winter 2018"),
        (at(2019, 1, 1), "year", False, None, "2019"),
        (
            at(2019, 8, 3, 22, 10),
            "day",
            True,
            at(2019, 8, 4, 9, 0),
            "3 August 2019, 22:10 to 4 August 2019, 09:00",
        ),
        (
            at(2019, 8, 3, 9, 0),
            "day",
            True,
            at(2019, 8, 3, 11, 30),
            "3 August 2019, 09:00 to 11:30",
        ),
        (dt.datetime(2019, 8, 3, 21, 10, tzinfo=dt.UTC), "day", True, None, "3 August 2019, 22:10"),
    ],
)
def test_when_text_shows_the_real_precision(occurred, precision, has_time, ended, text):
    assert when_text(occurred, precision, has_time, ended) == text


@pytest.mark.parametrize(
    ("precision", "has_time", "iso"),
    [
        ("day", True, "2019-08-03T22:10"),
        ("day", False, "2019-08-03"),
        ("month", False, "2019-08"),
        ("season", False, "2019"),
        ("year", False, "2019"),
    ],
)
def test_machine_date_is_no_more_precise_than_known(precision, has_time, iso):
    assert iso_for(at(2019, 8, 3, 22, 10), precision, has_time) == iso


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({"system": "3x5x2", "source": "2", "assessment": "B", "handling": "P"}, "2B P"),
        ({"source": "1", "assessment": "A", "handling": "C", "conditions": "x"}, "1A C"),
        ({"system": "5x5x5", "source": "B", "intelligence": "2", "handling": "3"}, "5x5x5 B2 3"),
        ("B24", "B24"),
        (None, ""),
    ],
)
def test_intelligence_grade_kept_as_given(value, text):
    assert format_intelligence_grade(value) == text


@pytest.mark.parametrize(
    ("grade", "intel", "text"),
    [
        ("fact", None, "Fact"),
        ("professional_opinion", None, "Professional opinion"),
        ("reported", None, "Reported (hearsay)"),
        ("intelligence", {"source": "2", "assessment": "B", "handling": "P"}, "Intelligence 2B P"),
        ("intelligence", None, "Intelligence"),
    ],
)
def test_grade_text(grade, intel, text):
    assert grade_text(grade, intel) == text


@pytest.mark.parametrize(
    ("birth", "precision", "today", "age"),
    [
        (dt.date(2010, 5, 17), "day", dt.date(2026, 5, 16), "15"),
        (dt.date(2010, 5, 17), "day", dt.date(2026, 5, 17), "16"),
        (dt.date(2010, 5, 1), "month", dt.date(2026, 5, 10), "15 or 16"),
        (dt.date(2010, 5, 1), "month", dt.date(2026, 6, 1), "16"),
        (dt.date(2010, 1, 1), "year", dt.date(2026, 7, 1), "15 or 16"),
        (dt.date(2026, 1, 1), "day", dt.date(2026, 7, 1), "0"),
        (None, "day", dt.date(2026, 7, 1), ""),
    ],
)
def test_age_is_honest_about_an_imprecise_birth_date(birth, precision, today, age):
    assert age_text(birth, precision, today) == age


def test_short_name():
    assert (
        short_name(SimpleNamespace(first_name="Alex", last_name="Smith", username="a"))
        == "A. Smith"
    )
    assert short_name(SimpleNamespace(first_name="", last_name="", username="a@x.org")) == "a@x.org"


def _entry(**overrides):
    agency = SimpleNamespace(name="Hallowford Police", phone="101", email="hub@police.example.org")
    fields = {
        "pk": 7,
        "lineage": 7,
        "version": 1,
        "type": "intelligence_received",
        "occurred_at": at(2019, 8, 20),
        "precision": "day",
        "has_time": False,
        "ended_at": None,
        "agency": agency,
        "agency_id": 2,
        "summary": "Seen with older males.",
        "detail": "Vehicle index noted.",
        "grade": "intelligence",
        "intelligence_grade": {"source": "2", "assessment": "B", "handling": "P"},
        "sensitivity": "police_intelligence",
        "is_significant": True,
        "source_record_id": None,
        "author_id": None,
        "author": None,
        "recorded_at": at(2019, 8, 21, 9),
        "superseded_at": None,
        "location_label": "",
        "location_postcode": "",
        "correction_reason": "",
    }
    fields.update(overrides)
    return SimpleNamespace(**fields)


@pytest.mark.parametrize(
    ("occurred", "precision", "when", "when_iso"),
    [
        (at(2019, 8, 20, 2, 39), "day", "August 2019", "2019-08"),
        (at(2019, 3, 1), "month", "March 2019", "2019-03"),
        (at(2018, 6, 1), "season", "summer 2018", "2018"),
        (at(2017, 1, 1), "year", "2017", "2017"),
    ],
)
def test_restricted_row_shows_its_period_agency_and_whom_to_ask_only(
    occurred, precision, when, when_iso
):
    agency = AgencyContact(2, "Hallowford Police", "101", "hub@police.example.org")
    start, shown = restricted_period(occurred, precision)
    view = present_restricted(RestrictedRow(agency=agency, period_start=start, precision=shown))
    assert (view.when, view.when_iso, view.agency_name, view.title) == (
        when,
        when_iso,
        "Hallowford Police",
        "Restricted entry",
    )
    assert view.restricted == (
        "Restricted: you are not cleared to read this entry. Contact Hallowford Police "
        "(101, hub@police.example.org) if you need this information."
    )
    assert not view.is_readable


def test_readable_entry():
    view = present_entry(_entry(), viewer_agency_id=2)
    assert view.summary == "Seen with older males."
    assert view.grade_text == "Intelligence 2B P"
    assert view.sensitivity_text == "Police intelligence"
    assert view.is_significant
    assert view.source == "Recorded by Hallowford Police, 21 August 2019"
    assert view.can_correct


def test_imported_entry_names_its_feed_and_cannot_be_corrected_here():
    record = SimpleNamespace(source_system=SimpleNamespace(name="Police"))
    view = present_entry(
        _entry(source_record_id=3, source_record=record, recorded_at=at(2019, 8, 4, 9, 30)),
        viewer_agency_id=2,
    )
    assert view.source == "Imported from Police feed, recorded 4 August 2019"
    assert not view.can_correct


def test_hand_recorded_entry_names_its_author():
    author = SimpleNamespace(first_name="Alex", last_name="Smith", username="a")
    agency = SimpleNamespace(name="Children's social care", phone="", email="")
    view = present_entry(
        _entry(author_id=1, author=author, agency=agency, sensitivity="standard", version=2)
    )
    assert view.source == "Recorded by A. Smith, Children's social care, 21 August 2019"
    assert view.sensitivity_text == ""
    assert view.is_corrected
