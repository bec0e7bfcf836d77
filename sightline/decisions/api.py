"""Step up and step down over JSON: the same actions as the pages under the same rules
(decisions.services), audited. Mounted by sightline.api.router at /api/. Body fields all have
defaults, so a call about a request the caller may not see is "not found" whatever it sends."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from sightline.cases.pages import audit_page
from sightline.chronology import selectors as story
from sightline.decisions import selectors, services
from sightline.decisions.models import StepRequest
from sightline.decisions.presenters import present_request
from sightline.governance.audit import AuditAction

router = Router(tags=["Step up and step down"])


class ViewOut(Schema):
    agency: str
    view: str
    comment: str
    given_by: str


class StepRequestOut(Schema):
    id: int
    child_reference: str
    direction: str = Field(description="up or down")
    from_level: str
    to_level: str
    status: str = Field(description="waiting, agreed, refused or withdrawn")
    requested_by: str
    requesting_agency: str
    deciding_agency: str
    reason: str
    risk: str
    evidence: list[int] = Field(description="Entry ids cited (the caller may not read them all)")
    views: list[ViewOut]
    decided_by: str
    decision_reason: str
    participants: str
    discussed_on: dt.date | None
    working_days_taken: int | None
    disagree_url: str = Field(description="For a refused request: the page to disagree")


def _out(request: StepRequest) -> StepRequestOut:
    view = present_request(request)
    return StepRequestOut(
        id=request.pk,
        child_reference=request.person.reference,
        direction=request.direction,
        from_level=request.from_level,
        to_level=request.to_level,
        status=request.status,
        requested_by=view.requested_by,
        requesting_agency=view.requesting_agency,
        deciding_agency=view.deciding_agency,
        reason=request.reason,
        risk=request.risk,
        evidence=list(request.evidence.values_list("entry_id", flat=True)),
        views=[
            ViewOut(
                agency=v.agency.name,
                view=v.view,
                comment=v.comment,
                given_by=v.given_by.display_name,
            )
            for v in selectors.views_of(request)
        ],
        decided_by=view.decided_by,
        decision_reason=request.decision_reason,
        participants=request.participants,
        discussed_on=request.discussed_on,
        working_days_taken=request.working_days_taken,
        disagree_url=services.disagree_url(request) if request.status == "refused" else "",
    )


class StepIn(Schema):
    from_level: str = ""
    to_level: str = ""
    deciding_agency: int | None = None
    reason: str = ""
    risk: str = ""
    evidence: list[int] = Field(default_factory=list, description="Entry ids of the child's story")


class ViewIn(Schema):
    view: str = Field("", description="supports, opposes or unsure")
    comment: str = ""


class DecideIn(Schema):
    decision: str = Field("", description="agreed or refused")
    reason: str = ""
    participants: str = ""
    discussed_on: dt.date | None = None
    open_items_seen: bool = Field(
        False, description="Required true to agree a step down while something is still open"
    )


class ReasonIn(Schema):
    reason: str = ""


def _get(request: HttpRequest, request_id: int) -> StepRequest:
    return selectors.step_request_get_for(viewer=request.user, request_id=request_id)


@router.get(
    "/children/{reference}/step-requests",
    response=list[StepRequestOut],
    url_name="step_requests_of_child",
    summary="A child's step up and step down requests",
)
def child_requests(request: HttpRequest, reference: str) -> list[StepRequestOut]:
    child = story.child_get_for(viewer=request.user, reference=reference)
    rows = selectors.step_requests_for_child(viewer=request.user, person=child.person)
    audit_page(
        request, AuditAction.STEP_REQUEST_VIEWED, object_type="person",
        object_id=child.person.reference, person=child.person, via="api", list=len(rows),
    )  # fmt: skip
    return [_out(r) for r in rows]


@router.post(
    "/children/{reference}/step-requests",
    response={201: StepRequestOut},
    url_name="step_requests_make",
    summary="Ask another agency to step a child up or down",
)
def make_request(request: HttpRequest, reference: str, payload: StepIn) -> Status[StepRequestOut]:
    child = story.child_get_for(viewer=request.user, reference=reference)
    made = services.step_request_make(
        actor=request.user,
        person=child.person,
        fields=services.StepFields(
            from_level=payload.from_level,
            to_level=payload.to_level,
            deciding_agency_id=payload.deciding_agency,
            reason=payload.reason,
            risk=payload.risk,
            evidence=payload.evidence,
        ),
    )
    return Status(201, _out(_get(request, made.pk)))


@router.get(
    "/step-requests/{request_id}",
    response=StepRequestOut,
    url_name="step_request",
    summary="A step request",
)
def step_request(request: HttpRequest, request_id: int) -> StepRequestOut:
    found = _get(request, request_id)
    audit_page(
        request, AuditAction.STEP_REQUEST_VIEWED, object_type="step_request", object_id=found.pk,
        person=found.person, via="api",
    )  # fmt: skip
    return _out(found)


@router.post(
    "/step-requests/{request_id}/view",
    response=StepRequestOut,
    url_name="step_request_view",
    summary="Give your agency's view",
)
def give_view(request: HttpRequest, request_id: int, payload: ViewIn) -> StepRequestOut:
    found = _get(request, request_id)
    services.step_view_give(
        actor=request.user, request=found, view=payload.view, comment=payload.comment
    )
    return _out(_get(request, request_id))


@router.post(
    "/step-requests/{request_id}/decide",
    url_name="step_request_decide",
    response=StepRequestOut,
    summary="Decide (the agency asked)",
)
def decide(request: HttpRequest, request_id: int, payload: DecideIn) -> StepRequestOut:
    found = _get(request, request_id)
    services.step_decide(
        actor=request.user,
        request=found,
        fields=services.DecisionFields(
            decision=payload.decision,
            reason=payload.reason,
            participants=payload.participants,
            discussed_on=payload.discussed_on,
            open_items_seen=payload.open_items_seen,
        ),
    )
    return _out(_get(request, request_id))


@router.post(
    "/step-requests/{request_id}/withdraw",
    url_name="step_request_withdraw",
    response=StepRequestOut,
    summary="Withdraw (the agency that asked)",
)
def withdraw(request: HttpRequest, request_id: int, payload: ReasonIn) -> StepRequestOut:
    found = _get(request, request_id)
    services.step_withdraw(actor=request.user, request=found, reason=payload.reason)
    return _out(_get(request, request_id))
