"""The lock-down view (whom to contact about a child outside the viewer's relationships) and
break-glass (opening that child, for a stated reason, for a time). cases.lockdown has the rules."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sightline.cases import lockdown
from sightline.cases.pages import error_list
from sightline.core.errors import AccessDenied, ValidationFailed
from sightline.governance import access, breakglass
from sightline.governance.policy import Capability
from sightline.governance.vocabulary import break_glass_reasons

FORM_ORDER = ("reason", "reason_text")


def _child_page(reference: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("chronology:child", args=[reference]), status=303)


@never_cache
@require_GET
def lockdown_page(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        person = lockdown.lockdown_person_for(viewer=request.user, reference=reference)
    except lockdown.AlreadyVisible as visible:
        return _child_page(str(visible))
    summary = lockdown.lockdown_summary_for(viewer=request.user, person=person)
    return render(
        request,
        "cases/lockdown.html",
        {"active_nav": "search", "summary": summary, "duration": breakglass.duration_text()},
    )


def _form(
    request: HttpRequest,
    summary: lockdown.LockdownSummary,
    values: dict[str, str],
    errors: dict[str, str],
) -> HttpResponse:
    context: dict[str, Any] = {
        "active_nav": "search",
        "summary": summary,
        "values": values,
        "errors": errors,
        "error_list": error_list(errors, FORM_ORDER),
        "reasons": list(break_glass_reasons().items()),
        "duration": breakglass.duration_text(),
    }
    return render(request, "cases/break_glass_new.html", context, status=400 if errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
def break_glass_new(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        person = lockdown.lockdown_person_for(viewer=request.user, reference=reference)
    except lockdown.AlreadyVisible as visible:
        return _child_page(str(visible))
    if not access.scope_for(request.user).can(Capability.BREAK_GLASS):
        raise AccessDenied("Your role cannot open a child's record outside your relationships.")
    summary = lockdown.lockdown_summary_for(viewer=request.user, person=person)
    values = {"reason": "", "reason_text": ""}
    if request.method == "POST":
        values = {k: str(request.POST.get(k, "")) for k in FORM_ORDER}
        try:
            lockdown.break_glass_open_for(
                actor=request.user,
                person=person,
                reason=values["reason"],
                reason_text=values["reason_text"],
            )
        except ValidationFailed as exc:
            return _form(request, summary, values, exc.errors)
        return _child_page(person.reference)
    return _form(request, summary, values, {})


@require_POST
def break_glass_end(request: HttpRequest, access_id: int) -> HttpResponse:
    row = breakglass.break_glass_end(actor=request.user, access_id=access_id)
    messages.success(
        request,
        f"Your break-glass access to {row.person.reference} has ended. You can no longer see "
        "that child's record.",
    )
    return HttpResponseRedirect(reverse("ui:home"), status=303)
