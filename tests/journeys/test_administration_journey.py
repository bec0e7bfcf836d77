"""Administration in a real browser (Debian's Chromium via Playwright): the system administrator
adds a social worker, who sets their password from the link and signs in; the administrator
gives a school access to a child until a date, makes an API token for the police feed, and
records that the social worker has left. axe-core runs on every page. Set
SIGHTLINE_SCREENSHOTS to a folder to keep a screenshot of each page (docs/images/administration/
holds them)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from tests.journeys.axe import assert_accessible
from tests.journeys.screenshots import shot
from tests.journeys.signing import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NEW_PASSWORD = "a quiet harbour at dusk 7"


@pytest.fixture
def partnership(transactional_db: None) -> dict[str, Any]:
    from sightline.agencies.tests.factories import TeamFactory, practitioner
    from sightline.chronology.tests.factories import new_agency
    from sightline.people.tests.factories import person_named

    csc = new_agency(
        code="csc", name="Hallowford Children's Services", kind="childrens_social_care"
    )
    TeamFactory.create(agency=csc, code="east", name="East locality team")
    new_agency(code="school", name="Hallowford Academy", kind="school")
    police = new_agency(code="police", name="Sallowshire Police", kind="police")
    partnership_office = new_agency(
        code="partnership", name="Sallowshire Partnership", kind="other"
    )
    admin = practitioner("sysadmin", agency=partnership_office)
    admin.first_name, admin.last_name = "Kim", "Hale"
    admin.set_password(PASSWORD)
    admin.save()
    feed = practitioner("police_officer", agency=police)
    feed.first_name, feed.last_name = "Police", "Feed"
    feed.is_integration = True  # the police feed's account: API tokens only
    feed.set_unusable_password()
    feed.save()
    child = person_named("Robin", "Marsh", birth_date=dt.date(2014, 3, 1))
    return {"admin": admin, "feed": feed, "child": child}


def test_the_administrator_adds_a_user_gives_access_makes_a_token_and_records_a_leaver(
    partnership: dict[str, Any], browser_page: Any, chromium: Any, live_server: Any
) -> None:
    page = browser_page
    sign_in(page, partnership["admin"].email, PASSWORD)
    page.get_by_role("heading", name="Administration").wait_for()
    assert_accessible(page, "administration")
    shot(page, "administration")

    page.get_by_role("link", name="Users", exact=True).click()
    page.get_by_role("heading", name="Users").wait_for()
    page.get_by_role("link", name="Add a user").click()
    page.get_by_role("button", name="Add the user").click()
    page.get_by_text("There is a problem").wait_for()
    assert_accessible(page, "adding a user, with errors")
    shot(page, "user-new-errors")
    page.get_by_label("Work email address").fill("sam.berry@csc.example.org")
    page.get_by_label("First name").fill("Sam")
    page.get_by_label("Last name").fill("Berry")
    page.get_by_label("Agency").select_option("csc")
    page.get_by_label("Team (optional, except for a team manager)").select_option(
        label="East locality team (Hallowford Children's Services)"
    )
    page.get_by_label("Role").select_option("social_worker")
    page.get_by_role("button", name="Add the user").click()
    page.get_by_text("Sam Berry has an account").wait_for()
    assert_accessible(page, "the new user's link")
    shot(page, "user-invited")
    link = re.search(r"http://[^\s<]+/set-password/[^\s<]+", page.content())
    assert link is not None

    # The new user, in a browser of their own, sets their password and signs in.
    theirs = chromium.new_context(base_url=live_server.url, bypass_csp=True, locale="en-GB")
    newcomer = theirs.new_page()
    newcomer.goto(link.group(0).replace("&amp;", "&"))
    newcomer.get_by_role("heading", name="Set your password").wait_for()
    assert_accessible(newcomer, "setting a password")
    shot(newcomer, "set-password")
    newcomer.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    newcomer.get_by_label("Password again").fill(NEW_PASSWORD)
    newcomer.get_by_role("button", name="Set password").click()
    newcomer.get_by_text("Your password is set").wait_for()
    sign_in(newcomer, "sam.berry@csc.example.org", NEW_PASSWORD)
    newcomer.get_by_role("heading", name="My work").wait_for()

    # Access to a child, by hand, until a date.
    page.goto("/administration/grants/new")
    ends = dt.date.today() + dt.timedelta(days=30)
    page.get_by_label("The child's Sightline reference").fill(partnership["child"].reference)
    page.get_by_label("Agency").select_option("school")
    page.locator("#ends_on-day").fill(str(ends.day))
    page.locator("#ends_on-month").fill(str(ends.month))
    page.locator("#ends_on-year").fill(str(ends.year))
    page.get_by_label("Why the access is needed").fill("Joining the child protection conference")
    assert_accessible(page, "giving access to a child")
    page.get_by_role("button", name="Give access").click()
    page.get_by_text(f"Access to {partnership['child'].reference} has been given").wait_for()
    assert "Robin" not in page.content()  # the reference, never the child's name
    assert_accessible(page, "access given by hand")
    shot(page, "grants")

    # A token for the police feed, shown once.
    page.goto("/administration/tokens/new")
    page.get_by_label("The integration's account it acts as").fill(partnership["feed"].email)
    page.get_by_label("Name").fill("Police feed, nightly push")
    page.get_by_label("Write: record entries").check()
    page.get_by_role("button", name="Make the token").click()
    page.get_by_text("Copy the token now").wait_for()
    token = re.search(r"slt_[a-z0-9]+_[A-Za-z0-9_-]+", page.content())
    assert token is not None
    assert_accessible(page, "a token made")
    shot(page, "token-made")
    answer = newcomer.request.get(
        "/api/notifications", headers={"Authorization": f"Bearer {token.group(0)}"}
    )
    assert answer.status == 200
    page.goto("/administration/tokens/")
    assert token.group(0) not in page.content()
    assert_accessible(page, "API tokens")
    shot(page, "tokens")

    # Sam Berry leaves: their open session ends at once.
    page.goto("/administration/users/?q=berry")
    page.get_by_role("link", name="Sam Berry").click()
    page.get_by_role("heading", name="Sam Berry").wait_for()
    assert_accessible(page, "a user")
    shot(page, "user")
    page.get_by_role("link", name="Record that Sam Berry has left").click()
    assert_accessible(page, "recording a leaver")
    shot(page, "user-leave")
    page.get_by_role("button", name="Record that they have left").click()
    page.get_by_text("Sam Berry has left. They can no longer sign in").wait_for()
    assert_accessible(page, "a user who has left")
    newcomer.goto("/my-work/")
    newcomer.wait_for_url("**/sign-in**")
    theirs.close()


def test_an_agencys_information_governance_lead_administers_their_own_agency(
    partnership: dict[str, Any], browser_page: Any
) -> None:
    from sightline.agencies.models import Agency
    from sightline.agencies.tests.factories import practitioner

    school = Agency.objects.get(code="school")
    lead = practitioner("auditor", agency=school)
    lead.first_name, lead.last_name = "Dana", "Whitlock"
    lead.set_password(PASSWORD)
    lead.save()
    teacher = practitioner("school_dsl", agency=school)
    teacher.first_name, teacher.last_name = "Owen", "Pryce"
    teacher.save()
    page = browser_page
    sign_in(page, lead.email, PASSWORD)
    page.goto("/administration/")
    page.get_by_text("You administer Hallowford Academy").wait_for()
    assert_accessible(page, "administration, for an agency's lead")
    shot(page, "agency-lead")
    page.get_by_role("link", name="Users", exact=True).click()
    page.get_by_role("link", name="Owen Pryce").wait_for()
    assert "Kim Hale" not in page.content()  # the partnership's administrator: another agency
    assert_accessible(page, "an agency's users")
    shot(page, "agency-lead-users")
    page.get_by_role("link", name="Dana Whitlock").click()
    page.get_by_text("Only a system administrator can change Dana Whitlock").wait_for()
    assert_accessible(page, "a user the lead cannot change")
