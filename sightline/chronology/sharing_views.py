"""Recording a sharing decision about a child (governance.sharing), from the child's page or
from one of the viewer's agency's own entries: what, with whom, why and the lawful basis, or
the reason for not sharing. Every decision is recorded, whether or not anything was shared."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from sightline.agencies.models import Agency
from sightline.chronology import selectors
from sightline.chronology.views import _audit_entry_page, _identity, _present_readable
from sightline.core.errors import AccessDenied, NotFound, ValidationFailed
from sightline.core.extensions import Panel
from sightline.governance import access, sharing
from sightline.governance.models import SharingDecision
from sightline.governance.policy import Capability

_FIELDS = (
    "outcome",
    "what",
    "recipient_agency",
    "recipient_other",
    "purpose",
    "lawful_basis",
    "reason_not_shared",
    "reason_text",
)


def _entry_id(request: HttpRequest) -> int | None:
    raw = str(request.GET.get("entry") or request.POST.get("entry") or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise NotFound("No entry found in this child's story with that number.")
    return int(raw)


def _agency_id(raw: str, errors: dict[str, str]) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 18:
        errors["recipient_agency"] = "Select an agency from the list"
        return None
    return int(raw)


@require_http_methods(["GET", "POST"])
def sharing_new(request: HttpRequest, reference: str) -> HttpResponse:
    found = selectors.child_get_for(viewer=request.user, reference=reference)
    scope = access.require(request.user, Capability.RECORD_ENTRIES)
    entry_id = _entry_id(request)
    row = (
        selectors.entry_get_for(viewer=request.user, child=found, entry_id=entry_id)
        if entry_id is not None
        else None
    )
    if row is not None and row.entry.agency_id != scope.agency_id:
        # Read, but not theirs to share: say whose it is, as the service would.
        raise AccessDenied(
            "Only the agency that recorded this entry can decide to share it. "
            f"Ask {row.entry.agency.name}."
        )
    values = {name: str(request.POST.get(name) or "") for name in _FIELDS}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        agency_id = _agency_id(values["recipient_agency"], errors)
        fields = sharing.SharingFields(
            outcome=values["outcome"],
            what=values["what"],
            recipient_agency_id=agency_id,
            recipient_other=values["recipient_other"],
            purpose=values["purpose"],
            lawful_basis=values["lawful_basis"],
            reason_not_shared=values["reason_not_shared"],
            reason_text=values["reason_text"],
        )
        entry = (
            sharing.SharedEntry(
                lineage=row.entry.lineage or row.entry.pk,
                agency_id=row.entry.agency_id,
                summary=row.entry.summary[:2000],
            )
            if row is not None
            else None
        )
        if not errors:
            try:
                sharing.sharing_decision_record(
                    actor=request.user, person_id=found.person.pk, fields=fields, entry=entry
                )
            except ValidationFailed as exc:
                errors = dict(exc.errors)
            else:
                messages.success(request, "Sharing decision recorded.")
                return HttpResponseRedirect(
                    reverse("chronology:child", args=[found.person.reference]) + "#sharing"
                )
        status = 400
    if row is not None:
        _audit_entry_page(request, found, row.entry.pk, "sharing_new", method=request.method)
    return render(
        request,
        "chronology/sharing_form.html",
        _context(request, found, row, values, errors),
        status=status,
    )


def _context(
    request: HttpRequest,
    found: selectors.Child,
    row: selectors.StoryRow | None,
    values: dict[str, str],
    errors: dict[str, str],
) -> dict[str, Any]:
    order = [f for f in _FIELDS if f in errors]
    return {
        "person": found.person,
        "identity": _identity(request, found),
        "entry": _present_readable(row, found.scope) if row is not None else None,
        "values": values,
        "errors": errors,
        "error_list": [{"text": errors[f], "href": f"#{f}"} for f in order],
        "agencies": [
            {"value": str(pk), "text": name}
            for pk, name in Agency.objects.order_by("name").values_list("pk", "name")
        ],
        "outcomes": SharingDecision.Outcome.choices,
        "lawful_bases": sharing.lawful_bases(),
        "reasons_not_shared": sharing.reasons_not_shared(),
    }


# --- the child's page ---------------------------------------------------------------------------


def _long_date(value: Any) -> str:
    from sightline.chronology.presenters import long_datetime

    return long_datetime(value)


def sharing_panel(viewer: Any, person: Any) -> Panel | None:
    """The sharing decisions about the child that the viewer may see (governance.sharing: their
    agency's, those shared with their agency, all for the partnership-wide roles), with the way
    to record one."""
    decisions = sharing.sharing_decisions_for(viewer=viewer, person_id=person.pk)
    scope = access.scope_for(viewer)
    bases = sharing.lawful_bases()
    reasons = sharing.reasons_not_shared()
    rows = [
        {
            "when": _long_date(d.decided_at),
            "outcome": d.get_outcome_display(),
            "shared": d.outcome == SharingDecision.Outcome.SHARED,
            "what": d.what,
            "recipient": d.recipient_agency.name if d.recipient_agency else d.recipient_other,
            "by": f"{d.decided_by.get_full_name() or d.decided_by.email}, {d.decided_by_agency.name}",
            "purpose": d.purpose,
            "basis": bases.get(d.lawful_basis, {}).get("label", d.lawful_basis),
            "reason": reasons.get(d.reason_not_shared, {}).get("label", d.reason_not_shared),
            "reason_text": d.reason_text,
        }
        for d in decisions
    ]
    can_record = scope.can(Capability.RECORD_ENTRIES)
    if not rows and not can_record:
        return None
    return Panel(
        template="chronology/_sharing.html", context={"rows": rows, "can_record": can_record}
    )
