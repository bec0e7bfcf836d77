"""Disagreements as the pages show them: plain words, dates in full, what is overdue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from sightline.core.dates import MONTHS
from sightline.core.timescales import is_overdue
from sightline.escalations import procedure as procedures
from sightline.escalations import subjects
from sightline.escalations.models import Escalation, EscalationStage

STATUS_TAGS: dict[str, str] = {
    "open": "govuk-tag--yellow",
    "resolved": "govuk-tag--green",
    "withdrawn": "govuk-tag--grey",
}


def long_date(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def when(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{long_date(local.date())}, {local:%H:%M}"


@dataclass(frozen=True)
class StageView:
    number: int
    title: str
    guidance: str
    started: str
    start_text: str
    start_note: str
    due: str
    due_on: dt.date
    timescale: str
    overdue: bool
    answered: bool
    answer_by: str
    answer_when: str
    response: str
    ended: str
    is_current: bool


@dataclass(frozen=True)
class EscalationView:
    id: int
    url: str
    status: str
    status_text: str
    status_tag: str
    outcome_text: str
    outcome_note: str
    closed: str
    closed_by: str
    subject_kind: str
    subject_kind_text: str
    subject_label: str
    subject_url: str
    raised_by: str
    raised_by_agency: str
    raised_when: str
    about_agency: str
    disagreement: str
    outcome_sought: str
    stage: int
    stage_title: str
    stage_due: str
    stage_overdue: bool
    procedure_version: int
    procedure_source: str
    last_stage: int
    stages: tuple[StageView, ...]
    child_reference: str
    child_name: str


def _subject_url(escalation: Escalation) -> str:
    if escalation.subject_id is None:
        return ""
    name = subjects.URL_NAMES.get(escalation.subject_kind)
    return reverse(name, args=[escalation.subject_id]) if name else ""


def present_stage(
    stage: EscalationStage, procedure: procedures.Procedure, current: int
) -> StageView:
    spec = procedure.stage(stage.number)
    open_ = stage.ended_at is None
    return StageView(
        number=stage.number,
        title=stage.title,
        guidance=spec.guidance,
        started=when(stage.started_at),
        start_text=stage.get_start_display(),
        start_note=stage.start_note,
        due=long_date(stage.due_on),
        due_on=stage.due_on,
        timescale=f"{stage.timescale_key}, version {stage.timescale_version}",
        overdue=open_ and stage.answered_at is None and is_overdue(stage.due_on),
        answered=stage.answered_at is not None,
        answer_by=(
            f"{stage.answered_by.display_name}, {stage.answered_by_agency.name}"
            if stage.answered_by and stage.answered_by_agency
            else ""
        ),
        answer_when=when(stage.answered_at) if stage.answered_at else "",
        response=stage.response,
        ended=stage.get_end_display() if stage.end else "",
        is_current=stage.number == current and open_,
    )


def present_escalation(
    escalation: Escalation, stages: list[EscalationStage] | None = None
) -> EscalationView:
    procedure = procedures.procedure_version(escalation.procedure_version)
    stage_views = tuple(present_stage(s, procedure, escalation.stage) for s in (stages or []))
    is_open = escalation.status == Escalation.Status.OPEN
    return EscalationView(
        id=escalation.pk,
        url=reverse("escalations:detail", args=[escalation.pk]),
        status=escalation.status,
        status_text=escalation.get_status_display(),
        status_tag=STATUS_TAGS.get(escalation.status, "govuk-tag--grey"),
        outcome_text=escalation.get_outcome_display() if escalation.outcome else "",
        outcome_note=escalation.outcome_text,
        closed=when(escalation.closed_at) if escalation.closed_at else "",
        closed_by=escalation.closed_by.display_name if escalation.closed_by else "",
        subject_kind=escalation.subject_kind,
        subject_kind_text=escalation.get_subject_kind_display(),
        subject_label=escalation.subject_label,
        subject_url=_subject_url(escalation),
        raised_by=escalation.raised_by.display_name,
        raised_by_agency=escalation.raised_by_agency.name,
        raised_when=when(escalation.raised_at),
        about_agency=escalation.about_agency.name,
        disagreement=escalation.disagreement,
        outcome_sought=escalation.outcome_sought,
        stage=escalation.stage,
        stage_title=procedure.stage(escalation.stage).title,
        stage_due=long_date(escalation.stage_due_on),
        stage_overdue=is_open and any(s.is_current and s.overdue for s in stage_views),
        procedure_version=procedure.version,
        procedure_source=procedure.source,
        last_stage=procedure.last,
        stages=stage_views,
        child_reference=escalation.person.reference,
        child_name=escalation.person.full_name,
    )
