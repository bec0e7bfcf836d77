"""Alerts over JSON: a child's alerts, the inbox, one alert with its history, and acknowledge,
record an action and dismiss. The same access rules as the pages: an alert on a child the
caller may not see is "not found"; an explanation part resting on an entry the caller may not
read comes with `shown: false` and whom to contact instead of its words. Mounted by
sightline.api.router at /api/."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from sightline.alerts import selectors, services
from sightline.alerts.panels import reader_for
from sightline.alerts.presenters import (
    AlertView,
    EvidenceView,
    PartView,
    present_alert,
    present_event,
)
from sightline.chronology import selectors as story
from sightline.chronology.vocabulary import themes
from sightline.core.errors import AccessDenied, ValidationFailed
from sightline.governance import access, audit
from sightline.governance.audit import AuditAction
from sightline.governance.policy import Capability

router = Router(tags=["Alerts"])


class EvidenceOut(Schema):
    readable: bool
    text: str = Field(description="What the entry is, or whom to contact when not readable")
    entry_id: int | None = Field(None, description="The entry's version in the story (readable)")
    url: str | None = Field(None, description="The story page with the entry highlighted")


class PartOut(Schema):
    shown: bool = Field(description="False: the caller may not read every entry it rests on")
    text: str = Field(description="The clause, or whom to contact when not shown")
    certainty: str
    negative: bool
    evidence: list[EvidenceOut]


class ReferenceOut(Schema):
    id: str
    review: str
    paragraph: str
    learning: str


class ChildRef(Schema):
    reference: str
    name: str


class AlertOut(Schema):
    id: int
    child: ChildRef
    rule: str
    rule_version: int
    title: str
    severity: str
    status: str
    certainty: str
    holds: bool = Field(description="Whether the rule still held at the last evaluation")
    first_held_on: dt.date
    raised_at: dt.datetime
    decided_at: dt.datetime | None
    decided_by: str | None
    parts: list[PartOut]
    evidence: list[EvidenceOut]
    prompt: str
    actions: list[str]
    reference: list[ReferenceOut]
    themes: list[str]
    suppressed_until: dt.date | None


class EventOut(Schema):
    kind: str
    title: str
    by: str
    at: dt.datetime
    action: str
    note: str
    new: list[PartOut] = Field(description="What was new (raised, new evidence)")


class AlertDetailOut(AlertOut):
    history: list[EventOut]


class ChildAlertsOut(Schema):
    child: ChildRef
    alerts: list[AlertOut]


class InboxItemOut(Schema):
    id: int
    child: ChildRef
    rule: str
    title: str
    severity: str
    status: str
    holds: bool
    raised_at: dt.datetime


class InboxOut(Schema):
    page: int
    pages: int
    per_page: int
    total: int
    counts: dict[str, int]
    alerts: list[InboxItemOut]


class InboxQuery(Schema):
    show: str | None = Field(None, description="mine, team or all (default: team when in one)")
    rule: list[str] = Field(default_factory=list, description="Rule ids (any of)")
    theme: list[str] = Field(default_factory=list, description="Themes (any of)")
    team: str | None = Field(None, description="A team working with the child (its id)")
    status: list[str] = Field(default_factory=list, description="open, acknowledged (default open)")
    page: int = Field(1, ge=1, le=100_000)


class NoteIn(Schema):
    note: str = ""


class ActionIn(Schema):
    action: str = Field("", description="One of the alert's actions, or the caller's own words")
    note: str = ""


class DismissIn(Schema):
    reason: str = Field("", description="Why the alert is dismissed (required)")


def _evidence(items: tuple[EvidenceView, ...]) -> list[EvidenceOut]:
    return [
        EvidenceOut(readable=e.readable, text=e.text, entry_id=e.entry_id, url=e.url or None)
        for e in items
    ]


def _parts(parts: list[PartView]) -> list[PartOut]:
    return [
        PartOut(
            shown=p.shown,
            text=p.text,
            certainty=p.certainty,
            negative=p.negative,
            evidence=_evidence(p.evidence),
        )
        for p in parts
    ]


def _out(view: AlertView, alert: Any, child: story.Child) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "child": ChildRef(reference=child.person.reference, name=child.person.full_name),
        "rule": alert.rule,
        "rule_version": alert.rule_version,
        "title": alert.title,
        "severity": alert.severity,
        "status": alert.status,
        "certainty": alert.certainty,
        "holds": alert.holds,
        "first_held_on": alert.first_held_on,
        "raised_at": alert.raised_at,
        "decided_at": alert.decided_at,
        "decided_by": alert.decided_by_name or None,
        "parts": _parts(view.parts),
        "evidence": _evidence(view.evidence),
        "prompt": alert.prompt,
        "actions": list(alert.actions),
        "reference": [ReferenceOut(**r.__dict__) for r in view.references],
        "themes": list(alert.themes),
        "suppressed_until": alert.suppressed_until,
    }


def _detail(request: HttpRequest, alert_id: int) -> AlertDetailOut:
    found = selectors.alert_get_for(viewer=request.user, alert_id=alert_id)
    reader = reader_for(request.user, found.child, [found.alert])
    view = present_alert(found.alert, reader)
    events = [
        present_event(e, reader) for e in selectors.events_for(viewer=request.user, found=found)
    ]
    audit.record(
        request.user,
        AuditAction.ALERT_VIEWED,
        object_type="alert",
        object_id=found.alert.pk,
        person_id=found.child.person.pk,
        detail={"rule": found.alert.rule, "via": "api"},
    )
    history = [
        EventOut(
            kind=e.kind,
            title=e.title,
            by=e.by,
            at=dt.datetime.fromisoformat(e.when_iso),
            action=e.action,
            note=e.note,
            new=_parts(e.parts),
        )
        for e in events
    ]
    return AlertDetailOut(**_out(view, found.alert, found.child), history=history)


@router.get(
    "/children/{reference}/alerts",
    response=ChildAlertsOut,
    summary="A child's alerts",
    description="Open and acknowledged alerts first (highest severity first), then decided "
    "ones, newest first. Audited.",
)
def child_alerts(request: HttpRequest, reference: str) -> ChildAlertsOut:
    child = story.child_get_for(viewer=request.user, reference=reference)
    alerts = selectors.alerts_for_child(viewer=request.user, child=child, active_only=False)
    reader = reader_for(request.user, child, alerts)
    audit.record(
        request.user,
        AuditAction.ALERTS_LISTED,
        object_type="person",
        object_id=child.person.reference,
        person_id=child.person.pk,
        detail={"alerts": [a.pk for a in alerts][:100], "via": "api"},
    )
    return ChildAlertsOut(
        child=ChildRef(reference=child.person.reference, name=child.person.full_name),
        alerts=[AlertOut(**_out(present_alert(a, reader), a, child)) for a in alerts],
    )


@router.get(
    "/alerts",
    response=InboxOut,
    summary="The alerts inbox",
    description="The open alerts on the children the caller may see, highest severity first, "
    "then the longest waiting; the same filters as the inbox page. Audited.",
)
def inbox(request: HttpRequest, query: Query[InboxQuery]) -> InboxOut:
    from sightline.alerts.views import _rule_titles, _theme_index

    scope = access.scope_for(request.user)
    if not (scope.can(Capability.VIEW_ALL_CHILDREN) or scope.can(Capability.VIEW_GRANTED_CHILDREN)):
        raise AccessDenied("Your role does not include seeing children's records.")
    values = _Values(
        {"show": query.show, "team": query.team},
        {"rule": query.rule, "theme": query.theme, "status": query.status},
    )
    parsed = selectors.parse_inbox_filters(
        values, scope=scope, known_rules=_rule_titles(), themes=themes()
    )
    if parsed.errors:
        raise ValidationFailed("Check the filters", errors=parsed.errors)
    page = selectors.inbox_for(
        viewer=request.user,
        filters=parsed.filters,
        rules_with_theme=_theme_index(),
        page=query.page,
    )
    audit.record(
        request.user,
        AuditAction.ALERTS_LISTED,
        object_type="alert_inbox",
        detail={"filters": parsed.filters.audit_detail(), "total": page.total, "via": "api"},
    )
    return InboxOut(
        page=page.page,
        pages=page.pages,
        per_page=page.per_page,
        total=page.total,
        counts=page.counts,
        alerts=[
            InboxItemOut(
                id=r.alert.pk,
                child=ChildRef(reference=r.person.reference, name=r.person.full_name),
                rule=r.alert.rule,
                title=r.alert.title,
                severity=r.alert.severity,
                status=r.alert.status,
                holds=r.alert.holds,
                raised_at=r.alert.raised_at,
            )
            for r in page.rows
        ],
    )


class _Values:
    """A query-string-like view of the API's parameters, for the page's filter parser."""

    def __init__(self, single: dict[str, str | None], lists: dict[str, list[str]]) -> None:
        self.single = single
        self.lists = lists

    def get(self, key: str, default: Any = None) -> Any:
        return self.single.get(key) or default

    def getlist(self, key: str) -> list[str]:
        return list(self.lists.get(key, []))


@router.get(
    "/alerts/{alert_id}",
    response=AlertDetailOut,
    summary="One alert with its history",
    description="Audited.",
)
def alert_detail(request: HttpRequest, alert_id: int) -> AlertDetailOut:
    return _detail(request, alert_id)


@router.post(
    "/alerts/{alert_id}/acknowledge",
    response=AlertDetailOut,
    summary="Acknowledge an alert",
    description="The caller has seen it and is dealing with it: it leaves the inbox. Audited.",
)
def acknowledge(request: HttpRequest, alert_id: int, payload: NoteIn) -> AlertDetailOut:
    found = selectors.alert_get_for(viewer=request.user, alert_id=alert_id)
    services.alert_acknowledge(actor=request.user, alert=found.alert, note=payload.note)
    return _detail(request, alert_id)


@router.post(
    "/alerts/{alert_id}/action",
    response=AlertDetailOut,
    summary="Record the action taken on an alert",
    description="One of the alert's actions, or the caller's own words. Audited.",
)
def action(request: HttpRequest, alert_id: int, payload: ActionIn) -> AlertDetailOut:
    found = selectors.alert_get_for(viewer=request.user, alert_id=alert_id)
    services.alert_action(
        actor=request.user, alert=found.alert, action=payload.action, note=payload.note
    )
    return _detail(request, alert_id)


@router.post(
    "/alerts/{alert_id}/dismiss",
    response=AlertDetailOut,
    summary="Dismiss an alert, saying why",
    description="Not raised again within its rule's window unless new evidence arrives. Audited.",
)
def dismiss(request: HttpRequest, alert_id: int, payload: DismissIn) -> AlertDetailOut:
    found = selectors.alert_get_for(viewer=request.user, alert_id=alert_id)
    services.alert_dismiss(actor=request.user, alert=found.alert, reason=payload.reason)
    return _detail(request, alert_id)
