"""Step up and step down pages: ask for one about a child, follow it (the evidence, each
agency's view, what is still open), give your agency's view, decide, withdraw. A refused step up
offers the requester a one-click disagreement (the escalations app's page, by URL name)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sightline.cases.pages import audit_page, child_of, error_list, identity_for
from sightline.chronology import selectors as story
from sightline.chronology.presenters import EntryView, present_entry
from sightline.core import clock
from sightline.core.errors import AccessDenied, InvalidTransition, ValidationFailed
from sightline.decisions import selectors, services
from sightline.decisions.levels import levels_on
from sightline.decisions.models import AgencyView, StepRequest
from sightline.decisions.presenters import present_request
from sightline.governance import access
from sightline.governance.audit import AuditAction
from sightline.governance.policy import Capability

NEW_ORDER = ("from_level", "to_level", "deciding_agency", "reason", "risk", "evidence")
ACTION_ORDER = (
    "view",
    "comment",
    "decision",
    "reason",
    "participants",
    "discussed_on",
    "open_items_seen",
)
_NUMBER = re.compile(r"[0-9]{1,18}")
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def _int(value: Any) -> int | None:
    text = value.strip() if isinstance(value, str) else ""
    return int(text) if _NUMBER.fullmatch(text) else None


@require_http_methods(["GET", "POST"])
def new(request: HttpRequest, reference: str) -> HttpResponse:
    child = story.child_get_for(viewer=request.user, reference=reference)
    if child.was_merged:
        return HttpResponseRedirect(reverse("decisions:new", args=[child.person.reference]))
    access.require(request.user, Capability.RECORD_ENTRIES)
    person = child.person
    levels = levels_on(clock.today())
    direction = request.GET.get("direction", "")
    values = {"from_level": "", "to_level": "", "deciding_agency": "", "reason": "", "risk": ""}
    evidence: list[str] = []
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = {k: str(request.POST.get(k, ""))[:20000] for k in values}
        evidence = [str(v)[:20] for v in request.POST.getlist("evidence")][:100]
        ids = [_int(v) for v in evidence]
        try:
            made = services.step_request_make(
                actor=request.user,
                person=person,
                fields=services.StepFields(
                    from_level=values["from_level"],
                    to_level=values["to_level"],
                    deciding_agency_id=_int(values["deciding_agency"]),
                    reason=values["reason"],
                    risk=values["risk"],
                    evidence=[i for i in ids if i is not None] + ([-1] if None in ids else []),
                ),
            )
        except ValidationFailed as exc:
            errors, status = exc.errors, 400
        else:
            messages.success(
                request,
                f"{made.get_direction_display()} request sent to {made.deciding_agency.name}.",
            )
            return HttpResponseRedirect(reverse("decisions:request", args=[made.pk]))
    audit_page(
        request, AuditAction.PERSON_VIEWED, object_type="person", object_id=person.reference,
        person=person, page="step_request_new",
    )  # fmt: skip
    scope = child.scope
    choices = [
        present_entry(e, viewer_agency_id=scope.agency_id)
        for e in selectors.evidence_choices_for(viewer=request.user, child=child)
    ]
    return render(
        request,
        "decisions/new.html",
        {
            "person": person,
            "identity": identity_for(request, child),
            "levels": levels.levels,
            "direction": direction if direction in ("up", "down") else "",
            "agencies": selectors.deciding_agencies_for(viewer=request.user),
            "choices": choices,
            "evidence": set(evidence),
            "values": values,
            "errors": errors,
            "error_list": error_list(errors, NEW_ORDER, {"evidence": "evidence"}),
        },
        status=status,
    )


def _detail(
    request: HttpRequest,
    step: StepRequest,
    *,
    form: str = "",
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    child = child_of(request, step.person)
    scope = access.scope_for(request.user)
    view = present_request(step)
    waiting = step.status == StepRequest.Status.WAITING
    can_record = scope.can(Capability.RECORD_ENTRIES)
    evidence: list[EntryView | None] = []
    for row in selectors.evidence_of(viewer=request.user, child=child, request=step):
        if isinstance(row, int):
            evidence.append(None)
        else:
            evidence.append(present_entry(row.entry, viewer_agency_id=scope.agency_id))
    open_items = (
        services.open_items_of(request.user, step) if step.direction == "down" and waiting else []
    )
    audit_page(
        request, AuditAction.STEP_REQUEST_VIEWED, object_type="step_request", object_id=step.pk,
        person=step.person,
    )  # fmt: skip
    errors = errors or {}
    disagree = ""
    if step.status == StepRequest.Status.REFUSED and scope.agency_id != step.deciding_agency_id:
        disagree = services.disagree_url(step)
    return render(
        request,
        "decisions/request.html",
        {
            "person": step.person,
            "identity": identity_for(request, child),
            "r": view,
            "evidence": evidence,
            "agency_views": selectors.views_of(step),
            "open_items": open_items,
            "recorded_open_items": step.open_items,
            "can_view": waiting and can_record and scope.agency_id != step.deciding_agency_id,
            "can_decide": waiting and can_record and scope.agency_id == step.deciding_agency_id,
            "can_withdraw": waiting and can_record and scope.agency_id == step.requesting_agency_id,
            "view_choices": AgencyView.View.choices,
            "disagree_url": disagree,
            "is_requester": scope.agency_id == step.requesting_agency_id,
            "form": form,
            "values": values or {},
            "errors": errors,
            "error_list": error_list(
                errors, ACTION_ORDER, {"reason": "withdraw-reason"} if form == "withdraw" else {}
            ),
            "refusal": refusal,
            "flash": list(messages.get_messages(request)),
        },
        status=status,
    )


@require_GET
def request_page(request: HttpRequest, request_id: int) -> HttpResponse:
    step = selectors.step_request_get_for(viewer=request.user, request_id=request_id)
    return _detail(request, step)


def _date(text: str) -> tuple[dt.date | None, bool]:
    """(the date, whether it could be read); blank is (None, True)."""
    text = text.strip()
    if not text:
        return None, True
    match = _DATE.match(text)
    if not match:
        return None, False
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3])), True
    except ValueError:
        return None, False


def _act(request: HttpRequest, request_id: int, form: str) -> HttpResponse:
    step = selectors.step_request_get_for(viewer=request.user, request_id=request_id)
    keys = ("view", "comment", "decision", "reason", "participants", "discussed_on")
    values = {k: str(request.POST.get(k, ""))[:20000] for k in keys}
    try:
        if form == "view":
            services.step_view_give(
                actor=request.user, request=step, view=values["view"], comment=values["comment"]
            )
            done = "Your agency's view is recorded."
        elif form == "decide":
            discussed, readable = _date(values["discussed_on"])
            if not readable:
                raise ValidationFailed(
                    "Check the decision",
                    errors={
                        "discussed_on": "The date it was discussed must be a real date, like 2027-03-14"
                    },
                )
            decided = services.step_decide(
                actor=request.user,
                request=step,
                fields=services.DecisionFields(
                    decision=values["decision"],
                    reason=values["reason"],
                    participants=values["participants"],
                    discussed_on=discussed,
                    open_items_seen=request.POST.get("open_items_seen") == "yes",
                ),
            )
            done = (
                f"Decision recorded: {decided.get_status_display().lower()}. The requester is told."
            )
        else:
            services.step_withdraw(actor=request.user, request=step, reason=values["reason"])
            done = "The request is withdrawn."
    except ValidationFailed as exc:
        return _detail(request, step, form=form, values=values, errors=exc.errors, status=400)
    except (InvalidTransition, AccessDenied) as exc:
        step.refresh_from_db()
        return _detail(request, step, form=form, values=values, refusal=exc.message, status=409)
    messages.success(request, done)
    return HttpResponseRedirect(reverse("decisions:request", args=[step.pk]))


@require_POST
def give_view(request: HttpRequest, request_id: int) -> HttpResponse:
    return _act(request, request_id, "view")


@require_POST
def decide(request: HttpRequest, request_id: int) -> HttpResponse:
    return _act(request, request_id, "decide")


@require_POST
def withdraw(request: HttpRequest, request_id: int) -> HttpResponse:
    return _act(request, request_id, "withdraw")
