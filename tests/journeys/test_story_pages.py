"""The child's page in a real browser (Debian's Chromium via Playwright) for the cases the
walkthrough found wanting: a school that is not cleared for a health-confidential entry sees
only its month, agency and whom to ask; a long unbroken string wraps instead of being cut off;
an entry marked as entered in error shows struck through with its reason; a filter that cannot
be read shows a GOV.UK error. axe-core runs on every page (no moderate, serious or critical
violation). Set SIGHTLINE_SCREENSHOTS to a folder to keep a screenshot of each page."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from tests.journeys.axe import assert_accessible
from tests.journeys.screenshots import shot
from tests.journeys.signing import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

UNBROKEN = "https://example.org/" + "a1b2c3d4e5" * 40  # a pasted address, 420 characters


@pytest.fixture
def story(transactional_db: None) -> dict[str, Any]:
    from django.apps import apps

    from sightline.agencies.tests.factories import practitioner
    from sightline.chronology.services import EntryFields, entry_record
    from sightline.chronology.tests.factories import at, entry_for, new_agency, new_person
    from sightline.core.dates import PartialDate, Precision
    from sightline.governance import access
    from sightline.governance.models import AccessGrant

    child = new_person(given_names="Robin", family_name="Marsh", birth_date=dt.date(2010, 5, 17))
    agencies = {
        "csc": new_agency(code="csc", name="Children's social care", kind="childrens_social_care",
                             phone="01632 960100", email="csc@example.org"),
        "school": new_agency(code="school", name="Hallowford Academy", kind="school"),
        "ae": new_agency(code="ae", name="Hallowford General A&E", kind="health_ae",
                            phone="01632 960400", email="ae.safeguarding@example.org"),
    }  # fmt: skip
    for agency in agencies.values():
        access.grant(person_id=child.pk, agency_id=agency.pk, basis=AccessGrant.Basis.INVOLVEMENT)
    users = {}
    for key, role in (("csc", "social_worker"), ("school", "school_dsl")):
        user = practitioner(role, agency=agencies[key])
        user.first_name, user.last_name = ("Alex", "Smith") if key == "csc" else ("Sam", "Lee")
        user.set_password(PASSWORD)
        user.save()
        users[key] = user
    # Alex is Robin's lead social worker: cleared for health-confidential detail.
    apps.get_model("cases", "Involvement").objects.create(
        person=child, agency=agencies["csc"], is_lead=True, practitioner_email=users["csc"].email
    )
    entry_for(
        child,
        agency=agencies["ae"],
        type="drug_use_disclosed",
        occurred_at=at(2019, 3, 14, 2, 39),
        has_time=True,
        ended_at=at(2019, 3, 14, 17, 53),
        recorded_at=at(2019, 3, 14, 18, 5),
        summary="Disclosed cannabis use to the triage nurse.",
        sensitivity="health_confidential",
        is_significant=True,
    )
    entry_for(
        child,
        agency=agencies["csc"],
        type="home_visit",
        occurred_at=at(2019, 3, 20, 16),
        has_time=True,
        summary="Home visit. Robin seen alone.",
        detail=f"Mother sent the link to the video: {UNBROKEN}",
    )
    mistaken = entry_record(
        actor=users["csc"],
        person=child,
        fields=EntryFields(
            type="missing_episode",
            occurred=PartialDate(timezone.now() - dt.timedelta(days=2), Precision.DAY, False),
            summary="Reported missing overnight.",
        ),
    )
    return {"child": child, "users": users, "mistaken": mistaken}


def no_horizontal_overflow(page: Any) -> None:
    """Nothing runs out of its box: the page is no wider than the window, and no entry is wider
    than the story's column."""
    widths = page.evaluate(
        """() => ({
            page: document.documentElement.scrollWidth,
            window: window.innerWidth,
            entries: [...document.querySelectorAll('.moj-timeline__item')].map(
                e => e.scrollWidth - e.clientWidth),
        })"""
    )
    assert widths["page"] <= widths["window"], widths
    assert all(extra <= 1 for extra in widths["entries"]), widths


def test_an_uncleared_school_sees_the_month_agency_and_contact_only(
    story: dict[str, Any], browser_page: Any
) -> None:
    page = browser_page
    sign_in(page, story["users"]["school"].email)
    page.get_by_role("heading", name="My work").wait_for()
    page.goto(f"/children/{story['child'].reference}/")
    page.get_by_role("heading", name="The child's story").wait_for()
    column = page.locator(".moj-filter-layout__content").inner_text()
    assert "Restricted entry" in column
    assert "March 2019" in column
    assert "Contact Hallowford General A&E (01632 960400" in column
    for secret in ("Drug use disclosed", "cannabis", "02:39", "17:53", "14 March"):
        assert secret not in column
    no_horizontal_overflow(page)
    assert_accessible(page, "the child's page, as a school not cleared for an entry")
    shot(page, "child-page-uncleared-school")


def test_a_cleared_viewer_reads_it_and_long_text_wraps(
    story: dict[str, Any], browser_page: Any
) -> None:
    page = browser_page
    sign_in(page, story["users"]["csc"].email)
    page.get_by_role("heading", name="My work").wait_for()
    page.goto(f"/children/{story['child'].reference}/")
    page.get_by_role("heading", name="The child's story").wait_for()
    column = page.locator(".moj-filter-layout__content").inner_text()
    assert "Drug use disclosed" in column
    assert "14 March 2019, 02:39 to 17:53" in column
    assert UNBROKEN[-30:] in column.replace("\n", "")
    no_horizontal_overflow(page)
    assert_accessible(page, "the child's page, as a cleared viewer")
    shot(page, "child-page-cleared")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: still nothing cut off
    page.reload()
    no_horizontal_overflow(page)
    shot(page, "child-page-cleared-narrow")


def test_marking_an_entry_as_entered_in_error(story: dict[str, Any], browser_page: Any) -> None:
    page = browser_page
    sign_in(page, story["users"]["csc"].email)
    page.get_by_role("heading", name="My work").wait_for()
    reference = story["child"].reference
    page.goto(f"/children/{reference}/")
    page.locator(f"#entry-{story['mistaken'].pk}").get_by_role(
        "link", name=re.compile("Mark as entered in error")
    ).click()
    page.get_by_role("heading", name="Mark this entry as entered in error").wait_for()
    assert_accessible(page, "the entered-in-error form")
    page.get_by_role("button", name="Mark as entered in error").click()
    page.locator(".govuk-error-summary").wait_for()
    assert (
        "Enter why this entry was entered in error"
        in page.locator(".govuk-error-summary").inner_text()
    )
    assert_accessible(page, "the entered-in-error form with an error")
    shot(page, "entered-in-error-form-error")
    page.get_by_label("Why was this entry entered in error?").fill("Recorded on the wrong child.")
    page.get_by_role("button", name="Mark as entered in error").click()
    page.get_by_role("heading", name="The child's story").wait_for()
    item = page.locator(".sl-entry--in-error")
    assert "Entered in error. Recorded on the wrong child." in item.inner_text()
    decoration = item.locator("s").first.evaluate("e => getComputedStyle(e).textDecorationLine")
    assert "line-through" in decoration
    assert_accessible(page, "the child's page with an entry entered in error")
    shot(page, "child-page-entered-in-error")


def test_a_filter_that_cannot_be_read_is_a_govuk_error(
    story: dict[str, Any], browser_page: Any
) -> None:
    page = browser_page
    sign_in(page, story["users"]["csc"].email)
    page.get_by_role("heading", name="My work").wait_for()
    page.goto(f"/children/{story['child'].reference}/?to=9999-12-31&agency=99999999999999999999999")
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "Date to must be before 1 January 2100" in summary.inner_text()
    assert "Select an agency from the list" in summary.inner_text()
    assert page.title().startswith("Error:")
    assert_accessible(page, "the child's page with filter errors")
    shot(page, "child-page-filter-errors")
    page.goto(f"/children/{story['child'].reference}/?as_known_on=2019-02-31")
    summary.wait_for()
    assert "Home visit" not in page.locator(".moj-filter-layout__content").inner_text()
    assert_accessible(page, "the child's page with an unreadable as-known-on date")
    shot(page, "child-page-as-known-on-error")
