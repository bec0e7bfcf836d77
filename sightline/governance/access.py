"""The access module: every read of case data is scoped here, to one viewer.

Rules (docs/access.md):
- a viewer sees a person when their role is partnership-wide (MASH) or when their agency, or
  their team, holds a grant for that person that is current today (a legitimate relationship):
  - a grant counts from `starts_on` to `ends_on` (either may be open), and a grant that
    mirrors an involvement for ACCESS_GRACE_DAYS after the involvement ends;
  - an agency's `holds_records` grant counts while the agency has no involvement with the
    person, or has one that has not ended: once every involvement it had has ended (and the
    grace passed), holding records no longer keeps the child in view;
- "not found" and "not allowed" are the same answer, so a search cannot reveal that a child
  exists somewhere the viewer has no business; a refused look is audited (`access_refused`);
- an entry's content is shown only to agencies cleared for its sensitivity (and always to the
  agency that recorded it); others see that it exists and whom to ask;
- which identifiers a viewer sees is policy data (vocabulary/identifiers.yaml).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from sightline.agencies.models import Membership, Role
from sightline.core import clock
from sightline.core.actors import SystemActor
from sightline.core.errors import AccessDenied, NotFound
from sightline.core.fastinsert import Adapter, FastTable
from sightline.core.lookups import AnyOf, key_by_key
from sightline.core.requests import current_request_path
from sightline.governance import audit
from sightline.governance.audit import AuditAction
from sightline.governance.models import AccessGrant
from sightline.governance.policy import Capability, capabilities_of
from sightline.governance.vocabulary import (
    BY_ISSUER,
    EVERYONE,
    identifier_policy,
    sensitivities,
)

NOT_FOUND_MESSAGE = "No child found with that reference, or you do not have access to them."
_IN_BATCH = 2000


@dataclass(frozen=True)
class Scope:
    """What the access rules need to know about a viewer, read once per request."""

    user_id: int | None
    role: str | None
    agency_id: int | None
    agency_kind: str | None
    team_id: int | None
    capabilities: frozenset[str]
    # A head of service also sees what the teams they head hold: the teams named for them
    # (Membership.heads_teams), or every team of their agency when none is named.
    headed_team_ids: frozenset[int] = field(default=frozenset(), kw_only=True)
    heads_agency: bool = field(default=False, kw_only=True)

    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities


NO_SCOPE = Scope(None, None, None, None, None, frozenset())


def scope_for(viewer: Any) -> Scope:
    """The viewer's scope; cached on the user object for the request. A membership whose role
    the policy does not know raises policy.UnknownRole (the database refuses such a role)."""
    if isinstance(viewer, Scope):  # a scope passed as the viewer: the system's (system_scope)
        return viewer
    if viewer is None or not getattr(viewer, "is_authenticated", False) or not viewer.pk:
        return NO_SCOPE
    cached: Scope | None = getattr(viewer, "_sightline_scope", None)
    if cached is not None:
        return cached
    membership = Membership.objects.select_related("agency").filter(user_id=viewer.pk).first()
    if membership is None or not viewer.is_active:
        scope = NO_SCOPE
    else:
        headed: frozenset[int] = frozenset()
        if membership.role == Role.HEAD_OF_SERVICE:
            headed = frozenset(membership.heads_teams.values_list("pk", flat=True))
        scope = Scope(
            user_id=viewer.pk,
            role=membership.role,
            agency_id=membership.agency_id,
            agency_kind=membership.agency.kind,
            team_id=membership.team_id,
            capabilities=capabilities_of(membership.role),
            headed_team_ids=headed,
            heads_agency=membership.role == Role.HEAD_OF_SERVICE and not headed,
        )
    viewer._sightline_scope = scope
    return scope


def require(viewer: Any, capability: Capability) -> Scope:
    scope = scope_for(viewer)
    if not scope.can(capability):
        raise AccessDenied("You do not have permission to do that.")
    return scope


# --- when a grant counts ----------------------------------------------------------------------


def grace_days() -> int:
    """ACCESS_GRACE_DAYS: how long an involvement's grant outlives the involvement."""
    return int(getattr(settings, "ACCESS_GRACE_DAYS", 0) or 0)


def _not_ended(today: dt.date) -> Q:
    """The grant has not ended by `today` (an involvement's grant: with the grace added)."""
    q = Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    grace = grace_days()
    if grace > 0:
        q |= Q(basis=AccessGrant.Basis.INVOLVEMENT, ends_on__gte=today - dt.timedelta(grace))
    return q


def current_q(today: dt.date) -> Q:
    """A grant that counts on `today`, whatever its basis (see `_records_count`)."""
    return (Q(starts_on__isnull=True) | Q(starts_on__lte=today)) & _not_ended(today)


def _records_count(today: dt.date) -> Q:
    """An agency's holds_records grant counts unless the agency has had involvements with the
    person and every one of them has ended (grace included): holding records must not keep a
    child in view after the work with them is over. An agency whose feeds send no involvements
    (the police) keeps its records' grant."""
    involvements = AccessGrant.objects.filter(
        person_id=OuterRef("person_id"),
        agency_id=OuterRef("agency_id"),
        basis=AccessGrant.Basis.INVOLVEMENT,
    )
    return (
        ~Q(basis=AccessGrant.Basis.HOLDS_RECORDS)
        | ~Exists(involvements)
        | Exists(involvements.filter(_not_ended(today)))
    )


def grants_counting(
    *,
    agency_id: int,
    team_id: int | None = None,
    today: dt.date | None = None,
    team_ids: Iterable[int] = (),
    whole_agency: bool = False,
) -> QuerySet[AccessGrant]:
    """The grants of an agency (and of one of its teams, and of the teams in `team_ids`; of
    every team of the agency with `whole_agency`) that give a child on `today`."""
    today = today or clock.today()
    who = Q(agency_id=agency_id) if whole_agency else Q(agency_id=agency_id, team__isnull=True)
    teams = sorted({*team_ids, *([team_id] if team_id else [])})
    if teams:
        who |= Q(team_id__in=teams)
    return AccessGrant.objects.filter(who).filter(current_q(today)).filter(_records_count(today))


def _current_grants(scope: Scope) -> QuerySet[AccessGrant]:
    assert scope.agency_id is not None
    return grants_counting(
        agency_id=scope.agency_id,
        team_id=scope.team_id,
        team_ids=scope.headed_team_ids,
        whole_agency=scope.heads_agency,
    )


def restrict_people(viewer: Any, people: QuerySet[Any], *, field: str = "pk") -> QuerySet[Any]:
    """Narrow a queryset (of people, or of rows with a person field) to what the viewer may see."""
    scope = scope_for(viewer)
    if scope.can(Capability.VIEW_ALL_CHILDREN):
        return people
    if not scope.can(Capability.VIEW_GRANTED_CHILDREN) or scope.agency_id is None:
        return people.none()
    grants = _current_grants(scope).filter(person_id=OuterRef(field))
    return people.filter(Exists(grants))


def can_view_person(viewer: Any, person_id: int) -> bool:
    scope = scope_for(viewer)
    if scope.can(Capability.VIEW_ALL_CHILDREN):
        return True
    if not scope.can(Capability.VIEW_GRANTED_CHILDREN) or scope.agency_id is None:
        return False
    return _current_grants(scope).filter(person_id=person_id).exists()


def require_person(
    viewer: Any,
    person_id: int | None,
    *,
    purpose: str = "",
    detail: dict[str, Any] | None = None,
) -> Scope:
    """Raise NotFound unless the viewer may see this person (existence is not revealed).
    `person_id` None: no such person. A refusal is audited (ACCESS_REFUSED, with the path asked
    for) before NotFound is raised; outside a transaction the row is committed at once, so it
    stays although the request ends in a 404 (governance.checks refuses ATOMIC_REQUESTS)."""
    if person_id is not None and can_view_person(viewer, person_id):
        return scope_for(viewer)
    if viewer is not None:
        audit.record(
            viewer,
            AuditAction.ACCESS_REFUSED,
            object_type="person",
            object_id=person_id if person_id is not None else "",
            person_id=person_id,
            purpose=(purpose or current_request_path.get())[:200],
            detail={
                "path": current_request_path.get(),
                "reason": "no relationship" if person_id is not None else "no such person",
                **(detail or {}),
            },
        )
    raise NotFound(NOT_FOUND_MESSAGE)


def can_read_content(scope: Scope, *, sensitivity: str, recorded_by_agency_id: int | None) -> bool:
    """Whether the viewer may read an entry's summary and detail."""
    if recorded_by_agency_id is not None and recorded_by_agency_id == scope.agency_id:
        return True
    cleared = sensitivities().get(sensitivity, {}).get("cleared", [])
    return "*" in cleared or (scope.agency_kind in cleared)


def identifier_visible(scope: Scope, *, scheme: str, issuer_kind: str | None) -> bool:
    """Whether the viewer sees an identifier of this scheme, issued by a feed of an agency of
    `issuer_kind` (None: not known), by the identifier policy (vocabulary/identifiers.yaml)."""
    kind = scope.agency_kind
    if kind is None:
        return False
    policy = identifier_policy()
    rule = policy.schemes.get(scheme)
    if rule is None:
        return False  # a scheme the policy does not name is shown to nobody
    if rule == BY_ISSUER:
        if issuer_kind is not None and issuer_kind == kind:
            return True
        shown_to = policy.issuers.get(issuer_kind or EVERYONE, policy.issuers[EVERYONE])
    else:
        assert isinstance(rule, frozenset)
        shown_to = rule
    return EVERYONE in shown_to or kind in shown_to


# --- writing grants ---------------------------------------------------------------------------


def grant(
    *,
    person_id: int,
    agency_id: int,
    basis: str,
    team_id: int | None = None,
    ends_on: dt.date | None = None,
) -> None:
    """Record a legitimate relationship (idempotent: one grant per holder and basis; a grant
    already held keeps its dates). Callers audit in their own transaction."""
    AccessGrant.objects.get_or_create(
        person_id=person_id,
        agency_id=agency_id,
        team_id=team_id,
        basis=basis,
        basis_key=0,
        defaults={"granted_at": clock.now(), "ends_on": ends_on},
    )


def _grants_held(
    person_ids: list[int], *, agency_id: int, basis: str, team_id: int | None
) -> set[int]:
    """Which of these people already hold the grant."""
    held: set[int] = set()
    if connection.vendor != "postgresql":
        same = AccessGrant.objects.filter(agency_id=agency_id, basis=basis, basis_key=0)
        same = same.filter(team_id=team_id) if team_id else same.filter(team__isnull=True)
        for start in range(0, len(person_ids), 2000):
            chunk = person_ids[start : start + 2000]
            held.update(same.filter(person_id__in=chunk).values_list("person_id", flat=True))
        return held
    # Person by person (core.lookups.key_by_key): matched on the agency alone, a county's
    # school involvements had read every grant of the agency for every chunk, for minutes.
    team = "team_id = %s" if team_id else "team_id IS NULL"
    sql = key_by_key(
        AccessGrant._meta.db_table,
        ["person_id"],
        key="person_id",
        key_type="bigint",
        where=f"agency_id = %s AND basis = %s AND basis_key = 0 AND {team}",
    )
    params: list[Any] = [agency_id, basis, *([team_id] if team_id else [])]
    with connection.cursor() as cursor:
        for start in range(0, len(person_ids), 2000):
            cursor.execute(sql, [person_ids[start : start + 2000], *params])
            held.update(row[0] for row in cursor.fetchall())
    return held


def grant_many(
    *,
    person_ids: Iterable[int],
    agency_id: int,
    basis: str,
    team_id: int | None = None,
) -> int:
    """`grant` for many people at once (imports): one query for the grants already held, one
    insert for the rest. Returns how many were added. Callers audit in their own transaction.
    Involvements use `involvement_grants_write` (one grant each, with its dates)."""
    wanted = set(person_ids)
    if not wanted:
        return 0
    held = _grants_held(sorted(wanted), agency_id=agency_id, basis=basis, team_id=team_id)
    new = sorted(wanted - held)
    if new:
        table = FastTable(AccessGrant, ["person_id", "agency_id", "team_id", "basis", "granted_at"])
        granted_at = Adapter().datetime(clock.now())
        table.insert(
            [
                (pk, person_id, agency_id, team_id, basis, granted_at)
                for pk, person_id in zip(table.allocate(len(new)), new, strict=True)
            ]
        )
    return len(new)


# --- grants that mirror involvements ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InvolvementGrant:
    """The grant one involvement gives: to a team, or to the agency as a whole (team None),
    from the day it starts to the day it ends (ACCESS_GRACE_DAYS more, when read)."""

    key: int  # the involvement's id
    person_id: int
    agency_id: int
    team_id: int | None
    starts_on: dt.date | None
    ends_on: dt.date | None


_INVOLVEMENT_FIELDS = ["person_id", "agency_id", "team_id", "starts_on", "ends_on"]


def involvement_grants_write(
    grants: Sequence[InvolvementGrant],
    *,
    new: bool,
    previous_people: Iterable[int] = (),
    adapter: Adapter | None = None,
) -> None:
    """Make each involvement's grant say what the involvement now says (its person, holder and
    dates): an involvement re-sent with an end date ends its grant, one re-opened opens it
    again. `new`: the involvements were just created, so none has a grant yet (one insert).
    Otherwise the grants are found through the people who hold them (the involvements' people,
    and `previous_people`, whom a re-sent involvement may have left) and updated in place; any
    missing are added. Callers audit in their own transaction."""
    if not grants:
        return
    missing = list(grants)
    if not new:
        wanted = {g.key: g for g in grants}
        people = sorted({g.person_id for g in grants} | set(previous_people))
        held: list[AccessGrant] = []
        for start in range(0, len(people), _IN_BATCH):
            chunk = people[start : start + _IN_BATCH]
            held += [
                g
                for g in AccessGrant.objects.filter(
                    AnyOf(F("person_id"), chunk),
                    basis=AccessGrant.Basis.INVOLVEMENT,
                ).exclude(basis_key=0)
                if g.basis_key in wanted
            ]
        for row in held:
            g = wanted.pop(row.basis_key)
            for name in _INVOLVEMENT_FIELDS:
                setattr(row, name, getattr(g, name))
        if held:
            AccessGrant.objects.bulk_update(
                held, [n.removesuffix("_id") for n in _INVOLVEMENT_FIELDS], batch_size=500
            )
        missing = list(wanted.values())
    if missing:
        table = FastTable(AccessGrant, ["basis", "basis_key", "granted_at", *_INVOLVEMENT_FIELDS])
        adapter = adapter or Adapter()
        granted_at = adapter.datetime(clock.now())
        table.insert(
            [
                (
                    pk,
                    AccessGrant.Basis.INVOLVEMENT.value,
                    g.key,
                    granted_at,
                    g.person_id,
                    g.agency_id,
                    g.team_id,
                    adapter.date(g.starts_on),
                    adapter.date(g.ends_on),
                )
                for pk, g in zip(table.allocate(len(missing)), missing, strict=True)
            ]
        )


# --- The system scope: the system's own reads, for a stated purpose ------------------------------
#
# Linking, the clock's jobs (sightline tick) and the rules engine read case data as the system,
# not as a person. They do so through a scope like a viewer's, opened for a system actor and a
# purpose and audited once when opened (one row per run, not per row read); selectors and
# `restrict_people` accept it as the viewer. docs/adr/0009-system-scope.md.

# Every child, for the system's work on the whole partnership's records. Reading an entry's
# content is still decided by `can_read_content` (the system scope has no agency, so it is
# cleared only for what every agency may read).
SYSTEM_CAPABILITIES = frozenset({Capability.VIEW_ALL_CHILDREN})
PURPOSE_MAX = 200


@dataclass(frozen=True)
class SystemScope(Scope):
    """A scope for a system actor: who (`actor`), why (`purpose`), and the audit row that
    recorded it being opened."""

    actor: SystemActor
    purpose: str
    audit_event_id: int


def system_scope(
    *, actor: SystemActor, purpose: str, detail: Mapping[str, Any] | None = None
) -> SystemScope:
    """Open a scope for the system's own reads, audited once (`system_access`, with the purpose
    and `detail`). Only a SystemActor may have one: a person reads through their own scope."""
    if not isinstance(actor, SystemActor):
        raise AccessDenied("Only the system's own actors read through a system scope.")
    purpose = " ".join(purpose.split())
    if not purpose:
        raise ValueError("a system scope needs a purpose")
    if len(purpose) > PURPOSE_MAX:
        raise ValueError(f"a system scope's purpose is at most {PURPOSE_MAX} characters")
    event = audit.record(
        actor,
        AuditAction.SYSTEM_ACCESS,
        object_type="system_scope",
        purpose=purpose,
        detail={"capabilities": sorted(SYSTEM_CAPABILITIES), **dict(detail or {})},
    )
    return SystemScope(
        user_id=None,
        role="system",
        agency_id=None,
        agency_kind=None,
        team_id=None,
        capabilities=SYSTEM_CAPABILITIES,
        actor=actor,
        purpose=purpose,
        audit_event_id=event.pk,
    )


def require_system(scope: Any) -> SystemScope:
    """The scope, if it is an opened system scope; AccessDenied otherwise (the system's whole-
    partnership reads take one explicitly, never a person's scope)."""
    if not isinstance(scope, SystemScope):
        raise AccessDenied("This needs a system scope (governance.access.system_scope).")
    return scope
