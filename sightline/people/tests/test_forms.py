import datetime as dt

import pytest
import time_machine

from sightline.people.forms import NOTHING_ENTERED, PersonSearchForm
from sightline.people.search_scoring import BirthDateQuery


def form(name="", day="", month="", year="", identifier=""):
    return PersonSearchForm(
        {
            "name": name,
            "birth_date-day": day,
            "birth_date-month": month,
            "birth_date-year": year,
            "identifier": identifier,
        }
    )


def test_nothing_entered():
    f = form()
    assert not f.is_valid()
    assert f.errors == {"name": [NOTHING_ENTERED]}
    assert NOTHING_ENTERED == "Enter a name, date of birth, or NHS number, UPN or agency reference"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"name": "Liam Smith"}, {"name": "Liam Smith", "birth_date": None, "identifier": ""}),
        ({"identifier": " 943 476 5919 "}, {"identifier": "9434765919"}),
        ({"identifier": "csc-12"}, {"identifier": "CSC-12"}),
        ({"day": "4", "month": "3", "year": "2011"}, {"birth_date": BirthDateQuery(2011, 3, 4)}),
        ({"day": "04", "month": "Mar", "year": "2011"}, {"birth_date": BirthDateQuery(2011, 3, 4)}),
        ({"month": "september", "year": "2011"}, {"birth_date": BirthDateQuery(2011, 9)}),
        ({"year": "2011"}, {"birth_date": BirthDateQuery(2011)}),
    ],
)
def test_valid_searches(fields, expected):
    f = form(**fields)
    assert f.is_valid(), f.errors
    for key, value in expected.items():
        assert f.cleaned_data[key] == value


@pytest.mark.parametrize(
    ("fields", "message", "parts"),
    [
        ({"day": "4", "year": "2011"}, "Date of birth must include a month", {"month"}),
        ({"day": "4"}, "Date of birth must include a month and year", {"month", "year"}),
        ({"day": "4", "month": "3"}, "Date of birth must include a year", {"year"}),
        ({"month": "3"}, "Date of birth must include a year", {"year"}),
        ({"day": "4", "month": "3", "year": "11"}, "Year must include 4 numbers", {"year"}),
        ({"day": "x", "month": "3", "year": "2011"}, "Date of birth must be a real date", {"day"}),
        (
            {"day": "4", "month": "13", "year": "2011"},
            "Date of birth must be a real date",
            {"month"},
        ),
        (
            {"day": "30", "month": "2", "year": "2012"},
            "Date of birth must be a real date",
            {"day", "month", "year"},
        ),
        (
            {"day": "1", "month": "1", "year": "2031"},
            "Date of birth must be today or in the past",
            {"day", "month", "year"},
        ),
        ({"year": "1850"}, "Date of birth must be after 1900", {"year"}),
    ],
)
def test_birth_date_errors(fields, message, parts):
    with time_machine.travel(dt.datetime(2026, 3, 2, tzinfo=dt.UTC)):
        f = form(name="Liam", **fields)
        assert not f.is_valid()
    assert f.birth_date_error == message
    assert f.birth_date_error_parts == parts
    assert "name" not in f.errors
    # The error is filed against the first highlighted box, which the summary links to.
    first = next(p for p in ("day", "month", "year") if p in parts)
    assert list(f.errors) == [f"birth_date-{first}"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": "J"}, "name", "Name must include at least 2 letters"),
        ({"name": "x" * 201}, "name", "Name must be 200 characters or fewer"),
        (
            {"identifier": "1" * 65},
            "identifier",
            "NHS number, UPN or agency reference must be 64 characters or fewer",
        ),
    ],
)
def test_field_errors(fields, field, message):
    f = form(**fields)
    assert not f.is_valid()
    assert f.errors == {field: [message]}
