"""A disagreement about a referral decision: the school disagrees with the front door's "no
further action", with the decision as its subject."""

from __future__ import annotations

import pytest

from sightline.escalations import subjects
from sightline.escalations.tests.helpers import raise_one, told
from sightline.referrals import services as referrals
from sightline.referrals.services import DecisionFields, ReferralFields

pytestmark = pytest.mark.django_db


def refer_and_refuse(world):
    referral = referrals.referral_make(
        actor=world.users["dsl"],
        person=world.child,
        fields=ReferralFields(
            service="mash",
            concerns="Collected after school by an older man in a car.",
            family_knows="Mother told.",
            consent="yes",
            risk="needs_support",
        ),
    )
    return referrals.referral_decide(
        actor=world.users["mash"],
        referral_id=referral.pk,
        expected_version=referral.version,
        fields=DecisionFields(
            decision="no_further_action", reasons=("threshold_not_met",), text="Not at threshold."
        ),
    )


def test_the_decision_is_offered_and_raised_about(world):
    referral = refer_and_refuse(world)
    offered = subjects.candidates_for(world.users["dsl"], world.child)
    (subject,) = [s for s in offered if s.kind == "referral"]
    assert subject.id == referral.pk
    assert subject.about_agency_id == world.agencies["mash"].pk
    assert "decided 1 March 2027: no further action" in subject.label
    # The front door's own decision is not offered to it.
    assert not [
        s for s in subjects.candidates_for(world.users["mash"], world.child) if s.kind == "referral"
    ]
    escalation = raise_one(world, about="csc", subject_kind="referral", subject_id=referral.pk)
    assert escalation.about_agency == world.agencies["mash"]
    assert escalation.about_user == world.users["mash"]
    assert escalation.subject_label == subject.label
    assert (
        told(world.users["mash"])[-1]
        == "Hallowford Academy has raised a disagreement with Hallowford MASH"
    )


def test_a_referral_the_viewer_may_not_open_is_not_a_subject(world):
    referral = refer_and_refuse(world)
    assert (
        subjects.subject_get(world.users["stranger"], world.child, "referral", referral.pk) is None
    )
    assert subjects.subject_get(world.users["dsl"], world.child, "referral", 987654) is None
