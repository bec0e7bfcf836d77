"""Closure pages: propose to close your agency's involvement with a child, follow a proposal
(its window, what remains open, each agency's answer), object or agree, withdraw."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sightline.cases import closures
from sightline.cases.models import ClosureProposal, ClosureResponse
from sightline.cases.pages import audit_page, child_of, error_list, identity_for
from sightline.cases.presenters import present_closure
from sightline.cases.selectors import closure_get_for, responses_of
from sightline.chronology import selectors as story
from sightline.chronology.presenters import present_entry
from sightline.core import clock
from sightline.core.errors import AccessDenied, InvalidTransition, ValidationFailed
from sightline.core.extensions import open_items_for
from sightline.governance import access
from sightline.governance.audit import AuditAction
from sightline.governance.policy import Capability

NEW_ORDER = (
    "reason",
    "reason_text",
    "discussion",
    "discussion_held_on",
    "discussion_participants",
    "discussion_summary",
    "remaining_risks",
    "next_step",
    "next_step_detail",
)
_NUMBER = re.compile(r"[0-9]{1,18}")
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
FIELDS = (
    "reason",
    "reason_text",
    "remaining_risks",
    "next_step",
    "next_step_detail",
    "discussion",
    "discussion_held_on",
    "discussion_participants",
    "discussion_summary",
)


def _date(text: str) -> dt.date | None:
    match = _DATE.match(text.strip())
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def read_closure_form(values: dict[str, str]) -> tuple[closures.ClosureFields, dict[str, str]]:
    """The service's fields from the form, and the errors only the form can find (a date that
    cannot be read)."""
    errors: dict[str, str] = {}
    choice = values["discussion"]
    entry_id = int(choice) if _NUMBER.fullmatch(choice) else None
    discussion = None
    if choice == "new":
        held = _date(values["discussion_held_on"])
        if held is None and values["discussion_held_on"].strip():
            errors["discussion_held_on"] = "The date must be a real date, like 2027-03-14"
        discussion = closures.Discussion(
            held_on=held,
            participants=values["discussion_participants"],
            summary=values["discussion_summary"],
        )
    return (
        closures.ClosureFields(
            reason=values["reason"],
            reason_text=values["reason_text"],
            remaining_risks=values["remaining_risks"],
            next_step=values["next_step"],
            next_step_detail=values["next_step_detail"],
            discussion_entry_id=entry_id,
            discussion=discussion,
        ),
        errors,
    )


@require_http_methods(["GET", "POST"])
def closure_new(request: HttpRequest, reference: str) -> HttpResponse:
    child = story.child_get_for(viewer=request.user, reference=reference)
    if child.was_merged:
        return HttpResponseRedirect(reverse("cases:closure_new", args=[child.person.reference]))
    access.require(request.user, Capability.RECORD_ENTRIES)
    person = child.person
    involvement = closures.involvement_to_close(request.user, person)
    values = dict.fromkeys(FIELDS, "")
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST" and involvement is not None:
        values = {k: str(request.POST.get(k, ""))[:20000] for k in FIELDS}
        fields, errors = read_closure_form(values)
        try:
            if errors:
                raise ValidationFailed("Check the proposal", errors=errors)
            proposal = closures.closure_propose(actor=request.user, person=person, fields=fields)
        except ValidationFailed as exc:
            errors, status = {**exc.errors, **errors}, 400
        except InvalidTransition as exc:
            errors, status = {"reason": exc.message}, 409
        else:
            messages.success(
                request,
                "Closure proposed. The other agencies are told; if none objects by the end of "
                f"{closures.long_date(proposal.window_ends_on)}, your involvement ends.",
            )
            return HttpResponseRedirect(reverse("cases:closure", args=[proposal.pk]))
    audit_page(
        request, AuditAction.PERSON_VIEWED, object_type="person", object_id=person.reference,
        person=person, page="closure_new",
    )  # fmt: skip
    scope = child.scope
    return render(
        request,
        "cases/closure_new.html",
        {
            "person": person,
            "identity": identity_for(request, child),
            "involvement": involvement,
            "open_items": open_items_for(request.user, person),
            "discussions": [
                present_entry(e, viewer_agency_id=scope.agency_id)
                for e in (closures.discussions_for(request.user, person) if involvement else [])
            ],
            "reasons": ClosureProposal.Reason.choices,
            "next_steps": ClosureProposal.NextStep.choices,
            "others": [a for a in closures.agencies_knowing(person.pk) if a.pk != scope.agency_id],
            "values": values,
            "errors": errors,
            "error_list": error_list(
                errors,
                NEW_ORDER,
                {"discussion": "discussion", "reason": "reason"},
            ),
            "today": clock.today().isoformat(),
        },
        status=status,
    )


def _detail(
    request: HttpRequest,
    proposal: ClosureProposal,
    *,
    form: str = "",
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    child = child_of(request, proposal.person)
    scope = access.scope_for(request.user)
    responses = responses_of(proposal)
    answered = {r.agency_id for r in responses}
    live = proposal.status in (ClosureProposal.Status.PROPOSED, ClosureProposal.Status.BLOCKED)
    can_record = scope.can(Capability.RECORD_ENTRIES)
    window = closures.window_open(proposal)
    audit_page(
        request, AuditAction.CLOSURE_VIEWED, object_type="closure_proposal", object_id=proposal.pk,
        person=proposal.person,
    )  # fmt: skip
    errors = errors or {}
    return render(
        request,
        "cases/closure.html",
        {
            "person": proposal.person,
            "identity": identity_for(request, child),
            "c": present_closure(proposal),
            "responses": responses,
            "can_respond": live
            and window
            and can_record
            and scope.agency_id != proposal.agency_id
            and scope.agency_id not in answered,
            "can_agree": proposal.status == ClosureProposal.Status.PROPOSED,
            "can_withdraw": live and can_record and scope.agency_id == proposal.agency_id,
            "kinds": ClosureResponse.Kind.choices,
            "form": form,
            "values": values or {},
            "errors": errors,
            "error_list": error_list(
                errors,
                ("kind", "reason"),
                {"reason": "withdraw-reason"} if form == "withdraw" else {},
            ),
            "refusal": refusal,
            "flash": list(messages.get_messages(request)),
        },
        status=status,
    )


@require_GET
def closure(request: HttpRequest, closure_id: int) -> HttpResponse:
    proposal = closure_get_for(viewer=request.user, closure_id=closure_id)
    return _detail(request, proposal)


def _act(request: HttpRequest, closure_id: int, form: str) -> HttpResponse:
    proposal = closure_get_for(viewer=request.user, closure_id=closure_id)
    values = {k: str(request.POST.get(k, ""))[:20000] for k in ("kind", "reason")}
    try:
        if form == "respond":
            response = closures.closure_respond(
                actor=request.user, proposal=proposal, kind=values["kind"], reason=values["reason"]
            )
            done = (
                "Your objection is recorded. The closure is blocked and a professional "
                "disagreement is opened with the agency that proposed it."
                if response.kind == ClosureResponse.Kind.OBJECTION
                else "Recorded: your agency does not object."
            )
        else:
            closures.closure_withdraw(
                actor=request.user, proposal=proposal, reason=values["reason"]
            )
            done = "The proposal is withdrawn: the involvement stays open."
    except ValidationFailed as exc:
        return _detail(request, proposal, form=form, values=values, errors=exc.errors, status=400)
    except (InvalidTransition, AccessDenied) as exc:
        proposal.refresh_from_db()
        return _detail(request, proposal, form=form, values=values, refusal=exc.message, status=409)
    messages.success(request, done)
    return HttpResponseRedirect(reverse("cases:closure", args=[proposal.pk]))


@require_POST
def closure_respond(request: HttpRequest, closure_id: int) -> HttpResponse:
    return _act(request, closure_id, "respond")


@require_POST
def closure_withdraw(request: HttpRequest, closure_id: int) -> HttpResponse:
    return _act(request, closure_id, "withdraw")
