"""Closure agreement over JSON: propose, answer, withdraw, read; the same rules as the pages
(cases.closures), audited. Mounted by sightline.api.router at /api/. Body fields all have
defaults, so a call about a proposal the caller may not see is "not found" whatever it sends."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from sightline.cases import closures
from sightline.cases.models import ClosureProposal
from sightline.cases.pages import audit_page
from sightline.cases.selectors import closure_get_for, closures_for_child, responses_of
from sightline.chronology import selectors as story
from sightline.governance.audit import AuditAction

router = Router(tags=["Closing an involvement"])


class ResponseOut(Schema):
    agency: str
    kind: str = Field(description="objection or no_objection")
    reason: str
    responded_by: str


class ClosureOut(Schema):
    id: int
    child_reference: str
    agency: str
    status: str = Field(description="proposed, blocked, closed or withdrawn")
    reason: str
    reason_text: str
    remaining_risks: str
    open_items: list[dict[str, str]]
    next_step: str
    next_step_detail: str
    window_ends_on: dt.date
    timescale: str
    discussion_entry: int | None
    responses: list[ResponseOut]


def _out(proposal: ClosureProposal) -> ClosureOut:
    return ClosureOut(
        id=proposal.pk,
        child_reference=proposal.person.reference,
        agency=proposal.agency.name,
        status=proposal.status,
        reason=proposal.reason,
        reason_text=proposal.reason_text,
        remaining_risks=proposal.remaining_risks,
        open_items=[{k: str(v) for k, v in item.items()} for item in proposal.open_items or []],
        next_step=proposal.next_step,
        next_step_detail=proposal.next_step_detail,
        window_ends_on=proposal.window_ends_on,
        timescale=f"{proposal.timescale_key}@{proposal.timescale_version}",
        discussion_entry=proposal.discussion_entry_id,
        responses=[
            ResponseOut(
                agency=r.agency.name,
                kind=r.kind,
                reason=r.reason,
                responded_by=r.responded_by.display_name,
            )
            for r in responses_of(proposal)
        ],
    )


class DiscussionIn(Schema):
    held_on: dt.date | None = None
    participants: str = ""
    summary: str = ""


class ProposeIn(Schema):
    reason: str = Field(
        "", description="work_complete, non_engagement, moved_away, transferred, other"
    )
    reason_text: str = ""
    remaining_risks: str = ""
    next_step: str = Field("", description="early_help, universal, other_service or none")
    next_step_detail: str = ""
    discussion_entry: int | None = Field(
        None, description="A multi-agency discussion in the child's story (non-engagement)"
    )
    discussion: DiscussionIn | None = Field(None, description="Or the discussion, recorded now")


class RespondIn(Schema):
    kind: str = Field("", description="objection or no_objection")
    reason: str = ""


class ReasonIn(Schema):
    reason: str = ""


def _get(request: HttpRequest, closure_id: int) -> ClosureProposal:
    return closure_get_for(viewer=request.user, closure_id=closure_id)


@router.get(
    "/children/{reference}/closures",
    response=list[ClosureOut],
    url_name="closures_of_child",
    summary="Closures proposed for a child",
)
def child_closures(request: HttpRequest, reference: str) -> list[ClosureOut]:
    child = story.child_get_for(viewer=request.user, reference=reference)
    rows = closures_for_child(viewer=request.user, person=child.person)
    audit_page(
        request, AuditAction.CLOSURE_VIEWED, object_type="person",
        object_id=child.person.reference, person=child.person, via="api", list=len(rows),
    )  # fmt: skip
    return [_out(_get(request, p.pk)) for p in rows]


@router.post(
    "/children/{reference}/closures",
    response={201: ClosureOut},
    url_name="closures_propose",
    summary="Propose to close your agency's involvement with a child",
)
def propose(request: HttpRequest, reference: str, payload: ProposeIn) -> Status[ClosureOut]:
    child = story.child_get_for(viewer=request.user, reference=reference)
    discussion = (
        closures.Discussion(
            held_on=payload.discussion.held_on,
            participants=payload.discussion.participants,
            summary=payload.discussion.summary,
        )
        if payload.discussion is not None
        else None
    )
    proposal = closures.closure_propose(
        actor=request.user,
        person=child.person,
        fields=closures.ClosureFields(
            reason=payload.reason,
            reason_text=payload.reason_text,
            remaining_risks=payload.remaining_risks,
            next_step=payload.next_step,
            next_step_detail=payload.next_step_detail,
            discussion_entry_id=payload.discussion_entry,
            discussion=discussion,
        ),
    )
    return Status(201, _out(_get(request, proposal.pk)))


@router.get(
    "/closures/{closure_id}", response=ClosureOut, url_name="closure", summary="A closure proposal"
)
def closure(request: HttpRequest, closure_id: int) -> ClosureOut:
    found = _get(request, closure_id)
    audit_page(
        request, AuditAction.CLOSURE_VIEWED, object_type="closure_proposal", object_id=found.pk,
        person=found.person, via="api",
    )  # fmt: skip
    return _out(found)


@router.post(
    "/closures/{closure_id}/respond",
    url_name="closure_respond",
    response=ClosureOut,
    summary="Object, or say your agency does not object (within the window)",
)
def respond(request: HttpRequest, closure_id: int, payload: RespondIn) -> ClosureOut:
    found = _get(request, closure_id)
    closures.closure_respond(
        actor=request.user, proposal=found, kind=payload.kind, reason=payload.reason
    )
    return _out(_get(request, closure_id))


@router.post(
    "/closures/{closure_id}/withdraw",
    url_name="closure_withdraw",
    response=ClosureOut,
    summary="Withdraw the proposal (the agency that made it)",
)
def withdraw(request: HttpRequest, closure_id: int, payload: ReasonIn) -> ClosureOut:
    found = _get(request, closure_id)
    closures.closure_withdraw(actor=request.user, proposal=found, reason=payload.reason)
    return _out(_get(request, closure_id))
