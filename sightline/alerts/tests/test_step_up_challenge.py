"""A refused step-up challenged in Sightline: the disagreement raised from the refusal (the
one-click disagreement) is the challenge `step-up-refused-no-challenge` looks for, so it does not
fire; with no challenge it fires after 5 working days, under version 2 of the rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from sightline.alerts import evaluation
from sightline.alerts.models import Alert
from sightline.alerts.tasks import EVALUATOR
from sightline.cases.tests.world import World, build_world
from sightline.core.dates import LONDON
from sightline.decisions import services as decisions
from sightline.decisions.models import StepRequest
from sightline.escalations.services import RaiseFields, escalation_raise
from sightline.governance import access

pytestmark = pytest.mark.django_db

RULE = "step-up-refused-no-challenge"
# Monday 1 March 2027, 10:00 in England: the refusal's 5 working days end on Monday 8 March.
MONDAY = dt.datetime(2027, 3, 1, 10, 0, tzinfo=LONDON)


@pytest.fixture
def traveller() -> Iterator[Any]:
    with time_machine.travel(MONDAY, tick=False) as moving:
        yield moving


@pytest.fixture
def world(db: None, traveller: Any) -> World:
    built = build_world()
    access.grant(person_id=built.child.pk, agency_id=built.agencies["eh"].pk, basis="involvement")
    return built


def refused_step_up(world: World) -> StepRequest:
    request = decisions.step_request_make(
        actor=world.users["eh"],
        person=world.child,
        fields=decisions.StepFields(
            from_level="targeted",
            to_level="specialist",
            deciding_agency_id=world.agencies["csc"].pk,
            reason="Adult males at the home at night; mother cannot keep him safe.",
            risk="Criminal exploitation.",
        ),
    )
    return decisions.step_decide(
        actor=world.users["sw"],
        request=request,
        fields=decisions.DecisionFields(
            decision="refused",
            reason="Needs can be met by early help.",
            participants="Alex Smith (CSC), Ash Moss (early help)",
        ),
    )


def disagree(world: World, request: StepRequest) -> None:
    escalation_raise(
        actor=world.users["eh"],
        person=world.child,
        fields=RaiseFields(
            subject_kind="step_decision",
            subject_id=request.pk,
            subject_label="",
            about_agency_id=None,
            disagreement="The risk at home has not been assessed.",
            outcome_sought="Step the child up to social care.",
        ),
    )


def alerts_after_evaluating(world: World) -> list[Alert]:
    evaluation.evaluate_people(
        scope=access.system_scope(actor=EVALUATOR, purpose="tests: evaluate"),
        actor=EVALUATOR,
        person_ids=[world.child.pk],
    )
    return list(Alert.objects.filter(person=world.child, rule=RULE))


def test_an_unchallenged_refusal_fires_after_5_working_days(world, traveller):
    refused_step_up(world)
    traveller.move_to(MONDAY + dt.timedelta(days=6))  # Sunday: still inside the 5 days
    assert alerts_after_evaluating(world) == []
    traveller.move_to(MONDAY + dt.timedelta(days=9))  # Wednesday 10 March
    (alert,) = alerts_after_evaluating(world)
    assert (alert.status, alert.rule_version) == ("open", 2)


def test_a_disagreement_raised_in_sightline_is_the_challenge(world, traveller):
    request = refused_step_up(world)
    traveller.move_to(MONDAY + dt.timedelta(days=3))
    disagree(world, request)
    traveller.move_to(MONDAY + dt.timedelta(days=20))
    assert alerts_after_evaluating(world) == []
