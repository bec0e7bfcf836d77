"""The review queue as a data officer meets it, and the child's page while a match waits: what is
offered on a pair that cannot be merged, a decision settling every pair of the same two people,
the probability said honestly, readable labels, the warning panel, the data officer's home and
navigation, and the audit of every page showing names and dates of birth."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from sightline.agencies.tests.factories import practitioner
from sightline.core.actors import LINKER
from sightline.core.tests.pages import page_text as text
from sightline.governance.models import AccessGrant, AuditEvent
from sightline.identity.merging import MergeEvidence, person_merge
from sightline.identity.models import CandidateLink, MatchDecision, PersonMerge
from sightline.identity.review import PairEvidence, candidate_decide, candidate_link_create
from sightline.identity.tests.factories import batch, person_line, record_for
from sightline.records.models import SourceRecord

pytestmark = pytest.mark.django_db

NHS_A, NHS_B = "9434765919", "4010232137"  # two valid NHS numbers


def main(response: Any) -> str:
    found = re.search(r"<main\b.*?</main>", response.content.decode(), re.S)
    assert found is not None
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0))))


def waterfall(weight: float, probability: float, *steps: dict[str, Any]) -> dict[str, Any]:
    return {
        "model_version": "1",
        "match_weight": weight,
        "match_probability": probability,
        "prior_weight": -8.2,
        "steps": list(steps)
        or [
            {"comparison": "surname", "level": "exact", "weight": 6.2, "left": "ellis", "right": "ellis"},
            {"comparison": "dob", "level": "exact", "weight": 9.0, "left": "2012-03-04", "right": "2012-03-04"},
        ],
    }  # fmt: skip


def queue(a: SourceRecord, b: SourceRecord, *, weight: float = 7.4, probability: float = 0.9941,
          reason: str = "grey_zone", explanation: dict[str, Any] | None = None) -> CandidateLink:  # fmt: skip
    found = candidate_link_create(
        actor=LINKER,
        evidence=PairEvidence(
            record_l=a.pk,
            record_r=b.pk,
            match_weight=weight,
            match_probability=probability,
            reason=reason,
            model_version="1",
            waterfall=explanation or waterfall(weight, probability),
        ),
    )
    assert found is not None
    return found


def pair_url(candidate: CandidateLink) -> str:
    return reverse("identity:pair", args=[candidate.pk])


# --- a pair that cannot be merged -----------------------------------------------------------------


@pytest.fixture
def conflicting(police_feed, health_feed) -> CandidateLink:
    a = record_for(police_feed, person_line("police", "P-1", nhs=NHS_A))
    b = record_for(health_feed, person_line("health", "H-1", nhs=NHS_B))
    return queue(a, b, weight=14.0, probability=0.99994, reason="different_nhs_numbers")


def test_a_pair_that_cannot_be_merged_is_not_offered_yes(client, conflicting, data_officer):
    client.force_login(data_officer)
    page = main(client.get(pair_url(conflicting)))
    assert "These records cannot be merged" in page
    assert "Yes, they are the same child" not in page
    assert "No, they are different children" in page


def test_a_forged_yes_on_a_pair_that_cannot_be_merged_is_refused(client, conflicting, data_officer):
    client.force_login(data_officer)
    response = client.post(
        pair_url(conflicting), {"decision": "confirm", "reason": "", "version": "1"}
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert "These records cannot be merged" in main(response)
    conflicting.refresh_from_db()
    assert conflicting.status == CandidateLink.Status.PENDING
    assert not PersonMerge.objects.exists()
    assert not MatchDecision.objects.exists()


# --- one decision about two people ----------------------------------------------------------------


@pytest.fixture
def two_pairs(police_feed, health_feed, data_officer) -> tuple[CandidateLink, CandidateLink]:
    """Two pending pairs about the same two people: queued while each person was still two
    people, who were then merged on an NHS number."""
    a1 = record_for(police_feed, person_line("police", "P-1", given="Jordan", nhs=NHS_A))
    a2 = record_for(police_feed, person_line("police", "P-2", given="Jordan", nhs=NHS_A))
    b1 = record_for(health_feed, person_line("health", "H-1", given="Jordy", nhs=NHS_B))
    b2 = record_for(health_feed, person_line("health", "H-2", given="Jordy", nhs=NHS_B))
    first, second = queue(a1, b1, weight=7.4), queue(a2, b2, weight=6.1)
    for x, y in ((a1, a2), (b1, b2)):
        assert x.person is not None
        assert y.person is not None
        person_merge(
            actor=LINKER, survivor=x.person, merged=y.person, evidence=MergeEvidence("nhs_number")
        )
    return first, second


def test_rejecting_a_pair_settles_every_pair_of_the_same_two_people(
    client, two_pairs, data_officer
):
    first, second = two_pairs
    client.force_login(data_officer)
    assert "Waiting for review (2)" in text(client.get(reverse("identity:queue")))
    response = client.post(
        pair_url(first), {"decision": "reject", "reason": "Twins: school checked.", "version": "1"}
    )
    assert response.status_code == 303
    assert "Waiting for review (0)" in text(client.get(reverse("identity:queue")))
    second.refresh_from_db()
    assert second.status == CandidateLink.Status.REJECTED
    decision = second.decisions.get()
    assert decision.reason == f"Decided with pair {first.pk}: Twins: school checked."
    audited = AuditEvent.objects.get(action="match_decided")
    assert audited.detail["settled"] == [second.pk]


def test_asking_the_source_agency_moves_every_pair_of_the_two_people(
    client, two_pairs, data_officer
):
    first, second = two_pairs
    candidate_decide(
        actor=data_officer, candidate_id=first.pk, decision="ask_source", reason="Check DOB.",
        version=1,
    )  # fmt: skip
    second.refresh_from_db()
    assert second.status == CandidateLink.Status.ASK_SOURCE


def test_people_kept_apart_are_queued_again_only_on_new_evidence(
    client, police_feed, health_feed, data_officer
):
    a = record_for(police_feed, person_line("police", "P-1", given="Jordan"))
    b = record_for(health_feed, person_line("health", "H-1", given="Jordy"))
    candidate = queue(a, b)
    candidate_decide(
        actor=data_officer, candidate_id=candidate.pk, decision="reject", reason="Twins.", version=1
    )
    # The next link run scores the same records, or another old record of theirs: nothing new.
    other_old = record_for(health_feed, person_line("health", "H-0"), person=b.person)
    SourceRecord.objects.filter(pk=other_old.pk).update(batch=a.batch)
    assert queue(a, b, weight=9.0).status == CandidateLink.Status.REJECTED
    assert queue(a, other_old).status == CandidateLink.Status.REJECTED
    assert CandidateLink.objects.filter(status="pending").count() == 0
    # A record that arrives after the decision is new evidence: the pair waits again, and its
    # page shows what was decided before.
    newer = record_for(
        health_feed, person_line("health", "H-9"), person=b.person, in_batch=batch("later.jsonl")
    )
    again = queue(a, newer)
    assert again.status == CandidateLink.Status.PENDING
    client.force_login(data_officer)
    page = main(client.get(pair_url(again)))
    assert "Earlier decisions about these two people" in page
    assert "Rejected: different children" in page
    assert "Twins." in page


# --- the probability, honestly ------------------------------------------------------------------


def test_a_likely_twin_pair_is_not_given_a_near_certain_probability(
    client, police_feed, health_feed, data_officer
):
    a = record_for(police_feed, person_line("police", "P-1", given="Jordan"))
    b = record_for(health_feed, person_line("health", "H-1", given="Jayden"))
    twins = queue(a, b, weight=21.3, probability=0.9999996, reason="possible_twin")
    client.force_login(data_officer)
    page = main(client.get(pair_url(twins)))
    assert "99.99" not in page
    assert "99%" not in page
    assert "The model's probability is not shown for this pair: twins share" in page
    assert "Match weight 21.3" in page


def test_a_grey_zone_pair_shows_a_rounded_probability_and_the_weight_of_evidence(
    client, police_feed, health_feed, data_officer
):
    a = record_for(police_feed, person_line("police", "P-1", given="Jordan"))
    b = record_for(health_feed, person_line("health", "H-1", given="Jordy"))
    grey = queue(a, b, weight=5.5, probability=0.978)
    client.force_login(data_officer)
    page = main(client.get(pair_url(grey)))
    assert "the chance they are the same child is about 98%" in page
    assert "the comparisons add +13.7 to the starting point of \u22128.2" in page
    assert "97.8" not in page


# --- labels ---------------------------------------------------------------------------------------


def test_review_pages_use_readable_labels(client, police_feed, health_feed, data_officer):
    a = record_for(police_feed, person_line("police", "P-1", given="Jordan Lee"))
    b = record_for(health_feed, person_line("health", "H-1", given="Jordan Li"))
    steps = [
        {"comparison": "middle_names", "level": "different", "weight": -1.0, "left": "lee", "right": "li"},
        {"comparison": "school_urn", "level": "exact", "weight": 2.0, "left": "1", "right": "1"},
    ]  # fmt: skip
    candidate = queue(a, b, explanation=waterfall(7.4, 0.99, *steps))
    client.force_login(data_officer)
    page = main(client.get(pair_url(candidate)))
    assert "Middle names" in page
    assert "School urn" in page
    assert "middle_names" not in page
    assert "school_urn" not in page
    assert a.person is not None
    person_page = main(client.get(reverse("identity:person", args=[a.person.reference])))
    assert "Agency reference (Hallowford Police) P-1" in person_page
    assert "(police)" not in person_page


# --- the child's page while a match waits ---------------------------------------------------------


@pytest.fixture
def waiting(police_feed, health_feed) -> CandidateLink:
    """The police hold Jordan's record (and see him); the GP holds Jordy's."""
    a = record_for(police_feed, person_line("police", "P-1", given="Jordan"))
    b = record_for(health_feed, person_line("health", "H-1", given="Jordy", family="Ellison"))
    for record, system in ((a, police_feed), (b, health_feed)):
        assert record.person is not None
        AccessGrant.objects.create(
            person=record.person,
            agency=system.agency,
            basis="holds_records",
            granted_at=timezone.now(),
        )
    return queue(a, b)


def child_page(client: Any, candidate: CandidateLink) -> str:
    person = candidate.record_a.person
    assert person is not None
    return main(client.get(reverse("chronology:child", args=[person.reference])))


def test_the_childs_page_warns_that_a_possible_match_waits(client, waiting, police_feed):
    officer = practitioner("police_officer", agency=police_feed.agency)
    client.force_login(officer)
    page = child_page(client, waiting)
    assert "A possible match for this child is waiting for review by the data officer" in page
    # Nothing of the other record: the police may not see that child.
    assert "Ellison" not in page
    other = waiting.record_b.person
    assert other is not None
    assert other.reference not in page
    assert "Compare the records" not in page


def test_a_viewer_who_may_see_the_other_child_is_told_who_it_is(client, waiting, police_feed):
    officer = practitioner("police_officer", agency=police_feed.agency)
    other = waiting.record_b.person
    assert other is not None
    AccessGrant.objects.create(
        person=other, agency=police_feed.agency, basis="holds_records", granted_at=timezone.now()
    )
    client.force_login(officer)
    page = child_page(client, waiting)
    assert f"Possibly the same child as Jordy Ellison ({other.reference})" in page


def test_reviewers_get_the_pair_and_the_warning_goes_once_decided(client, waiting, mash_manager):
    client.force_login(mash_manager)
    response = client.get(reverse("chronology:child", args=[waiting.record_a.person.reference]))
    assert f'href="{pair_url(waiting)}"' in response.content.decode()
    candidate_decide(
        actor=mash_manager, candidate_id=waiting.pk, decision="reject", reason="Two children.",
        version=1,
    )  # fmt: skip
    assert "A possible match" not in child_page(client, waiting)


# --- the data officer's home and navigation -------------------------------------------------------


def test_the_data_officer_lands_on_the_review_queue(client, data_officer, social_worker):
    client.force_login(data_officer)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("identity:queue")
    page = text(client.get(reverse("identity:queue")))
    assert "Find a child" not in page
    assert "Find a person's records" in page
    client.force_login(social_worker)
    response = client.get("/")
    assert response["Location"] == reverse("agencies:my_work")
    page = text(client.get(reverse("people:search")))
    assert "Find a child" in page
    assert "Find a person's records" not in page


def test_the_data_officer_finds_a_persons_records_by_a_number(
    client, police_feed, data_officer, social_worker
):
    a = record_for(police_feed, person_line("police", "P-1", nhs=NHS_A))
    assert a.person is not None
    client.force_login(data_officer)
    assert client.get(reverse("identity:find")).status_code == 200
    for number in ("943 476 5919", a.person.reference, "p-1"):
        response = client.post(reverse("identity:find"), {"number": number})
        assert response.status_code == 200
        assert f'href="{reverse("identity:person", args=[a.person.reference])}"' in (
            response.content.decode()
        ), number
    searched = AuditEvent.objects.filter(action="person_searched", purpose="identity review")
    assert searched.count() == 3
    assert [row.detail["people"] for row in searched] == [[a.person.pk]] * 3
    response = client.post(reverse("identity:find"), {"number": ""})
    assert "govuk-error-summary" in response.content.decode()
    response = client.post(reverse("identity:find"), {"number": "9999999999"})
    assert "No one in Sightline holds 9999999999" in main(response)
    client.force_login(social_worker)
    assert client.get(reverse("identity:find")).status_code == 403
    assert client.post(reverse("identity:find"), {"number": NHS_A}).status_code == 403


# --- the audit of the queue and of a pair ---------------------------------------------------------


def test_every_view_of_the_queue_and_of_a_pair_is_audited(client, waiting, data_officer):
    client.force_login(data_officer)
    client.get(reverse("identity:queue"))
    client.get(reverse("identity:queue") + "?status=rejected")
    rows = AuditEvent.objects.filter(action="match_queue_viewed").order_by("pk")
    assert [r.detail["pairs"] for r in rows] == [[waiting.pk], []]
    people = sorted([waiting.record_a.person_id, waiting.record_b.person_id])
    assert rows[0].detail["people"] == people
    assert rows[0].actor == data_officer

    client.get(pair_url(waiting))
    client.post(pair_url(waiting), {"version": "1", "reason": ""})  # an error: shown again
    viewed = AuditEvent.objects.filter(action="match_viewed", object_id=str(waiting.pk))
    assert viewed.count() == 2
    assert all(sorted(v.detail["people"]) == people for v in viewed)
