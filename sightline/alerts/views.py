"""The alerts pages: the inbox (/alerts/), one alert with its history and the forms to
acknowledge it, record the action taken and dismiss it, and every alert about one child.

Every view resolves the child through the access module (an alert on a child the viewer may not
see is "not found", as for an alert that does not exist) and is audited."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from sightline.alerts import selectors, services
from sightline.alerts.evaluation import rule_set
from sightline.alerts.panels import reader_for
from sightline.alerts.presenters import (
    SEVERITY_TAGS,
    STATUS_TAGS,
    present_alert,
    present_event,
)
from sightline.chronology import selectors as story
from sightline.chronology.presenters import IdentityView, long_date, present_identity
from sightline.chronology.vocabulary import themes
from sightline.core import clock
from sightline.core.errors import AccessDenied, InvalidTransition, ValidationFailed
from sightline.governance import access, audit
from sightline.governance.audit import AuditAction
from sightline.governance.policy import Capability

_PAGE = re.compile(r"[0-9]{1,5}")
OWN_WORDS = "__own__"  # the action choice "something else", written in the box


def _identity(request: HttpRequest, child: story.Child) -> IdentityView:
    found = story.child_identity_for(viewer=request.user, child=child)
    return present_identity(
        found.person,
        identifiers=found.identifiers,
        address=found.address,
        other_names=found.other_names,
        today=clock.today(),
        recorded=found.recorded,
        issuer_names=story.identifier_issuers_for(viewer=request.user, child=child),
    )


def _page_number(request: HttpRequest) -> int:
    text = request.GET.get("page", "1").strip()
    return int(text) if _PAGE.fullmatch(text) and int(text) > 0 else 1


# --- one alert ------------------------------------------------------------------------------


def _alert_page(
    request: HttpRequest,
    found: selectors.FoundAlert,
    *,
    errors: dict[str, str] | None = None,
    form: str = "",
    values: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    alert, child = found.alert, found.child
    reader = reader_for(request.user, child, [alert])
    view = present_alert(alert, reader)
    events = [
        present_event(e, reader) for e in selectors.events_for(viewer=request.user, found=found)
    ]
    audit.record(
        request.user,
        AuditAction.ALERT_VIEWED,
        object_type="alert",
        object_id=alert.pk,
        person_id=child.person.pk,
        detail={"rule": alert.rule, "method": request.method, **({"form": form} if form else {})},
    )
    errors = errors or {}
    anchors = {"action": "action", "reason": "reason", "note": f"{form or 'acknowledge'}-note"}
    return render(
        request,
        "alerts/alert.html",
        {
            "person": child.person,
            "identity": _identity(request, child),
            "view": view,
            "events": list(reversed(events)),
            "can_act": access.scope_for(request.user).can(Capability.RECORD_ENTRIES),
            "errors": errors,
            "form": form,
            "values": values or {},
            "own_words": OWN_WORDS,
            "error_list": [{"text": m, "href": f"#{anchors.get(f, f)}"} for f, m in errors.items()],
            "flash": list(messages.get_messages(request)),
            "active_nav": "alerts",
        },
        status=status,
    )


@require_GET
def alert(request: HttpRequest, alert_id: int) -> HttpResponse:
    found = selectors.alert_get_for(viewer=request.user, alert_id=alert_id)
    return _alert_page(request, found)


def _decide(request: HttpRequest, alert_id: int, form: str) -> HttpResponse:
    found = selectors.alert_get_for(viewer=request.user, alert_id=alert_id)
    post = request.POST
    values = {
        "note": str(post.get("note") or ""),
        "reason": str(post.get("reason") or ""),
        "action": str(post.get("action") or ""),
        "own_action": str(post.get("own_action") or ""),
    }
    try:
        if form == "acknowledge":
            services.alert_acknowledge(actor=request.user, alert=found.alert, note=values["note"])
            done = "Alert acknowledged. It has left the inbox; record the action taken when you have one."
        elif form == "action":
            chosen = values["action"]
            if chosen == OWN_WORDS or not chosen:
                chosen = values["own_action"]
            elif chosen not in found.alert.actions:
                raise ValidationFailed(
                    "Check the action", errors={"action": "Select the action taken, or describe it"}
                )
            services.alert_action(
                actor=request.user, alert=found.alert, action=chosen, note=values["note"]
            )
            done = "Action recorded."
        else:
            services.alert_dismiss(actor=request.user, alert=found.alert, reason=values["reason"])
            done = "Alert dismissed. Your reason is in its history."
    except ValidationFailed as exc:
        errors = dict(exc.errors)
        return _alert_page(request, found, errors=errors, form=form, values=values, status=400)
    except (AccessDenied, InvalidTransition) as exc:
        field = {"dismiss": "reason", "action": "action"}.get(form, "note")
        return _alert_page(
            request, found, errors={field: exc.message}, form=form, values=values, status=400
        )
    messages.success(request, done)
    return HttpResponseRedirect(reverse("alerts:alert", args=[found.alert.pk]))


@require_POST
def acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    return _decide(request, alert_id, "acknowledge")


@require_POST
def action(request: HttpRequest, alert_id: int) -> HttpResponse:
    return _decide(request, alert_id, "action")


@require_POST
def dismiss(request: HttpRequest, alert_id: int) -> HttpResponse:
    return _decide(request, alert_id, "dismiss")


# --- a child's alerts -----------------------------------------------------------------------


@require_GET
def child_alerts(request: HttpRequest, reference: str) -> HttpResponse:
    child = story.child_get_for(viewer=request.user, reference=reference)
    if child.was_merged:
        return HttpResponseRedirect(reverse("alerts:child", args=[child.person.reference]))
    alerts = selectors.alerts_for_child(viewer=request.user, child=child, active_only=False)
    reader = reader_for(request.user, child, alerts)
    views = [present_alert(a, reader) for a in alerts]
    audit.record(
        request.user,
        AuditAction.ALERTS_LISTED,
        object_type="person",
        object_id=child.person.reference,
        person_id=child.person.pk,
        detail={"alerts": [a.pk for a in alerts][:100], "page": "child"},
    )
    return render(
        request,
        "alerts/child_alerts.html",
        {
            "person": child.person,
            "identity": _identity(request, child),
            "active": [v for v in views if v.is_active],
            "past": [v for v in views if not v.is_active],
            "active_nav": "alerts",
        },
    )


# --- the inbox ------------------------------------------------------------------------------


def _rule_titles() -> dict[str, str]:
    titles = {r.id: r.title for r in rule_set().rules}
    for rule, title in (
        selectors.Alert.objects.filter(status__in=selectors.ACTIVE)
        .values_list("rule", "title")
        .distinct()
    ):
        titles.setdefault(rule, title)
    return dict(sorted(titles.items(), key=lambda kv: kv[1].lower()))


def _theme_index() -> dict[str, set[str]]:
    return selectors.rules_with_theme({r.id: tuple(r.spec.themes) for r in rule_set().rules})


def _inbox_url(pairs: list[tuple[str, str]]) -> str:
    base = reverse("alerts:inbox")
    return f"{base}?{urlencode(pairs)}" if pairs else base


def _pagination(filters: selectors.InboxFilters, page: selectors.InboxPage) -> dict[str, Any]:
    if page.pages <= 1:
        return {}

    def href(number: int) -> str:
        return _inbox_url([*filters.query(), ("page", str(number))])

    numbers = sorted(
        {1, page.pages, page.page - 1, page.page, page.page + 1} & set(range(1, page.pages + 1))
    )
    items: list[dict[str, Any]] = []
    previous = 0
    for number in numbers:
        if number - previous > 1:
            items.append({"ellipsis": True})
        items.append({"number": number, "href": href(number), "current": number == page.page})
        previous = number
    params: dict[str, Any] = {"items": items, "landmarkLabel": "Pages of alerts"}
    if page.page > 1:
        params["previous"] = {"href": href(page.page - 1)}
    if page.page < page.pages:
        params["next"] = {"href": href(page.page + 1)}
    return params


def _selected(
    filters: selectors.InboxFilters, titles: dict[str, str], team_names: dict[int, str]
) -> dict[str, Any] | None:
    if not filters.is_filtered:
        return None
    pairs = filters.query()

    def without(key: str, value: str) -> str:
        return _inbox_url([p for p in pairs if p != (key, value)])

    categories = []
    if filters.rules:
        categories.append(
            {
                "heading": {"text": "Rule"},
                "items": [
                    {"text": titles.get(r, r), "href": without("rule", r)} for r in filters.rules
                ],
            }
        )
    if filters.themes:
        categories.append(
            {
                "heading": {"text": "Theme"},
                "items": [
                    {"text": themes().get(t, t), "href": without("theme", t)}
                    for t in filters.themes
                ],
            }
        )
    if filters.team:
        categories.append(
            {
                "heading": {"text": "Team"},
                "items": [
                    {
                        "text": team_names.get(filters.team, "Team"),
                        "href": without("team", str(filters.team)),
                    }
                ],
            }
        )
    keep = [p for p in pairs if p[0] in ("show", "status")]
    return {
        "heading": {"text": "Selected filters"},
        "clearLink": {"text": "Clear filters", "href": _inbox_url(keep)},
        "categories": categories,
    }


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    scope = access.scope_for(request.user)
    if not (scope.can(Capability.VIEW_ALL_CHILDREN) or scope.can(Capability.VIEW_GRANTED_CHILDREN)):
        raise AccessDenied(
            "Your role does not include seeing children's records, so it has no alerts."
        )
    titles = _rule_titles()
    parsed = selectors.parse_inbox_filters(
        request.GET, scope=scope, known_rules=titles, themes=themes()
    )
    filters = parsed.filters
    page = selectors.inbox_for(
        viewer=request.user,
        filters=filters,
        rules_with_theme=_theme_index(),
        page=_page_number(request),
    )
    teams = selectors.inbox_teams(viewer=request.user)
    team_names = {t.pk: f"{t.name} ({t.agency.name})" for t in teams}
    audit.record(
        request.user,
        AuditAction.ALERTS_LISTED,
        object_type="alert_inbox",
        detail={"filters": filters.audit_detail(), "total": page.total, "page": page.page},
    )
    today = clock.today()
    rows = [
        {
            "id": row.alert.pk,
            "url": reverse("alerts:alert", args=[row.alert.pk]),
            "title": row.alert.title,
            "severity": row.alert.severity,
            "severity_text": row.alert.get_severity_display(),
            "severity_tag": SEVERITY_TAGS.get(row.alert.severity, ""),
            "status_text": row.alert.get_status_display(),
            "status_tag": STATUS_TAGS.get(row.alert.status, ""),
            "child": row.person.full_name,
            "child_url": reverse("chronology:child", args=[row.person.reference]),
            "reference": row.person.reference,
            "raised_on": long_date(row.alert.raised_at),
            "raised_iso": row.alert.raised_at.date().isoformat(),
            "waiting": _waiting((today - row.alert.raised_at.date()).days),
            "holds": row.alert.holds,
        }
        for row in page.rows
    ]
    return render(
        request,
        "alerts/inbox.html",
        {
            "rows": rows,
            "page": page,
            "filters": filters,
            "parsed": parsed,
            "error_list": [{"text": m, "href": f"#{f}"} for f, m in parsed.errors.items()],
            "rule_titles": titles,
            "themes": themes(),
            "teams": teams,
            "has_team": bool(scope.team_id),
            "selected_filters": _selected(filters, titles, team_names),
            "pagination": _pagination(filters, page),
            "active_nav": "alerts",
        },
    )


def _waiting(days: int) -> str:
    if days <= 0:
        return "raised today"
    return "waiting 1 day" if days == 1 else f"waiting {days} days"
