"""The review queue, a pair, the decision form, a person's identity, split, and the child's
page panel: through the Django test client."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from sightline.chronology.models import ChronologyEntry, EntrySubject
from sightline.core.actors import LINKER
from sightline.core.errors import AccessDenied
from sightline.core.tests.pages import page_text as text
from sightline.governance import access
from sightline.governance.models import AccessGrant, AuditEvent
from sightline.identity import selectors
from sightline.identity.merging import MergeEvidence, person_merge
from sightline.identity.models import CandidateLink, PersonMerge
from sightline.identity.review import PairEvidence, candidate_decide, candidate_link_create
from sightline.identity.tests.factories import person_line, record_for
from sightline.people.models import Person

pytestmark = pytest.mark.django_db

SECRET = "Disclosed to the school nurse that an older man gives him money."
WATERFALL = {
    "model_version": "3",
    "match_weight": 7.4,
    "match_probability": 0.9941,
    "prior_weight": -8.2,
    "steps": [
        {"comparison": "nhs_number", "level": "missing", "weight": 0.0, "left": None, "right": None},
        {"comparison": "first_name", "level": "nickname or alias", "weight": 4.1, "frequency_adjustment": 0.3, "left": "jordan", "right": "jordy"},
        {"comparison": "surname", "level": "exact", "weight": 6.2, "left": "ellis", "right": "ellis"},
        {"comparison": "dob", "level": "day and month swapped", "weight": 5.0, "left": "2012-03-04", "right": "2012-04-03"},
        {"comparison": "postcode", "level": "different", "weight": -0.5, "left": "XS1 4EQ", "right": "XS2 8ED"},
        {"comparison": "sex", "level": "exact", "weight": 0.5, "left": "m", "right": "m"},
    ],
}  # fmt: skip


@pytest.fixture
def pair(police_feed: Any, health_feed: Any) -> CandidateLink:
    a = record_for(police_feed, person_line("police", "P-1", given="Jordan"))
    b = record_for(
        health_feed,
        person_line("health", "H-1", given="Jordy", birth_date="2012-04-03", postcode="XS2 8ED"),
    )
    entry = ChronologyEntry.objects.create(
        agency=health_feed.agency,
        type="disclosure",
        occurred_at=timezone.now() - dt.timedelta(days=3),
        recorded_at=timezone.now(),
        summary=SECRET,
        sensitivity="health_confidential",
    )
    assert b.person is not None
    EntrySubject.objects.create(entry=entry, person=b.person, occurred_at=entry.occurred_at)
    found = candidate_link_create(
        actor=LINKER,
        evidence=PairEvidence(
            record_l=a.pk,
            record_r=b.pk,
            match_weight=7.4,
            match_probability=0.9941,
            reason="grey_zone",
            model_version="3",
            waterfall=WATERFALL,
        ),
    )
    assert found is not None
    return found


def main_content(response: Any) -> str:
    """The page's <main>: the header names the signed-in user, whose made-up name may be anyone's."""
    found = re.search(r"<main\b.*?</main>", response.content.decode(), re.S)
    assert found is not None
    return found.group(0)


def pair_url(pair: CandidateLink) -> str:
    return reverse("identity:pair", args=[pair.pk])


# --- who may see the queue ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["social_worker", "analyst", "sysadmin", "police_officer"])
def test_only_identity_reviewers_see_the_queue(client, pair, who):
    from sightline.agencies.tests.factories import practitioner

    user = practitioner(who, agency_kind="police" if who == "police_officer" else "other")
    client.force_login(user)
    for url in (
        reverse("identity:queue"),
        pair_url(pair),
        reverse("identity:person", args=[pair.record_a.person.reference]),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Jordan" not in main_content(response)
    response = client.post(pair_url(pair), {"decision": "confirm", "version": "1"})
    assert response.status_code == 403
    pair.refresh_from_db()
    assert pair.status == "pending"
    with pytest.raises(AccessDenied):
        selectors.candidate_queue_for(viewer=user)


@pytest.mark.parametrize("who", ["data_officer", "mash_manager"])
def test_data_officers_and_mash_managers_see_the_queue(client, pair, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("identity:queue"))
    assert response.status_code == 200
    page = text(response)
    assert "Review matches" in page
    assert "Waiting for review (1)" in page
    assert "Jordan Ellis" in page
    assert "Jordy Ellis" in page
    assert "7.4" in page
    assert "Not conclusive" in page
    assert f'href="{pair_url(pair)}"' in response.content.decode()


def test_the_navigation_offers_review_matches_to_reviewers_only(
    client, data_officer, social_worker
):
    client.force_login(data_officer)
    assert "Review matches" in text(client.get(reverse("people:search")))
    client.force_login(social_worker)
    assert "Review matches" not in text(client.get(reverse("people:search")))


def test_the_queue_tabs_show_decided_pairs(client, pair, data_officer):
    candidate_decide(
        actor=data_officer, candidate_id=pair.pk, decision="reject", reason="Twins.", version=1
    )
    client.force_login(data_officer)
    page = text(client.get(reverse("identity:queue")))
    assert "Waiting for review (0)" in page
    assert "Nothing waiting for review." in page
    page = text(client.get(reverse("identity:queue") + "?status=rejected"))
    assert "Different children (1)" in page
    assert "J. Smith" in page


# --- a pair -------------------------------------------------------------------------------------


def test_the_pair_page_shows_both_records_and_the_waterfall(client, pair, data_officer):
    client.force_login(data_officer)
    response = client.get(pair_url(pair))
    assert response.status_code == 200
    page = text(response)
    assert "Are these the same child?" in page
    # Side by side, with what agrees and what differs.
    assert "Record 1 (Hallowford Police) P-1" in page
    assert "Record 2 (Hallowford GP practices) H-1" in page
    assert "First names Jordan Jordy Agrees Nickname or alias" in page
    assert "Date of birth 4 March 2012 3 April 2012 Agrees Day and month swapped" in page
    assert (
        "Address 12 High Street, Hallowford, XS1 4EQ 12 High Street, Hallowford, XS2 8ED Differs"
        in page
    )
    # The waterfall: the prior, each comparison's weight and the running total.
    assert "How the match weight adds up" in page
    assert "Starting point" in page
    assert "\u22128.2" in page
    assert (
        "First name Jordan Jordy Agrees Nickname or alias +0.3 because it is a rare value +4.4"
        in page
    )
    assert "Postcode XS1 4EQ XS2 8ED Differs Different \u22120.5" in page
    # The probability rounded to what the model can claim, with the weight of evidence.
    assert "Match weight (probability more than 99%) 7.4" in page
    assert "the comparisons add +15.6 to the starting point of \u22128.2" in page
    assert "99.41" not in page
    # Each person's chronology at a glance: dates, types and agencies, never the content.
    assert "Chronology at a glance" in page
    assert "Disclosure" in page
    assert SECRET not in response.content.decode()
    # Viewing the pair is audited: one row for the page, naming both people.
    viewed = AuditEvent.objects.get(action="match_viewed", object_type="candidate_link")
    assert viewed.object_id == str(pair.pk)
    assert viewed.detail["people"] == [pair.record_a.person_id, pair.record_b.person_id]


def test_deciding_without_a_choice_shows_a_govuk_error(client, pair, data_officer):
    client.force_login(data_officer)
    response = client.post(pair_url(pair), {"version": "1", "reason": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert '<a href="#decision">Select whether these records are the same child</a>' in html
    assert text(response).startswith(" Error: Are these the same child?") or "<title>Error:" in html


@pytest.mark.parametrize(
    ("decision", "message"),
    [
        ("reject", "Enter why these are different children"),
        ("ask_source", "Enter what the source agency needs to check"),
    ],
)
def test_reject_and_ask_source_need_a_reason(client, pair, data_officer, decision, message):
    client.force_login(data_officer)
    response = client.post(pair_url(pair), {"version": "1", "decision": decision, "reason": ""})
    html = response.content.decode()
    assert f'<a href="#reason">{message}</a>' in html
    assert "govuk-textarea--error" in html
    assert f'value="{decision}" checked' in html
    pair.refresh_from_db()
    assert pair.status == "pending"


def test_rejecting_returns_to_the_queue_with_a_message(client, pair, data_officer):
    client.force_login(data_officer)
    response = client.post(
        pair_url(pair), {"version": "1", "decision": "reject", "reason": "Different GP."}
    )
    assert response.status_code == 303
    assert response["Location"] == reverse("identity:queue")
    page = text(client.get(response["Location"]))
    assert "are different children" in page
    pair.refresh_from_db()
    assert (pair.status, pair.decision_reason) == ("rejected", "Different GP.")


def test_confirming_merges_and_shows_the_merged_person(client, pair, data_officer):
    client.force_login(data_officer)
    response = client.post(pair_url(pair), {"version": "1", "decision": "confirm", "reason": ""})
    assert response.status_code == 303
    survivor = Person.objects.get(pk=min(pair.record_a.person_id, pair.record_b.person_id))
    assert response["Location"] == reverse("identity:person", args=[survivor.reference])
    page = text(client.get(response["Location"]))
    assert "Merged:" in page
    assert "Hallowford Police P-1" in page
    assert "Hallowford GP practices H-1" in page
    assert "Linked by name, date of birth and sex (weight 7.4), confirmed by J. Smith on" in page
    assert "Split these records" in page


def test_a_stale_decision_shows_what_happened(client, pair, data_officer, mash_manager):
    client.force_login(data_officer)
    candidate_decide(
        actor=mash_manager, candidate_id=pair.pk, decision="reject", reason="Twins.", version=1
    )
    response = client.post(pair_url(pair), {"version": "1", "decision": "confirm", "reason": ""})
    assert response.status_code == 200
    page = text(response)
    assert "Someone else decided this pair while you were looking at it" in page
    assert "Different children" in page
    assert "Save decision" not in page
    assert not PersonMerge.objects.exists()


def test_confirming_two_valid_nhs_numbers_shows_why_not(client, data_officer, police_feed):
    a = record_for(police_feed, person_line("police", "P-8", nhs="9434765919"))
    b = record_for(police_feed, person_line("police", "P-9", nhs="4010232137"))
    found = candidate_link_create(
        actor=LINKER,
        evidence=PairEvidence(record_l=a.pk, record_r=b.pk, match_weight=12.0, waterfall={}),
    )
    assert found is not None
    client.force_login(data_officer)
    page = text(client.get(pair_url(found)))
    assert "These records cannot be merged: they carry two different valid NHS numbers" in page
    response = client.post(pair_url(found), {"version": "1", "decision": "confirm"})
    assert "two different valid NHS numbers (4010232137 and 9434765919)" in text(response)
    assert 'href="#decision"' in response.content.decode()
    assert not PersonMerge.objects.exists()


# --- a person, and split --------------------------------------------------------------------------


@pytest.fixture
def merged(pair: CandidateLink, data_officer: Any) -> PersonMerge:
    candidate_decide(
        actor=data_officer, candidate_id=pair.pk, decision="confirm", reason="", version=1
    )
    return PersonMerge.objects.get()


def test_a_merged_away_reference_redirects(client, merged, data_officer):
    client.force_login(data_officer)
    response = client.get(reverse("identity:person", args=[merged.merged.reference]))
    assert response.status_code == 302
    assert response["Location"] == reverse("identity:person", args=[merged.survivor.reference])


def test_split_needs_a_reason_then_restores_the_person(client, merged, data_officer):
    client.force_login(data_officer)
    url = reverse("identity:split", args=[merged.pk])
    page = text(client.get(url))
    assert "Split these records" in page
    assert "1 source record," in page
    response = client.post(url, {"reason": ""})
    assert (
        '<a href="#reason">Enter why the records are being split</a>' in response.content.decode()
    )
    response = client.post(url, {"reason": "Different children: GP checked."})
    assert response.status_code == 303
    page = text(client.get(response["Location"]))
    assert f"Split: {merged.merged.reference} is a separate person again" in page
    assert Person.objects.get(pk=merged.merged_id).merged_into_id is None
    assert "Undone by J. Smith" in page


def test_social_workers_cannot_split(client, merged, social_worker):
    client.force_login(social_worker)
    url = reverse("identity:split", args=[merged.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "x"}).status_code == 403
    merged.refresh_from_db()
    assert merged.split_at is None


# --- the child's page -----------------------------------------------------------------------------


def test_the_childs_page_explains_how_the_records_were_linked(client, police_feed, social_worker):
    a = record_for(police_feed, person_line("police", "P-20", nhs="9434765919"))
    b = record_for(police_feed, person_line("police", "P-21"))
    assert a.person is not None
    assert b.person is not None
    person_merge(
        actor=LINKER,
        survivor=a.person,
        merged=b.person,
        evidence=MergeEvidence(
            method="probabilistic",
            match_weight=14.2,
            explanation={
                "steps": [
                    {"comparison": "first_name", "weight": 5.0},
                    {"comparison": "surname", "weight": 5.0},
                    {"comparison": "dob", "weight": 7.0},
                    {"comparison": "postcode", "weight": 4.0},
                    {"comparison": "sex", "weight": -0.2},
                ]
            },
        ),
    )
    access.grant(
        person_id=a.person.pk, agency_id=social_worker.membership.agency_id, basis="involvement"
    )
    client.force_login(social_worker)
    response = client.get(reverse("chronology:child", args=[a.person.reference]))
    assert response.status_code == 200
    page = text(response)
    assert "How these records were linked" in page
    assert "Sightline holds 2 records of this child from 1 agency." in page
    assert "P-20): The first record of this person in Sightline" in page
    assert (
        "P-21): Linked by name, date of birth and postcode (weight 14.2), linked automatically on"
        in page
    )
    assert "Identity details" not in page  # only reviewers get the identity page


def test_the_panel_shows_nothing_to_someone_without_access(police_feed, social_worker):
    a = record_for(police_feed, person_line("police", "P-30"))
    assert a.person is not None
    assert selectors.links_for(viewer=social_worker, person=a.person) == []
    AccessGrant.objects.create(
        person=a.person,
        agency_id=social_worker.membership.agency_id,
        basis="manual",
        granted_at=timezone.now(),
    )
    assert len(selectors.links_for(viewer=social_worker, person=a.person)) == 1
