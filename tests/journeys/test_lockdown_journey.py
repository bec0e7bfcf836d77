"""The lock-down view and break-glass in a real browser (Debian's Chromium via Playwright): a
social worker of another authority finds a child outside their relationships by name and date
of birth, sees whom to contact and nothing of the record, breaks glass with a reason (the
GOV.UK error summary first, for a form sent empty), sees the banner with the end time and the
child's page, and ends the access. axe-core runs on every page. Set SIGHTLINE_SCREENSHOTS to a
folder to keep a screenshot of each page (docs/images/lockdown/ holds them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.journeys.axe import assert_accessible
from tests.journeys.screenshots import shot
from tests.journeys.signing import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SECRET = "Told the school nurse that an older cousin takes them to flats in Brackenby"


@pytest.fixture
def partnership(transactional_db: None) -> dict[str, Any]:
    from sightline.agencies.tests.factories import practitioner
    from sightline.cases.tests.world import involve
    from sightline.chronology.tests.factories import entry_for, new_agency
    from sightline.people.tests.factories import person_named

    # Dates relative to the real today: the live server's clock is not frozen.
    born = dt.date.today().replace(day=1) - dt.timedelta(days=365 * 12)
    child = person_named("Robin", "Marsh", birth_date=born)
    csc = new_agency(code="csc", name="Hallowford Children's Services", kind="childrens_social_care",
                     phone="01632 960000", email="duty@csc.example.org")  # fmt: skip
    new_agency(code="mash", name="Hallowford MASH", kind="mash", phone="01632 960200")
    lead = practitioner("social_worker", agency=csc)
    lead.first_name, lead.last_name, lead.email = "Alex", "Smith", "alex.smith@csc.example.org"
    lead.save()
    involvement = involve(child, csc, email=lead.email, since=dt.date.today() - dt.timedelta(90))
    involvement.practitioner_name, involvement.practitioner_role = "Alex Smith", "Social worker"
    involvement.practitioner_phone, involvement.is_lead = "01632 960001", True
    involvement.save()
    entry_for(child, agency=csc, summary=SECRET)
    elsewhere = new_agency(
        code="elsewhere", name="Brackenby Children's Services", kind="childrens_social_care"
    )
    outsider = practitioner("social_worker", agency=elsewhere)
    outsider.first_name, outsider.last_name = "Jo", "Baker"
    outsider.set_password(PASSWORD)
    outsider.save()
    return {"child": child, "outsider": outsider, "born": born}


def test_finding_a_child_outside_their_work_and_breaking_glass(
    partnership: dict[str, Any], browser_page: Any
) -> None:
    page = browser_page
    child, born = partnership["child"], partnership["born"]
    sign_in(page, partnership["outsider"].email)

    page.goto("/children/?new")
    page.get_by_label("Name").fill("Robin Marsh")
    page.locator("#birth_date-day").fill(str(born.day))
    page.locator("#birth_date-month").fill(str(born.month))
    page.locator("#birth_date-year").fill(str(born.year))
    page.get_by_role("button", name="Search").click()
    page.get_by_text("1 child known to other agencies").wait_for()
    assert "Not in your work" in page.content()
    assert_accessible(page, "a search finding a child known to other agencies")
    shot(page, "search-known-elsewhere")

    page.get_by_role("link", name="Robin Marsh").click()
    page.get_by_role("heading", name="This child is known to other agencies").wait_for()
    body = page.content()
    assert "Alex Smith" in body
    assert "01632 960001" in body
    assert SECRET not in body
    assert_accessible(page, "the lock-down view")
    shot(page, "lockdown-view")

    page.get_by_role("link", name="Break glass: open this child's record").click()
    page.get_by_role("heading", name="Open this child's record in an emergency").wait_for()
    assert_accessible(page, "the break-glass form")
    page.get_by_role("button", name="Break glass and open the record").click()
    page.get_by_text("There is a problem").wait_for()
    assert_accessible(page, "the break-glass form with errors")
    shot(page, "break-glass-errors")

    page.get_by_label("The child may be at immediate risk of significant harm").check()
    page.get_by_label("Say what has happened and why you need the record now").fill(
        "Found alone at the bus station at night; says they cannot go home."
    )
    shot(page, "break-glass-form")
    page.get_by_role("button", name="Break glass and open the record").click()
    page.wait_for_url(f"**/children/{child.reference}/")
    page.get_by_text("Break-glass access: every page you see is recorded").wait_for()
    body = page.content()
    assert SECRET in body
    assert "You can see the record of Robin Marsh until" in body
    assert_accessible(page, "the child's page under break-glass")
    shot(page, "break-glass-banner")

    page.get_by_role("button", name="End break-glass access now").click()
    page.wait_for_url(lambda url: "/children/" not in url)
    page.get_by_text(f"Your break-glass access to {child.reference} has ended").wait_for()
    assert "Break-glass access" not in page.content()
    assert_accessible(page, "the page after break-glass access ended")
    shot(page, "break-glass-ended")
    # Going back to the record (a bookmark, the back button) says the access ended and shows
    # whom to contact again, not a bare "not found".
    page.goto(f"/children/{child.reference}/")
    page.wait_for_url(f"**/children/{child.reference}/lock-down")
    page.get_by_text("Your break-glass access to Robin Marsh's record ended at").wait_for()
    assert SECRET not in page.content()
    assert_accessible(page, "the child's page after break-glass access ended")
    shot(page, "break-glass-reloaded")
