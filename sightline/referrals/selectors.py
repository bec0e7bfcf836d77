"""Reads of referrals, always for one viewer, always through the access module.

Who sees a referral: a viewer who may see the child (governance.access) and who is on one of
its two sides:
- **the referrer's side**: the referring agency (the referrer and their colleagues, who follow
  it when the referrer is away);
- **the receiving side**: the receiving agency, and whoever manages or heads the receiving team
  (a head of service of another agency named for the MASH team, say).
Anyone else, and anyone who may no longer see the child, gets the same "not found" as for a
referral that does not exist. A refused look is audited (`access_refused`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Min, OuterRef, Q, QuerySet, Subquery

from sightline.agencies.models import MANAGING_ROLES
from sightline.core import clock
from sightline.core.errors import NotFound
from sightline.core.requests import current_request_path
from sightline.governance import access, audit
from sightline.governance.audit import AuditAction
from sightline.governance.policy import Capability
from sightline.referrals.models import Referral, ReferralClock, ReferralDecision, ReferralEvent

NOT_FOUND_MESSAGE = "No referral found with that number, or you do not have access to it."
OPEN_STATUSES = (Referral.Status.RECEIVED, Referral.Status.DECIDED)


@dataclass(frozen=True)
class Sides:
    """The viewer's sides of a referral."""

    referrer: bool
    receiver: bool


def _managed_team_ids(scope: access.Scope) -> list[int]:
    """The teams the viewer manages (a team manager's or the MASH manager's own team) or heads
    (a head of service's named teams), from their scope: no query. A head of service with no
    teams named heads their whole agency, which the agency's side already covers."""
    if scope.role in MANAGING_ROLES and scope.team_id is not None:
        return [scope.team_id]
    return sorted(scope.headed_team_ids)


def _side_q(scope: access.Scope) -> Q:
    managed = _managed_team_ids(scope)
    q = Q(pk__in=[])
    if scope.agency_id is not None:
        q |= Q(referring_agency_id=scope.agency_id) | Q(receiving_agency_id=scope.agency_id)
    if managed:
        q |= Q(receiving_team_id__in=managed)
    return q


def referrals_visible_to(viewer: Any) -> QuerySet[Referral]:
    """Every referral the viewer may open (both sides; the child visible to them)."""
    scope = access.scope_for(viewer)
    if not (
        scope.can(Capability.MAKE_REFERRALS)
        or scope.can(Capability.RECEIVE_REFERRALS)
        or scope.can(Capability.DECIDE_REFERRALS)
    ):
        return Referral.objects.none()
    return access.restrict_people(
        viewer, Referral.objects.filter(_side_q(scope)), field="person_id"
    )


def sides_of(viewer: Any, referral: Referral) -> Sides:
    scope = access.scope_for(viewer)
    receiver = (
        scope.agency_id is not None and referral.receiving_agency_id == scope.agency_id
    ) or (
        referral.receiving_team_id is not None
        and referral.receiving_team_id in _managed_team_ids(scope)
    )
    referrer = scope.agency_id is not None and referral.referring_agency_id == scope.agency_id
    return Sides(referrer=referrer, receiver=receiver)


def is_row_id(value: Any) -> bool:
    """A number a row could have (a larger one cannot reach the database: SQLite refuses it)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def _refuse(viewer: Any, referral_id: Any, reason: str) -> NotFound:
    if viewer is not None:
        audit.record(
            viewer,
            AuditAction.ACCESS_REFUSED,
            object_type="referral",
            object_id=str(referral_id)[:64],
            purpose=current_request_path.get()[:200],
            detail={"path": current_request_path.get(), "reason": reason},
        )
    return NotFound(NOT_FOUND_MESSAGE)


def referral_get_for(*, viewer: Any, referral_id: int, for_update: bool = False) -> Referral:
    """The referral, if the viewer may open it; NotFound (audited) otherwise, the same for a
    referral that does not exist. `for_update`: locked (inside a transaction)."""
    rows = Referral.objects.select_related(
        "person",
        "receiving_agency",
        "receiving_team",
        "referring_agency",
        "referring_team",
        "referrer",
        "decided_by",
        "deciding_agency",
        "allocated_to",
        "made_entry",
    )
    if for_update:
        rows = rows.select_for_update(of=("self",))
    referral = rows.filter(pk=referral_id).first() if is_row_id(referral_id) else None
    if referral is None:
        raise _refuse(viewer, referral_id, "no such referral")
    sides = sides_of(viewer, referral)
    if not (sides.referrer or sides.receiver):
        raise _refuse(viewer, referral_id, "not a side of the referral")
    if not referrals_visible_to(viewer).filter(pk=referral.pk).exists():
        raise _refuse(viewer, referral_id, "no relationship with the child")
    return referral


def _next_due() -> Subquery:
    return Subquery(
        ReferralClock.objects.filter(
            referral_id=OuterRef("pk"), met_at__isnull=True, stopped_at__isnull=True
        )
        .values("referral_id")
        .annotate(first=Min("due_at"))
        .values("first")[:1]
    )


def with_queue_fields(rows: QuerySet[Referral]) -> QuerySet[Referral]:
    return rows.select_related(
        "person",
        "receiving_agency",
        "receiving_team",
        "referring_agency",
        "referrer",
        "allocated_to",
        "decided_by",
        "deciding_agency",
    ).annotate(next_due=_next_due())


def front_door_for(*, viewer: Any, status: str | None = None) -> list[Referral]:
    """The receiving side's queue: the open referrals made to the viewer's agency (and to the
    teams they manage), fast track first, then the nearest deadline first, then the oldest.
    `status`: received (to decide) or decided (to allocate); both when None."""
    scope = access.scope_for(viewer)
    if not (scope.can(Capability.RECEIVE_REFERRALS) or scope.can(Capability.DECIDE_REFERRALS)):
        return []
    receiving = Q(pk__in=[])
    if scope.agency_id is not None:
        receiving |= Q(receiving_agency_id=scope.agency_id)
    managed = _managed_team_ids(scope)
    if managed:
        receiving |= Q(receiving_team_id__in=managed)
    statuses = [status] if status else list(OPEN_STATUSES)
    rows = access.restrict_people(
        viewer,
        Referral.objects.filter(receiving).filter(status__in=statuses),
        field="person_id",
    )
    found = list(with_queue_fields(rows))
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    found.sort(
        key=lambda r: (not r.fast_track, getattr(r, "next_due", None) or far, r.received_at, r.pk)
    )
    return found


def referrals_made_for(*, viewer: Any, mine_only: bool = True) -> list[Referral]:
    """The referrals the viewer made (or, `mine_only` False, their agency made), newest first,
    those still open first."""
    scope = access.scope_for(viewer)
    if scope.agency_id is None or not scope.can(Capability.MAKE_REFERRALS):
        return []
    rows = Referral.objects.filter(referring_agency_id=scope.agency_id)
    if mine_only:
        rows = rows.filter(referrer_id=getattr(viewer, "pk", None))
    rows = access.restrict_people(viewer, rows, field="person_id")
    found = list(with_queue_fields(rows))
    found.sort(
        key=lambda r: (r.status == Referral.Status.CLOSED, -r.received_at.timestamp(), -r.pk)
    )
    return found


def referrals_of_child_for(*, viewer: Any, person_id: int) -> list[Referral]:
    """The child's referrals the viewer may open, newest first."""
    rows = referrals_visible_to(viewer).filter(person_id=person_id)
    return list(with_queue_fields(rows).order_by("-received_at", "-pk"))


def clocks_of(referral: Referral) -> list[ReferralClock]:
    order = [c.value for c in ReferralClock.Clock]
    rows = list(ReferralClock.objects.filter(referral_id=referral.pk))
    rows.sort(key=lambda c: (c.round, order.index(c.clock) if c.clock in order else len(order)))
    return rows


def earlier_decisions_of(referral: Referral) -> list[ReferralDecision]:
    """The decisions reconsidered since, oldest first (the referral read through
    `referral_get_for` already)."""
    return list(
        ReferralDecision.objects.filter(referral_id=referral.pk).select_related(
            "decided_by", "reconsidered_by"
        )
    )


def events_of(referral: Referral) -> list[ReferralEvent]:
    return list(
        ReferralEvent.objects.filter(referral_id=referral.pk).select_related("agency", "actor")
    )


def open_questions_of(referral: Referral) -> list[ReferralEvent]:
    """Questions nobody has answered yet, oldest first."""
    return list(
        ReferralEvent.objects.filter(
            referral_id=referral.pk, kind=ReferralEvent.Kind.QUESTION, replies__isnull=True
        ).order_by("at", "id")
    )


@dataclass(frozen=True)
class Decision:
    """A referral's decision, for the apps above (escalations: a disagreement with it)."""

    referral_id: int
    person_id: int
    decision: str
    reasons: tuple[str, ...]
    text: str
    decided_at: dt.datetime | None
    decided_by_id: int | None
    deciding_agency_id: int | None
    deciding_team_id: int | None
    referring_agency_id: int | None
    referrer_id: int | None


def referral_decision_for(*, viewer: Any, referral_id: int) -> Decision | None:
    """The decision on a referral the viewer may open (None while it is undecided); NotFound
    as `referral_get_for`."""
    referral = referral_get_for(viewer=viewer, referral_id=referral_id)
    if not referral.decision:
        return None
    return Decision(
        referral_id=referral.pk,
        person_id=referral.person_id,
        decision=referral.decision,
        reasons=tuple(referral.decision_reasons or ()),
        text=referral.decision_text,
        decided_at=referral.decided_at,
        decided_by_id=referral.decided_by_id,
        deciding_agency_id=referral.deciding_agency_id,
        deciding_team_id=referral.deciding_team_id,
        referring_agency_id=referral.referring_agency_id,
        referrer_id=referral.referrer_id,
    )


def overdue(referral: Referral, now: dt.datetime | None = None) -> bool:
    next_due = getattr(referral, "next_due", None)
    return next_due is not None and (now or clock.now()) >= next_due
