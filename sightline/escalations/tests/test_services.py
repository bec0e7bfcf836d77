"""Raising, answering, escalating, resolving and withdrawing a disagreement, and the clock that
moves an unanswered stage up: every rule, every refusal, the story and the notifications."""

from __future__ import annotations

import datetime as dt

import pytest

from sightline.core.actors import CLOCK
from sightline.core.errors import AccessDenied, InvalidTransition, NotFound, ValidationFailed
from sightline.escalations import services
from sightline.escalations.models import Escalation, EscalationStage
from sightline.escalations.tests.conftest import at
from sightline.escalations.tests.helpers import raise_one, story_of, told
from sightline.governance import access
from sightline.governance.models import AuditEvent

pytestmark = pytest.mark.django_db


def _scope():
    return access.system_scope(actor=CLOCK, purpose="test the disagreement clock")


def test_raising_starts_stage_one_with_its_deadline_and_tells_the_other_side(world):
    escalation = raise_one(world)
    assert escalation.stage == 1
    assert escalation.status == Escalation.Status.OPEN
    # stage 1: 2 working days, counted from the next working day: Monday -> Wednesday.
    assert escalation.stage_due_on == dt.date(2027, 3, 3)
    stage = escalation.stages.get()
    assert (stage.timescale_key, stage.timescale_version) == ("escalation.stage1", 1)
    assert stage.start == EscalationStage.Start.RAISED
    assert escalation.procedure_version == 1
    # The social worker named on the agency's involvement is told; the raiser is not.
    assert told(world.users["sw"]) == [
        "Hallowford Academy has raised a disagreement with Children's social care"
    ]
    assert told(world.users["dsl"]) == []
    # Notifications carry no child and nothing from the record.
    body = world.users["sw"].notifications.get().body
    assert "Riley" not in body
    assert "older man" not in body
    (entry,) = story_of(world.child)
    assert entry.agency_id == world.agencies["school"].pk
    assert (
        "Stage 1 (Practitioner to practitioner): an answer is due by 3 March 2027" in entry.summary
    )
    assert AuditEvent.objects.filter(
        action="disagreement_raised", object_id=str(escalation.pk)
    ).exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"disagreement": "  "}, "disagreement", "Enter what you disagree with"),
        ({"outcome_sought": ""}, "outcome_sought", "Enter what you want to happen"),
        ({"subject_kind": "nonsense"}, "subject", "Select what the disagreement is about"),
        ({"subject_label": ""}, "subject_label", "Enter what the disagreement is about"),
        ({"about_agency_id": None}, "about_agency", "Select the agency you disagree with"),
        (
            {"about_agency_id": 987654},
            "about_agency",
            "Select the agency you disagree with from the list",
        ),
        (
            {"disagreement": "x" * 5001},
            "disagreement",
            "What you disagree with must be 5,000 characters or fewer",
        ),
        (
            {"disagreement": "a\x00b"},
            "disagreement",
            "What you disagree with must not contain control characters",
        ),
        (
            {"subject_kind": "step_decision", "subject_id": 99999},
            "subject",
            "Select the decision you disagree with",
        ),
    ],
)
def test_raising_refuses_what_is_missing_or_wrong(world, fields, field, message):
    with pytest.raises(ValidationFailed) as caught:
        raise_one(world, **fields)
    assert caught.value.errors[field] == message
    assert not Escalation.objects.exists()


def test_a_disagreement_is_between_two_agencies(world):
    with pytest.raises(ValidationFailed) as caught:
        raise_one(world, about="school")
    assert "Select another agency" in caught.value.errors["about_agency"]


def test_someone_who_may_not_see_the_child_is_told_not_found(world):
    with pytest.raises(NotFound):
        raise_one(world, by="stranger")
    with pytest.raises(AccessDenied):
        raise_one(world, by="analyst")


def test_the_agency_it_is_about_answers_once(world):
    escalation = raise_one(world)
    services.escalation_respond(
        actor=world.users["sw"], escalation=escalation, stage=1, response="We will look again."
    )
    with pytest.raises(InvalidTransition) as caught:
        services.escalation_respond(
            actor=world.users["sw2"], escalation=escalation, stage=1, response="Me too."
        )
    assert "already answered by Alex Smith" in caught.value.message
    assert told(world.users["dsl"]) == ["Children's social care answered your disagreement"]


def test_only_the_agency_it_is_about_answers(world):
    escalation = raise_one(world)
    with pytest.raises(AccessDenied) as caught:
        services.escalation_respond(
            actor=world.users["dsl"], escalation=escalation, stage=1, response="Self-answer."
        )
    assert "Only Children's social care can answer" in caught.value.message
    with pytest.raises(AccessDenied):
        services.escalation_respond(
            actor=world.users["police"], escalation=escalation, stage=1, response="Not ours."
        )
    with pytest.raises(ValidationFailed) as empty:
        services.escalation_respond(
            actor=world.users["sw"], escalation=escalation, stage=1, response=""
        )
    assert empty.value.errors == {"response": "Enter your response"}


def test_an_answer_on_a_page_that_showed_an_earlier_stage_is_refused(world, monday):
    escalation = raise_one(world)
    monday.move_to(at(2027, 3, 4, 9))
    assert services.escalations_move_up(scope=_scope()) == [escalation.pk]
    with pytest.raises(InvalidTransition) as caught:
        services.escalation_respond(
            actor=world.users["sw"], escalation=escalation, stage=1, response="Late answer."
        )
    assert "has moved to stage 2 (Managers) since the page was shown" in caught.value.message


def test_an_unanswered_stage_moves_up_by_itself_once_and_both_sides_are_told(world, monday):
    escalation = raise_one(world)
    # Still Wednesday, its last day: not yet.
    monday.move_to(at(2027, 3, 3, 23, 59))
    assert services.escalations_move_up(scope=_scope()) == []
    monday.move_to(at(2027, 3, 4, 0, 1))
    assert services.escalations_move_up(scope=_scope()) == [escalation.pk]
    assert services.escalations_move_up(scope=_scope()) == []  # idempotent
    escalation.refresh_from_db()
    assert escalation.stage == 2
    # stage 2: 5 working days after Thursday 4 March -> Thursday 11 March.
    assert escalation.stage_due_on == dt.date(2027, 3, 11)
    first, second = escalation.stages.order_by("number")
    assert first.end == EscalationStage.End.MOVED_UP
    assert second.start == EscalationStage.Start.NOT_ANSWERED
    # The managers of both sides are told (the school's pastoral manager, CSC's team manager).
    assert told(world.users["tm"]) == ["A disagreement is now at stage 2 (Managers)"]
    assert told(world.users["head_teacher"]) == ["A disagreement is now at stage 2 (Managers)"]
    entries = story_of(world.child)
    assert "moved to stage 2 (Managers) by itself" in entries[-1].summary
    assert entries[-1].author_id is None
    assert entries[-1].agency_id == world.agencies["school"].pk
    assert (
        AuditEvent.objects.filter(action="disagreement_moved_up", actor_name="system:clock").count()
        == 1
    )


def test_an_answered_stage_waits_for_the_raiser(world, monday):
    escalation = raise_one(world)
    services.escalation_respond(
        actor=world.users["sw"], escalation=escalation, stage=1, response="No."
    )
    monday.move_to(at(2027, 3, 10))
    assert services.escalations_move_up(scope=_scope()) == []


def test_it_climbs_to_the_partnership_and_is_told_once_when_that_is_overdue(world, monday):
    escalation = raise_one(world)
    for day in (4, 12, 17):  # stage 1 due the 3rd; stage 2 the 11th; stage 3 the 16th
        monday.move_to(at(2027, 3, day, 1))
        assert services.escalations_move_up(scope=_scope()) == [escalation.pk]
    escalation.refresh_from_db()
    assert escalation.stage == 4
    assert "A disagreement is now at stage 4 (The safeguarding partnership)" in told(
        world.users["mash"]
    )
    monday.move_to(at(2027, 4, 30))
    assert services.escalations_move_up(scope=_scope()) == []
    assert services.escalations_move_up(scope=_scope()) == []
    assert told(world.users["mash"]).count("A disagreement is overdue at the partnership") == 1
    # At the partnership's stage the partnership answers and decides.
    services.escalation_respond(
        actor=world.users["mash"], escalation=escalation, stage=4, response="Decided."
    )
    services.escalation_resolve(
        actor=world.users["mash"], escalation=escalation, stage=4, outcome="upheld", text="Stands."
    )
    escalation.refresh_from_db()
    assert (escalation.status, escalation.outcome) == ("resolved", "upheld")


def test_the_raiser_escalates_resolves_or_withdraws(world):
    escalation = raise_one(world)
    with pytest.raises(AccessDenied):
        services.escalation_escalate(
            actor=world.users["sw"], escalation=escalation, stage=1, reason="x"
        )
    with pytest.raises(ValidationFailed):
        services.escalation_escalate(
            actor=world.users["dsl"], escalation=escalation, stage=1, reason=""
        )
    stage = services.escalation_escalate(
        actor=world.users["dsl"], escalation=escalation, stage=1, reason="No answer by phone."
    )
    assert (stage.number, stage.start) == (2, "escalated")
    with pytest.raises(ValidationFailed) as caught:
        services.escalation_resolve(
            actor=world.users["dsl"], escalation=escalation, stage=2, outcome="maybe", text=""
        )
    assert set(caught.value.errors) == {"outcome", "text"}
    with pytest.raises(AccessDenied):
        services.escalation_resolve(
            actor=world.users["mash"],
            escalation=escalation,
            stage=2,
            outcome="agreed",
            text="Not yet ours.",
        )
    services.escalation_resolve(
        actor=world.users["dsl"], escalation=escalation, stage=2, outcome="decision_changed",
        text="The referral was accepted for assessment.",
    )  # fmt: skip
    escalation.refresh_from_db()
    assert escalation.status == "resolved"
    assert "was resolved at stage 2: the decision was changed" in story_of(world.child)[-1].summary
    with pytest.raises(InvalidTransition):
        services.escalation_withdraw(
            actor=world.users["dsl"], escalation=escalation, stage=2, reason="x"
        )


def test_withdrawing(world):
    escalation = raise_one(world)
    with pytest.raises(AccessDenied):
        services.escalation_withdraw(
            actor=world.users["sw"], escalation=escalation, stage=1, reason="x"
        )
    services.escalation_withdraw(
        actor=world.users["dsl"], escalation=escalation, stage=1, reason="Spoke on the phone."
    )
    escalation.refresh_from_db()
    assert (escalation.status, escalation.outcome) == ("withdrawn", "withdrawn")
    assert escalation.stages.get().end == "withdrawn"


def test_the_last_stage_cannot_be_escalated(world):
    escalation = raise_one(world)
    for stage in (1, 2, 3):
        services.escalation_escalate(
            actor=world.users["dsl"], escalation=escalation, stage=stage, reason="On."
        )
    with pytest.raises(InvalidTransition) as caught:
        services.escalation_escalate(
            actor=world.users["dsl"], escalation=escalation, stage=4, reason="On."
        )
    assert "last stage" in caught.value.message
