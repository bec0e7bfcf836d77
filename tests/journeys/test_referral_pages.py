"""A referral in a real browser (Debian's Chromium via Playwright): a school makes one from the
child's page (the form's errors first), the MASH manager finds it at the front door, is refused
"the family did not consent" as the only reason and told why, decides, and the school reads the
decision and its reasons. axe-core runs on every page (no moderate, serious or critical
violation). SIGHTLINE_SCREENSHOTS keeps a screenshot of each page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.journeys.axe import assert_accessible
from tests.journeys.screenshots import shot
from tests.journeys.signing import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def partnership(transactional_db: None) -> dict[str, Any]:
    from sightline.agencies.models import Team
    from sightline.agencies.tests.factories import practitioner
    from sightline.chronology.tests.factories import at, entry_for, new_agency, new_person
    from sightline.governance import access
    from sightline.governance.models import AccessGrant

    child = new_person(given_names="Robin", family_name="Marsh", birth_date=dt.date(2010, 5, 17))
    school = new_agency(code="school", name="Hallowford Academy", kind="school")
    mash = new_agency(code="mash", name="Hallowford MASH", kind="mash")
    team = Team.objects.create(agency=mash, code="mash-team", name="MASH team")
    access.grant(person_id=child.pk, agency_id=school.pk, basis=AccessGrant.Basis.INVOLVEMENT)
    entry_for(
        child,
        agency=school,
        type="missing_episode",
        occurred_at=at(2026, 1, 14, 22),
        summary="Did not come home; found the next morning in another town.",
    )
    users = {}
    for key, role, agency, name in (
        ("school", "school_dsl", school, ("Dana", "Whitfield")),
        ("mash", "mash_manager", mash, ("Morgan", "Reid")),
    ):
        user = practitioner(role, agency=agency, team=team if key == "mash" else None)
        user.first_name, user.last_name = name
        user.set_password(PASSWORD)
        user.save()
        users[key] = user
    return {"child": child, "users": users}


def test_a_referral_from_the_school_to_the_mash_decision(
    partnership: dict[str, Any], browser_page: Any
) -> None:
    page = browser_page
    child = partnership["child"]
    sign_in(page, partnership["users"]["school"].email)
    page.goto(f"/children/{child.reference}/")
    page.get_by_role("link", name="Make a referral").click()
    page.get_by_role("heading", name="Make a referral").wait_for()
    assert_accessible(page, "the referral form")
    page.get_by_role("button", name="Make the referral").click()
    page.locator(".govuk-error-summary").wait_for()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Select the service you are referring to" in summary
    assert "Enter your concerns" in summary
    assert_accessible(page, "the referral form with errors")
    shot(page, "referral-form-errors")

    page.get_by_label("MASH (children's social care front door)").check()
    page.get_by_label("What are your concerns?").fill(
        "Seen getting into cars with older males after school; missing overnight in January."
    )
    page.get_by_label("At risk of significant harm", exact=True).check()
    page.get_by_role("group", name="Has the child asked for help?").get_by_label("No").check()
    page.get_by_label("What do the family know about this referral?").fill(
        "Mother told by phone; she says he stays with friends."
    )
    page.get_by_label("No, the family do not consent").check()
    page.get_by_label("If they do not consent, or were not asked: why?").fill(
        "Mother refused: she says there is nothing wrong."
    )
    page.get_by_role("button", name="Make the referral").click()
    page.get_by_text("Referral made to Hallowford MASH").wait_for()
    assert_accessible(page, "the referral, as the referrer")
    shot(page, "referral-made")

    sign_in(page, partnership["users"]["mash"].email)
    page.goto("/referrals/front-door/")
    page.get_by_role("link", name="Robin Marsh").first.click()
    page.get_by_role("heading", name="The child's history at a glance").wait_for()
    assert "Did not come home" in page.locator("#glance-heading").locator("..").inner_text()
    assert_accessible(page, "the referral, as the MASH")
    shot(page, "referral-front-door-triage")
    page.get_by_role("link", name="Decide").click()
    assert "You do not need consent" in page.locator("#consent-advice").inner_text()
    page.get_by_label("No further action", exact=True).check()
    # Each decision reveals its own reasons: no further action's is the third.
    page.locator("#conditional-decision-3").get_by_label("The family did not consent").check()
    page.get_by_label("Your reasons, in your own words").fill("Mother will not engage.")
    page.get_by_role("button", name="Record the decision").click()
    page.locator(".govuk-error-summary").wait_for()
    assert "cannot be the only reason" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, "the decision refused")
    shot(page, "referral-decision-refused")
    page.get_by_label("Accepted for assessment", exact=True).check()
    page.locator("#conditional-decision").get_by_label(
        "Risk of exploitation needs assessing"
    ).check()
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_text("Decision recorded").wait_for()

    sign_in(page, partnership["users"]["school"].email)
    page.goto("/referrals/")
    listed = page.locator("main").inner_text()
    assert "Accepted for assessment" in listed
    assert "Risk of exploitation needs assessing" in listed
    assert_accessible(page, "the referrer's list")
    shot(page, "referrals-mine")
