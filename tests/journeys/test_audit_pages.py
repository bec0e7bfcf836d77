"""The auditor's pages in a real browser (Debian's Chromium via Playwright): the home page is
the audit log; a search by the child's reference; who has looked at the child, and why;
the unusual-access flags, and a period they cannot read as a GOV.UK error. axe-core runs on
every page (no moderate, serious or critical violation)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.journeys.axe import assert_accessible
from tests.journeys.signing import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def logged(transactional_db: None) -> dict[str, Any]:
    from sightline.agencies.tests.factories import AgencyFactory, practitioner
    from sightline.chronology.tests.factories import new_person
    from sightline.governance import access, audit
    from sightline.governance.audit import AuditAction
    from sightline.governance.models import AccessGrant

    child = new_person(given_names="Robin", family_name="Marsh", birth_date=dt.date(2010, 5, 17))
    police = AgencyFactory.create(code="police", kind="police", name="Hallowford Police")
    access.grant(person_id=child.pk, agency_id=police.pk, basis=AccessGrant.Basis.HOLDS_RECORDS)
    officer = practitioner("police_officer", agency=police)
    officer.first_name, officer.last_name = "Priya", "Shah"
    officer.save()
    for purpose in ("strategy discussion", ""):
        audit.record(
            officer,
            AuditAction.STORY_VIEWED,
            object_type="person",
            object_id=child.reference,
            person_id=child.pk,
            purpose=purpose,
        )
    auditor = practitioner("auditor", agency=AgencyFactory.create(code="partnership", kind="other"))
    auditor.first_name, auditor.last_name = "Ola", "Adeyemi"
    auditor.set_password(PASSWORD)
    auditor.save()
    return {"child": child, "auditor": auditor}


def test_the_auditors_pages(logged: dict[str, Any], browser_page: Any) -> None:
    page = browser_page
    sign_in(page, logged["auditor"].email)  # signed in: the landing page
    page.goto("/")  # the home page is the audit log for the auditor
    page.get_by_role("heading", name="Audit log").wait_for()
    assert_accessible(page, "the audit log")

    page.get_by_label("Child's Sightline reference").fill(logged["child"].reference)
    page.get_by_role("button", name="Search the log").click()
    page.get_by_role("table").first.wait_for()
    assert "Priya Shah" in page.content()
    assert_accessible(page, "a search of the audit log")

    page.get_by_role("link", name=f"Who has looked at {logged['child'].reference}, and why").click()
    page.get_by_role(
        "heading", name=f"Who has looked at {logged['child'].reference}, and why"
    ).wait_for()
    body = page.content()
    assert "strategy discussion" in body
    assert "Their agency holds records on the child" in body
    assert "Robin" not in body
    assert_accessible(page, "who has looked at a child")

    page.get_by_role("link", name="Unusual access").click()
    page.get_by_role("heading", name="Unusual access").wait_for()
    assert_accessible(page, "unusual access")
    page.locator("#from-day").fill("31")
    page.locator("#from-month").fill("2")
    page.locator("#from-year").fill("2026")
    page.get_by_role("button", name="Show flags").click()
    page.get_by_text("There is a problem").wait_for()
    assert "Date from must be a real date" in page.content()
    assert_accessible(page, "unusual access, with an error")
