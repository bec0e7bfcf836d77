"""Standardisation, field by field: tables of what agencies write and what the model compares."""

from __future__ import annotations

import datetime as dt

import pytest

from sightline.identity.linkage import standardise as s
from sightline.identity.linkage.nicknames import are_variants

TODAY = dt.date(2026, 11, 1)


@pytest.mark.parametrize(
    ("given", "first", "middle"),
    [
        ("James", "james", None),
        ("  JAMES  ", "james", None),
        ("George Oliver", "george", "oliver"),
        ("Zoë", "zoe", None),
        ("Siân", "sian", None),
        ("Łukasz", "lukasz", None),
        ("Mary-Jane", "mary", "jane"),
        ("Mr James", "james", None),
        ("Baby", None, None),
        ("Baby of Jane Smith", None, None),
        ("Twin 1", None, None),
        ("Unknown", None, None),
        ("NK", None, None),
        ("", None, None),
        (None, None, None),
    ],
)
def test_forenames(given, first, middle):
    names = s.standardise_forenames(given)
    assert names.first_name == first
    assert names.middle_names == middle


@pytest.mark.parametrize(
    ("family", "surname", "parts"),
    [
        ("Smith", "smith", ("smith",)),
        ("Smith-Jones", "smithjones", ("smith", "jones")),
        ("Smith Jones", "smithjones", ("smith", "jones")),
        ("SMITH-JONES", "smithjones", ("smith", "jones")),
        ("O'Brien", "obrien", ("obrien",)),
        ("O\u2019Brien", "obrien", ("obrien",)),
        ("Núñez", "nunez", ("nunez",)),
        ("Ó Briain-Núñez", "obriainnunez", ("briain", "nunez")),
        ("de la Cruz", "delacruz", ("cruz",)),
        ("Unknown", None, ()),
    ],
)
def test_surnames(family, surname, parts):
    result = s.standardise_surname(family)
    assert result.surname == surname
    assert result.parts == parts


@pytest.mark.parametrize(
    ("a", "b", "variants"),
    [
        ("william", "liam", True),
        ("william", "bill", True),
        ("muhammad", "mohammed", True),
        ("mohamed", "mo", True),
        ("aisha", "ayesha", True),
        ("zofia", "zosia", True),
        ("jakub", "kuba", True),
        ("siobhan", "shevaun", True),
        ("katherine", "kate", True),
        ("james", "jim", True),
        ("jack", "john", True),
        ("oliver", "olivia", False),
        ("james", "john", False),
        ("amelia", "oliver", False),
    ],
)
def test_nicknames(a, b, variants):
    assert are_variants(a, b) is variants


def test_forename_variants_include_the_name_and_its_groups():
    assert s.forename_variants(["liam"]) == ["liam", "william"]
    assert "liam" in s.forename_variants(["liam"])


@pytest.mark.parametrize(
    ("value", "dob", "year", "year_month", "swap_key"),
    [
        ("2012-03-17", "2012-03-17", 2012, "2012-03", "2012-03-17"),
        ("2012-17-03", None, None, None, None),  # month 17: impossible
        ("17/03/2012", "2012-03-17", 2012, "2012-03", "2012-03-17"),
        ("20120317", "2012-03-17", 2012, "2012-03", "2012-03-17"),
        ("2012-03-17T00:00", "2012-03-17", 2012, "2012-03", "2012-03-17"),
        ("2012-03", None, 2012, "2012-03", None),
        ("2012", None, 2012, None, None),
        ("1900-01-01", None, None, None, None),  # placeholder
        ("2031-01-01", None, None, None, None),  # future
        ("2012-02-30", None, None, None, None),
        ("not a date", None, None, None, None),
        ("", None, None, None, None),
        (None, None, None, None, None),
        (dt.date(2012, 3, 17), "2012-03-17", 2012, "2012-03", "2012-03-17"),
    ],
)
def test_birth_dates(value, dob, year, year_month, swap_key):
    parsed = s.standardise_birth_date(value, today=TODAY)
    assert (parsed.dob, parsed.year, parsed.year_month, parsed.swap_key) == (
        dob,
        year,
        year_month,
        swap_key,
    )


def test_day_and_month_swaps_share_a_key():
    a = s.standardise_birth_date("2014-04-07", today=TODAY)
    b = s.standardise_birth_date("2014-07-04", today=TODAY)
    assert a.dob != b.dob
    assert a.swap_key == b.swap_key == "2014-04-07"


@pytest.mark.parametrize(
    ("value", "postcode", "sector", "district"),
    [
        ("CV34 4AB", "CV34 4AB", "CV34 4", "CV34"),
        ("cv344ab", "CV34 4AB", "CV34 4", "CV34"),
        (" cv34  4ab ", "CV34 4AB", "CV34 4", "CV34"),
        ("B1 1AA", "B1 1AA", "B1 1", "B1"),
        ("SW1A 1AA", "SW1A 1AA", "SW1A 1", "SW1A"),
        ("M1 1AE", "M1 1AE", "M1 1", "M1"),
        ("cv34-4ab", "CV34 4AB", "CV34 4", "CV34"),
        ("ZZ99 3VZ", None, None, None),  # NHS pseudo-postcode: no fixed abode
        ("NFA", None, None, None),
        ("12345", None, None, None),
        ("CV34", None, None, None),
        ("", None, None, None),
        (None, None, None, None),
    ],
)
def test_postcodes(value, postcode, sector, district):
    parsed = s.standardise_postcode(value)
    if postcode is None:
        assert parsed is None
    else:
        assert parsed is not None
        assert (parsed.postcode, parsed.sector, parsed.district) == (postcode, sector, district)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("9434765919", "9434765919"),
        ("943 476 5919", "9434765919"),
        ("943-476-5919", "9434765919"),
        ("9434765918", None),  # wrong check digit
        ("4934765919", None),  # two digits transposed: mod 11 catches it
        ("0000000000", None),  # passes mod 11, but a placeholder
        ("1111111111", None),
        ("943476591", None),
        ("94347659190", None),
        ("", None),
        (None, None),
    ],
)
def test_nhs_numbers(value, expected):
    assert s.standardise_nhs_number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("P207000016049", "P207000016049"),  # the check letter really is P
        ("p207000016049", "P207000016049"),
        ("P207 0000 16049", "P207000016049"),
        ("Q207000016049", None),  # the letter a school MIS help page gets wrong
        ("P999000016049", None),  # not a known LA code
        ("P20700001604", None),
        (None, None),
    ],
)
def test_upns(value, expected):
    assert s.standardise_upn(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("04/123456A", "04/0123456A"),
        ("04/0123456a", "04/0123456A"),
        ("2004/123456A", "04/0123456A"),
        ("04123456A", "04/0123456A"),
        ("04/123456", None),
        ("ABC", None),
        (None, None),
    ],
)
def test_pnc_ids(value, expected):
    assert s.standardise_pnc_id(value) == expected


def person(**fields):
    line = {
        "format": "sightline/1",
        "kind": "person",
        "source": "police",
        "source_id": "P-1",
        "given_names": "James",
        "family_name": "Smith",
        "other_names": [],
        "birth_date": "2010-04-03",
        "sex": "male",
        "identifiers": {"nhs_number": None, "upn": None, "pnc_id": None, "local_id": "P-1"},
        "addresses": [],
    }
    line.update(fields)
    return line


def test_record_columns_and_invalid_identifiers():
    record = s.standardise_record(
        person(
            given_names="Zoë Mary",
            family_name="O'Brien-Núñez",
            other_names=["Jim Smith"],
            identifiers={"nhs_number": "943 476 5919", "upn": "Q207000016049", "pnc_id": None},
            addresses=[
                {"line": "1 A St", "postcode": "b1 1aa", "from": "2010-01-01", "to": "2018-01-01"},
                {"line": "2 B St", "postcode": "cv344ab", "from": "2018-01-01", "to": None},
            ],
        ),
        today=TODAY,
    )
    assert set(record) == set(s.COLUMNS)
    assert record["unique_id"] == "police|P-1"
    assert record["first_name"] == "zoe"
    assert record["middle_names"] == "mary"
    assert record["given_tokens"] == ["mary", "zoe"]
    assert record["surname"] == "obriennunez"
    assert record["sn_parts"] == ["nunez", "obrien", "smith"]  # the alias's surname too
    assert "james" in record["fn_variants"]  # the alias "Jim"
    assert "mary" not in record["fn_variants"]  # middle names are kept apart
    assert record["postcode"] == "CV34 4AB"  # the current address
    assert record["postcodes"] == ["B1 1AA", "CV34 4AB"]
    assert record["nhs_number"] == "9434765919"
    assert record["upn"] is None
    assert record["invalid_identifiers"] == ["upn"]
    assert record["sex"] == "m"


def test_records_table_streams_and_later_versions_supersede():
    rows = [person(source_id=str(i), given_names=f"Name{i}") for i in range(7)]
    rows.append(person(source_id="3", given_names="Replaced"))
    table = s.standardise_records(rows, today=TODAY, batch_size=3)
    assert table.schema == s.SCHEMA
    assert table.num_rows == 7
    names = dict(
        zip(
            table.column("source_id").to_pylist(),
            table.column("first_name").to_pylist(),
            strict=True,
        )
    )
    assert names["3"] == "replaced"


def test_non_uk_postcodes_are_kept_for_febrl():
    record = s.standardise_record(
        person(addresses=[{"line": None, "postcode": "2119", "from": None, "to": None}]),
        uk_postcodes=False,
        today=TODAY,
    )
    assert record["postcode"] == "2119"
    assert record["pc_district"] == "21"
