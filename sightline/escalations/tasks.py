"""Background work of the escalations app (core.queue): the clock that moves a stage up when
its deadline passes unanswered, and opening the disagreement an objection to a closure asks
for (queued by the receiver of cases' closure_objected)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sightline.core import queue
from sightline.core.actors import CLOCK

MOVE_UP = "escalations.move_up"
OPEN_FOR_OBJECTION = "escalations.open_for_objection"


def move_up(*, scope: Any, slot: str | None = None) -> None:
    from sightline.escalations.services import escalations_move_up

    escalations_move_up(scope=scope)


def move_up_due(now: dt.datetime) -> bool:
    """Whether a disagreement's stage has passed its last day (else a tick takes no slot)."""
    from django.utils import timezone

    from sightline.escalations.models import Escalation

    return Escalation.objects.filter(
        status=Escalation.Status.OPEN, stage_due_on__lt=timezone.localdate(now)
    ).exists()


def open_for_objection(*, scope: Any, response_id: int) -> None:
    """Open the disagreement an objection to a closure asks for, raised by the person who
    objected, about the agency that proposed to close (once: the objection's id is unique on
    the disagreement)."""
    from sightline.cases.models import ClosureResponse
    from sightline.escalations.models import Escalation
    from sightline.escalations.services import RaiseFields, escalation_raise

    if Escalation.objects.filter(closure_objection_id=response_id).exists():
        return
    response = (
        ClosureResponse.objects.select_related("proposal", "proposal__person", "responded_by")
        .filter(pk=response_id, kind=ClosureResponse.Kind.OBJECTION)
        .first()
    )
    if response is None:
        raise queue.Permanent(f"no objection {response_id}")
    proposal = response.proposal
    escalation_raise(
        actor=response.responded_by,
        person=proposal.person,
        fields=RaiseFields(
            subject_kind="closure",
            subject_id=proposal.pk,
            subject_label="",
            about_agency_id=proposal.agency_id,
            disagreement=response.reason,
            outcome_sought=(
                "Keep the involvement open until the agencies have agreed how the risks that "
                "remain will be met."
            ),
        ),
        closure_objection_id=response.pk,
    )


def register() -> None:
    queue.register_periodic(
        MOVE_UP,
        move_up,
        every=dt.timedelta(minutes=5),
        purpose="move up professional disagreements whose stage was not answered by its deadline",
        when=move_up_due,
    )
    queue.register_task(
        OPEN_FOR_OBJECTION,
        open_for_objection,
        purpose="open the professional disagreement an objection to a closure asks for",
        actor=CLOCK,
    )
