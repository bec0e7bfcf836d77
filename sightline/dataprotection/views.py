"""The subject access pages, for `handle_subject_access` only (403 otherwise): the requests
with their deadlines, opening one, and one request (export, the three files, sign-off). They
show no case content on screen; the files are the pack, and every look at a request or one of
its files is audited."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from sightline.core import clock
from sightline.core.dateinput import read_date
from sightline.core.errors import NotFound
from sightline.dataprotection import services
from sightline.dataprotection.subject_access import file_name
from sightline.governance import access, audit
from sightline.governance.audit import AuditAction
from sightline.governance.models import LegalHold, RetentionRun, SubjectAccessRequest
from sightline.governance.policy import Capability

TEXT_MAX = 40
_CONTENT_TYPES = {"pdf": "application/pdf", "json": "application/json", "withheld_log": "text/csv"}
_FIELDS = {"pdf": "pack_pdf", "json": "pack_json", "withheld_log": "withheld_log"}


def _require(request: HttpRequest) -> None:
    access.require(request.user, Capability.HANDLE_SUBJECT_ACCESS)


def _summary(errors: dict[str, str]) -> list[dict[str, str]]:
    return [{"text": message, "href": f"#{field}"} for field, message in errors.items()]


def _get(pk: int) -> SubjectAccessRequest:
    sar = SubjectAccessRequest.objects.select_related("person").filter(pk=pk).first()
    if sar is None:
        raise Http404("No such request.")
    return sar


def _row(sar: SubjectAccessRequest, today: Any) -> dict[str, Any]:
    return {
        "reference": sar.reference,
        "person": sar.person.reference,
        "received": f"{sar.received_on:%-d %B %Y}",
        "due": f"{sar.due_on:%-d %B %Y}",
        "overdue": sar.status != SubjectAccessRequest.Status.SIGNED_OFF and sar.due_on < today,
        "status": sar.get_status_display(),
        "href": reverse("dataprotection:request", args=[sar.pk]),
    }


@never_cache
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    _require(request)
    today = clock.today()
    rows = [_row(s, today) for s in SubjectAccessRequest.objects.select_related("person")[:500]]
    return render(
        request, "dataprotection/list.html", {"active_nav": "subject_access", "rows": rows}
    )


@never_cache
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    _require(request)
    errors: dict[str, str] = {}
    values = {"person": "", "reference": ""}
    dates: dict[str, dict[str, str]] = {"requested": {}, "received": {}}
    if request.method == "POST":
        values = {k: str(request.POST.get(k, "")).strip()[:TEXT_MAX] for k in values}
        if not values["person"]:
            errors["person"] = "Enter the person's Sightline reference"
        if not values["reference"]:
            errors["reference"] = "Enter the request's reference"
        read = {}
        for prefix, label in (("requested", "Date requested"), ("received", "Date received")):
            data = {k: str(v)[:TEXT_MAX] for k, v in request.POST.items() if k.startswith(prefix)}
            result = read_date(data, prefix, label, required=True)
            dates[prefix] = result.raw
            if result.error is not None:
                errors[result.error.field] = result.error.message
            read[prefix] = result.value
        if not errors and read["requested"] and read["received"]:
            try:
                sar = services.subject_access_open(
                    actor=request.user,
                    person_reference=values["person"],
                    reference=values["reference"],
                    requested_on=read["requested"],
                    received_on=read["received"],
                )
            except NotFound:
                errors["person"] = "No person has that Sightline reference"
            except services.SubjectAccessError as exc:
                field = "reference" if "reference" in str(exc) else "received-day"
                errors[field] = str(exc)
            else:
                return HttpResponseRedirect(
                    reverse("dataprotection:request", args=[sar.pk]), status=303
                )
    context = {
        "active_nav": "subject_access",
        "values": values,
        "dates": dates,
        "errors": errors,
        "error_list": _summary(errors),
        "page_has_errors": bool(errors),
    }
    return render(request, "dataprotection/new.html", context, status=400 if errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
def request_detail(request: HttpRequest, sar_id: int) -> HttpResponse:
    _require(request)
    sar = _get(sar_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "export":
                services.subject_access_export(actor=request.user, sar=sar)
            elif action == "sign_off":
                services.subject_access_sign_off(actor=request.user, sar=sar)
            else:
                errors["action"] = "Choose export or sign off"
        except services.SubjectAccessError as exc:
            errors["action"] = str(exc)
        if not errors:
            return HttpResponseRedirect(
                reverse("dataprotection:request", args=[sar.pk]), status=303
            )
        sar = _get(sar_id)
    else:
        audit.record(
            request.user,
            AuditAction.SUBJECT_ACCESS_VIEWED,
            object_type="subject_access_request",
            object_id=sar.pk,
            person_id=sar.person_id,
            purpose=f"subject access request {sar.reference}",
        )
    files = []
    if sar.status != SubjectAccessRequest.Status.IN_PROGRESS:
        files = [
            {
                "text": text,
                "href": reverse("dataprotection:file", args=[sar.pk, kind]),
                "digest": sar.digests.get(kind, ""),
            }
            for kind, text in (
                ("pdf", "The pack (PDF), for the requester"),
                ("json", "The pack (JSON), for the requester"),
                ("withheld_log", "The withheld log (CSV), for you only: never send it"),
            )
        ]
    context = {
        "active_nav": "subject_access",
        "sar": _row(sar, clock.today()),
        "status": sar.status,
        "exported": f"{sar.exported_at:%-d %B %Y at %H:%M}" if sar.exported_at else "",
        "signed_off": (
            f"{sar.signed_off_at:%-d %B %Y at %H:%M} by {sar.signed_off_by.get_username()}"
            if sar.signed_off_at and sar.signed_off_by
            else ""
        ),
        "files": files,
        "errors": errors,
        "error_list": _summary(errors),
        "page_has_errors": bool(errors),
    }
    return render(request, "dataprotection/request.html", context, status=400 if errors else 200)


@never_cache
@require_GET
def request_file(request: HttpRequest, sar_id: int, kind: str) -> HttpResponse:
    _require(request)
    sar = _get(sar_id)
    if kind not in _FIELDS or sar.status == SubjectAccessRequest.Status.IN_PROGRESS:
        raise Http404("No such file.")
    audit.record(
        request.user,
        AuditAction.SUBJECT_ACCESS_VIEWED,
        object_type="subject_access_request",
        object_id=sar.pk,
        person_id=sar.person_id,
        purpose=f"subject access request {sar.reference}",
        detail={"file": kind},
    )
    name = file_name(sar.reference, kind)
    response = HttpResponse(bytes(getattr(sar, _FIELDS[kind])), content_type=_CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@never_cache
@require_GET
def retention_overview(request: HttpRequest) -> HttpResponse:
    """The deletion runs and the holds in place: read only (the steps are `sightline
    retention`, so that each is a deliberate command by a named person)."""
    _require(request)
    runs = [
        {
            "number": run.pk,
            "status": run.get_status_display(),
            "planned": f"{run.planned_at:%-d %B %Y} by {run.planned_by_name}",
            "approved": (
                f"{run.approved_at:%-d %B %Y} by {run.approved_by.get_username()}"
                if run.approved_at and run.approved_by
                else ""
            ),
            "people": len(run.plan),
            "deleted": len(run.deleted) if run.status == RetentionRun.Status.EXECUTED else None,
            "version": run.rules_version,
        }
        for run in RetentionRun.objects.select_related("approved_by")[:100]
    ]
    holds = [
        {
            "number": hold.pk,
            "person": hold.person.reference,
            "placed": f"{hold.placed_at:%-d %B %Y} by {hold.placed_by_name}",
            "reason": hold.reason,
        }
        for hold in LegalHold.objects.filter(lifted_at__isnull=True).select_related("person")[:500]
    ]
    audit.record(
        request.user,
        AuditAction.SUBJECT_ACCESS_VIEWED,
        object_type="retention_overview",
        purpose="retention: runs and holds",
    )
    return render(
        request,
        "dataprotection/retention.html",
        {"active_nav": "subject_access", "runs": runs, "holds": holds},
    )
