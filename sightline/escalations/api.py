"""Professional disagreements over JSON: the same actions as the pages, under the same rules
(escalations.services), audited. Mounted by sightline.api.router at /api/.

Every body field has a default, so a call about a disagreement the caller may not see is
answered "not found" before its body is judged: the answer never tells whether it exists."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from sightline.cases.pages import audit_page
from sightline.chronology import selectors as story
from sightline.core.errors import ValidationFailed
from sightline.escalations import selectors, services, subjects
from sightline.escalations.models import Escalation
from sightline.escalations.presenters import EscalationView, present_escalation
from sightline.escalations.views import report_period
from sightline.governance import audit
from sightline.governance.audit import AuditAction

router = Router(tags=["Professional disagreements"])


class StageOut(Schema):
    number: int
    title: str
    started: str
    start: str
    due_on: dt.date
    timescale: str
    overdue: bool
    answered: bool
    answered_by: str
    answered_at: str
    response: str
    ended: str


class DisagreementOut(Schema):
    id: int
    child_reference: str
    status: str = Field(description="open, resolved or withdrawn")
    outcome: str = Field(description="agreed, decision_changed, upheld, withdrawn, or empty")
    outcome_text: str
    subject_kind: str
    subject_label: str
    raised_by: str
    raised_by_agency: str
    about_agency: str
    disagreement: str
    outcome_sought: str
    stage: int
    stage_title: str
    stage_due_on: dt.date
    overdue: bool
    procedure_version: int
    stages: list[StageOut]


def _out(escalation: Escalation) -> DisagreementOut:
    view: EscalationView = present_escalation(escalation, selectors.stages_of(escalation))
    return DisagreementOut(
        id=view.id,
        child_reference=view.child_reference,
        status=view.status,
        outcome=escalation.outcome,
        outcome_text=escalation.outcome_text,
        subject_kind=view.subject_kind,
        subject_label=view.subject_label,
        raised_by=view.raised_by,
        raised_by_agency=view.raised_by_agency,
        about_agency=view.about_agency,
        disagreement=view.disagreement,
        outcome_sought=view.outcome_sought,
        stage=view.stage,
        stage_title=view.stage_title,
        stage_due_on=escalation.stage_due_on,
        overdue=view.stage_overdue,
        procedure_version=view.procedure_version,
        stages=[
            StageOut(
                number=s.number,
                title=s.title,
                started=s.started,
                start=s.start_text,
                due_on=s.due_on,
                timescale=s.timescale,
                overdue=s.overdue,
                answered=s.answered,
                answered_by=s.answer_by,
                answered_at=s.answer_when,
                response=s.response,
                ended=s.ended,
            )
            for s in view.stages
        ],
    )


class RaiseIn(Schema):
    subject: str = Field(
        "",
        description='What it is about: "step_decision:12", "closure:3", "referral:7", or '
        '"missed_action" / "other" (then subject_label and about_agency are needed)',
    )
    subject_label: str = ""
    about_agency: int | None = Field(
        None, description="The agency's id (for an unrecorded subject)"
    )
    disagreement: str = ""
    outcome_sought: str = ""


class StageIn(Schema):
    stage: int | None = Field(
        None, description="The stage the caller is acting on (refused if it has moved since)"
    )


class RespondIn(StageIn):
    response: str = ""


class ReasonIn(StageIn):
    reason: str = ""


class ResolveIn(StageIn):
    outcome: str = Field("", description="agreed, decision_changed or upheld")
    text: str = ""


class ReportQuery(Schema):
    from_: str | None = Field(None, alias="from", description="YYYY-MM-DD (default: a year ago)")
    to: str | None = Field(None, description="YYYY-MM-DD (default: today)")


def _get(request: HttpRequest, escalation_id: int) -> Escalation:
    return selectors.escalation_get_for(viewer=request.user, escalation_id=escalation_id)


def _viewed(request: HttpRequest, escalation: Escalation) -> None:
    audit_page(
        request, AuditAction.DISAGREEMENT_VIEWED, object_type="escalation",
        object_id=escalation.pk, person=escalation.person, via="api",
    )  # fmt: skip


@router.get(
    "/children/{reference}/disagreements",
    response=list[DisagreementOut],
    url_name="disagreements_of_child",
    summary="A child's professional disagreements, open first",
)
def child_disagreements(request: HttpRequest, reference: str) -> list[DisagreementOut]:
    child = story.child_get_for(viewer=request.user, reference=reference)
    rows = selectors.escalations_for_child(viewer=request.user, person=child.person)
    audit.record(
        request.user,
        AuditAction.DISAGREEMENT_VIEWED,
        object_type="person",
        object_id=child.person.reference,
        person_id=child.person.pk,
        detail={"via": "api", "list": len(rows)},
    )
    return [_out(e) for e in rows]


@router.post(
    "/children/{reference}/disagreements",
    response={201: DisagreementOut},
    url_name="disagreements_raise",
    summary="Raise a professional disagreement about a child",
)
def raise_disagreement(
    request: HttpRequest, reference: str, payload: RaiseIn
) -> Status[DisagreementOut]:
    child = story.child_get_for(viewer=request.user, reference=reference)
    parsed = subjects.parse_subject(payload.subject)
    kind, subject_id = parsed if parsed else (payload.subject, None)
    escalation = services.escalation_raise(
        actor=request.user,
        person=child.person,
        fields=services.RaiseFields(
            subject_kind=kind,
            subject_id=subject_id,
            subject_label=payload.subject_label,
            about_agency_id=payload.about_agency,
            disagreement=payload.disagreement,
            outcome_sought=payload.outcome_sought,
        ),
    )
    return Status(
        201, _out(selectors.escalation_get_for(viewer=request.user, escalation_id=escalation.pk))
    )


@router.get(
    "/disagreements/report",
    url_name="disagreements_report",
    summary="How the partnership uses escalation (aggregates; view_insight)",
)
def report(request: HttpRequest, query: Query[ReportQuery]) -> dict[str, object]:
    start, end, errors = report_period({"from": query.from_ or "", "to": query.to or ""})
    if errors:
        raise ValidationFailed("Check the period", errors=errors)
    found = selectors.escalation_report_for(viewer=request.user, date_from=start, date_to=end)
    audit.record(
        request.user,
        AuditAction.DISAGREEMENT_REPORT_VIEWED,
        object_type="escalation_report",
        detail={"from": start.isoformat(), "to": end.isoformat(), "via": "api"},
    )

    def counts(rows: list[selectors.Count]) -> list[dict[str, object]]:
        return [{"label": c.label, "count": c.count} for c in rows]

    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "raised": found.raised,
        "open": found.open_now,
        "resolved": found.resolved,
        "withdrawn": found.withdrawn,
        "moved_up_by_itself": found.moved_up_by_itself,
        "by_raising_agency": counts(found.by_raising_agency),
        "by_raising_kind": counts(found.by_raising_kind),
        "by_about_agency": counts(found.by_about_agency),
        "by_subject": counts(found.by_subject),
        "by_outcome": counts(found.by_outcome),
        "by_highest_stage": counts(found.by_highest_stage),
        "working_days_to_outcome": {
            "median": found.median_days,
            "mean": found.mean_days,
            "longest": found.longest_days,
        },
    }


@router.get(
    "/disagreements/{escalation_id}",
    response=DisagreementOut,
    url_name="disagreement",
    summary="A disagreement",
)
def disagreement(request: HttpRequest, escalation_id: int) -> DisagreementOut:
    escalation = _get(request, escalation_id)
    _viewed(request, escalation)
    return _out(escalation)


@router.post(
    "/disagreements/{escalation_id}/respond",
    url_name="disagreement_respond",
    response=DisagreementOut,
    summary="Answer the current stage (the agency it is about)",
)
def respond(request: HttpRequest, escalation_id: int, payload: RespondIn) -> DisagreementOut:
    escalation = _get(request, escalation_id)
    services.escalation_respond(
        actor=request.user, escalation=escalation, stage=payload.stage, response=payload.response
    )
    return _out(_get(request, escalation_id))


@router.post(
    "/disagreements/{escalation_id}/escalate",
    url_name="disagreement_escalate",
    response=DisagreementOut,
    summary="Take it to the next stage (the agency that raised it)",
)
def escalate(request: HttpRequest, escalation_id: int, payload: ReasonIn) -> DisagreementOut:
    escalation = _get(request, escalation_id)
    services.escalation_escalate(
        actor=request.user, escalation=escalation, stage=payload.stage, reason=payload.reason
    )
    return _out(_get(request, escalation_id))


@router.post(
    "/disagreements/{escalation_id}/resolve",
    url_name="disagreement_resolve",
    response=DisagreementOut,
    summary="Record how it was resolved",
)
def resolve(request: HttpRequest, escalation_id: int, payload: ResolveIn) -> DisagreementOut:
    escalation = _get(request, escalation_id)
    services.escalation_resolve(
        actor=request.user,
        escalation=escalation,
        stage=payload.stage,
        outcome=payload.outcome,
        text=payload.text,
    )
    return _out(_get(request, escalation_id))


@router.post(
    "/disagreements/{escalation_id}/withdraw",
    url_name="disagreement_withdraw",
    response=DisagreementOut,
    summary="Withdraw it (the agency that raised it)",
)
def withdraw(request: HttpRequest, escalation_id: int, payload: ReasonIn) -> DisagreementOut:
    escalation = _get(request, escalation_id)
    services.escalation_withdraw(
        actor=request.user, escalation=escalation, stage=payload.stage, reason=payload.reason
    )
    return _out(_get(request, escalation_id))
