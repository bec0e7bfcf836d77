"""The subject access pages through the test client: only the officer's role opens them; a
request is opened with GOV.UK errors for bad input (and no 500 whatever is typed), exported,
its files downloaded (the withheld log apart) and signed off, each step audited."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sightline.agencies.tests.factories import practitioner
from sightline.chronology.models import ChronologyEntry
from sightline.chronology.tests.factories import entry_for, new_person
from sightline.core import clock
from sightline.governance.models import AuditEvent, SubjectAccessRequest

pytestmark = pytest.mark.django_db


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def officer() -> Client:
    return _signed_in(practitioner("auditor", agency_kind="local_authority_education"))


def _date(prefix: str, day: Any) -> dict[str, str]:
    return {
        f"{prefix}-day": str(day.day),
        f"{prefix}-month": str(day.month),
        f"{prefix}-year": str(day.year),
    }


def test_other_roles_are_refused() -> None:
    for role in ("social_worker", "sysadmin", "mash_manager"):
        client = _signed_in(practitioner(role))
        assert client.get("/subject-access/").status_code == 403
        assert client.post("/subject-access/new/", {}).status_code == 403


def test_open_export_download_and_sign_off(officer: Client) -> None:
    child = new_person(given_names="Nell", family_name="Harrowgate")
    entry_for(child, summary="Seen at school, happy.")
    entry_for(
        child,
        sensitivity=ChronologyEntry.Sensitivity.NOT_FOR_FAMILY_DISCLOSURE,
        summary="Strategy discussion under way.",
    )
    today = clock.today()
    response = officer.post(
        "/subject-access/new/",
        {
            "person": child.reference,
            "reference": "SAR-2-A",
            **_date("requested", today),
            **_date("received", today),
        },
    )
    assert response.status_code == 303
    sar = SubjectAccessRequest.objects.get(reference="SAR-2-A")
    page = officer.get(response["Location"])
    assert page.status_code == 200
    assert b"Export the pack" in page.content
    assert officer.post(response["Location"], {"action": "export"}).status_code == 303
    page = officer.get(response["Location"])
    assert b"withheld log" in page.content
    pack = officer.get(f"/subject-access/{sar.pk}/files/json/")
    assert pack.status_code == 200
    data = json.loads(pack.content)
    assert "Seen at school" in json.dumps(data)
    assert "Strategy discussion" not in json.dumps(data)
    log = officer.get(f"/subject-access/{sar.pk}/files/withheld_log/")
    assert b"not_for_family_disclosure" in log.content
    assert "officer-only" in log["Content-Disposition"]
    assert officer.get(f"/subject-access/{sar.pk}/files/other/").status_code == 404
    assert officer.post(response["Location"], {"action": "sign_off"}).status_code == 303
    sar.refresh_from_db()
    assert sar.status == "signed_off"
    actions = set(AuditEvent.objects.filter(person_id=child.pk).values_list("action", flat=True))
    assert {
        "subject_access_opened",
        "subject_access_exported",
        "subject_access_viewed",
        "subject_access_signed_off",
    } <= actions


def test_errors_are_summarised(officer: Client) -> None:
    response = officer.post("/subject-access/new/", {"person": "", "reference": ""})
    assert response.status_code == 400
    assert b"There is a problem" in response.content
    assert b"Enter the person" in response.content
    response = officer.post(
        "/subject-access/new/",
        {
            "person": "SLT-NOBODY",
            "reference": "X",
            **_date("requested", clock.today()),
            **_date("received", clock.today()),
        },
    )
    assert response.status_code == 400
    assert b"No person has that Sightline reference" in response.content


_text = st.text(st.characters(codec="utf-8"), max_size=30)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "person",
                "reference",
                "requested-day",
                "requested-month",
                "requested-year",
                "received-day",
                "received-month",
                "received-year",
                "received",
                "action",
            ]
        ),
        _text,
    )
)
def test_no_input_gives_a_server_error(officer: Client, form: dict[str, str]) -> None:
    assert officer.post("/subject-access/new/", form).status_code in (303, 400)


def test_the_retention_page_lists_runs_and_holds() -> None:
    from sightline.dataprotection import retention

    user = practitioner("auditor", agency_kind="local_authority_education")
    person = new_person()
    retention.legal_hold_place(actor=user, person=person, reason="Inquiry into the home")
    retention.retention_plan(actor=user)
    page = _signed_in(user).get("/subject-access/retention/")
    assert page.status_code == 200
    assert b"Inquiry into the home" in page.content
    assert b"Planned" in page.content
    assert (
        _signed_in(practitioner("social_worker")).get("/subject-access/retention/").status_code
        == 403
    )
