import datetime as dt

import pytest
from django.utils import timezone

from sightline.agencies.tests.factories import AgencyFactory, practitioner
from sightline.governance.audit import AuditAction
from sightline.governance.models import AccessGrant, AuditEvent
from sightline.people.models import Address
from sightline.people.tests.factories import person_named

pytestmark = pytest.mark.django_db

URL = "/children/"


@pytest.fixture
def agency():
    return AgencyFactory.create(code="csc", name="Children's social care")


@pytest.fixture
def social_worker(agency):
    return practitioner("social_worker", agency=agency)


@pytest.fixture
def william(agency):
    person = person_named(
        "William",
        "Smith",
        other_names=(("Billy", "Smith-Jones"),),
        birth_date=dt.date(2010, 5, 17),
        sex="male",
    )
    AccessGrant.objects.create(
        person=person, agency=agency, basis="holds_records", granted_at=timezone.now()
    )
    Address.objects.create(person=person, line="Flat 2, 14 High Street", postcode="CV34 4AB")
    return person


def search(client, **fields):
    data = {"name": "", "birth_date-day": "", "birth_date-month": "", "birth_date-year": ""}
    data |= {"identifier": ""} | fields
    return client.post(URL, data, follow=True)


def test_url_name_and_empty_page(client, social_worker):
    from django.urls import reverse

    assert reverse("people:search") == URL
    client.force_login(social_worker)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Find a child</h1>' in html
    assert 'name="birth_date-day"' in html
    assert "No children found" not in html


def test_search_posts_then_redirects_to_results(client, social_worker, william):
    client.force_login(social_worker)
    response = client.post(URL, {"name": "Liam Smith"})
    assert response.status_code == 303
    assert response["Location"] == "/children/?results"
    assert "Liam" not in response["Location"]
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "1 child found" in html
    assert f'href="/children/{william.reference}/"' in html
    assert "17 May 2010" in html
    assert "High Street, CV34" in html
    for hidden in ("14 High", "4AB", "Flat 2"):
        assert hidden not in html
    assert "Children&#39;s social care" in html
    assert 'value="Liam Smith"' in html  # the form keeps the search


def test_also_known_as_is_shown(client, social_worker, william):
    client.force_login(social_worker)
    html = search(client, name="Billy Smith-Jones").content.decode()
    assert "Also known as Billy Smith-Jones" in html


def test_no_results_page(client, social_worker, william):
    client.force_login(social_worker)
    html = search(client, name="Nobody Atall").content.decode()
    assert "No children found" in html
    assert "contact the MASH" in html


def test_unrelated_practitioner_sees_the_no_results_page(client, william):
    unrelated = practitioner("police_officer", agency=AgencyFactory.create(kind="police"))
    client.force_login(unrelated)
    response = search(client, name="William Smith")
    assert response.status_code == 200
    html = response.content.decode()
    assert "No children found" in html
    assert william.reference not in html


def test_role_without_access_is_told(client, william):
    analyst = practitioner("analyst", agency=AgencyFactory.create(kind="other"))
    client.force_login(analyst)
    html = search(client, name="William Smith").content.decode()
    assert "Your role does not include access to children" in html
    assert william.reference not in html


def test_errors_show_govuk_error_summary(client, social_worker):
    client.force_login(social_worker)
    response = client.post(URL, {"name": "", "birth_date-day": "31", "birth_date-month": "2"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: Find a child" in html
    assert "govuk-error-summary" in html
    assert 'href="#birth_date-year"' in html
    assert html.count("Date of birth must include a year") == 2
    assert (
        'class="govuk-input govuk-date-input__input govuk-input--width-4 govuk-input--error"'
        in html
    )
    assert not AuditEvent.objects.filter(action=AuditAction.PERSON_SEARCHED).exists()


def test_empty_search_error(client, social_worker):
    client.force_login(social_worker)
    html = client.post(URL, {}).content.decode()
    assert 'href="#name"' in html
    assert "Enter a name, date of birth, or NHS number, UPN or agency reference" in html


def test_search_by_identifier_and_birth_date(client, social_worker, william):
    from sightline.people.models import Identifier

    Identifier.objects.create(person=william, scheme="nhs_number", value="9434765919")
    client.force_login(social_worker)
    assert william.reference in search(client, identifier="943 476 5919").content.decode()
    html = search(
        client, **{"birth_date-day": "5", "birth_date-month": "17", "birth_date-year": "2010"}
    ).content.decode()
    assert "Date of birth must be a real date" in html
    html = search(
        client, **{"birth_date-day": "17", "birth_date-month": "5", "birth_date-year": "2010"}
    ).content.decode()
    assert william.reference in html


def test_every_search_is_audited(client, social_worker, william):
    client.force_login(social_worker)
    search(client, name="Liam Smith", **{"birth_date-year": "2010"})
    event = AuditEvent.objects.get(action=AuditAction.PERSON_SEARCHED)
    assert event.actor == social_worker
    assert event.detail["name"] == "Liam Smith"
    assert event.detail["birth_date"] == "2010"


def test_clear_search_forgets_it(client, social_worker, william):
    client.force_login(social_worker)
    search(client, name="Liam Smith")
    html = client.get(URL + "?new").content.decode()
    assert 'value="Liam Smith"' not in html
    assert "child found" not in client.get(URL + "?results").content.decode()


def test_results_without_a_stored_search_show_the_empty_form(client, social_worker):
    client.force_login(social_worker)
    response = client.get(URL + "?results")
    assert response.status_code == 200
    assert "No children found" not in response.content.decode()


def test_put_is_not_allowed(client, social_worker):
    client.force_login(social_worker)
    assert client.put(URL).status_code == 405
