"""Reading the story's filters from a query string, with GOV.UK date errors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import QueryDict

from sightline.chronology.filters import StoryFilters, from_mapping, parse_story_filters
from sightline.core.dateinput import read_date

TODAY = dt.date(2026, 11, 23)


def parse(query: str):
    return parse_story_filters(QueryDict(query), today=TODAY)


@pytest.mark.parametrize(
    ("values", "expected", "message", "field"),
    [
        ({"d-day": "4", "d-month": "8", "d-year": "2019"}, dt.date(2019, 8, 4), None, None),
        ({"d-day": "4", "d-month": "aug", "d-year": "2019"}, dt.date(2019, 8, 4), None, None),
        ({"d": "2019-08-04"}, dt.date(2019, 8, 4), None, None),
        ({}, None, None, None),
        ({"d-day": "4", "d-year": "2019"}, None, "Date must include a month", "d-month"),
        ({"d-day": "4"}, None, "Date must include a month and a year", "d-month"),
        (
            {"d-day": "31", "d-month": "2", "d-year": "2019"},
            None,
            "Date must be a real date",
            "d-day",
        ),
        (
            {"d-day": "1", "d-month": "2", "d-year": "19"},
            None,
            "Year must include 4 numbers",
            "d-year",
        ),
        (
            {"d-day": "x", "d-month": "2", "d-year": "2019"},
            None,
            "Date must be a real date",
            "d-day",
        ),
        ({"d": "2019-13-01"}, None, "Date must be a real date", "d-day"),
    ],
)
def test_read_date(values, expected, message, field):
    result = read_date(values, "d", "Date")
    assert result.value == expected
    if message:
        assert result.error is not None
        assert (result.error.message, result.error.field) == (message, field)
    else:
        assert result.error is None


def test_required_date_says_enter():
    error = read_date({}, "d", "The date", required=True).error
    assert error is not None
    assert error.message == "Enter the date"


def test_no_filters():
    parsed = parse("")
    assert parsed.filters == StoryFilters()
    assert not parsed.filters.is_filtered
    assert parsed.errors == {}


def test_every_filter():
    parsed = parse(
        "agency=3&agency=1&agency=x&theme=missing&theme=exploitation&theme=nonsense"
        "&type=arrest&from-day=1&from-month=1&from-year=2019&to=2019-12-31&significant=1"
        "&as_known_on=2020-01-01"
    )
    f = parsed.filters
    assert f.agencies == (1, 3)
    assert f.themes == ("exploitation", "missing")
    assert f.type == "arrest"
    assert (f.date_from, f.date_to) == (dt.date(2019, 1, 1), dt.date(2019, 12, 31))
    assert f.significant_only
    assert f.as_known_on == dt.date(2020, 1, 1)
    assert f.is_filtered
    assert f.query() == [
        ("agency", "1"),
        ("agency", "3"),
        ("theme", "exploitation"),
        ("theme", "missing"),
        ("type", "arrest"),
        ("from", "2019-01-01"),
        ("to", "2019-12-31"),
        ("significant", "1"),
        ("as_known_on", "2020-01-01"),
    ]
    assert parse("&".join(f"{k}={v}" for k, v in f.query())).filters == f


def test_unknown_type_is_ignored():
    assert parse("type=made_up").filters.type is None


def test_date_to_before_date_from_is_an_error_and_not_applied():
    parsed = parse("from=2019-06-01&to=2019-01-01")
    assert parsed.errors == {"to-day": "Date to must be the same as or after date from"}
    assert parsed.filters.date_from == dt.date(2019, 6, 1)
    assert parsed.filters.date_to is None


def test_as_known_on_in_the_future_is_an_error():
    parsed = parse("as_known_on-day=1&as_known_on-month=1&as_known_on-year=2030")
    assert parsed.errors == {
        "as_known_on-day": "The \u2018as known on\u2019 date must be today or in the past"
    }
    assert parsed.filters.as_known_on is None
    assert parsed.raw_dates["as_known_on"] == {"day": "1", "month": "1", "year": "2030"}


def test_describe_and_audit_detail():
    f = StoryFilters(
        agencies=(1,),
        themes=("missing",),
        type="arrest",
        significant_only=True,
        date_from=dt.date(2019, 3, 4),
    )
    assert f.describe({1: "Police"}) == [
        "Agency: Police",
        "Theme: Missing",
        "Entry type: Arrest",
        "From: 4 March 2019",
        "Significant entries only",
    ]
    assert f.audit_detail() == {
        "agency": ["1"],
        "theme": ["missing"],
        "type": "arrest",
        "from": "2019-03-04",
        "significant": "1",
    }


def test_from_mapping_reads_api_parameters():
    parsed = from_mapping(
        {"agency": ["2"], "theme": ["police"], "from": "2019-01-01", "as_known_on": None},
        today=TODAY,
    )
    assert parsed.filters.agencies == (2,)
    assert parsed.filters.themes == ("police",)
    assert parsed.filters.date_from == dt.date(2019, 1, 1)
