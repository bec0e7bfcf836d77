"""Candidate links: created once per pair of people, decided by reviewers, never twice."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from sightline.core.actors import LINKER
from sightline.core.errors import AccessDenied, InvalidTransition, ValidationFailed
from sightline.governance.models import AuditEvent
from sightline.identity.models import CandidateLink, IdentityLink, MatchDecision, PersonMerge
from sightline.identity.review import PairEvidence, candidate_decide, candidate_link_create
from sightline.identity.tests.factories import feed, person_line, record_for
from sightline.people.models import Person
from sightline.records.models import SourceRecord

WATERFALL = {
    "match_weight": 7.4,
    "prior_weight": -8.2,
    "steps": [
        {"comparison": "first_name", "level": "exact", "weight": 6.0, "left": "jo", "right": "jo"},
        {"comparison": "dob", "level": "different", "weight": -2.0, "left": "x", "right": "y"},
    ],
}


def record(name: str = "Jordan", **fields: Any) -> SourceRecord:
    system = feed("police", kind="police")
    n = SourceRecord.objects.count() + 1
    return record_for(system, person_line("police", f"P-{n}", given=name, **fields))


def evidence(left: SourceRecord, right: SourceRecord, weight: float = 7.4) -> PairEvidence:
    return PairEvidence(
        record_l=left.pk,
        record_r=right.pk,
        match_weight=weight,
        match_probability=0.99,
        reason="grey_zone",
        model_version="1",
        waterfall={**WATERFALL, "match_weight": weight},
    )


@pytest.fixture
def pair(db: Any) -> CandidateLink:
    a, b = record(), record("Jordyn")
    found = candidate_link_create(actor=LINKER, evidence=evidence(a, b))
    assert found is not None
    return found


# --- creating -----------------------------------------------------------------------------------


def test_a_candidate_orders_its_records_and_the_waterfall_with_them(db):
    a, b = record(), record("Jordyn")
    found = candidate_link_create(actor=LINKER, evidence=evidence(b, a))
    assert found is not None
    assert (found.record_a_id, found.record_b_id) == (a.pk, b.pk)
    assert found.waterfall["steps"][1]["left"] == "y"
    assert found.status == CandidateLink.Status.PENDING
    assert found.version == 1


def test_records_of_one_person_make_no_candidate(db):
    a = record()
    assert a.person is not None
    b = record_for(a.source_system, person_line("police", "P-x"), person=a.person)
    assert candidate_link_create(actor=LINKER, evidence=evidence(a, b)) is None


def test_one_candidate_per_pair_of_people_keeping_the_strongest_evidence(pair):
    person_b = Person.objects.get(pk=pair.record_b.person_id)
    other_record = record_for(
        pair.record_b.source_system, person_line("police", "P-other"), person=person_b
    )
    weaker = candidate_link_create(
        actor=LINKER, evidence=evidence(pair.record_a, other_record, weight=5.0)
    )
    assert weaker == pair
    stronger = candidate_link_create(
        actor=LINKER, evidence=evidence(pair.record_a, other_record, weight=9.0)
    )
    assert stronger is not None
    assert stronger.pk == pair.pk
    assert (stronger.record_b_id, stronger.match_weight) == (other_record.pk, 9.0)
    assert CandidateLink.objects.count() == 1


def test_a_decided_pair_stays_decided(pair, data_officer):
    candidate_decide(
        actor=data_officer, candidate_id=pair.pk, decision="reject", reason="Twins.", version=1
    )
    again = candidate_link_create(
        actor=LINKER, evidence=evidence(pair.record_a, pair.record_b, weight=9.9)
    )
    assert again is not None
    assert again.status == CandidateLink.Status.REJECTED
    assert again.match_weight == 7.4


# --- deciding -----------------------------------------------------------------------------------


def test_confirming_merges_the_two_people_and_is_audited(pair, data_officer):
    person_a, person_b = pair.record_a.person_id, pair.record_b.person_id
    decided = candidate_decide(
        actor=data_officer,
        candidate_id=pair.pk,
        decision="confirm",
        reason="Same school and GP.",
        version=1,
    )
    assert decided.status == CandidateLink.Status.CONFIRMED
    assert decided.version == 2
    assert decided.decided_by == data_officer
    survivor, merged = sorted((person_a, person_b))
    assert Person.objects.get(pk=merged).merged_into_id == survivor
    merge = PersonMerge.objects.get()
    assert (merge.candidate_id, merge.method, merge.match_weight) == (pair.pk, "confirmed", 7.4)
    merged_record = pair.record_b_id if merged == person_b else pair.record_a_id
    link = IdentityLink.objects.get(source_record_id=merged_record)
    assert link.person_id == survivor
    assert (link.method, link.decided_by) == ("confirmed", data_officer)
    event = AuditEvent.objects.get(action="match_decided")
    assert (event.detail["decision"], event.detail["reason"]) == ("confirm", "Same school and GP.")
    assert event.detail["merge"] == merge.pk
    assert AuditEvent.objects.filter(action="people_merged").count() == 1
    history = MatchDecision.objects.get()
    assert (history.decision, history.from_status, history.from_version) == (
        "confirm",
        "pending",
        1,
    )


@pytest.mark.parametrize(
    ("decision", "message"),
    [
        ("reject", "Enter why these are different children"),
        ("ask_source", "Enter what the source agency needs to check"),
    ],
)
def test_rejecting_or_asking_needs_a_reason(pair, data_officer, decision, message):
    with pytest.raises(ValidationFailed) as refused:
        candidate_decide(
            actor=data_officer, candidate_id=pair.pk, decision=decision, reason=" ", version=1
        )
    assert refused.value.errors == {"reason": message}
    pair.refresh_from_db()
    assert (pair.status, pair.version) == ("pending", 1)
    assert not AuditEvent.objects.filter(action="match_decided").exists()


def test_a_decision_must_be_chosen(pair, data_officer):
    with pytest.raises(ValidationFailed) as refused:
        candidate_decide(
            actor=data_officer, candidate_id=pair.pk, decision="", reason="", version=1
        )
    assert refused.value.errors == {"decision": "Select whether these records are the same child"}


def test_asking_the_source_agency_keeps_the_pair_open_for_a_later_decision(pair, mash_manager):
    asked = candidate_decide(
        actor=mash_manager,
        candidate_id=pair.pk,
        decision="ask_source",
        reason="Police to check the date of birth.",
        version=1,
    )
    assert asked.status == CandidateLink.Status.ASK_SOURCE
    rejected = candidate_decide(
        actor=mash_manager,
        candidate_id=pair.pk,
        decision="reject",
        reason="Police confirm: a cousin.",
        version=2,
    )
    assert rejected.status == CandidateLink.Status.REJECTED
    assert [d.decision for d in MatchDecision.objects.all()] == ["ask_source", "reject"]
    assert AuditEvent.objects.filter(action="match_decided").count() == 2


def test_a_decision_on_an_old_version_is_refused(pair, data_officer, mash_manager):
    candidate_decide(
        actor=mash_manager, candidate_id=pair.pk, decision="reject", reason="Twins.", version=1
    )
    with pytest.raises(InvalidTransition, match="Someone else decided this pair"):
        candidate_decide(
            actor=data_officer, candidate_id=pair.pk, decision="confirm", reason="", version=1
        )
    assert not PersonMerge.objects.exists()
    assert MatchDecision.objects.count() == 1


def test_only_reviewers_decide(pair, social_worker):
    with pytest.raises(AccessDenied):
        candidate_decide(
            actor=social_worker, candidate_id=pair.pk, decision="confirm", reason="", version=1
        )


def test_confirming_two_valid_nhs_numbers_is_refused_and_nothing_changes(data_officer):
    a, b = record(nhs="9434765919"), record("Jordyn", nhs="4010232137")
    found = candidate_link_create(actor=LINKER, evidence=evidence(a, b))
    assert found is not None
    with pytest.raises(ValidationFailed, match="two different valid NHS numbers"):
        candidate_decide(
            actor=data_officer, candidate_id=found.pk, decision="confirm", reason="", version=1
        )
    found.refresh_from_db()
    assert (found.status, found.version) == ("pending", 1)
    assert not MatchDecision.objects.exists()
    assert not AuditEvent.objects.filter(action="match_decided").exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_decisions_on_one_pair_only_one_applies(data_officer, mash_manager):
    """Two reviewers submit at the same moment, both having seen version 1: one decision
    applies, the other is refused; the people are merged at most once."""
    a, b = record(), record("Jordyn")
    found = candidate_link_create(actor=LINKER, evidence=evidence(a, b))
    assert found is not None
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(actor: Any, decision: str, reason: str) -> None:
        try:
            start.wait()
            candidate_decide(
                actor=actor, candidate_id=found.pk, decision=decision, reason=reason, version=1
            )
            outcomes.append("applied")
        except InvalidTransition:
            outcomes.append("refused")
        except Exception as exc:  # SQLite: the loser may find the database locked
            outcomes.append(f"failed: {type(exc).__name__}")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=decide, args=(data_officer, "confirm", "Same GP.")),
        threading.Thread(target=decide, args=(mash_manager, "reject", "Twins.")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes.count("applied") == 1, outcomes
    found.refresh_from_db()
    assert found.version == 2
    assert MatchDecision.objects.count() == 1
    assert AuditEvent.objects.filter(action="match_decided").count() == 1
    assert PersonMerge.objects.count() == (1 if found.status == "confirmed" else 0)
    if connection.vendor == "postgresql":
        assert outcomes.count("refused") == 1, outcomes
