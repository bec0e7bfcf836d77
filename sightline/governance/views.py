"""The auditor's pages (docs/audit.md): search the audit log; who has looked at a child, and
why; unusual access. For the `audit_access` capability only (403 otherwise). They show who,
what, when, why and from where, never case content, and every page shown is audited (the
selectors record it)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from sightline.core import clock
from sightline.core.dateinput import DateError, DateResult, read_date
from sightline.core.errors import ValidationFailed
from sightline.core.text import CONTROL
from sightline.governance import access, breakglass, flags, presenters, selectors
from sightline.governance.policy import Capability

TEXT_MAX = 200
FLAG_DAYS_MAX = 31  # the longest period the flags page reads at once
FLAG_DAYS_DEFAULT = 7


def _text(params: QueryDict, key: str) -> str:
    value = params.get(key, "")
    return value.strip() if isinstance(value, str) else ""


def _page_number(params: QueryDict) -> int:
    text = params.get("page", "1")
    # isascii(): "²".isdigit() is true and int("²") a ValueError (a 500).
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) < 100_000 else 1


class _Dates:
    """The period's two GOV.UK date inputs, read with their errors (boxes to mark, what the
    user typed)."""

    def __init__(self, params: QueryDict, errors: dict[str, str], *, today: dt.date) -> None:
        self.errors = errors
        self.parts: dict[str, tuple[str, ...]] = {}
        self.raw: dict[str, dict[str, str]] = {}
        self.first = self._read(params, "from", "Date from", today)
        self.last = self._read(params, "to", "Date to", today)
        if self.first and self.last and self.last < self.first:
            self._error(
                "to",
                DateError(
                    "Date to must be the same as or after date from",
                    "to-day",
                    ("day", "month", "year"),
                ),
            )
            self.last = None

    def _read(self, params: QueryDict, prefix: str, label: str, today: dt.date) -> dt.date | None:
        data = {
            k: _text(params, k)
            for k in (prefix, f"{prefix}-day", f"{prefix}-month", f"{prefix}-year")
        }
        result: DateResult = read_date(data, prefix, label)
        self.raw[prefix] = result.raw
        if result.error is None and result.value is not None and result.value > today:
            result = DateResult(
                None,
                result.raw,
                DateError(
                    f"{label} must be today or in the past",
                    f"{prefix}-day",
                    ("day", "month", "year"),
                ),
            )
        if result.error is not None:
            self._error(prefix, result.error)
            return None
        return result.value

    def _error(self, prefix: str, error: DateError) -> None:
        self.errors[error.field] = error.message
        self.parts[prefix] = error.parts

    def message(self, prefix: str) -> str:
        return next((m for f, m in self.errors.items() if f.startswith(f"{prefix}-")), "")


def _summary(errors: dict[str, str]) -> list[dict[str, str]]:
    return [{"text": message, "href": f"#{field}"} for field, message in errors.items()]


def _require(request: HttpRequest) -> None:
    access.require(request.user, Capability.AUDIT_ACCESS)


# --- search ----------------------------------------------------------------------------------------


@never_cache
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    _require(request)
    params = request.GET
    errors: dict[str, str] = {}
    reference = _text(params, "child")
    practitioner = _text(params, "practitioner")
    action = _text(params, "action")
    person_ids: list[int] = []
    if len(reference) > 16 or CONTROL.search(reference):
        errors["child"] = "Enter a Sightline reference, like SL4K7Q2M9X"
    elif reference:
        person_ids = selectors.person_ids_for(reference)
        if not person_ids:
            errors["child"] = "No child has that Sightline reference: check it and try again"
    if len(practitioner) > TEXT_MAX:
        errors["practitioner"] = f"The name or email address must be {TEXT_MAX} characters or fewer"
    elif CONTROL.search(practitioner):
        errors["practitioner"] = "The name or email address must not contain control characters"
    if action and action not in presenters.ACTION_LABELS:
        errors["action"] = "Select an action from the list"
    dates = _Dates(params, errors, today=clock.today())
    found = None
    filters = selectors.AuditFilters(
        reference=reference,
        person_ids=tuple(person_ids),
        practitioner=practitioner,
        action=action,
        first=dates.first,
        last=dates.last,
    )
    asked = bool(params) and not errors
    if asked:
        found = selectors.audit_search_for(
            viewer=request.user, filters=filters, page=_page_number(params)
        )
    context = {
        "active_nav": "audit",
        "errors": errors,
        "error_list": _summary(errors),
        "page_has_errors": bool(errors),
        "values": {"child": reference, "practitioner": practitioner, "action": action},
        "dates": dates,
        "actions": presenters.action_choices(action),
        "found": found,
        "rows": [presenters.row(r) for r in found.rows] if found else [],
        "pagination": _pagination(request, found) if found else {},
        "child_href": reverse("audit:child", args=[reference]) if person_ids else "",
    }
    return render(request, "governance/audit_search.html", context, status=400 if errors else 200)


def _pagination(request: HttpRequest, found: selectors.AuditPage) -> dict[str, Any]:
    if found.pages <= 1:
        return {}
    base = request.GET.copy()

    def href(n: int) -> str:
        base["page"] = str(n)
        return f"{reverse('audit:search')}?{base.urlencode()}"

    pagination: dict[str, Any] = {
        "items": [
            {"number": n, "href": href(n), "current": n == found.page}
            for n in range(1, found.pages + 1)
            if n in (1, found.pages) or abs(n - found.page) <= 2
        ],
        "landmarkLabel": "Pages of results",
    }
    if found.page > 1:
        pagination["previous"] = {"href": href(found.page - 1)}
    if found.page < found.pages:
        pagination["next"] = {"href": href(found.page + 1)}
    return pagination


# --- one child ------------------------------------------------------------------------------------


@never_cache
@require_GET
def child(request: HttpRequest, reference: str) -> HttpResponse:
    _require(request)
    # A control character cannot be in a reference (and a NUL cannot reach PostgreSQL's text).
    valid = len(reference) <= 16 and not CONTROL.search(reference)
    ids = selectors.person_ids_for(reference) if valid else []
    if not ids:
        # A reference that names nobody: back to the search, which says so.
        return HttpResponseRedirect(
            f"{reverse('audit:search')}?{urlencode({'child': CONTROL.sub('', reference)[:16]})}"
        )
    found = selectors.child_access_for(viewer=request.user, reference=reference, person_ids=ids)
    context = {
        "active_nav": "audit",
        "found": found,
        "lookers": [presenters.looker(lk) for lk in found.lookers],
        "rows": [presenters.row(r) for r in found.looks],
        "search_href": f"{reverse('audit:search')}?{urlencode({'child': reference})}",
    }
    return render(request, "governance/audit_child.html", context)


# --- the flags --------------------------------------------------------------------------------------


@never_cache
@require_GET
def flagged(request: HttpRequest) -> HttpResponse:
    _require(request)
    errors: dict[str, str] = {}
    today = clock.today()
    dates = _Dates(request.GET, errors, today=today)
    last = dates.last or today
    first = dates.first or (last - dt.timedelta(days=FLAG_DAYS_DEFAULT - 1))
    if not errors and (last - first).days + 1 > FLAG_DAYS_MAX:
        errors["from-day"] = f"The period must be {FLAG_DAYS_MAX} days or fewer"
        dates.parts["from"] = ("day", "month", "year")
    found = None
    if not errors:
        found = selectors.audit_flags_for(viewer=request.user, period=flags.Period(first, last))
    context = {
        "active_nav": "audit_flags",
        "errors": errors,
        "error_list": _summary(errors),
        "page_has_errors": bool(errors),
        "dates": dates,
        "period_text": presenters.period_text(first, last),
        "found": found,
        "flags": [presenters.flag(f) for f in found.flags] if found else [],
        "rules": found.rules if found else flags.flag_rules(),
    }
    return render(request, "governance/audit_flags.html", context, status=400 if errors else 200)


# --- break-glass uses, for review --------------------------------------------------------------------

_SHOWN = {"waiting": False, "reviewed": True, "all": None}


@never_cache
@require_GET
def break_glass_uses(request: HttpRequest) -> HttpResponse:
    _require(request)
    show = _text(request.GET, "show")
    show = show if show in _SHOWN else "waiting"
    found = breakglass.break_glass_uses_for(
        viewer=request.user, reviewed=_SHOWN[show], page=_page_number(request.GET)
    )
    context = {
        "active_nav": "break_glass",
        "found": found,
        "show": show,
        "rows": [presenters.break_glass_row(r) for r in found.rows],
        "tabs": [
            {"value": v, "text": t, "href": f"{reverse('audit:break_glass_uses')}?show={v}"}
            for v, t in (("waiting", "To review"), ("reviewed", "Reviewed"), ("all", "All"))
        ],
    }
    return render(request, "governance/break_glass_uses.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def break_glass_use(request: HttpRequest, access_id: int) -> HttpResponse:
    _require(request)
    row = breakglass.break_glass_get_for(viewer=request.user, access_id=access_id)
    errors: dict[str, str] = {}
    values = {"outcome": "", "note": ""}
    if request.method == "POST":
        if request.POST.get("end") == "1":
            breakglass.break_glass_end(actor=request.user, access_id=row.pk)
            return HttpResponseRedirect(reverse("audit:break_glass", args=[row.pk]), status=303)
        values = {k: str(request.POST.get(k, "")) for k in values}
        try:
            breakglass.break_glass_review(
                actor=request.user, access_id=row.pk, outcome=values["outcome"], note=values["note"]
            )
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return HttpResponseRedirect(reverse("audit:break_glass_uses"), status=303)
    context = {
        "active_nav": "break_glass",
        "use": presenters.break_glass_row(row),
        "values": values,
        "errors": errors,
        "error_list": _summary(errors),
        "page_has_errors": bool(errors),
        "outcomes": list(breakglass.ReviewOutcome.LABELS.items()),
        "looks_href": reverse("audit:child", args=[row.person.reference]),
    }
    return render(
        request, "governance/break_glass_use.html", context, status=400 if errors else 200
    )
