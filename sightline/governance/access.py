"""The access module: every read of case data is scoped here, to one viewer.

Rules (docs/access.md):
- a viewer sees a person when their role is partnership-wide (MASH) or when their agency, or
  their team, holds a current grant for that person (a legitimate relationship);
- "not found" and "not allowed" are the same answer, so a search cannot reveal that a child
  exists somewhere the viewer has no business;
- an entry's content is shown only to agencies cleared for its sensitivity (and always to the
  agency that recorded it); others see that it exists and whom to ask.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from sightline.agencies.models import Membership
from sightline.core import clock
from sightline.core.errors import AccessDenied, NotFound
from sightline.core.fastinsert import Adapter, FastTable
from sightline.core.lookups import key_by_key
from sightline.governance.models import AccessGrant
from sightline.governance.policy import ROLE_CAPABILITIES, Capability
from sightline.governance.vocabulary import sensitivities


@dataclass(frozen=True)
class Scope:
    """What the access rules need to know about a viewer, read once per request."""

    user_id: int | None
    role: str | None
    agency_id: int | None
    agency_kind: str | None
    team_id: int | None
    capabilities: frozenset[Capability]

    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities


NO_SCOPE = Scope(None, None, None, None, None, frozenset())


def scope_for(viewer: Any) -> Scope:
    """The viewer's scope; cached on the user object for the request."""
    if isinstance(viewer, Scope):  # a scope passed as the viewer: the system's (system_scope)
        return viewer
    if viewer is None or not getattr(viewer, "is_authenticated", False) or not viewer.pk:
        return NO_SCOPE
    cached = getattr(viewer, "_sightline_scope", None)
    if cached is not None:
        return cached
    membership = Membership.objects.select_related("agency").filter(user_id=viewer.pk).first()
    if membership is None or not viewer.is_active:
        scope = NO_SCOPE
    else:
        scope = Scope(
            user_id=viewer.pk,
            role=membership.role,
            agency_id=membership.agency_id,
            agency_kind=membership.agency.kind,
            team_id=membership.team_id,
            capabilities=ROLE_CAPABILITIES.get(membership.role, frozenset()),
        )
    viewer._sightline_scope = scope
    return scope


def require(viewer: Any, capability: Capability) -> Scope:
    scope = scope_for(viewer)
    if not scope.can(capability):
        raise AccessDenied("You do not have permission to do that.")
    return scope


def _current_grants(scope: Scope) -> QuerySet[AccessGrant]:
    today = clock.today()
    who = Q(agency_id=scope.agency_id, team__isnull=True)
    if scope.team_id:
        who |= Q(team_id=scope.team_id)
    return AccessGrant.objects.filter(who).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))


def restrict_people(viewer: Any, people: QuerySet[Any], *, field: str = "pk") -> QuerySet[Any]:
    """Narrow a queryset (of people, or of rows with a person field) to what the viewer may see."""
    scope = scope_for(viewer)
    if scope.can(Capability.VIEW_ALL_CHILDREN):
        return people
    if not scope.can(Capability.VIEW_GRANTED_CHILDREN):
        return people.none()
    grants = _current_grants(scope).filter(person_id=OuterRef(field))
    return people.filter(Exists(grants))


def can_view_person(viewer: Any, person_id: int) -> bool:
    scope = scope_for(viewer)
    if scope.can(Capability.VIEW_ALL_CHILDREN):
        return True
    if not scope.can(Capability.VIEW_GRANTED_CHILDREN):
        return False
    return _current_grants(scope).filter(person_id=person_id).exists()


def require_person(viewer: Any, person_id: int) -> Scope:
    """Raise NotFound unless the viewer may see this person (existence is not revealed)."""
    if not can_view_person(viewer, person_id):
        raise NotFound("No child found with that reference, or you do not have access to them.")
    return scope_for(viewer)


def can_read_content(scope: Scope, *, sensitivity: str, recorded_by_agency_id: int | None) -> bool:
    """Whether the viewer may read an entry's summary and detail."""
    if recorded_by_agency_id is not None and recorded_by_agency_id == scope.agency_id:
        return True
    cleared = sensitivities().get(sensitivity, {}).get("cleared", [])
    return "*" in cleared or (scope.agency_kind in cleared)


def grant(
    *,
    person_id: int,
    agency_id: int,
    basis: str,
    team_id: int | None = None,
) -> None:
    """Record a legitimate relationship (idempotent). Callers audit in their own transaction."""
    AccessGrant.objects.get_or_create(
        person_id=person_id,
        agency_id=agency_id,
        team_id=team_id,
        basis=basis,
        defaults={"granted_at": clock.now()},
    )


def _grants_held(
    person_ids: list[int], *, agency_id: int, basis: str, team_id: int | None
) -> set[int]:
    """Which of these people already hold the grant."""
    held: set[int] = set()
    if connection.vendor != "postgresql":
        same = AccessGrant.objects.filter(agency_id=agency_id, basis=basis)
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
        where=f"agency_id = %s AND basis = %s AND {team}",
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
    insert for the rest. Returns how many were added. Callers audit in their own transaction."""
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


# --- The system scope: the system's own reads, for a stated purpose ------------------------------
#
# Linking, the clock's jobs (sightline tick) and the rules engine read case data as the system,
# not as a person. They do so through a scope like a viewer's, opened for a system actor and a
# purpose and audited once when opened (one row per run, not per row read); selectors and
# `restrict_people` accept it as the viewer. docs/adr/0009-system-scope.md.
# (Imported here, with the code that needs them, so this section stays one block.)

from collections.abc import Mapping  # noqa: E402

from sightline.core.actors import SystemActor  # noqa: E402
from sightline.governance import audit  # noqa: E402
from sightline.governance.audit import AuditAction  # noqa: E402

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
