"""Referrals over JSON: make one, list yours and the front door's, read one (with its clocks and
history), acknowledge, triage, decide, allocate, record the assessment, ask and answer. The same
services and access rules as the pages: a referral the caller may not open is "not found"; a
change made on a version someone else has moved on is 409, saying what they did. Mounted by
sightline.api.router at /api/referrals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from sightline.chronology import selectors as story
from sightline.core import clock
from sightline.core.errors import AccessDenied, ValidationFailed
from sightline.governance import access, audit
from sightline.governance.audit import AuditAction
from sightline.governance.policy import Capability
from sightline.referrals import presenters, selectors, services
from sightline.referrals.models import Referral
from sightline.referrals.services import ConcurrentChange, DecisionFields, ReferralFields

router = Router(tags=["Referrals"])
T = TypeVar("T")


class ClockOut(Schema):
    clock: str
    label: str
    due_on: dt.date
    status: str = Field(description="Due, Due today, Overdue, Met, Met late, No longer needed")
    overdue: bool
    met: bool
    timescale: str = Field(description="The timescale key and version the clock runs under")


class EventOut(Schema):
    id: int
    kind: str
    label: str
    at: dt.datetime
    who: str
    text: str
    detail: str
    reply_to: int | None


class ReferralOut(Schema):
    id: int
    url: str
    kind: str
    origin: str
    child_reference: str
    child_name: str
    service: str
    service_label: str
    services_version: int
    receiving_agency: str
    receiving_team: str | None
    referrer: str
    received_at: dt.datetime
    status: str
    fast_track: bool
    rag: str
    decision: str | None
    decision_label: str | None
    reasons: list[str]
    reasons_text: str
    decision_text: str
    decided_by: str
    decided_at: dt.datetime | None
    allocated_to: str
    allocated_at: dt.datetime | None
    next_due: dt.datetime | None = Field(
        None, description="When the first running clock runs out (lists only)"
    )
    version: int = Field(description="Send it back with a change: a stale one is refused (409)")


class EarlierDecisionOut(Schema):
    round: int
    decision: str
    reasons: list[str]
    text: str
    decided_by: str
    decided_at: dt.datetime | None
    reconsidered_at: dt.datetime
    reconsidered_by: str
    disagreement: int | None = Field(description="The disagreement that asked for it, if any")
    reason: str


class ReferralDetailOut(ReferralOut):
    decision_round: int = Field(description="1, and one more each time it is reconsidered")
    earlier_decisions: list[EarlierDecisionOut]
    concerns: str
    family_knows: str
    consent: str
    consent_note: str
    risk: str
    risk_note: str
    child_words: str
    evidence: list[int]
    clocks: list[ClockOut]
    events: list[EventOut]


class ReferralListOut(Schema):
    referrals: list[ReferralOut]


class ReferralIn(Schema):
    child: str = Field(description="The child's Sightline reference")
    service: str = Field(description="A code of the services list (services.yaml)")
    kind: str = "referral"
    concerns: str
    family_knows: str
    consent: str = Field(description="yes, no or not_asked")
    consent_note: str = ""
    risk: str = Field(description="significant_harm, needs_support or not_sure")
    risk_note: str = ""
    fast_track: bool = False
    child_words: str = Field("", description="Required on the fast track")
    evidence: list[int] = Field(default_factory=list, description="Entry ids of the story")
    sensitivity: str = "standard"


class VersionIn(Schema):
    version: int | None = None


class TriageIn(VersionIn):
    rag: str = Field(description="red, amber or green")
    note: str = ""


class DecisionIn(VersionIn):
    decision: str = Field(
        description="accepted_for_assessment, early_help, no_further_action or signposted"
    )
    reasons: list[str] = Field(description="Reason codes (reasons.yaml) for the decision")
    text: str = ""


class ReconsiderIn(VersionIn):
    disagreement: int | None = Field(
        None, description="The professional disagreement about its decision that asks for it"
    )
    reason: str = Field("", description="The manager's reason (needed without a disagreement)")


class AllocationIn(VersionIn):
    worker_id: int


class AssessmentIn(VersionIn):
    summary: str


class QuestionIn(Schema):
    question: str


class AnswerIn(Schema):
    answer: str


def _out(referral: Referral, *, cls: Any = ReferralOut, **extra: Any) -> Any:
    row = presenters.present_row(
        referral, url=reverse("referrals:detail", args=[referral.pk]), now=clock.now()
    )
    return cls(
        id=referral.pk,
        url=row.url,
        kind=referral.kind,
        origin=referral.origin,
        child_reference=referral.person.reference,
        child_name=referral.person.full_name,
        service=referral.service,
        service_label=row.service,
        services_version=referral.services_version,
        receiving_agency=referral.receiving_agency.name,
        receiving_team=referral.receiving_team.name if referral.receiving_team else None,
        referrer=row.referrer,
        received_at=referral.received_at,
        status=referral.status,
        fast_track=referral.fast_track,
        rag=referral.rag,
        decision=referral.decision or None,
        decision_label=row.decision or None,
        reasons=list(referral.decision_reasons or ()),
        reasons_text=row.reasons,
        decision_text=referral.decision_text,
        decided_by=row.decided_by,
        decided_at=referral.decided_at,
        allocated_to=row.allocated_to,
        allocated_at=referral.allocated_at,
        next_due=getattr(referral, "next_due", None),
        version=referral.version,
        **extra,
    )


def _detail(request: HttpRequest, referral: Referral) -> ReferralDetailOut:
    now = clock.now()
    events = selectors.events_of(referral)
    answered = {e.reply_to_id for e in events if e.reply_to_id is not None}
    clocks = [presenters.present_clock(c, now) for c in selectors.clocks_of(referral)]
    audit.record(
        request.user,
        AuditAction.REFERRAL_VIEWED,
        object_type="referral",
        object_id=referral.pk,
        person_id=referral.person_id,
        detail={"via": "api"},
    )
    result: ReferralDetailOut = _out(
        referral,
        cls=ReferralDetailOut,
        concerns=referral.concerns,
        family_knows=referral.family_knows,
        consent=referral.consent,
        consent_note=referral.consent_note,
        risk=referral.risk,
        risk_note=referral.risk_note,
        child_words=referral.child_words,
        decision_round=referral.decision_round,
        earlier_decisions=[
            EarlierDecisionOut(
                round=d.round,
                decision=d.decision,
                reasons=list(d.decision_reasons or ()),
                text=d.decision_text,
                decided_by=d.decided_by.display_name if d.decided_by else "",
                decided_at=d.decided_at,
                reconsidered_at=d.reconsidered_at,
                reconsidered_by=d.reconsidered_by.display_name if d.reconsidered_by else "",
                disagreement=d.disagreement_id,
                reason=d.reason,
            )
            for d in selectors.earlier_decisions_of(referral)
        ],
        evidence=sorted(referral.evidence.values_list("entry_id", flat=True)),
        clocks=[
            ClockOut(
                clock=c.clock,
                label=c.label,
                due_on=c.due_on,
                status=c.status,
                overdue=c.overdue,
                met=c.met,
                timescale=c.timescale,
            )
            for c in clocks
        ],
        events=[
            EventOut(
                id=v.id,
                kind=v.kind,
                label=v.label,
                at=e.at,
                who=v.who,
                text=v.text,
                detail=v.detail,
                reply_to=e.reply_to_id,
            )
            for e, v in ((e, presenters.present_event(e, answered_ids=answered)) for e in events)
        ],
    )
    return result


def _changed(call: Callable[[], T]) -> T:
    """A change that lost to someone else's is 409 Conflict, with what they did."""
    try:
        return call()
    except ConcurrentChange as exc:
        raise HttpError(409, exc.message) from exc


def _fresh(request: HttpRequest, referral_id: int) -> ReferralDetailOut:
    return _detail(
        request, selectors.referral_get_for(viewer=request.user, referral_id=referral_id)
    )


def _list(request: HttpRequest, referrals: list[Referral], page: str) -> ReferralListOut:
    audit.record(
        request.user,
        AuditAction.REFERRAL_QUEUE_VIEWED,
        object_type="referral_list",
        detail={"page": page, "shown": len(referrals), "via": "api"},
    )
    return ReferralListOut(referrals=[_out(r) for r in referrals])


@router.post(
    "",
    response={201: ReferralDetailOut},
    url_name="referrals_make",
    summary="Make a referral (or contact) about a child",
    description="The caller's agency refers a child it may see to a service of the list. The "
    "receiving agency may then see the child; the clocks start; the referral is recorded in the "
    "child's story. Audited.",
)
def make(request: HttpRequest, payload: ReferralIn) -> Status[ReferralDetailOut]:
    child = story.child_get_for(viewer=request.user, reference=payload.child)
    referral = services.referral_make(
        actor=request.user,
        person=child.person,
        fields=ReferralFields(
            service=payload.service,
            kind=payload.kind,
            concerns=payload.concerns,
            family_knows=payload.family_knows,
            consent=payload.consent,
            consent_note=payload.consent_note,
            risk=payload.risk,
            risk_note=payload.risk_note,
            fast_track=payload.fast_track,
            child_words=payload.child_words,
            evidence=tuple(payload.evidence),
            sensitivity=payload.sensitivity,
        ),
    )
    return Status(201, _fresh(request, referral.pk))


@router.get(
    "/mine",
    response=ReferralListOut,
    url_name="referrals_mine",
    summary="The referrals the caller (who=me) or their agency (who=agency) made",
)
def mine(request: HttpRequest, who: str = "me") -> ReferralListOut:
    if who not in ("me", "agency"):
        raise ValidationFailed("Check the request", errors={"who": "who must be me or agency"})
    access.require(request.user, Capability.MAKE_REFERRALS)
    found = selectors.referrals_made_for(viewer=request.user, mine_only=who == "me")
    return _list(request, found, "mine")


@router.get(
    "/front-door",
    response=ReferralListOut,
    url_name="referrals_front_door",
    summary="The open referrals made to the caller's agency: fast track first, then by deadline",
)
def front_door(request: HttpRequest, status: str = "") -> ReferralListOut:
    from sightline.core.errors import ValidationFailed

    scope = access.scope_for(request.user)
    if not (scope.can(Capability.RECEIVE_REFERRALS) or scope.can(Capability.DECIDE_REFERRALS)):
        raise AccessDenied("Your role does not receive referrals.")
    if status not in ("", Referral.Status.RECEIVED, Referral.Status.DECIDED):
        raise ValidationFailed(
            "Check the request", errors={"status": "status must be received or decided"}
        )
    found = selectors.front_door_for(viewer=request.user, status=status or None)
    return _list(request, found, "front_door")


@router.get(
    "/{int:referral_id}",
    response=ReferralDetailOut,
    url_name="referrals_detail",
    summary="One referral: what it says, its decision, clocks and history",
)
def detail(request: HttpRequest, referral_id: int) -> ReferralDetailOut:
    return _fresh(request, referral_id)


@router.post(
    "/{int:referral_id}/acknowledgement",
    response=ReferralDetailOut,
    url_name="referrals_acknowledge",
    summary="Acknowledge a referral to the caller's agency (the referrer is told)",
)
def acknowledge(request: HttpRequest, referral_id: int, payload: VersionIn) -> ReferralDetailOut:
    _changed(
        lambda: services.referral_acknowledge(
            actor=request.user, referral_id=referral_id, expected_version=payload.version
        )
    )
    return _fresh(request, referral_id)


@router.post(
    "/{int:referral_id}/triage",
    response=ReferralDetailOut,
    url_name="referrals_triage",
    summary="Record the RAG rating of a referral to the caller's agency",
)
def triage(request: HttpRequest, referral_id: int, payload: TriageIn) -> ReferralDetailOut:
    _changed(
        lambda: services.referral_triage(
            actor=request.user,
            referral_id=referral_id,
            expected_version=payload.version,
            rag=payload.rag,
            note=payload.note,
        )
    )
    return _fresh(request, referral_id)


@router.post(
    "/{int:referral_id}/decision",
    response=ReferralDetailOut,
    url_name="referrals_decide",
    summary="Decide a referral to the caller's agency",
    description="Reasons from the list are required; no further action and signposted need "
    "text too; 'lack_of_consent' alone is refused where the referrer recorded a risk of "
    "significant harm. A decision on a stale version is 409.",
)
def decide(request: HttpRequest, referral_id: int, payload: DecisionIn) -> ReferralDetailOut:
    _changed(
        lambda: services.referral_decide(
            actor=request.user,
            referral_id=referral_id,
            expected_version=payload.version,
            fields=DecisionFields(
                decision=payload.decision, reasons=tuple(payload.reasons), text=payload.text
            ),
        )
    )
    return _fresh(request, referral_id)


@router.post(
    "/{int:referral_id}/reconsideration",
    response=ReferralDetailOut,
    url_name="referrals_reconsider",
    summary="Reopen a decided referral for a new decision",
    description="A professional disagreement about its decision (open or resolved), or the "
    "manager's reason, is needed. The decision is kept as an earlier decision and a new "
    "decision clock starts. A stale version is 409.",
)
def reconsider(request: HttpRequest, referral_id: int, payload: ReconsiderIn) -> ReferralDetailOut:
    _changed(
        lambda: services.referral_reconsider(
            actor=request.user,
            referral_id=referral_id,
            expected_version=payload.version,
            disagreement_id=payload.disagreement,
            reason=payload.reason,
        )
    )
    return _fresh(request, referral_id)


@router.post(
    "/{int:referral_id}/allocation",
    response=ReferralDetailOut,
    url_name="referrals_allocate",
    summary="Allocate a decided referral to a worker of the caller's agency",
)
def allocate(request: HttpRequest, referral_id: int, payload: AllocationIn) -> ReferralDetailOut:
    _changed(
        lambda: services.referral_allocate(
            actor=request.user,
            referral_id=referral_id,
            expected_version=payload.version,
            worker_id=payload.worker_id,
        )
    )
    return _fresh(request, referral_id)


@router.post(
    "/{int:referral_id}/assessment",
    response=ReferralDetailOut,
    url_name="referrals_assessment",
    summary="Record the completed assessment of a referral accepted for assessment",
)
def assessment(request: HttpRequest, referral_id: int, payload: AssessmentIn) -> ReferralDetailOut:
    _changed(
        lambda: services.referral_complete_assessment(
            actor=request.user,
            referral_id=referral_id,
            expected_version=payload.version,
            summary=payload.summary,
        )
    )
    return _fresh(request, referral_id)


@router.post(
    "/{int:referral_id}/questions",
    response={201: EventOut},
    url_name="referrals_ask",
    summary="Ask about a referral (the other side is told)",
)
def ask(request: HttpRequest, referral_id: int, payload: QuestionIn) -> Status[EventOut]:
    event = services.referral_ask(
        actor=request.user, referral_id=referral_id, question=payload.question
    )
    view = presenters.present_event(event, answered_ids=set())
    return Status(
        201,
        EventOut(
            id=event.pk,
            kind=event.kind,
            label=view.label,
            at=event.at,
            who=view.who,
            text=event.text,
            detail=view.detail,
            reply_to=None,
        ),
    )


@router.post(
    "/{int:referral_id}/questions/{int:question_id}/answer",
    response={201: EventOut},
    url_name="referrals_answer",
    summary="Answer a question about a referral (the asker is told)",
)
def answer(
    request: HttpRequest, referral_id: int, question_id: int, payload: AnswerIn
) -> Status[EventOut]:
    event = _changed(
        lambda: services.referral_answer(
            actor=request.user,
            referral_id=referral_id,
            question_id=question_id,
            answer=payload.answer,
        )
    )
    view = presenters.present_event(event, answered_ids=set())
    return Status(
        201,
        EventOut(
            id=event.pk,
            kind=event.kind,
            label=view.label,
            at=event.at,
            who=view.who,
            text=event.text,
            detail=view.detail,
            reply_to=event.reply_to_id,
        ),
    )
