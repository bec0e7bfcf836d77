"""Sharing decisions in a real browser: police intelligence with handling code C is restricted
for the MASH (cleared for police intelligence) until the police record a decision to share it;
the officer records it from the entry (a GOV.UK error first, for a missing lawful basis), and the
MASH manager then reads it, with the decision listed on the child's page. axe-core on each page.
Set SIGHTLINE_SCREENSHOTS to a folder to keep a screenshot of each page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.journeys.axe import assert_accessible
from tests.journeys.screenshots import shot
from tests.journeys.signing import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SECRET = "Seen getting into a grey car with two older males near the station."


@pytest.fixture
def shared_story(transactional_db: None) -> dict[str, Any]:
    from sightline.agencies.tests.factories import practitioner
    from sightline.chronology.tests.factories import entry_for, new_agency, new_person
    from sightline.governance import access
    from sightline.governance.models import AccessGrant

    child = new_person(given_names="Robin", family_name="Marsh")
    police = new_agency(code="police", name="Hallowford Police", kind="police")
    mash = new_agency(code="mash", name="Sallowshire MASH", kind="mash")
    access.grant(person_id=child.pk, agency_id=police.pk, basis=AccessGrant.Basis.INVOLVEMENT)
    users = {"police": practitioner("police_officer", agency=police)}
    users["mash"] = practitioner("mash_manager", agency=mash)
    for user in users.values():
        user.set_password(PASSWORD)
        user.save()
    entry = entry_for(
        child,
        agency=police,
        police_intelligence=True,
        summary=SECRET,
        intelligence_grade={
            "system": "3x5x2",
            "source": "2",
            "assessment": "B",
            "handling": "C",
            "conditions": "Not to be disclosed to the family",
        },
    )
    return {"child": child, "entry": entry, "users": users, "mash": mash}


def test_a_c_code_entry_is_read_by_the_mash_once_the_police_share_it(
    shared_story: dict[str, Any], browser_page: Any
) -> None:
    page = browser_page
    child, entry = shared_story["child"], shared_story["entry"]
    sign_in(page, shared_story["users"]["mash"].email)
    page.get_by_role("heading", name="My work").wait_for()
    page.goto(f"/children/{child.reference}/")
    page.get_by_role("heading", name="The child's story").wait_for()
    assert SECRET not in page.content()
    assert "Restricted" in page.locator("main").inner_text()

    page.context.clear_cookies()
    sign_in(page, shared_story["users"]["police"].email)
    page.get_by_role("heading", name="My work").wait_for()
    page.goto(f"/children/{child.reference}/")
    page.locator(f"#entry-{entry.pk}").get_by_role("link", name="Record a sharing decision").click()
    page.get_by_role("heading", name="Record a sharing decision").wait_for()
    assert "handling code C" in page.locator("main").inner_text()
    assert_accessible(page, "the sharing decision form")
    shot(page, "sharing-decision-form")
    page.get_by_label("Which agency is it about sharing with?").select_option(
        label="Sallowshire MASH"
    )
    page.get_by_label("Shared", exact=True).check()
    page.get_by_label("Why was it shared?").fill("For the strategy discussion tomorrow.")
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_text("There is a problem").wait_for()
    assert "Select the lawful basis for sharing" in page.locator("main").inner_text()
    assert_accessible(page, "the sharing decision form with an error")
    shot(page, "sharing-decision-error")
    page.get_by_label("Safeguarding of children (DPA 2018 Schedule 1 paragraph 18)").check()
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_text("Sharing decision recorded").wait_for()
    assert "For the strategy discussion tomorrow." in page.locator("#sharing").inner_text()

    page.context.clear_cookies()
    sign_in(page, shared_story["users"]["mash"].email)
    page.get_by_role("heading", name="My work").wait_for()
    page.goto(f"/children/{child.reference}/")
    page.get_by_role("heading", name="The child's story").wait_for()
    main = page.locator("main").inner_text()
    assert SECRET in main
    assert "Handling conditions: Not to be disclosed to the family" in main
    assert "Sharing decisions" in main
    assert_accessible(page, "the child's page, after the police shared the entry")
    shot(page, "sharing-decision-shared")
