"""Alerts as a viewer may see them (docs/alerts.md, "Handling alerts").

An alert's explanation is a list of parts, each resting on some entries. A part's words are
shown only to a viewer who may read every one of those entries (chronology's StoryRow for the
viewer, ADR 14); anyone else reads "<agency> holds relevant information: contact <team or
agency, phone, email>" instead, never what the part says. So a school's safeguarding lead
learns that the police hold something and whom to call, and nothing of the intelligence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from sightline.alerts.models import Alert, AlertEvent
from sightline.chronology.presenters import (
    grade_note,
    long_date,
    long_datetime,
    type_label,
    when_text,
)
from sightline.chronology.selectors import RestrictedRow, Row, StoryRow
from sightline.core.dates import format_partial

SEVERITY_TAGS = {
    "critical": "govuk-tag--red",
    "high": "govuk-tag--orange",
    "medium": "govuk-tag--yellow",
    "low": "govuk-tag--grey",
}
STATUS_TAGS = {
    "open": "govuk-tag--blue",
    "acknowledged": "govuk-tag--light-blue",
    "actioned": "govuk-tag--green",
    "dismissed": "govuk-tag--grey",
    "combined": "govuk-tag--grey",
}
GONE = (
    "Some of the information this rests on is no longer in this child's story (it may have "
    "been moved to another child's record): ask the MASH."
)


@dataclass(frozen=True)
class Contact:
    """Whom to call about an agency's entries: its team working with the child, else itself."""

    agency: str
    who: str
    phone: str
    email: str

    def text(self) -> str:
        details = ", ".join(c for c in (self.phone, self.email) if c)
        return f"{self.who} ({details})" if details else self.who


def contacts_for(involvements: Iterable[Any], today: dt.date) -> dict[int, Contact]:
    """Agency id -> the contact for it: a current involvement's team with a phone or email."""
    out: dict[int, Contact] = {}
    for inv in involvements:
        if inv.ended_on is not None and inv.ended_on < today:
            continue
        team = inv.team
        if team is None or not (team.phone or team.email):
            continue
        if inv.agency_id not in out:
            out[inv.agency_id] = Contact(
                agency=inv.agency.name,
                who=f"{team.name}, {inv.agency.name}",
                phone=team.phone,
                email=team.email,
            )
    return out


def _contact(row: RestrictedRow, contacts: Mapping[int, Contact]) -> Contact:
    agency = row.agency
    return contacts.get(agency.id) or Contact(agency.name, agency.name, agency.phone, agency.email)


@dataclass(frozen=True)
class EvidenceView:
    """One evidence entry: a link to it in the story when the viewer may read it."""

    readable: bool
    text: str  # "Missing episode, Hallowford Police, 3 August 2019"; or the restricted notice
    url: str = ""
    entry_id: int | None = None


@dataclass(frozen=True)
class PartView:
    text: str
    shown: bool  # False: the words are withheld and `text` says whom to contact
    certainty: str = "definite"
    negative: bool = False
    evidence: tuple[EvidenceView, ...] = ()


def story_url(reference: str, entry_ids: Sequence[int]) -> str:
    """The child's story with these entries highlighted, opened at the newest of them."""
    base = reverse("chronology:child", args=[reference])
    if not entry_ids:
        return base
    ids = sorted(set(entry_ids))
    return f"{base}?{urlencode({'highlight': ','.join(map(str, ids))})}#entry-{max(ids)}"


def _key(value: Any) -> int | None:
    text = str(value)
    return int(text) if text.isdigit() else None


class Reader:
    """What one viewer may read of one child's alerts: the evidence rows decide."""

    def __init__(
        self,
        reference: str,
        rows: Mapping[int, Row],
        contacts: Mapping[int, Contact],
        references: Mapping[int, str] | None = None,
    ) -> None:
        self.reference = reference
        self.rows = rows
        self.contacts = contacts
        # Whose story each entry is in (a related person's, for a rule about them).
        self.references = references or {}

    def _story(self, key: int) -> str:
        return self.references.get(key, self.reference)

    def evidence(self, keys: Iterable[Any]) -> tuple[EvidenceView, ...]:
        out = []
        for key in keys:
            number = _key(key) or -1
            row = self.rows.get(number)
            if isinstance(row, StoryRow):
                entry = row.entry
                when = when_text(entry.occurred_at, entry.precision, entry.has_time)
                whose = (
                    "" if self._story(number) == self.reference else " (a related person's record)"
                )
                # Hearsay and intelligence are told apart from fact wherever an entry appears.
                note = grade_note(entry.grade, entry.intelligence_grade)
                out.append(
                    EvidenceView(
                        True,
                        f"{type_label(entry.type)}, {entry.agency.name}, {when}{whose}"
                        + (f" ({note})" if note else ""),
                        story_url(self._story(number), [entry.pk]),
                        entry.pk,
                    )
                )
            elif isinstance(row, RestrictedRow):
                contact = _contact(row, self.contacts)
                out.append(
                    EvidenceView(
                        False,
                        f"{format_partial(row.period_start, row.precision)}: "
                        f"{contact.agency} holds relevant information: contact {contact.text()}",
                    )
                )
        return tuple(out)

    def part(self, data: Mapping[str, Any]) -> PartView:
        keys = list(data.get("evidence") or [])
        rows = [self.rows.get(_key(k) or -1) for k in keys]
        certainty = str(data.get("certainty") or "definite")
        negative = bool(data.get("negative"))
        if any(row is None for row in rows):
            return PartView(GONE, False, certainty, negative)
        hidden = [row for row in rows if isinstance(row, RestrictedRow)]
        if not hidden:
            return PartView(
                str(data.get("text", "")), True, certainty, negative, self.evidence(keys)
            )
        seen: dict[str, Contact] = {}
        for row in hidden:
            contact = _contact(row, self.contacts)
            seen.setdefault(contact.agency, contact)
        text = "; ".join(
            f"{c.agency} holds relevant information: contact {c.text()}" for c in seen.values()
        )
        return PartView(text, False, certainty, negative)

    def parts(self, parts: Iterable[Mapping[str, Any]]) -> list[PartView]:
        out: list[PartView] = []
        for data in parts:
            view = self.part(data)
            # Two withheld parts of one agency say the same thing: once is enough.
            if not view.shown and any(not p.shown and p.text == view.text for p in out):
                continue
            out.append(view)
        return out

    def evidence_url(self, keys: Iterable[Any]) -> str:
        """The child's own story with the evidence in it highlighted."""
        ids = []
        for k in keys:
            number = _key(k) or -1
            row = self.rows.get(number)
            if isinstance(row, StoryRow) and self._story(number) == self.reference:
                ids.append(row.entry.pk)
        return story_url(self.reference, ids) if ids else ""


@dataclass(frozen=True)
class ReferenceView:
    id: str
    review: str
    paragraph: str
    learning: str


@dataclass(frozen=True)
class AlertView:
    id: int
    url: str
    rule: str
    rule_version: int
    title: str
    severity: str
    severity_text: str
    severity_tag: str
    status: str
    status_text: str
    status_tag: str
    is_active: bool
    is_open: bool
    certainty: str
    possible: bool
    holds: bool
    stopped_holding_on: str
    first_held_on: str
    raised_on: str
    decided: str  # "Acknowledged by A. Smith on 4 August 2019"
    parts: list[PartView]
    evidence: tuple[EvidenceView, ...]
    evidence_url: str
    withheld: int  # how many evidence entries the viewer may not read
    prompt: str
    actions: list[str]
    references: list[ReferenceView]
    suppressed_until: str
    suppress_days: int = 0
    themes: list[str] = field(default_factory=list)


def _references(data: Iterable[Mapping[str, Any]]) -> list[ReferenceView]:
    return [
        ReferenceView(
            id=str(r.get("id", "")),
            review=str(r.get("review", "")),
            paragraph=str(r.get("paragraph", "") or ""),
            learning=str(r.get("learning", "") or ""),
        )
        for r in data
    ]


def present_alert(alert: Alert, reader: Reader) -> AlertView:
    evidence = reader.evidence(alert.evidence)
    decided = ""
    if alert.decided_at and alert.status in ("acknowledged", "actioned", "dismissed"):
        who = _name(alert.decided_by) or alert.decided_by_name or "someone"
        decided = f"{alert.get_status_display()} by {who} on {long_date(alert.decided_at)}"
    return AlertView(
        id=alert.pk,
        url=reverse("alerts:alert", args=[alert.pk]),
        rule=alert.rule,
        rule_version=alert.rule_version,
        title=alert.title,
        severity=alert.severity,
        severity_text=alert.get_severity_display(),
        severity_tag=SEVERITY_TAGS.get(alert.severity, ""),
        status=alert.status,
        status_text=alert.get_status_display(),
        status_tag=STATUS_TAGS.get(alert.status, ""),
        is_active=alert.is_active,
        is_open=alert.status == Alert.Status.OPEN,
        certainty=alert.certainty,
        possible=alert.certainty == "possible",
        holds=alert.holds,
        stopped_holding_on=long_date(alert.stopped_holding_on) if alert.stopped_holding_on else "",
        first_held_on=long_date(alert.first_held_on),
        raised_on=long_date(alert.raised_at),
        decided=decided,
        parts=reader.parts(alert.parts),
        evidence=evidence,
        evidence_url=reader.evidence_url(alert.evidence),
        withheld=sum(1 for e in evidence if not e.readable),
        prompt=alert.prompt,
        actions=list(alert.actions),
        references=_references(alert.reference),
        suppressed_until=long_date(alert.suppressed_until) if alert.suppressed_until else "",
        suppress_days=alert.suppress_days,
        themes=list(alert.themes),
    )


@dataclass(frozen=True)
class EventView:
    kind: str
    title: str
    by: str
    when: str
    when_iso: str
    action: str = ""
    note: str = ""
    parts: list[PartView] = field(default_factory=list)  # what is new (parts resting on it)
    evidence: tuple[EvidenceView, ...] = ()


def _name(user: Any) -> str:
    if user is None:
        return ""
    return f"{user.first_name} {user.last_name}".strip()


def _by(event: AlertEvent) -> str:
    if event.actor is not None:
        user = event.actor
        name = _name(user)
        return f"{name} ({user.email})" if name and user.email else name or user.email
    if event.actor_name.startswith("system:"):
        return "Sightline (automatic)"
    return event.actor_name


def present_event(event: AlertEvent, reader: Reader) -> EventView:
    added = list(event.added or [])
    parts: list[PartView] = []
    title = event.get_kind_display()
    if added and event.kind in (AlertEvent.Kind.RAISED, AlertEvent.Kind.EVIDENCE_ADDED):
        new = set(map(str, added))
        parts = reader.parts(p for p in event.parts if new & set(map(str, p.get("evidence", []))))
    if event.kind == AlertEvent.Kind.EVIDENCE_ADDED and event.detail.get("reopened_from"):
        title = "New evidence since the last decision: raised again"
    elif event.kind == AlertEvent.Kind.RAISED and event.detail.get("after"):
        title = "Raised again: the rule held again with new evidence"
    return EventView(
        kind=event.kind,
        title=title,
        by=_by(event),
        when=long_datetime(event.at),
        when_iso=event.at.isoformat(),
        action=event.action,
        note=event.note,
        parts=parts,
        evidence=reader.evidence(added),
    )
