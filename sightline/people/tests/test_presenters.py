import datetime as dt

import pytest

from sightline.people.models import Address, Person
from sightline.people.presenters import (
    age_text,
    birth_date_text,
    child_url,
    partial_address,
    postcode_district,
    street_of,
)


@pytest.mark.parametrize(
    ("line", "street"),
    [
        ("12 High Street", "High Street"),
        ("12a High Street, Warwick", "High Street"),
        ("Flat 2, 14 High Street, Warwick", "High Street"),
        ("Flat 2 14 High Street", ""),
        ("14-16 Mill Lane", "Mill Lane"),
        ("No. 7 Church Road", "Church Road"),
        ("Rose Cottage, Lower Lane", ""),
        ("Apartment 4, Riverside House, 3 Quay Street", "Quay Street"),
        ("", ""),
    ],
)
def test_street_without_house_number(line, street):
    assert street_of(line) == street


@pytest.mark.parametrize(
    ("postcode", "district"),
    [("CV34 4AB", "CV34"), ("cv344ab", "CV34"), ("B1 1AA", "B1"), ("SW1A 1AA", "SW1A"), ("x", "")],
)
def test_postcode_district(postcode, district):
    assert postcode_district(postcode) == district


def test_partial_address():
    assert partial_address(Address(line="3 Quay Street", postcode="B1 1AA")) == "Quay Street, B1"
    assert partial_address(Address(line="Rose Cottage", postcode="")) == ""
    assert partial_address(None) == ""


@pytest.mark.parametrize(
    ("birth_date", "precision", "text", "age"),
    [
        (dt.date(2010, 5, 17), "day", "17 May 2010", "15"),
        (dt.date(2010, 5, 1), "month", "May 2010", "15"),
        (dt.date(2010, 1, 1), "year", "2010", "15 or 16"),
        (None, "day", "Not known", ""),
    ],
)
def test_birth_date_and_age(birth_date, precision, text, age):
    person = Person(birth_date=birth_date, birth_date_precision=precision)
    assert birth_date_text(person) == text
    assert age_text(person, today=dt.date(2026, 3, 2)) == age


def test_child_url_is_the_childs_page():
    assert child_url("SLT0000001") == "/children/SLT0000001/"
