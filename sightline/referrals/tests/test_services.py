"""The referral services: making one, each decision's rules (no further action needs a reason
and words; "lack of consent" alone is refused where the referrer saw a risk of significant
harm), two managers at once, a viewer who may no longer see the referral, allocation, the
assessment, questions and answers, and what each records in the child's story and the audit."""

from __future__ import annotations

import pytest

from sightline.accounts.models import Notification, User
from sightline.chronology.models import ChronologyEntry
from sightline.chronology.tests.factories import entry_for
from sightline.core.errors import AccessDenied, InvalidTransition, NotFound, ValidationFailed
from sightline.governance import access
from sightline.governance.models import AccessGrant, AuditEvent
from sightline.referrals import selectors, services
from sightline.referrals.models import Referral, ReferralClock, ReferralEvent
from sightline.referrals.services import ConcurrentChange
from sightline.referrals.signals import referral_decided
from sightline.referrals.tests.conftest import CONCERNS, World, decide, fields, refer

pytestmark = pytest.mark.django_db


def test_making_a_referral_records_it_everywhere_it_must_be(world: World, wednesday) -> None:
    before = ChronologyEntry.objects.count()
    referral = refer(world)

    assert referral.status == Referral.Status.RECEIVED
    assert referral.receiving_agency == world.mash
    assert referral.receiving_team == world.mash_team  # the MASH's only team
    assert referral.referring_agency == world.school
    assert referral.services_version == 1
    # The story: a referral_made entry by the school, the concerns as its detail.
    entry = referral.made_entry
    assert entry is not None
    assert ChronologyEntry.objects.count() == before + 1
    assert entry.type == "referral_made"
    assert entry.agency == world.school
    assert "Referral to MASH" in entry.summary
    assert CONCERNS in entry.detail
    # The clocks: acknowledgement and decision, 1 working day after Wednesday: Thursday.
    clocks = {c.clock: c for c in ReferralClock.objects.filter(referral=referral)}
    assert set(clocks) == {"acknowledgement", "decision"}
    assert str(clocks["decision"].due_on) == "2026-03-12"
    assert clocks["decision"].timescale_key == "referral.decision"
    assert clocks["decision"].timescale_version == 1
    # The receiving agency may now open the child; the referral is audited.
    assert access.can_view_person(world.manager, world.child.pk)
    assert AccessGrant.objects.filter(person=world.child, agency=world.mash).exists()
    assert AuditEvent.objects.filter(action="referral_made", object_id=str(referral.pk)).exists()
    assert [e.kind for e in ReferralEvent.objects.filter(referral=referral)] == ["made"]


def test_a_referral_needs_what_the_service_must_know(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        refer(
            world,
            service="nowhere",
            concerns=" ",
            family_knows="",
            consent="",
            risk="",
            fast_track=True,
            child_words="",
        )
    assert set(caught.value.errors) == {
        "service",
        "concerns",
        "family_knows",
        "consent",
        "risk",
        "child_words",
    }


def test_no_consent_needs_a_why(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        refer(world, consent="not_asked", consent_note="")
    assert caught.value.errors == {"consent_note": "Say why the family were not asked"}


def test_a_service_no_agency_receives_is_refused_with_what_to_do(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        refer(world, service="youth_justice")
    assert "No agency in the partnership receives referrals" in caught.value.errors["service"]


def test_only_a_child_the_referrer_may_see(world: World) -> None:
    with pytest.raises(NotFound):
        services.referral_make(actor=world.stranger, person=world.child, fields=fields())


def test_evidence_must_be_entries_the_referrer_can_read(world: World) -> None:
    mine = entry_for(world.child, agency=world.school, summary="Car seen at the gates.")
    police_only = entry_for(
        world.child, police_intelligence=True, agency=world.camhs, summary="Not for schools."
    )
    referral = refer(world, evidence=(mine.pk,))
    assert list(referral.evidence.values_list("entry_id", flat=True)) == [mine.pk]
    with pytest.raises(ValidationFailed) as caught:
        refer(world, evidence=(police_only.pk,))
    assert "evidence" in caught.value.errors


def test_fast_track_keeps_the_childs_words_and_its_own_clock(world: World, wednesday) -> None:
    referral = refer(world, fast_track=True, child_words="I want to stop, can someone help me")
    clock = ReferralClock.objects.get(referral=referral, clock="fast_track")
    assert clock.timescale_key == "referral.fast_track"
    assert str(clock.due_on) == "2026-03-13"  # 2 calendar days, counted from the next day
    entry = referral.made_entry
    assert entry is not None
    assert entry.is_significant
    assert "I want to stop" in entry.detail


# --- deciding ---------------------------------------------------------------------------------


def test_no_further_action_needs_a_reason_from_the_list_and_words(world: World) -> None:
    referral = refer(world, risk="needs_support")
    with pytest.raises(ValidationFailed) as caught:
        decide(world, referral, reasons=(), text="")
    assert set(caught.value.errors) == {"reasons", "text"}
    with pytest.raises(ValidationFailed) as caught:
        decide(world, referral, reasons=("made_up",))
    assert "reasons" in caught.value.errors
    # A reason only a feed may give is not offered to a person.
    with pytest.raises(ValidationFailed):
        decide(world, referral, reasons=("recorded_in_agency_system",))


def test_lack_of_consent_alone_is_refused_for_a_risk_of_significant_harm(world: World) -> None:
    referral = refer(world, risk="significant_harm")
    with pytest.raises(ValidationFailed) as caught:
        decide(world, referral, reasons=("lack_of_consent",), text="Mother refused.")
    message = caught.value.errors["reasons"]
    assert "consent is not needed to share information to safeguard a child" in message
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.RECEIVED
    # With a reason about the risk itself, consent may be one of the reasons.
    decided = decide(
        world,
        referral,
        reasons=("lack_of_consent", "no_concerns_found"),
        text="Enquiries with the police found no concern; mother does not consent.",
    )
    assert decided.decision == "no_further_action"


def test_lack_of_consent_may_be_the_reason_when_no_significant_harm_was_seen(
    world: World,
) -> None:
    referral = refer(world, risk="needs_support", service="mash")
    decided = decide(world, referral, reasons=("lack_of_consent",), text="Family declined help.")
    assert decided.status == Referral.Status.CLOSED


def test_a_decision_is_recorded_in_the_story_and_told_to_the_referrer(
    world: World, wednesday, django_capture_on_commit_callbacks
) -> None:
    heard: list[dict] = []

    def receiver(sender, **kwargs):
        heard.append(kwargs)

    referral_decided.connect(receiver, weak=False)
    try:
        referral = refer(world)
        with django_capture_on_commit_callbacks(execute=True):
            decided = decide(
                world,
                referral,
                decision="accepted_for_assessment",
                reasons=("exploitation_risk",),
                text="",
            )
    finally:
        referral_decided.disconnect(receiver)
    assert decided.status == Referral.Status.DECIDED
    assert decided.decided_by == world.manager
    assert decided.deciding_agency == world.mash
    assert decided.deciding_team == world.mash_team
    assert decided.acknowledged_at is not None  # deciding acknowledges
    entry = ChronologyEntry.objects.filter(type="referral_accepted").get()
    assert entry.agency == world.mash
    assert "accepted for assessment" in entry.summary
    assert Notification.objects.filter(recipient=world.dsl, key__contains=":decided:").exists()
    # Allocation and assessment clocks now run; the decision's is met.
    clocks = {c.clock: c for c in ReferralClock.objects.filter(referral=referral)}
    assert clocks["decision"].met_at is not None
    assert {"allocation", "assessment"} <= set(clocks)
    assert heard
    assert heard[0]["decision"] == "accepted_for_assessment"
    assert heard[0]["deciding_agency_id"] == world.mash.pk
    # The public read of the decision, for the apps above.
    decision = selectors.referral_decision_for(viewer=world.dsl, referral_id=referral.pk)
    assert decision is not None
    assert decision.deciding_team_id == world.mash_team.pk


def test_a_rejection_is_a_referral_rejected_entry(world: World) -> None:
    referral = refer(world, risk="needs_support")
    decide(world, referral)
    entry = ChronologyEntry.objects.filter(type="referral_rejected").get()
    assert "no further action" in entry.summary
    assert "not at threshold" in entry.detail


def test_two_managers_deciding_at_once_one_wins_and_the_other_is_told(world: World) -> None:
    referral = refer(world, risk="needs_support")
    seen = Referral.objects.get(pk=referral.pk)  # both managers opened the same version
    decide(world, seen, decision="early_help", reasons=("needs_met_by_early_help",), text="")
    with pytest.raises(ConcurrentChange) as caught:
        decide(world, seen, actor=world.other_manager)
    assert "Morgan Reid (Sallowshire MASH) decided this referral" in caught.value.message
    assert "your decision was not saved" in caught.value.message
    fresh = Referral.objects.get(pk=referral.pk)
    assert fresh.decision == "early_help"
    assert fresh.decided_by == world.manager
    assert (
        ChronologyEntry.objects.filter(type__in=["referral_accepted", "referral_rejected"]).count()
        == 1
    )
    assert AuditEvent.objects.filter(action="referral_refused", actor=world.other_manager).exists()


def test_the_loser_of_a_race_in_the_database_is_told_too(world: World) -> None:
    """The version read and the version written can differ by a write in between (the other
    manager's request committing between this one's read and its UPDATE)."""
    referral = refer(world, risk="needs_support")
    stale = Referral.objects.get(pk=referral.pk)
    decide(world, referral)
    with pytest.raises(ConcurrentChange):
        services._apply(
            stale,
            expected_version=None,
            statuses=[Referral.Status.RECEIVED],
            action="decision",
            values={"decision": "early_help"},
        )


def test_a_decided_referral_cannot_be_decided_again(world: World) -> None:
    referral = refer(world, risk="needs_support")
    decided = decide(world, referral)
    with pytest.raises(InvalidTransition) as caught:
        decide(world, decided, version=decided.version)
    assert "no further action" in caught.value.message


def test_only_the_receiving_agencys_managers_decide(world: World) -> None:
    referral = refer(world)
    with pytest.raises(AccessDenied):
        decide(world, referral, actor=world.dsl)  # the referrer's side
    with pytest.raises(AccessDenied):
        decide(world, referral, actor=world.worker)  # triages, does not decide
    with pytest.raises(NotFound):
        decide(world, referral, actor=world.stranger)
    with pytest.raises(NotFound):
        decide(world, referral, actor=world.camhs_nurse)


def test_a_decision_on_a_referral_the_viewer_can_no_longer_see_reveals_nothing(
    world: World,
) -> None:
    referral = refer(world, risk="needs_support")
    # The school's involvement ends: its DSL may no longer see the child, nor its referral.
    AccessGrant.objects.filter(person=world.child, agency=world.school).delete()
    with pytest.raises(NotFound) as caught:
        selectors.referral_get_for(viewer=world.dsl, referral_id=referral.pk)
    with pytest.raises(NotFound) as nowhere:
        selectors.referral_get_for(viewer=world.dsl, referral_id=987654)
    assert caught.value.message == nowhere.value.message
    # A MASH manager whose membership moved to another agency is refused the same way.
    world.manager.membership.agency = world.camhs
    world.manager.membership.team = None
    world.manager.membership.save()
    moved = User.objects.get(pk=world.manager.pk)  # a new request reads the membership afresh
    with pytest.raises(NotFound):
        decide(world, referral, actor=moved)
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.RECEIVED
    assert AuditEvent.objects.filter(action="access_refused", object_type="referral").exists()


# --- acknowledging, triage, allocation, assessment --------------------------------------------


def test_acknowledging_tells_the_referrer_once(world: World) -> None:
    referral = refer(world)
    acknowledged = services.referral_acknowledge(
        actor=world.worker, referral_id=referral.pk, expected_version=referral.version
    )
    assert acknowledged.acknowledged_by == world.worker
    assert ReferralClock.objects.get(referral=referral, clock="acknowledgement").met_at
    assert (
        Notification.objects.filter(recipient=world.dsl, key__contains="acknowledged").count() == 1
    )
    with pytest.raises(InvalidTransition):
        services.referral_acknowledge(actor=world.worker, referral_id=referral.pk)


def test_triage_records_the_rating_and_a_red_needs_why(world: World) -> None:
    referral = refer(world)
    with pytest.raises(ValidationFailed) as caught:
        services.referral_triage(
            actor=world.worker, referral_id=referral.pk, expected_version=None, rag="red"
        )
    assert caught.value.errors == {"rag_note": "Say why you rated it red"}
    with pytest.raises(ValidationFailed):
        services.referral_triage(
            actor=world.worker, referral_id=referral.pk, expected_version=None, rag="purple"
        )
    triaged = services.referral_triage(
        actor=world.worker,
        referral_id=referral.pk,
        expected_version=referral.version,
        rag="red",
        note="Exploitation indicators; police involved.",
    )
    assert triaged.rag == "red"
    assert triaged.acknowledged_at is not None
    with pytest.raises(AccessDenied):
        services.referral_triage(
            actor=world.dsl, referral_id=referral.pk, expected_version=None, rag="green"
        )


def test_allocation_and_assessment(world: World) -> None:
    referral = refer(world)
    decided = decide(
        world, referral, decision="accepted_for_assessment", reasons=("exploitation_risk",), text=""
    )
    workers = services.allocatable_workers(decided)
    assert world.social_worker in workers
    assert world.dsl not in workers
    with pytest.raises(ValidationFailed):
        services.referral_allocate(
            actor=world.manager,
            referral_id=referral.pk,
            expected_version=decided.version,
            worker_id=world.dsl.pk,
        )
    allocated = services.referral_allocate(
        actor=world.manager,
        referral_id=referral.pk,
        expected_version=decided.version,
        worker_id=world.social_worker.pk,
    )
    assert allocated.status == Referral.Status.ALLOCATED
    assert allocated.allocated_to == world.social_worker
    assert ChronologyEntry.objects.filter(type="allocation", agency=world.mash).exists()
    assert Notification.objects.filter(recipient=world.social_worker).exists()
    with pytest.raises(ValidationFailed):
        services.referral_complete_assessment(
            actor=world.social_worker,
            referral_id=referral.pk,
            expected_version=allocated.version,
            summary="",
        )
    closed = services.referral_complete_assessment(
        actor=world.social_worker,
        referral_id=referral.pk,
        expected_version=allocated.version,
        summary="Child in need plan agreed with the family.",
    )
    assert closed.status == Referral.Status.CLOSED
    assert ReferralClock.objects.get(referral=referral, clock="assessment").met_at
    assert ChronologyEntry.objects.filter(type="assessment_completed").exists()


def test_an_nrm_referral_is_an_nrm_entry_and_has_no_allocation_clock(world: World) -> None:
    from sightline.chronology.tests.factories import new_agency
    from sightline.referrals.tests.conftest import member

    nrm = new_agency(code="nrm_home_office", name="NRM", kind="nrm_home_office")
    decider = member("head_of_service", nrm)
    referral = refer(world, service="nrm", risk="needs_support")
    assert referral.made_entry is not None
    assert referral.made_entry.type == "nrm_referral"
    decide(
        world,
        referral,
        decision="accepted_for_assessment",
        reasons=("exploitation_risk",),
        text="",
        actor=decider,
    )
    clocks = set(ReferralClock.objects.filter(referral=referral).values_list("clock", flat=True))
    assert "allocation" not in clocks
    assert "assessment" in clocks


# --- asking ---------------------------------------------------------------------------------


def test_ask_and_answer(world: World) -> None:
    referral = refer(world)
    with pytest.raises(ValidationFailed):
        services.referral_ask(actor=world.dsl, referral_id=referral.pk, question="  ")
    question = services.referral_ask(
        actor=world.dsl, referral_id=referral.pk, question="Has anyone spoken to the police?"
    )
    # The MASH managers are told; nothing of the child's is in what is emailed.
    told = Notification.objects.filter(key__contains=f"question:{question.pk}")
    assert {n.recipient for n in told} == {world.manager, world.other_manager}
    assert all("Jordan" not in n.subject + n.body for n in told)
    # The referrer's own side does not answer its own question.
    with pytest.raises(AccessDenied):
        services.referral_answer(
            actor=world.dsl_colleague,
            referral_id=referral.pk,
            question_id=question.pk,
            answer="Not sure.",
        )
    services.referral_answer(
        actor=world.worker,
        referral_id=referral.pk,
        question_id=question.pk,
        answer="Yes: a strategy discussion is booked.",
    )
    assert Notification.objects.filter(recipient=world.dsl, key__contains="answer").exists()
    with pytest.raises(ConcurrentChange):
        services.referral_answer(
            actor=world.manager,
            referral_id=referral.pk,
            question_id=question.pk,
            answer="Again.",
        )
    assert selectors.open_questions_of(referral) == []
