"""Re-deciding a referral after a professional disagreement: the front door decides "no further
action", the school disagrees, the front door reconsiders the same referral and accepts it.
The earlier decision stays visible, the decision clock starts again under the timescale in
force, and each step is audited and in the child's story."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from sightline.core.errors import AccessDenied, InvalidTransition, ValidationFailed
from sightline.escalations.tests.conftest import at
from sightline.escalations.tests.helpers import raise_one, story_of, told
from sightline.escalations.tests.test_referral_subject import refer_and_refuse
from sightline.governance.models import AuditEvent
from sightline.referrals import services as referrals
from sightline.referrals.models import Referral, ReferralClock, ReferralDecision
from sightline.referrals.services import DecisionFields

pytestmark = pytest.mark.django_db

ACCEPT = DecisionFields(decision="accepted_for_assessment", reasons=("exploitation_risk",))


def disagreed(world: Any) -> tuple[Referral, Any]:
    referral = refer_and_refuse(world)
    escalation = raise_one(world, by="dsl", subject_kind="referral", subject_id=referral.pk)
    return referral, escalation


def test_a_disagreement_reopens_the_referral_and_a_new_decision_supersedes(world, monday):
    referral, escalation = disagreed(world)
    monday.move_to(at(2027, 3, 2, 14))  # Tuesday: the decision clock restarts from now
    reopened = referrals.referral_reconsider(
        actor=world.users["mash"],
        referral_id=referral.pk,
        expected_version=referral.version,
        disagreement_id=escalation.pk,
    )
    assert reopened.status == Referral.Status.RECEIVED
    assert reopened.decision == ""
    assert reopened.decision_round == 2
    (earlier,) = ReferralDecision.objects.filter(referral=referral)
    assert earlier.decision == "no_further_action"
    assert earlier.round == 1
    assert earlier.disagreement_id == escalation.pk
    clock = ReferralClock.objects.get(referral=referral, clock="decision", round=2)
    assert clock.started_at == at(2027, 3, 2, 14)
    assert clock.due_on == dt.date(2027, 3, 3)  # 1 working day after Tuesday
    assert clock.timescale_key == "referral.decision"
    assert clock.met_at is None
    assert f"Referral {referral.pk} is being decided again" in told(world.users["dsl"])
    (entry,) = story_of(world.child, "referral_reconsidered")
    assert "the decision (no further action) is reconsidered" in entry.summary
    assert AuditEvent.objects.filter(action="referral_reconsidered", object_id=str(referral.pk))

    decided = referrals.referral_decide(
        actor=world.users["mash"],
        referral_id=referral.pk,
        expected_version=reopened.version,
        fields=ACCEPT,
    )
    assert decided.status == Referral.Status.DECIDED
    assert decided.decision == "accepted_for_assessment"
    clock.refresh_from_db()
    assert clock.met_at is not None
    # The assessment runs from the reconsideration, the allocation clock from the decision.
    assessment = ReferralClock.objects.get(referral=referral, clock="assessment")
    assert assessment.round == 2
    assert assessment.started_at == at(2027, 3, 2, 14)
    # The referrer is told of the new decision too (a key of its own).
    assert told(world.users["dsl"]).count(f"Referral {referral.pk} decided") == 2


def test_the_pages_show_the_earlier_decision_and_refuse_without_grounds(world, monday):
    referral, escalation = disagreed(world)
    manager = Client()
    manager.force_login(world.users["mash"])
    page = manager.get(f"/disagreements/{escalation.pk}/")
    assert f"/referrals/{referral.pk}/reconsider?disagreement={escalation.pk}" in page.text
    form = manager.get(f"/referrals/{referral.pk}/reconsider?disagreement={escalation.pk}")
    assert form.status_code == 200
    assert "Hallowford Academy: Referral to" in form.text
    missing = manager.post(
        f"/referrals/{referral.pk}/reconsider", {"version": referral.version, "reason": ""}
    )
    assert missing.status_code == 400
    assert "govuk-error-summary" in missing.text
    assert "give your reason as a manager" in missing.text
    bogus = manager.post(
        f"/referrals/{referral.pk}/reconsider",
        {"version": referral.version, "disagreement": "99999999999999"},
    )
    assert bogus.status_code == 400
    assert "from the list" in bogus.text
    done = manager.post(
        f"/referrals/{referral.pk}/reconsider",
        {"version": referral.version, "disagreement": str(escalation.pk)},
    )
    assert done.status_code == 302
    detail = manager.get(f"/referrals/{referral.pk}/").text
    assert "Earlier decisions" in detail
    assert "No further action" in detail
    assert "Decision reconsidered" in detail
    # The referrer sees the history too.
    school = Client()
    school.force_login(world.users["dsl"])
    assert "Earlier decisions" in school.get(f"/referrals/{referral.pk}/").text


def test_a_managers_reason_is_enough_and_a_referrer_cannot(world):
    referral = refer_and_refuse(world)
    with pytest.raises(ValidationFailed) as refused:
        referrals.referral_reconsider(
            actor=world.users["mash"], referral_id=referral.pk, expected_version=None
        )
    assert "disagreement" in refused.value.errors
    with pytest.raises(AccessDenied):
        referrals.referral_reconsider(
            actor=world.users["dsl"],
            referral_id=referral.pk,
            expected_version=None,
            reason="We disagree.",
        )
    reopened = referrals.referral_reconsider(
        actor=world.users["mash"],
        referral_id=referral.pk,
        expected_version=None,
        reason="New information from the police.",
    )
    assert reopened.status == Referral.Status.RECEIVED
    # Nothing to reconsider while it waits for a decision; a stale page is told what happened.
    with pytest.raises(InvalidTransition):
        referrals.referral_reconsider(
            actor=world.users["mash"],
            referral_id=referral.pk,
            expected_version=None,
            reason="Again.",
        )


def test_a_withdrawn_disagreement_is_no_ground(world):
    from sightline.escalations.services import escalation_withdraw

    referral, escalation = disagreed(world)
    escalation_withdraw(actor=world.users["dsl"], escalation=escalation, stage=1, reason="Sorted.")
    with pytest.raises(ValidationFailed):
        referrals.referral_reconsider(
            actor=world.users["mash"],
            referral_id=referral.pk,
            expected_version=None,
            disagreement_id=escalation.pk,
        )


def test_the_api_reconsiders_with_the_same_rules(world):
    referral, escalation = disagreed(world)
    api = Client()
    api.force_login(world.users["mash"])
    url = f"/api/referrals/{referral.pk}/reconsideration"
    bad = api.post(url, {"version": referral.version}, content_type="application/json")
    assert bad.status_code == 400
    stale = api.post(
        url,
        {"version": referral.version - 1, "disagreement": escalation.pk},
        content_type="application/json",
    )
    assert stale.status_code == 409
    ok = api.post(
        url,
        {"version": referral.version, "disagreement": escalation.pk},
        content_type="application/json",
    )
    assert ok.status_code == 200, ok.text
    body = ok.json()
    assert body["status"] == "received"
    assert body["decision_round"] == 2
    assert body["earlier_decisions"][0]["decision"] == "no_further_action"
    assert body["earlier_decisions"][0]["disagreement"] == escalation.pk
