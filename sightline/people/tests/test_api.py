import datetime as dt
import re

import pytest
from django.utils import timezone

from sightline.agencies.tests.factories import AgencyFactory, practitioner
from sightline.governance.audit import AuditAction
from sightline.governance.models import AccessGrant, AuditEvent
from sightline.people.models import Address
from sightline.people.tests.factories import person_named

pytestmark = pytest.mark.django_db

URL = "/api/people/search"


@pytest.fixture
def agency():
    return AgencyFactory.create(code="csc", name="Children's social care")


@pytest.fixture
def william(agency):
    person = person_named(
        "William",
        "Smith",
        other_names=(("Billy", "Smith-Jones"),),
        birth_date=dt.date(2010, 5, 1),
        birth_date_precision="month",
        sex="male",
    )
    AccessGrant.objects.create(
        person=person, agency=agency, basis="holds_records", granted_at=timezone.now()
    )
    Address.objects.create(person=person, line="14 High Street", postcode="CV34 4AB")
    return person


def test_api_search_returns_minimal_fields(client, agency, william):
    client.force_login(practitioner("social_worker", agency=agency))
    response = client.get(URL, {"name": "Billy Smith-Jones", "birth_date": "2010-05"})
    assert response.status_code == 200
    body = response.json()
    assert body["has_more"] is False
    [hit] = body["results"]
    assert hit == {
        "reference": william.reference,
        "name": "William Smith",
        "also_known_as": "Billy Smith-Jones",
        "birth_date": "2010-05",
        "birth_date_precision": "month",
        "age": hit["age"],
        "sex": "male",
        "area": {"street": "High Street", "postcode_district": "CV34"},
        "agencies": ["Children's social care"],
        "url": f"/children/{william.reference}/",
        "lockdown": False,  # a child the caller may see, not one outside their relationships
    }
    # Born in May 2010: one age, or two when today falls in May (the birthday may have passed).
    assert re.fullmatch(r"\d+( or \d+)?", hit["age"])
    event = AuditEvent.objects.get(action=AuditAction.PERSON_SEARCHED)
    assert event.detail["name"] == "Billy Smith-Jones"
    assert event.detail["birth_date"] == "2010-05"


def test_api_requires_sign_in(client, william):
    response = client.get(URL, {"name": "William Smith"})
    assert response.status_code == 401
    assert not AuditEvent.objects.exists()


def test_api_unrelated_practitioner_gets_an_empty_list(client, william):
    client.force_login(practitioner("police_officer", agency=AgencyFactory.create(kind="police")))
    response = client.get(URL, {"name": "William Smith"})
    assert response.status_code == 200
    assert response.json() == {"results": [], "has_more": False}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "name"),
        ({"name": "J"}, "name"),
        ({"birth_date": "17/05/2010"}, "birth_date"),
        ({"birth_date": "2010-02-30"}, "birth_date"),
        ({"identifier": "1" * 65}, "identifier"),
    ],
)
def test_api_validation_errors(client, agency, params, field):
    client.force_login(practitioner("social_worker", agency=agency))
    response = client.get(URL, params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_api_identifier_search(client, agency, william):
    from sightline.people.models import Identifier

    Identifier.objects.create(person=william, scheme="upn", value="A123456789012")
    client.force_login(practitioner("mash_manager", agency=AgencyFactory.create(kind="mash")))
    response = client.get(URL, {"identifier": "a123 4567 89012"})
    assert [h["reference"] for h in response.json()["results"]] == [william.reference]


@pytest.mark.parametrize("field", ["name", "birth_date", "identifier"])
def test_a_control_character_in_a_search_is_a_json_400(client, field):
    """A NUL reached PostgreSQL (text, and the audit row's JSON) and gave a 500 there."""
    user = practitioner("mash_manager", agency=AgencyFactory.create(code="mash", kind="mash"))
    client.force_login(user)
    response = client.get("/api/people/search", {field: "Jo\x00rdan"})
    assert response.status_code == 400
    assert response.json()["errors"] == {field: "Must not contain control characters"}
