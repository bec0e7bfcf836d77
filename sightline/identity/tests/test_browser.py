"""A data officer's journey through the review queue in a real browser (Debian's Chromium via
Playwright): sign in, open the queue, compare a pair, confirm it (the records merge), see the
merged child, and split it back. axe-core runs on every page: no moderate, serious or critical
accessibility violation is allowed."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from sightline.agencies.tests.factories import AgencyFactory, practitioner
from sightline.chronology.models import ChronologyEntry, EntrySubject
from sightline.core.actors import LINKER
from sightline.identity.models import CandidateLink, PersonMerge
from sightline.identity.review import PairEvidence, candidate_link_create
from sightline.identity.tests.factories import feed, person_line, record_for
from sightline.people.models import Person
from tests.conftest import browser_page, chromium  # noqa: F401 - fixtures
from tests.journeys.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "correct horse battery staple"  # the factories' password
WATERFALL = {
    "model_version": "1",
    "match_weight": 8.6,
    "match_probability": 0.9974,
    "prior_weight": -8.2,
    "steps": [
        {"comparison": "nhs_number", "level": "missing", "weight": 0.0, "left": "9434765919", "right": None},
        {"comparison": "first_name", "level": "nickname or alias", "weight": 4.1, "frequency_adjustment": 0.3, "left": "jordan", "right": "jordy"},
        {"comparison": "surname", "level": "exact", "weight": 5.9, "frequency_adjustment": 0.4, "left": "ellis", "right": "ellis"},
        {"comparison": "dob", "level": "day and month swapped", "weight": 4.6, "left": "2012-03-04", "right": "2012-04-03"},
        {"comparison": "postcode", "level": "different", "weight": -0.9, "left": "XS1 4EQ", "right": "XS2 8ED"},
        {"comparison": "sex", "level": "exact", "weight": 1.0, "left": "m", "right": "m"},
    ],
}  # fmt: skip


@pytest.fixture
def journey(transactional_db: None) -> dict[str, Any]:
    police = feed("police", kind="police", name="Hallowford Police")
    school = feed("schools", kind="school", name="Hallowford schools")
    a = record_for(police, person_line("police", "P-1001", given="Jordan", nhs="9434765919"))
    b = record_for(
        school,
        person_line("schools", "S-77", given="Jordy", birth_date="2012-04-03", postcode="XS2 8ED"),
    )
    for record, kind in ((a, "missing_episode"), (b, "attendance_low")):
        entry = ChronologyEntry.objects.create(
            agency=record.source_system.agency,
            type=kind,
            occurred_at=timezone.now() - dt.timedelta(days=40),
            recorded_at=timezone.now(),
            summary="Synthetic entry.",
        )
        assert record.person is not None
        EntrySubject.objects.create(
            entry=entry, person=record.person, occurred_at=entry.occurred_at
        )
    candidate = candidate_link_create(
        actor=LINKER,
        evidence=PairEvidence(
            record_l=a.pk,
            record_r=b.pk,
            match_weight=8.6,
            match_probability=0.9974,
            reason="grey_zone",
            model_version="1",
            waterfall=WATERFALL,
        ),
    )
    assert candidate is not None
    officer = practitioner(
        "data_officer", agency=AgencyFactory.create(code="partnership", kind="other")
    )
    officer.first_name, officer.last_name = "Dee", "Brennan"
    officer.save()
    return {"candidate": candidate, "officer": officer, "a": a, "b": b}


def test_data_officer_confirms_a_pair_then_splits_it_back(journey, browser_page):  # noqa: F811
    page = browser_page
    officer = journey["officer"]
    candidate: CandidateLink = journey["candidate"]
    survivor = Person.objects.get(pk=min(journey["a"].person_id, journey["b"].person_id))
    merged = Person.objects.get(pk=max(journey["a"].person_id, journey["b"].person_id))

    page.goto("/")
    page.get_by_label("Email address").fill(officer.username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # The queue, from the navigation.
    page.get_by_role("link", name="Review matches").click()
    page.get_by_role("heading", name="Review matches").wait_for()
    assert_accessible(page, "the review queue")
    assert "Waiting for review (1)" in page.locator(".moj-sub-navigation").inner_text()

    # A pair side by side, with its waterfall.
    page.get_by_role("link", name=re.compile("Compare.*Jordan Ellis and Jordy Ellis")).click()
    page.get_by_role("heading", name="Are these the same child?").wait_for()
    assert_accessible(page, "a pair of records")
    waterfall = page.locator("table.sl-waterfall")
    assert "Day and month swapped" in waterfall.inner_text()
    assert "8.6" in waterfall.locator("tfoot").inner_text()

    # Rejecting without a reason is refused, with the GOV.UK error summary.
    page.get_by_label("No, they are different children").check()
    page.get_by_role("button", name="Save decision").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page, "the decision form with an error")
    assert (
        "Enter why these are different children"
        in page.locator(".govuk-error-summary").inner_text()
    )

    # Confirm: the records merge, and the merged child is shown.
    page.get_by_label("Yes, they are the same child").check()
    page.get_by_label("Reason").fill("Same school and date of birth swapped on entry.")
    page.get_by_role("button", name="Save decision").click()
    # One record each: the tie goes to the school's record over the police's (people.consensus).
    page.get_by_role("heading", name="Jordy Ellis").wait_for()
    assert page.url.endswith(f"/identity/people/{survivor.reference}/")
    assert_accessible(page, "the merged child")
    body = page.locator("main").inner_text()
    assert "Merged:" in body
    assert "P-1001" in body
    assert "S-77" in body
    assert "confirmed by D. Brennan" in body
    candidate.refresh_from_db()
    assert candidate.status == "confirmed"
    assert Person.objects.get(pk=merged.pk).merged_into_id == survivor.pk

    # The merged-away reference still works: it redirects to the child.
    page.goto(f"/identity/people/{merged.reference}/")
    page.get_by_role("heading", name="Jordy Ellis").wait_for()
    assert page.url.endswith(f"/identity/people/{survivor.reference}/")

    # Split it back.
    page.get_by_role("link", name=re.compile("Split these records")).click()
    page.get_by_role("heading", name="Split these records").wait_for()
    assert_accessible(page, "the split page")
    page.get_by_label("Why are these records being split?").fill("Different children: GP checked.")
    page.get_by_role("button", name="Split the records").click()
    page.locator(".govuk-notification-banner--success").wait_for()
    assert_accessible(page, "the child after the split")
    assert (
        f"Split: {merged.reference} is a separate person again" in page.locator("main").inner_text()
    )
    assert Person.objects.get(pk=merged.pk).merged_into_id is None
    assert PersonMerge.objects.get().split_at is not None
    candidate.refresh_from_db()
    assert candidate.status == "rejected"


def test_the_childs_page_shows_where_records_differ_and_a_waiting_match(
    journey,
    browser_page,  # noqa: F811
):
    """The identity bar's "Records differ" and collapsed "Recorded spellings", and the warning
    that a match waits, as a MASH manager sees them, accessible."""
    from sightline.agencies.models import Agency
    from sightline.governance.models import AccessGrant

    page = browser_page
    a = journey["a"]
    # Two more records of Jordan, from the GP and the school, agree with each other.
    for code, kind, given in (("gp", "health_gp", "Jordan"), ("schools2", "school", "Jodran")):
        system = feed(code, kind=kind, name=f"Hallowford {code}")
        record_for(
            system,
            person_line(code, f"{code}-1", given=given, birth_date="2012-04-03"),
            person=a.person,
        )
    from sightline.people import bulk

    bulk.people_details_refresh([a.person_id])
    manager = practitioner("mash_manager", agency=Agency.objects.create(code="mash", kind="mash"))
    AccessGrant.objects.create(
        person=a.person, agency=manager.membership.agency, basis="manual", granted_at=timezone.now()
    )
    page.goto("/")
    page.get_by_label("Email address").fill(manager.username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/children/{a.person.reference}/")
    bar = page.get_by_role("region", name="Child")
    bar.wait_for()
    assert "Born 3 April 2012" in bar.inner_text()
    assert "1 agency records another date of birth: 4 March 2012 (Hallowford Police)" in (
        bar.inner_text()
    )
    page.get_by_text("Recorded spellings (1)").click()
    assert "Jodran Ellis" in bar.inner_text()
    warning = page.get_by_text("A possible match for this child is waiting for review")
    assert warning.is_visible()
    assert_accessible(page, "the child's page with records that differ and a waiting match")
