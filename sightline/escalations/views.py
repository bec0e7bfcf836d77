"""Professional disagreement pages: raise one about a child, follow it (its stages, deadlines
and answers), answer, escalate, resolve or withdraw it, and the partnership's report on how
escalation is used.

Every page resolves the child through the access module: a disagreement about a child the
viewer may not see is "not found", as one that does not exist. Every page showing one is
audited, and every change goes through escalations.services."""

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
from sightline.core import clock
from sightline.core.errors import AccessDenied, InvalidTransition, ValidationFailed
from sightline.escalations import selectors, services, subjects
from sightline.escalations.models import Escalation
from sightline.escalations.presenters import long_date, present_escalation
from sightline.governance import access, audit
from sightline.governance.audit import AuditAction
from sightline.governance.policy import Capability

RAISE_ORDER = ("subject", "subject_label", "about_agency", "disagreement", "outcome_sought")
ACTION_ORDER = ("response", "outcome", "text", "reason", "stage")
_NUMBER = re.compile(r"[0-9]{1,18}")


def _int(value: Any) -> int | None:
    text = value.strip() if isinstance(value, str) else ""
    return int(text) if _NUMBER.fullmatch(text) else None


# --- raise ------------------------------------------------------------------------------------------


def _subject_choice(value: str) -> tuple[str, int | None]:
    parsed = subjects.parse_subject(value)
    if parsed is not None:
        return parsed
    return (value if value in subjects.UNRECORDED else "", None)


@require_http_methods(["GET", "POST"])
def new(request: HttpRequest, reference: str) -> HttpResponse:
    child = story.child_get_for(viewer=request.user, reference=reference)
    if child.was_merged:
        return HttpResponseRedirect(reverse("escalations:new", args=[child.person.reference]))
    access.require(request.user, Capability.RECORD_ENTRIES)
    person = child.person
    candidates = subjects.candidates_for(request.user, person)
    values: dict[str, str] = {
        "subject": request.GET.get("subject", "")[:60],
        "subject_label": "",
        "about_agency": "",
        "disagreement": "",
        "outcome_sought": "",
    }
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = {k: str(request.POST.get(k, ""))[:20000] for k in values}
        kind, subject_id = _subject_choice(values["subject"])
        try:
            escalation = services.escalation_raise(
                actor=request.user,
                person=person,
                fields=services.RaiseFields(
                    subject_kind=kind,
                    subject_id=subject_id,
                    subject_label=values["subject_label"],
                    about_agency_id=_int(values["about_agency"]),
                    disagreement=values["disagreement"],
                    outcome_sought=values["outcome_sought"],
                ),
            )
        except ValidationFailed as exc:
            errors = exc.errors
            status = 400
        else:
            messages.success(
                request,
                f"Disagreement raised with {escalation.about_agency.name}. They are told, and "
                f"must answer by {long_date(escalation.stage_due_on)}.",
            )
            return HttpResponseRedirect(reverse("escalations:detail", args=[escalation.pk]))
    # A preselected subject the viewer cannot choose is simply not selected.
    chosen = {f"{c.kind}:{c.id}" for c in candidates} | set(subjects.UNRECORDED)
    if values["subject"] not in chosen:
        values["subject"] = ""
    audit_page(
        request, AuditAction.PERSON_VIEWED, object_type="person", object_id=person.reference,
        person=person, page="disagreement_new",
    )  # fmt: skip
    return render(
        request,
        "escalations/new.html",
        {
            "person": person,
            "identity": identity_for(request, child),
            "candidates": candidates,
            "agencies": selectors.agencies_to_disagree_with(viewer=request.user),
            "values": values,
            "errors": errors,
            "error_list": error_list(errors, RAISE_ORDER),
        },
        status=status,
    )


# --- follow and act ---------------------------------------------------------------------------------


def _detail(
    request: HttpRequest,
    escalation: Escalation,
    *,
    form: str = "",
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    child = child_of(request, escalation.person)
    scope = access.scope_for(request.user)
    side = services.side_of(scope, escalation)
    view = present_escalation(escalation, selectors.stages_of(escalation))
    current = next((s for s in view.stages if s.is_current), None)
    at_partnership = view.stage == view.last_stage
    is_open = escalation.status == Escalation.Status.OPEN
    can_record = scope.can(Capability.RECORD_ENTRIES)
    audit_page(
        request, AuditAction.DISAGREEMENT_VIEWED, object_type="escalation",
        object_id=escalation.pk, person=escalation.person,
    )  # fmt: skip
    errors = errors or {}
    return render(
        request,
        "escalations/detail.html",
        {
            "person": escalation.person,
            "identity": identity_for(request, child),
            "e": view,
            "current": current,
            "can_answer": is_open
            and can_record
            and current is not None
            and not current.answered
            and (side.responder or (side.partnership and at_partnership)),
            "can_escalate": is_open and can_record and side.raiser and view.stage < view.last_stage,
            "can_resolve": is_open
            and can_record
            and (side.raiser or (side.partnership and at_partnership)),
            "can_withdraw": is_open and can_record and side.raiser,
            # The agency whose referral decision is disagreed with may reconsider it (the
            # referral's page checks the rest: a manager, a decision that can be reconsidered).
            "reconsider_url": (
                reverse("referrals:reconsider", args=[escalation.subject_id])
                + f"?disagreement={escalation.pk}"
                if escalation.subject_kind == Escalation.Subject.REFERRAL
                and escalation.subject_id
                and side.responder
                and scope.can(Capability.DECIDE_REFERRALS)
                and escalation.status != Escalation.Status.WITHDRAWN
                else ""
            ),
            "outcomes": [(o.value, o.label) for o in services.RESOLVING],
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
def detail(request: HttpRequest, escalation_id: int) -> HttpResponse:
    escalation = selectors.escalation_get_for(viewer=request.user, escalation_id=escalation_id)
    return _detail(request, escalation)


def _act(request: HttpRequest, escalation_id: int, form: str) -> HttpResponse:
    escalation = selectors.escalation_get_for(viewer=request.user, escalation_id=escalation_id)
    values = {
        k: str(request.POST.get(k, ""))[:20000] for k in ("response", "outcome", "text", "reason")
    }
    stage = _int(request.POST.get("stage", ""))
    try:
        if form == "respond":
            services.escalation_respond(
                actor=request.user, escalation=escalation, stage=stage, response=values["response"]
            )
            done = "Your answer is recorded, and the agency that raised it is told."
        elif form == "escalate":
            new = services.escalation_escalate(
                actor=request.user, escalation=escalation, stage=stage, reason=values["reason"]
            )
            done = (
                f"Escalated to stage {new.number} ({new.title}). An answer is due by "
                f"{long_date(new.due_on)}."
            )
        elif form == "resolve":
            services.escalation_resolve(
                actor=request.user,
                escalation=escalation,
                stage=stage,
                outcome=values["outcome"],
                text=values["text"],
            )
            done = "The outcome is recorded, and both agencies are told."
        else:
            services.escalation_withdraw(
                actor=request.user, escalation=escalation, stage=stage, reason=values["reason"]
            )
            done = "The disagreement is withdrawn."
    except ValidationFailed as exc:
        return _detail(request, escalation, form=form, values=values, errors=exc.errors, status=400)
    except (InvalidTransition, AccessDenied) as exc:
        escalation.refresh_from_db()
        return _detail(
            request, escalation, form=form, values=values, refusal=exc.message, status=409
        )
    messages.success(request, done)
    return HttpResponseRedirect(reverse("escalations:detail", args=[escalation.pk]))


@require_POST
def respond(request: HttpRequest, escalation_id: int) -> HttpResponse:
    return _act(request, escalation_id, "respond")


@require_POST
def escalate(request: HttpRequest, escalation_id: int) -> HttpResponse:
    return _act(request, escalation_id, "escalate")


@require_POST
def resolve(request: HttpRequest, escalation_id: int) -> HttpResponse:
    return _act(request, escalation_id, "resolve")


@require_POST
def withdraw(request: HttpRequest, escalation_id: int) -> HttpResponse:
    return _act(request, escalation_id, "withdraw")


# --- the partnership's report ------------------------------------------------------------------------

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _date(text: str) -> dt.date | None:
    match = _DATE.match(text.strip())
    if not match:
        return None
    try:
        day = dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return day if dt.date(2000, 1, 1) <= day <= dt.date(2099, 12, 31) else None


def report_period(query: Any) -> tuple[dt.date, dt.date, dict[str, str]]:
    """The report's period from the query (`from`, `to`: YYYY-MM-DD); the last 12 months by
    default. Errors name the field."""
    today = clock.today()
    errors: dict[str, str] = {}
    start = today - dt.timedelta(days=364)
    end = today
    raw_from = str(query.get("from", "") or "")[:40]
    raw_to = str(query.get("to", "") or "")[:40]
    if raw_from:
        parsed = _date(raw_from)
        if parsed is None:
            errors["from"] = "Date from must be a real date, like 2027-04-01"
        else:
            start = parsed
    if raw_to:
        parsed = _date(raw_to)
        if parsed is None:
            errors["to"] = "Date to must be a real date, like 2028-03-31"
        else:
            end = parsed
    if not errors and end < start:
        errors["to"] = "Date to must be the same as or after date from"
    return start, end, errors


@require_GET
def report(request: HttpRequest) -> HttpResponse:
    access.require(request.user, Capability.VIEW_INSIGHT)
    start, end, errors = report_period(request.GET)
    found = None if errors else selectors.escalation_report_for(
        viewer=request.user, date_from=start, date_to=end
    )  # fmt: skip
    audit.record(
        request.user,
        AuditAction.DISAGREEMENT_REPORT_VIEWED,
        object_type="escalation_report",
        detail={"from": start.isoformat(), "to": end.isoformat(), "refused": bool(errors)},
    )
    return render(
        request,
        "escalations/report.html",
        {
            "report": found,
            "date_from": str(request.GET.get("from", start.isoformat()))[:40],
            "date_to": str(request.GET.get("to", end.isoformat()))[:40],
            "period": f"{long_date(start)} to {long_date(end)}",
            "errors": errors,
            "error_list": error_list(errors, ("from", "to")),
            "active_nav": "disagreement_report",
        },
        status=400 if errors else 200,
    )
