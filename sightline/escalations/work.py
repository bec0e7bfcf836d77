"""The escalations app's part of "my work" (core.extensions.register_work_section): the
disagreements waiting on the viewer's agency's answer, those it raised, and, for a manager,
those involving their teams."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.urls import reverse

from sightline.core.extensions import WorkItem
from sightline.core.timescales import is_overdue
from sightline.escalations import selectors
from sightline.escalations.models import Escalation, EscalationStage


def _item(escalation: Escalation, stage: EscalationStage, *, title: str, status: str) -> WorkItem:
    waiting_answer = stage.answered_at is None
    return WorkItem(
        title=title,
        url=reverse("escalations:detail", args=[escalation.pk]),
        deadline=stage.due_on if waiting_answer else None,
        overdue=waiting_answer and is_overdue(stage.due_on),
        status=status,
        child_name=escalation.person.full_name,
        kind="disagreement",
    )


def to_answer(viewer: Any) -> list[WorkItem]:
    return [
        _item(
            e,
            s,
            title=f"{e.raised_by_agency.name} disagrees: {e.subject_label}",
            status=f"Stage {s.number} ({s.title}): your agency's answer is needed",
        )
        for e, s in selectors.escalations_to_answer_for(viewer=viewer)
    ]


def raised(viewer: Any) -> list[WorkItem]:
    out = []
    for e, s in selectors.escalations_raised_for(viewer=viewer):
        if s.answered_at is not None:
            status = (
                f"Stage {s.number}: {s.answered_by_agency.name if s.answered_by_agency else 'they'}"
                " answered. Record the outcome or escalate it"
            )
        else:
            status = f"Stage {s.number} ({s.title}): waiting for {e.about_agency.name}'s answer"
        out.append(
            _item(
                e,
                s,
                title=f"Your disagreement with {e.about_agency.name}: {e.subject_label}",
                status=status,
            )
        )
    return out


def for_teams(viewer: Any, teams: Sequence[Any]) -> list[WorkItem]:
    out = []
    for e, s in selectors.escalations_for_teams(viewer=viewer, teams=teams):
        item = _item(
            e,
            s,
            title=f"{e.raised_by_agency.name} with {e.about_agency.name}: {e.subject_label}",
            status=(
                f"Stage {s.number} ({s.title}): "
                + (
                    "answered, waiting for the outcome"
                    if s.answered_at
                    else "waiting for an answer"
                )
            ),
        )
        out.append(item)
    return out
