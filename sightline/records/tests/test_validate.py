"""Every rule a line alone can break, as a table: the line, the field, the reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sightline.core.dates import LONDON, PartialDateError, parse_partial
from sightline.records.ingest.lines import (
    EntryLine,
    InvolvementLine,
    Line,
    PersonLine,
    RelationshipLine,
)
from sightline.records.ingest.pipeline import vocabulary_current
from sightline.records.ingest.validate import (
    LineValidator,
    _partial,
    canonical_hash,
    normalise_postcode,
    split_name,
)
from sightline.records.tests import lines
from sightline.records.tests.lines import DELETE

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def validator() -> LineValidator:
    return LineValidator(vocabulary_current(), now=NOW)


def check(obj: Any, **kwargs: Any) -> list[tuple[str, str]]:
    line, errors = validator().validate(obj, 7, payload="{}", **kwargs)
    assert (line is None) == bool(errors)
    return [(e.field, e.reason) for e in errors]


@pytest.mark.parametrize(
    ("obj", "cls"),
    [
        (lines.person(), PersonLine),
        (lines.entry(), EntryLine),
        (lines.relationship(), RelationshipLine),
        (lines.involvement(), InvolvementLine),
    ],
)
def test_good_lines_pass(obj: dict[str, Any], cls: type) -> None:
    line, errors = validator().validate(obj, 3, payload="{}")
    assert errors == []
    assert isinstance(line, cls)
    assert isinstance(line, Line)
    assert line.line_no == 3
    assert line.source == "police"


FULL_DATE = "must be a date, like 2019-03-04"
PARTIAL = "must be a year, year-month or date, like 2019, 2019-03 or 2019-03-04"
TIMESTAMP = "must be a date, optionally with a time, like 2019-08-04 or 2019-08-04T09:30"
AGENCY = "is not a known agency kind, like police or school (docs/exchange-format.md#agency-kinds)"

REFUSED = [
    # -- every line --
    ("not an object", ["a", "list"], [("line", "must be a JSON object {…}")]),
    (
        "format missing",
        lines.person(format=DELETE),
        [("format", 'is required (on every line, or on the first): "sightline/1"')],
    ),
    (
        "format version",
        lines.person(format="sightline/2"),
        [("format", 'must be "sightline/1" (this importer reads that version)')],
    ),
    ("kind missing", lines.person(kind=DELETE), [("kind", "is required")]),
    (
        "kind unknown",
        lines.person(kind="case_note"),
        [("kind", "must be one of person, entry, relationship, involvement")],
    ),
    ("unknown field", lines.person(colour="red"), [("colour", "is not a field of a person line")]),
    (
        "unknown field, entry",
        lines.entry(ocurred_at="2019"),
        [("ocurred_at", "is not a field of an entry line")],
    ),
    ("source missing", lines.person(source=DELETE), [("source", "is required")]),
    ("source blank", lines.person(source="  "), [("source", "is required")]),
    ("source not text", lines.person(source=7), [("source", "must be text")]),
    ("source_id missing", lines.person(source_id=None), [("source_id", "is required")]),
    (
        "source_id too long",
        lines.person(source_id="x" * 121),
        [("source_id", "must be at most 120 characters")],
    ),
    # -- person --
    ("agency kind", lines.person(agency="social_services"), [("agency", AGENCY)]),
    (
        "given names too long",
        lines.person(given_names="A" * 201),
        [("given_names", "must be at most 200 characters")],
    ),
    (
        "other_names not a list",
        lines.person(other_names="Jim"),
        [("other_names", "must be a list […]")],
    ),
    (
        "other name blank",
        lines.person(other_names=["Jim Smith", " "]),
        [("other_names[1]", 'must be a name, like "Jim Smith"')],
    ),
    ("birth date shape", lines.person(birth_date="03/04/2019"), [("birth_date", PARTIAL)]),
    (
        "birth date not real",
        lines.person(birth_date="2019-02-30"),
        [("birth_date", "is not a real date (day is out of range for month)")],
    ),
    ("birth date before 1900", lines.person(birth_date="1899"), [("birth_date", "is before 1900")]),
    (
        "birth date future",
        lines.person(birth_date="2027-01"),
        [("birth_date", "must not be in the future")],
    ),
    ("sex", lines.person(sex="M"), [("sex", "must be one of male, female, unknown")]),
    (
        "ethnicity",
        lines.person(ethnicity="white"),
        [
            (
                "ethnicity",
                "must be one of WBRI, WIRI, WOTH, WIRT, WROM, MWBC, MWBA, MWAS, MOTH, AIND, APKN, ABAN, AOTH, BCRB, BAFR, BOTH, CHNE, OOTH, REFU, NOBT",
            )
        ],
    ),
    (
        "identifiers not an object",
        lines.person(identifiers="943"),
        [("identifiers", "must be an object {…} or null")],
    ),
    (
        "identifier scheme unknown",
        lines.person(**{"identifiers.passport": "X"}),
        [("identifiers.passport", "is not a field of identifiers")],
    ),
    (
        "identifier not text",
        lines.person(**{"identifiers.nhs_number": 9434765919}),
        [("identifiers.nhs_number", "must be text")],
    ),
    (
        "identifier too long",
        lines.person(**{"identifiers.local_id": "9" * 65}),
        [("identifiers.local_id", "must be at most 64 characters")],
    ),
    ("addresses not a list", lines.person(addresses={}), [("addresses", "must be a list […]")]),
    (
        "address not an object",
        lines.person(addresses=["12 High St"]),
        [("addresses[0]", "must be an object {line, postcode, from, to}")],
    ),
    (
        "address empty",
        lines.person(addresses=[{"line": None, "postcode": "", "from": None, "to": None}]),
        [("addresses[0]", "needs a line or a postcode")],
    ),
    (
        "address field unknown",
        lines.person(**{"addresses.0.town": "Leam"}),
        [("addresses[0].town", "is not a field of an address")],
    ),
    (
        "address from",
        lines.person(**{"addresses.0.from": "2019-10"}),
        [("addresses[0].from", FULL_DATE)],
    ),
    (
        "address dates in order",
        lines.person(**{"addresses.0.to": "2018-01-01"}),
        [("addresses[0].to", "must not be before from")],
    ),
    (
        "postcode too long",
        lines.person(**{"addresses.0.postcode": "CV34 4AB CV34"}),
        [("addresses[0].postcode", "must be at most 10 characters")],
    ),
    # -- entry --
    ("entry agency missing", lines.entry(agency=DELETE), [("agency", "is required")]),
    ("entry agency kind", lines.entry(agency="cops"), [("agency", AGENCY)]),
    ("type missing", lines.entry(type=None), [("type", "is required")]),
    (
        "type unknown",
        lines.entry(type="went_missing"),
        [("type", "is not a known entry type (docs/exchange-format.md#entry-types)")],
    ),
    ("occurred_at missing", lines.entry(occurred_at=DELETE), [("occurred_at", "is required")]),
    ("occurred_at shape", lines.entry(occurred_at="3 Aug 2019"), [("occurred_at", PARTIAL)]),
    ("occurred_at not text", lines.entry(occurred_at=2019), [("occurred_at", PARTIAL)]),
    (
        "precision unknown",
        lines.entry(precision="week"),
        [("precision", "must be one of year, season, month, day")],
    ),
    (
        "precision finer than the date",
        lines.entry(occurred_at="2019-08", precision="day"),
        [("occurred_at", "precision 'day' is finer than the date given")],
    ),
    ("ended_at shape", lines.entry(ended_at="tomorrow"), [("ended_at", PARTIAL)]),
    (
        "ended before it started",
        lines.entry(ended_at="2019-08-02"),
        [("ended_at", "must not be before occurred_at")],
    ),
    ("recorded_at missing", lines.entry(recorded_at=None), [("recorded_at", "is required")]),
    ("recorded_at a month", lines.entry(recorded_at="2019-08"), [("recorded_at", TIMESTAMP)]),
    (
        "recorded before it happened",
        lines.entry(recorded_at="2019-08-03T21:00"),
        [("recorded_at", "must not be before occurred_at (when it happened)")],
    ),
    (
        "recorded a day before it happened",
        lines.entry(recorded_at="2019-08-02"),
        [("recorded_at", "must not be before occurred_at (when it happened)")],
    ),
    (
        "recorded in the future",
        lines.entry(recorded_at="2026-12-01"),
        [("recorded_at", "must not be in the future")],
    ),
    (
        "subjects missing",
        lines.entry(subjects=[]),
        [("subjects", "is required: at least one person the entry is about")],
    ),
    ("subjects not a list", lines.entry(subjects="P-1001"), [("subjects", "must be a list […]")]),
    (
        "subject not an object",
        lines.entry(subjects=["P-1001"]),
        [("subjects[0]", 'must be an object {"source_id": …, "role": …}')],
    ),
    (
        "subject without source_id",
        lines.entry(subjects=[{"role": "subject"}]),
        [("subjects[0].source_id", "is required")],
    ),
    (
        "subject role",
        lines.entry(**{"subjects.0.role": "suspect"}),
        [
            (
                "subjects[0].role",
                "must be one of subject, parent, sibling, perpetrator, victim, witness, associate, other",
            )
        ],
    ),
    (
        "subject twice",
        lines.entry(subjects=[{"source_id": "P-1"}, {"source_id": "P-1", "role": "victim"}]),
        [("subjects[1].source_id", "P-1 is listed twice")],
    ),
    (
        "subject field unknown",
        lines.entry(**{"subjects.0.name": "James"}),
        [("subjects[0].name", "is not a field of a subject")],
    ),
    ("summary missing", lines.entry(summary=""), [("summary", "is required")]),
    ("detail not text", lines.entry(detail=["x"]), [("detail", "must be text")]),
    ("grade missing", lines.entry(grade=DELETE), [("grade", "is required")]),
    (
        "grade unknown",
        lines.entry(grade="hearsay"),
        [("grade", "must be one of fact, professional_opinion, reported, intelligence")],
    ),
    (
        "sensitivity unknown",
        lines.entry(sensitivity="secret"),
        [
            (
                "sensitivity",
                "must be one of standard, health_confidential, police_intelligence, "
                "not_for_family_disclosure, informant_protected",
            )
        ],
    ),
    (
        "intelligence without a grading",
        lines.entry(grade="intelligence"),
        [("intelligence_grade", "is required when grade is intelligence")],
    ),
    (
        "a grading on a fact",
        lines.entry(
            intelligence_grade={
                "system": "3x5x2",
                "source": "1",
                "assessment": "A",
                "handling": "P",
            }
        ),
        [("intelligence_grade", "must be null unless grade is intelligence")],
    ),
    (
        "grading system",
        lines.entry(
            grade="intelligence",
            intelligence_grade={"system": "4x4", "source": "1", "assessment": "A", "handling": "P"},
        ),
        [("intelligence_grade.system", "must be one of 3x5x2, 5x5x5")],
    ),
    (
        "3x5x2 values",
        lines.entry(
            grade="intelligence",
            intelligence_grade={
                "system": "3x5x2",
                "source": "4",
                "assessment": "A",
                "handling": None,
            },
        ),
        [
            ("intelligence_grade.source", "must be one of 1, 2, 3 in 3x5x2"),
            ("intelligence_grade.handling", "is required for a 3x5x2 grade"),
        ],
    ),
    (
        "5x5x5 values",
        lines.entry(
            grade="intelligence",
            intelligence_grade={
                "system": "5x5x5",
                "source": "1",
                "assessment": "A",
                "handling": "3",
            },
        ),
        [
            ("intelligence_grade.source", "must be one of A, B, C, D, E in 5x5x5"),
            ("intelligence_grade.assessment", "must be one of 1, 2, 3, 4, 5 in 5x5x5"),
        ],
    ),
    (
        "location not an object",
        lines.entry(location="Leamington"),
        [("location", "must be an object {…} or null")],
    ),
    (
        "location label too long",
        lines.entry(**{"location.label": "x" * 201}),
        [("location.label", "must be at most 200 characters")],
    ),
    # -- relationship --
    ("relationship from missing", lines.relationship(**{"from": None}), [("from", "is required")]),
    (
        "relationship to self",
        lines.relationship(to="P-1001"),
        [("to", "must be a different person from `from`")],
    ),
    (
        "relationship type",
        lines.relationship(type="second_cousin"),
        [
            (
                "type",
                "must be one of parent, child, sibling, half_sibling, step_parent, "
                "parents_partner, carer, grandparent, aunt_or_uncle, cousin, extended_family, "
                "family_friend, partner, peer, associate, suspected_exploiter, other",
            )
        ],
    ),
    ("relationship date", lines.relationship(from_date="2019"), [("from_date", FULL_DATE)]),
    (
        "relationship dates in order",
        lines.relationship(from_date="2019-01-02", to_date="2019-01-01"),
        [("to_date", "must not be before from_date")],
    ),
    # -- involvement --
    ("involvement person", lines.involvement(person=DELETE), [("person", "is required")]),
    ("involvement agency", lines.involvement(agency="yot"), [("agency", AGENCY)]),
    ("involvement from missing", lines.involvement(**{"from": None}), [("from", "is required")]),
    ("involvement from shape", lines.involvement(**{"from": "2019-09"}), [("from", FULL_DATE)]),
    (
        "involvement dates in order",
        lines.involvement(to="2019-08-31"),
        [("to", "must not be before from")],
    ),
    ("is_lead", lines.involvement(is_lead="yes"), [("is_lead", "must be true or false")]),
    (
        "practitioner email",
        lines.involvement(**{"practitioner.email": "sam"}),
        [("practitioner.email", "must be an email address, like name@example.org")],
    ),
    (
        "practitioner field unknown",
        lines.involvement(**{"practitioner.grade": "DC"}),
        [("practitioner.grade", "is not a field of practitioner")],
    ),
    (
        "team too long",
        lines.involvement(team="T" * 201),
        [("team", "must be at most 200 characters")],
    ),
    # -- lengths the form shares, and lists --
    (
        "summary too long",
        lines.entry(summary="S" * 1001),
        [("summary", "must be at most 1,000 characters")],
    ),
    (
        "detail too long",
        lines.entry(detail="D" * 20001),
        [("detail", "must be at most 20,000 characters")],
    ),
    (
        "too many other names",
        lines.person(other_names=["Jim Smith"] * 51),
        [("other_names", "must have at most 50 items")],
    ),
    (
        "other name's family name too long",
        lines.person(other_names=["Jim " + "S" * 201]),
        [
            (
                "other_names[0]",
                "its given names and its family name (the last word) must each be at most 200 "
                "characters",
            )
        ],
    ),
    (
        "too many addresses",
        lines.person(addresses=[{"postcode": "CV34 4AB"}] * 101),
        [("addresses", "must have at most 100 items")],
    ),
    (
        "too many subjects",
        lines.entry(subjects=[{"source_id": f"P-{i}"} for i in range(101)]),
        [("subjects", "must have at most 100 items")],
    ),
    # -- control characters --
    (
        "NUL in a name",
        lines.person(given_names="Ja\x00mes"),
        [("given_names", "must not hold control characters: U+0000 at character 3")],
    ),
    (
        "line break at the end of a name",
        lines.person(family_name="Smith\n"),
        [("family_name", "must not hold control characters: U+000A at character 6")],
    ),
    (
        "escape in a source_id",
        lines.person(source_id="P-\x1b[0m"),
        [("source_id", "must not hold control characters: U+001B at character 3")],
    ),
    (
        "control character in an identifier",
        lines.person(**{"identifiers.nhs_number": "943\x7f4765919"}),
        [("identifiers.nhs_number", "must not hold control characters: U+007F at character 4")],
    ),
    (
        "control character in a postcode",
        lines.person(**{"addresses.0.postcode": "CV34\x004AB"}),
        [("addresses[0].postcode", "must not hold control characters: U+0000 at character 5")],
    ),
    (
        "control character in a subject",
        lines.entry(**{"subjects.0.source_id": "P-1001\x00"}),
        [
            (
                "subjects[0].source_id",
                "must not hold control characters: U+0000 at character 7",
            )
        ],
    ),
    (
        "control character in a summary",
        lines.entry(summary="Seen\x0c."),
        [
            (
                "summary",
                "must not hold control characters (only line breaks and tabs are allowed): "
                "U+000C at character 5",
            )
        ],
    ),
    (
        "C1 control character in detail",
        lines.entry(detail="Seen\x9b."),
        [
            (
                "detail",
                "must not hold control characters (only line breaks and tabs are allowed): "
                "U+009B at character 5",
            )
        ],
    ),
    (
        "line break in a practitioner's name",
        lines.involvement(**{"practitioner.name": "Sam\nJones"}),
        [("practitioner.name", "must not hold control characters: U+000A at character 4")],
    ),
    (
        "line break in a relationship's person",
        lines.relationship(**{"from": "P-1001\r"}),
        [("from", "must not hold control characters: U+000D at character 7")],
    ),
]


@pytest.mark.parametrize(
    ("obj", "expected"),
    [(obj, expected) for _, obj, expected in REFUSED],
    ids=[r[0] for r in REFUSED],
)
def test_refused_lines_name_the_field_and_the_reason(
    obj: Any, expected: list[tuple[str, str]]
) -> None:
    assert check(obj) == expected


def test_line_breaks_and_tabs_are_kept_in_summary_and_detail() -> None:
    line, errors = validator().validate(
        lines.entry(summary="Seen.\nThen left.", detail="\tA\r\nB\n"), 1, payload="{}"
    )
    assert errors == []
    assert isinstance(line, EntryLine)
    assert (line.summary, line.detail) == ("Seen.\nThen left.", "A\r\nB")


def test_every_problem_of_a_line_is_reported() -> None:
    errors = check(lines.entry(type="x", grade="y", summary=None, colour="red"))
    assert [field for field, _ in errors] == ["colour", "type", "summary", "grade"]


def test_later_lines_may_leave_the_format_to_the_first() -> None:
    assert check(lines.entry(format=DELETE), default_format="sightline/1") == []
    assert check(lines.entry(format="sightline/0"), default_format="sightline/1") == [
        ("format", 'must be "sightline/1" (this importer reads that version)')
    ]


def test_optional_fields_may_be_left_out() -> None:
    bare_person = {"format": "sightline/1", "kind": "person", "source": "s", "source_id": "1"}
    line, errors = validator().validate(bare_person, 1, payload="{}")
    assert errors == []
    assert isinstance(line, PersonLine)
    assert (line.sex, line.birth_date, line.identifiers, line.addresses) == (
        "unknown",
        None,
        [],
        [],
    )
    bare_entry = lines.entry(precision=DELETE, ended_at=DELETE, detail=DELETE, location=DELETE)
    del bare_entry["intelligence_grade"]
    assert check(bare_entry) == []


def test_an_invalid_identifier_is_kept_not_refused() -> None:
    line, errors = validator().validate(
        lines.person(
            **{"identifiers.nhs_number": "9434765918", "identifiers.upn": "A801200005001"}
        ),
        1,
        payload="{}",
    )
    assert errors == []
    assert isinstance(line, PersonLine)
    checks = {c.scheme: (c.is_valid, c.reason) for c in line.identifiers}
    assert checks["nhs_number"] == (False, "check digit does not match")
    assert checks["upn"] == (False, "check letter does not match")
    assert checks["local_id"] == (True, "")
    assert line.linking_identifiers() == {}


def test_values_are_parsed() -> None:
    line, _ = validator().validate(
        lines.entry(occurred_at="2019-08", precision="season"), 1, payload="{}"
    )
    assert isinstance(line, EntryLine)
    assert line.occurred_at == dt.datetime(2019, 8, 1, tzinfo=LONDON)
    assert (line.precision, line.has_time, line.is_significant) == ("season", False, True)
    assert line.recorded_at == dt.datetime(2019, 8, 4, 9, 30, tzinfo=LONDON)
    assert line.location_postcode == "B1 1AA"
    person, _ = validator().validate(lines.person(), 1, payload="{}")
    assert isinstance(person, PersonLine)
    assert person.birth_date == dt.date(2004, 10, 1)
    assert person.birth_date_precision == "month"
    assert person.aliases == [("Jim", "Smith")]


def test_recorded_on_the_day_it_happened_without_a_time_is_fine() -> None:
    assert check(lines.entry(recorded_at="2019-08-03")) == []


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("xs15pd", "XS1 5PD"),
        ("CV34  4AB", "CV34 4AB"),
        (" b1 1aa ", "B1 1AA"),
        ("BFPO 105", "BFPO 105"),
    ],
)
def test_postcodes_are_normalised(given: str, expected: str) -> None:
    assert normalise_postcode(given) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jim Smith", ("Jim", "Smith")),
        ("Mary Ann O'Neil", ("Mary Ann", "O'Neil")),
        ("Jimbo", ("Jimbo", "")),
    ],
)
def test_other_names_split_into_given_and_family(text: str, expected: tuple[str, str]) -> None:
    assert split_name(text) == expected


def test_the_hash_ignores_key_order_and_nulls() -> None:
    a = lines.entry()
    b = dict(reversed(list(a.items())))
    c = {k: v for k, v in a.items() if v is not None}
    c["location"] = {"postcode": "B1 1AA"}
    assert canonical_hash(a) == canonical_hash(b) == canonical_hash(c)
    assert canonical_hash(a) != canonical_hash(lines.entry(summary="Changed."))


DATE_TEXT = st.one_of(
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2})?\Z", fullmatch=True),
    st.builds(
        lambda d, h, m, sep: f"{d.isoformat()}{sep}{h:02d}:{m:02d}" if sep else d.isoformat(),
        st.dates(min_value=dt.date(1890, 1, 1), max_value=dt.date(2100, 1, 1)),
        st.integers(0, 23),
        st.integers(0, 59),
        st.sampled_from(["", "T", " "]),
    ),
    st.text(max_size=18),
)


@given(value=DATE_TEXT, precision=st.sampled_from([None, "day", "month", "year", "season"]))
def test_the_fast_date_path_agrees_with_parse_partial(value: str, precision: str | None) -> None:
    try:
        expected = parse_partial(value, precision)
    except PartialDateError as exc:
        message = str(exc)
    else:
        message = ""
    if message:
        with pytest.raises(PartialDateError) as raised:
            _partial(value, precision)
        assert str(raised.value) == message
        return
    got = _partial(value, precision)
    assert (got.start, got.precision, got.has_time) == (
        expected.start,
        expected.precision.value,
        expected.has_time,
    )
    assert got.start.tzinfo is expected.start.tzinfo
