"""The audit log, read by the auditor (docs/audit.md): search it by child, person, action and
date; "who has looked at this child, and why"; the unusual-access flags.

Only a role with `audit_access` reads it (AccessDenied otherwise). What it shows is who, what,
when, why and from where, never case content: a row's detail is shown only where it says
what was done (a search's terms, a refusal's reason, an export's format), never a story's
filters or an entry's type. Every read is itself audited, with what was asked."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from sightline.agencies.models import Agency, Role
from sightline.core import extensions
from sightline.core.dates import LONDON
from sightline.governance import access, audit, flags
from sightline.governance.audit import AuditAction
from sightline.governance.models import AccessGrant, AuditEvent
from sightline.governance.policy import Capability, capabilities_of

PER_PAGE = 50
_COUNT_CAP = 10_000
User = get_user_model()


@dataclass(frozen=True)
class AuditFilters:
    """A search of the log, already checked (the view reports what does not parse)."""

    reference: str = ""
    person_ids: tuple[int, ...] = ()
    practitioner: str = ""
    action: str = ""
    first: dt.date | None = None
    last: dt.date | None = None

    def as_detail(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "practitioner": self.practitioner,
            "action": self.action,
            "from": self.first.isoformat() if self.first else "",
            "to": self.last.isoformat() if self.last else "",
        }

    @property
    def is_empty(self) -> bool:
        return not (self.reference or self.practitioner or self.action or self.first or self.last)


@dataclass(frozen=True)
class Basis:
    """Why a look was allowed, as the grants show it for that day, when no purpose was given."""

    text: str
    related: bool


@dataclass(frozen=True)
class AuditRow:
    event: AuditEvent
    agency_name: str
    reference: str  # the child's Sightline reference, or ""
    basis: Basis | None


@dataclass
class AuditPage:
    rows: list[AuditRow]
    page: int
    pages: int
    total: int
    capped: bool  # more than _COUNT_CAP rows matched: the count is "more than"


def _require_auditor(viewer: Any) -> access.Scope:
    return access.require(viewer, Capability.AUDIT_ACCESS)


def practitioners_matching(text: str) -> list[int]:
    """The users a practitioner search names: by email address or name, partly typed."""
    text = text.strip()
    if not text:
        return []
    q = Q(username__icontains=text) | Q(email__icontains=text)
    parts = text.split()
    if len(parts) >= 2:
        q |= Q(first_name__icontains=parts[0], last_name__icontains=parts[-1])
    else:
        q |= Q(first_name__icontains=text) | Q(last_name__icontains=text)
    return list(User.objects.filter(q).values_list("pk", flat=True)[:500])


def _filtered(filters: AuditFilters) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.all()
    if filters.reference:
        events = events.filter(person_id__in=filters.person_ids or [-1])
    if filters.practitioner:
        events = events.filter(
            Q(actor_id__in=practitioners_matching(filters.practitioner))
            | Q(actor_name__icontains=filters.practitioner.strip())
        )
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.first:
        events = events.filter(
            occurred_at__gte=dt.datetime.combine(filters.first, dt.time(), tzinfo=LONDON)
        )
    if filters.last:
        end = dt.datetime.combine(filters.last + dt.timedelta(days=1), dt.time(), tzinfo=LONDON)
        events = events.filter(occurred_at__lt=end)
    return events.order_by("-occurred_at", "-seq")


def audit_search_for(*, viewer: Any, filters: AuditFilters, page: int = 1) -> AuditPage:
    _require_auditor(viewer)
    events = _filtered(filters)
    total = events[: _COUNT_CAP + 1].count()
    pages = max(1, -(-min(total, _COUNT_CAP) // PER_PAGE))
    page = min(max(page, 1), pages)
    found = list(events.select_related("actor")[(page - 1) * PER_PAGE : page * PER_PAGE])
    rows = _rows(found)
    audit.record(
        viewer,
        AuditAction.AUDIT_SEARCHED,
        object_type="audit_log",
        person_id=filters.person_ids[0] if filters.person_ids else None,
        purpose="audit: search the log",
        detail={**filters.as_detail(), "page": page, "result_count": min(total, _COUNT_CAP)},
    )
    return AuditPage(rows, page, pages, min(total, _COUNT_CAP), total > _COUNT_CAP)


# --- one child: who has looked, and why -----------------------------------------------------------


@dataclass
class Looker:
    """Everyone who looked at the child, one line each: how often, when first and last, and
    the reasons given or the relationships that let them."""

    actor_id: int | None
    name: str
    email: str
    role: str
    agency_name: str
    looks: int = 0
    refused: int = 0
    first_at: dt.datetime | None = None
    last_at: dt.datetime | None = None
    purposes: list[str] = field(default_factory=list)
    bases: list[str] = field(default_factory=list)
    unrelated: int = 0  # looks with no relationship the grants show


@dataclass
class ChildAccess:
    reference: str
    person_ids: tuple[int, ...]
    lookers: list[Looker]
    looks: list[AuditRow]


LOOK_ACTIONS = (
    *flags.VIEW_ACTIONS,
    AuditAction.ACCESS_REFUSED,
    AuditAction.BREAK_GLASS,
    AuditAction.LOCKDOWN_VIEWED,
)
_LOOKS_SHOWN = 200


def child_access_for(*, viewer: Any, reference: str, person_ids: Sequence[int]) -> ChildAccess:
    """Who has looked at the child with these ids (`person_ids_for`), newest looks first."""
    _require_auditor(viewer)
    events = (
        AuditEvent.objects.filter(person_id__in=list(person_ids) or [-1], action__in=LOOK_ACTIONS)
        .select_related("actor")
        .order_by("-occurred_at", "-seq")
    )
    lookers: dict[tuple[int | None, str], Looker] = {}
    every = list(events.iterator(chunk_size=2000))
    rows = _rows(every)
    for row in rows:
        event = row.event
        key = (event.actor_id, event.actor_name)
        looker = lookers.get(key)
        if looker is None:
            looker = lookers[key] = Looker(
                event.actor_id,
                _name(event),
                getattr(event.actor, "email", "") if event.actor_id else "",
                role_label(event.actor_role),
                row.agency_name,
            )
        if event.action == AuditAction.ACCESS_REFUSED:
            looker.refused += 1
        else:
            looker.looks += 1
        looker.first_at = event.occurred_at  # newest first: the last one seen is the first
        looker.last_at = looker.last_at or event.occurred_at
        if event.purpose and event.purpose not in looker.purposes:
            looker.purposes.append(event.purpose)
        if row.basis is not None:
            if row.basis.text not in looker.bases:
                looker.bases.append(row.basis.text)
            if not row.basis.related and event.action != AuditAction.ACCESS_REFUSED:
                looker.unrelated += 1
    audit.record(
        viewer,
        AuditAction.AUDIT_CHILD_VIEWED,
        object_type="person",
        object_id=reference,
        person_id=person_ids[0] if person_ids else None,
        purpose="audit: who has looked at this child",
        detail={"people": list(person_ids), "looks": len(every), "lookers": len(lookers)},
    )
    ordered = sorted(
        lookers.values(), key=lambda lk: (lk.last_at is not None, lk.last_at), reverse=True
    )
    return ChildAccess(reference, tuple(person_ids), ordered, rows[:_LOOKS_SHOWN])


def person_ids_for(reference: str) -> list[int]:
    """The ids the audit log may hold for the child a reference names (merges included)."""
    return extensions.person_directory().ids_for_reference(reference) if reference.strip() else []


# --- the flags -------------------------------------------------------------------------------------


@dataclass
class FlagsFound:
    period: flags.Period
    rules: list[flags.FlagRule]
    flags: list[flags.Flag]


def audit_flags_for(*, viewer: Any, period: flags.Period) -> FlagsFound:
    _require_auditor(viewer)
    found = flags.flags_find(period)
    audit.record(
        viewer,
        AuditAction.AUDIT_FLAGS_VIEWED,
        object_type="audit_log",
        purpose="audit: unusual access",
        detail={
            "from": period.first.isoformat(),
            "to": period.last.isoformat(),
            "flags": len(found),
            "rules": sorted({f.rule for f in found}),
        },
    )
    return FlagsFound(period, flags.flag_rules(), found)


# --- presenting rows -----------------------------------------------------------------------------


def role_label(role: str) -> str:
    if role == "system":
        return "The system"
    return dict(Role.choices).get(role, "") if role else ""


def _name(event: AuditEvent) -> str:
    user = event.actor
    if user is not None:
        full = f"{user.first_name} {user.last_name}".strip()
        return full or event.actor_name
    return event.actor_name


_BASIS_TEXT = {
    (AccessGrant.Basis.HOLDS_RECORDS, False): "Their agency holds records on the child",
    (AccessGrant.Basis.INVOLVEMENT, False): "Their agency works with the child",
    (AccessGrant.Basis.INVOLVEMENT, True): "Their team works with the child",
    (AccessGrant.Basis.MANUAL, False): "Access given to their agency by a manager",
    (AccessGrant.Basis.MANUAL, True): "Access given to their team by a manager",
}
_BASIS_ORDER = [
    AccessGrant.Basis.INVOLVEMENT,
    AccessGrant.Basis.HOLDS_RECORDS,
    AccessGrant.Basis.MANUAL,
]


def _rows(events: Sequence[AuditEvent]) -> list[AuditRow]:
    """Each event with its actor's agency, its child's reference and, for a look at a child,
    the relationship the grants show that day (why it was allowed, when no purpose says)."""
    agencies = dict(
        Agency.objects.filter(
            pk__in={e.actor_agency_id for e in events if e.actor_agency_id}
        ).values_list("pk", "name")
    )
    references = extensions.person_directory().references(
        [e.person_id for e in events if e.person_id is not None]
    )
    looks: dict[tuple[int, int | None, dt.date], set[int]] = defaultdict(set)
    for e in events:
        if e.action in flags.VIEW_ACTIONS and e.person_id and e.actor_agency_id:
            looks[(e.actor_agency_id, e.actor_team_id, _local_day(e.occurred_at))].add(e.person_id)
    held: dict[tuple[int, int | None, dt.date], dict[int, list[tuple[str, bool]]]] = {}
    for (agency_id, team_id, day), people in looks.items():
        by_person: dict[int, list[tuple[str, bool]]] = defaultdict(list)
        grants = access.grants_counting(agency_id=agency_id, team_id=team_id, today=day).filter(
            person_id__in=sorted(people)
        )
        for person_id, basis, grant_team in grants.values_list("person_id", "basis", "team_id"):
            by_person[person_id].append((basis, grant_team is not None))
        held[(agency_id, team_id, day)] = by_person
    return [
        AuditRow(
            e,
            agencies.get(e.actor_agency_id or 0, ""),
            references.get(e.person_id, "") if e.person_id is not None else "",
            _basis(e, held),
        )
        for e in events
    ]


def _basis(
    event: AuditEvent,
    held: dict[tuple[int, int | None, dt.date], dict[int, list[tuple[str, bool]]]],
) -> Basis | None:
    if event.action == AuditAction.ACCESS_REFUSED:
        reason = event.detail.get("reason") if isinstance(event.detail, dict) else ""
        return Basis(f"Refused: {reason}" if reason else "Refused", False)
    if event.action not in flags.VIEW_ACTIONS or not event.person_id:
        return None
    if event.purpose.startswith("break-glass:"):
        return Basis("Break-glass access (no relationship of their own)", False)
    if not event.actor_agency_id:
        if event.actor_role == "system":
            return Basis("The system, for its stated purpose", True)
        return Basis("Not recorded (written before roles were kept)", True)
    grants = held.get(
        (event.actor_agency_id, event.actor_team_id, _local_day(event.occurred_at)), {}
    ).get(event.person_id, [])
    if grants:
        basis, to_team = min(
            grants, key=lambda g: (_BASIS_ORDER.index(AccessGrant.Basis(g[0])), not g[1])
        )
        return Basis(_BASIS_TEXT.get((AccessGrant.Basis(basis), to_team), basis), True)
    try:
        everyone = Capability.VIEW_ALL_CHILDREN in capabilities_of(event.actor_role)
    except Exception:
        everyone = False
    if everyone:
        return Basis(
            "Partnership-wide role: sees every child (no relationship of their own)", False
        )
    return Basis("No relationship the grants show", False)


def _local_day(when: dt.datetime) -> dt.date:
    return when.astimezone(LONDON).date()
