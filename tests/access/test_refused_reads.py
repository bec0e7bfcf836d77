"""A refused look at a child is audited (`access_refused`), committed although the request ends
in a 404, and every audit row carries the address the request came from (docs/access.md,
"Audit")."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sightline.agencies.tests.factories import AgencyFactory, practitioner
from sightline.governance import access
from sightline.governance.audit import AuditAction
from sightline.governance.models import AuditEvent
from sightline.people.tests.factories import PersonFactory

# Real commits: the row must survive the request that ends in a 404, not only a test's
# rolled-back transaction.
pytestmark = pytest.mark.django_db(transaction=True)

ADDRESS = "203.0.113.7"


@pytest.fixture
def child() -> Any:
    child = PersonFactory.create(given_names="Jordan", family_name="Ellis")
    csc = AgencyFactory.create(code="csc", kind="childrens_social_care")
    access.grant(person_id=child.pk, agency_id=csc.pk, basis="involvement")
    return child


@pytest.fixture
def stranger() -> Any:
    return practitioner("school_dsl", agency=AgencyFactory.create(code="sch", kind="school"))


def refusals() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED).order_by("id"))


@pytest.mark.parametrize(
    "path", ["/children/{ref}/", "/children/{ref}/story.pdf", "/children/{ref}/entries/new"]
)
def test_an_unrelated_practitioner_is_refused_and_audited(
    child: Any, stranger: Any, path: str
) -> None:
    client = Client(REMOTE_ADDR=ADDRESS)
    client.force_login(stranger)
    url = path.format(ref=child.reference)
    response = client.get(url)
    assert response.status_code == 404
    assert "Jordan" not in response.content.decode()
    [event] = refusals()
    assert event.actor == stranger
    assert event.person_id == child.pk
    assert event.client_address == ADDRESS
    assert event.detail == {"path": url, "reason": "no relationship", "reference": child.reference}


def test_the_api_refusal_is_audited_too(child: Any, stranger: Any) -> None:
    client = Client(REMOTE_ADDR=ADDRESS)
    client.force_login(stranger)
    response = client.get(f"/api/children/{child.reference}/story")
    assert response.status_code == 404
    assert response.json() == {"error": access.NOT_FOUND_MESSAGE}
    [event] = refusals()
    assert (event.person_id, event.client_address) == (child.pk, ADDRESS)


def test_a_reference_that_does_not_exist_is_audited_without_a_person(stranger: Any) -> None:
    client = Client(REMOTE_ADDR=ADDRESS)
    client.force_login(stranger)
    assert client.get("/children/SLT9999999/").status_code == 404
    [event] = refusals()
    assert event.person_id is None
    assert event.detail["reason"] == "no such person"
    assert event.detail["reference"] == "SLT9999999"


def test_behind_a_trusted_proxy_the_forwarded_address_is_recorded(
    child: Any, stranger: Any, settings: Any
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"198.51.100.1, {ADDRESS}")
    client.force_login(stranger)
    client.get(f"/children/{child.reference}/")
    assert [e.client_address for e in refusals()] == [ADDRESS]


def test_every_read_records_the_address(child: Any) -> None:
    mash = practitioner("mash_manager", agency=AgencyFactory.create(code="mash", kind="mash"))
    client = Client(REMOTE_ADDR=ADDRESS)
    client.force_login(mash)
    assert client.get(f"/children/{child.reference}/").status_code == 200
    events = list(AuditEvent.objects.all())
    assert events
    assert {e.client_address for e in events} == {ADDRESS}
    assert not refusals()


def test_rows_written_outside_a_request_have_no_address(child: Any) -> None:
    from sightline.core.actors import IMPORTER
    from sightline.governance import audit

    event = audit.record(IMPORTER, AuditAction.BATCH_IMPORTED, object_type="import_batch")
    assert event.client_address is None
