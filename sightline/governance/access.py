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
- which identifiers a viewer sees is policy data (vocabulary/identifiers.yaml);
- a practitioner with `view_lockdown` finds a child outside their relationships and sees whom
  to contact, never the content (the lock-down view); with `break_glass` they may open the
  child for a stated reason until the access ends (a BreakGlass row, for them alone);
- every audited look says why (`purpose_for`): the relationship, the partnership-wide role,
  the break-glass reason, the auditor's review, or the system's purpose.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
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
from sightline.governance.models import AccessGrant, BreakGlass
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


# The bases whose grant outlives its end by the grace: the work with the child has ended (an
# involvement, a referral closed), and its people may still need to finish their records.
GRACED = (AccessGrant.Basis.INVOLVEMENT, AccessGrant.Basis.REFERRAL)


def grace_days() -> int:
    """ACCESS_GRACE_DAYS: how long an involvement's grant outlives the involvement."""
    return int(getattr(settings, "ACCESS_GRACE_DAYS", 0) or 0)


def _not_ended(today: dt.date) -> Q:
    """The grant has not ended by `today` (an involvement's grant: with the grace added)."""
    q = Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    grace = grace_days()
    if grace > 0:
        q |= Q(basis__in=GRACED, ends_on__gte=today - dt.timedelta(grace))
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


# --- break-glass: one person's access to one child, for a time --------------------------------


def break_glass_current_q(now: dt.datetime) -> Q:
    """A break-glass access that counts at `now`: started, not yet at its end, not ended early."""
    return Q(started_at__lte=now, ends_at__gt=now) & (
        Q(ended_at__isnull=True) | Q(ended_at__gt=now)
    )


def break_glass_current(scope: Scope, *, now: dt.datetime | None = None) -> QuerySet[BreakGlass]:
    """The viewer's break-glass accesses that count now. A role that no longer has
    `break_glass` (a membership changed), or a move to another agency, keeps none: the access
    is the role's and the agency's as much as the person's."""
    if scope.user_id is None or not scope.can(Capability.BREAK_GLASS):
        return BreakGlass.objects.none()
    # Opened for the agency the viewer was in: a move to another agency ends it at once.
    return BreakGlass.objects.filter(user_id=scope.user_id, agency_id=scope.agency_id or 0).filter(
        break_glass_current_q(now or clock.now())
    )


_BG_CACHE = "_sightline_break_glass"
_PURPOSE_CACHE = "_sightline_purposes"


def _break_glass_people(scope: Scope, viewer: Any = None) -> list[int]:
    """The people the viewer has break-glass access to now. A handful at most: read once per
    request (kept on the user object, as the scope is, with each access's times, so one that
    ends during the request ends there too) rather than joined into every access query."""
    now = clock.now()
    held: list[tuple[int, dt.datetime, dt.datetime]] | None = getattr(viewer, _BG_CACHE, None)
    if held is None:
        if scope.user_id is None or not scope.can(Capability.BREAK_GLASS):
            held = []
        else:
            held = [
                (row.person_id, row.started_at, row.until)
                for row in BreakGlass.objects.filter(
                    user_id=scope.user_id, agency_id=scope.agency_id or 0
                ).filter(Q(ends_at__gt=now) & (Q(ended_at__isnull=True) | Q(ended_at__gt=now)))
            ]
        if viewer is not None and not isinstance(viewer, Scope):
            setattr(viewer, _BG_CACHE, held)
    return sorted({person for person, start, until in held if start <= now < until})


def break_glass_held(viewer: Any) -> bool:
    """Whether the viewer has any break-glass access now (read once per request)."""
    return bool(_break_glass_people(scope_for(viewer), viewer))


def forget_cached(viewer: Any) -> None:
    """Drop what this request has read about the viewer's access (break-glass opened or ended
    during it)."""
    for name in (_BG_CACHE, _PURPOSE_CACHE):
        if hasattr(viewer, name):
            delattr(viewer, name)


def restrict_people(viewer: Any, people: QuerySet[Any], *, field: str = "pk") -> QuerySet[Any]:
    """Narrow a queryset (of people, or of rows with a person field) to what the viewer may see."""
    scope = scope_for(viewer)
    if scope.can(Capability.VIEW_ALL_CHILDREN):
        return people
    if not scope.can(Capability.VIEW_GRANTED_CHILDREN) or scope.agency_id is None:
        return people.none()
    grants = _current_grants(scope).filter(person_id=OuterRef(field))
    broken = _break_glass_people(scope, viewer)
    if broken:
        return people.filter(Q(Exists(grants)) | Q(**{f"{field}__in": broken}))
    return people.filter(Exists(grants))


def _granted(scope: Scope, person_id: int) -> bool:
    if scope.can(Capability.VIEW_ALL_CHILDREN):
        return True
    if not scope.can(Capability.VIEW_GRANTED_CHILDREN) or scope.agency_id is None:
        return False
    return _current_grants(scope).filter(person_id=person_id).exists()


def can_view_person(viewer: Any, person_id: int) -> bool:
    scope = scope_for(viewer)
    if _granted(scope, person_id):
        return True
    if scope.agency_id is None or not scope.can(Capability.VIEW_GRANTED_CHILDREN):
        return False
    return person_id in _break_glass_people(scope, viewer)


def can_see_lockdown(viewer: Any) -> bool:
    """Whether the viewer may find children outside their relationships (the lock-down view:
    that the child exists, which agencies work with them, whom to contact)."""
    scope = scope_for(viewer)
    return scope.can(Capability.VIEW_LOCKDOWN) and not scope.can(Capability.VIEW_ALL_CHILDREN)


def lockdown_people(viewer: Any, people: QuerySet[Any], *, field: str = "pk") -> QuerySet[Any]:
    """The people of a queryset the viewer may find in the lock-down view: every person, for
    a role with `view_lockdown`; nobody otherwise. The caller shows them only the lock-down
    summary (never content) and audits it."""
    return people if can_see_lockdown(viewer) else people.none()


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


# --- why a look happened: the audit's purpose ------------------------------------------------------

PURPOSE_MASH = "MASH triage (partnership-wide role)"
PURPOSE_AUDITOR = "auditor review"
PURPOSE_LOCKDOWN = "lock-down view: whom to contact"
_BASIS_PURPOSE = {
    (AccessGrant.Basis.INVOLVEMENT, True): "involvement: their team works with the child",
    (AccessGrant.Basis.INVOLVEMENT, False): "involvement: their agency works with the child",
    (AccessGrant.Basis.HOLDS_RECORDS, False): "their agency holds records on the child",
    (AccessGrant.Basis.HOLDS_RECORDS, True): "their team holds records on the child",
    (AccessGrant.Basis.MANUAL, True): "access given to their team by a manager",
    (AccessGrant.Basis.MANUAL, False): "access given to their agency by a manager",
    (AccessGrant.Basis.REFERRAL, True): "referral: the child was referred to their team",
    (AccessGrant.Basis.REFERRAL, False): "referral: the child was referred to their agency",
}
_BASIS_RANK = [
    AccessGrant.Basis.INVOLVEMENT,
    AccessGrant.Basis.REFERRAL,
    AccessGrant.Basis.MANUAL,
    AccessGrant.Basis.HOLDS_RECORDS,
]


def break_glass_purpose(access_row: BreakGlass) -> str:
    """ "break-glass: <reason>: <text>", as every page seen under it is audited."""
    from sightline.governance.vocabulary import break_glass_reasons

    label = break_glass_reasons().get(access_row.reason, access_row.reason)
    text = " ".join(access_row.reason_text.split())
    return f"break-glass: {label}: {text}"[:PURPOSE_MAX]


def purpose_for(actor: Any, *, person_id: int | None = None, action: str = "") -> str:
    """Why `actor` is doing what is audited, from their scope and (for a look at a person) the
    grant that lets them: never empty. In order: the system's purpose; a relationship the
    grants show (the strongest basis); the partnership-wide role; break-glass with its reason;
    the auditor's review; and otherwise what was done."""
    if isinstance(actor, SystemActor):
        return f"system: {actor.name}"[:PURPOSE_MAX]
    if isinstance(actor, SystemScope):
        return f"system: {actor.purpose}"[:PURPOSE_MAX]
    scope = scope_for(actor)
    if person_id is not None and scope.agency_id is not None:
        cached: dict[int, str] | None = getattr(actor, _PURPOSE_CACHE, None)
        if cached is not None and person_id in cached:
            return cached[person_id]
        found = _person_purpose(scope, person_id)
        if found and scope.user_id is not None:
            if cached is None:
                cached = {}
                setattr(actor, _PURPOSE_CACHE, cached)
            cached[person_id] = found
        if found:
            return found
    if scope.can(Capability.VIEW_ALL_CHILDREN):
        return PURPOSE_MASH
    if scope.can(Capability.AUDIT_ACCESS):
        return PURPOSE_AUDITOR
    if person_id is not None and scope.can(Capability.VIEW_LOCKDOWN):
        return "no relationship: " + (action.replace("_", " ") or "asked for the child")
    what = action.replace("_", " ") or "use of Sightline"
    if scope.user_id is None:  # no membership (yet): signing in, an account being set up
        return f"account: {what}"[:PURPOSE_MAX]
    return f"own work: {what}"[:PURPOSE_MAX]


def _person_purpose(scope: Scope, person_id: int) -> str:
    """The relationship, the partnership-wide role or the break-glass that lets the viewer see
    this person ("" when none does)."""
    if scope.can(Capability.VIEW_ALL_CHILDREN):
        return PURPOSE_MASH
    if not scope.can(Capability.VIEW_GRANTED_CHILDREN):
        return ""
    held = list(_current_grants(scope).filter(person_id=person_id).values_list("basis", "team_id"))
    if held:
        basis, team_id = min(
            held, key=lambda g: (_BASIS_RANK.index(AccessGrant.Basis(g[0])), g[1] is None)
        )
        return _BASIS_PURPOSE[(AccessGrant.Basis(basis), team_id is not None)]
    row = break_glass_current(scope).filter(person_id=person_id).order_by("-started_at").first()
    return break_glass_purpose(row) if row is not None else ""


def can_read_content(
    scope: Scope,
    *,
    sensitivity: str,
    recorded_by_agency_id: int | None,
    restricted_handling: bool = False,
    shared: bool = False,
    clearance: ChildClearance | None = None,
) -> bool:
    """Whether the viewer may read an entry's summary and detail: always their own agency's;
    otherwise when their agency kind is cleared for the sensitivity, or they are cleared for it
    on this child (`clearance`: the lead social worker for health-confidential entries). An
    entry with handling code C (`restricted_handling`) is read outside the agency that recorded
    it only when a recorded sharing decision shared it with the viewer's agency (`shared`)."""
    if recorded_by_agency_id is not None and recorded_by_agency_id == scope.agency_id:
        return True
    cleared = sensitivities().get(sensitivity, {}).get("cleared", [])
    ok = (
        "*" in cleared
        or scope.agency_kind in cleared
        or (clearance is not None and sensitivity in clearance.sensitivities)
    )
    return ok and (shared or not restricted_handling)


# --- clearance for one child ------------------------------------------------------------------
#
# Some clearance depends on the viewer's part in one child's life, not on their agency's kind:
# health-confidential detail goes to health agencies and to the child's lead social worker. A
# sensitivity names such people in sensitivities.yaml (`cleared_people: [lead_social_worker]`);
# the app that knows who they are (cases) registers a check for each name.

ClearanceCheck = Callable[[Scope, int], bool]
_clearance_checks: dict[str, ClearanceCheck] = {}


def register_clearance_check(name: str, check: ClearanceCheck) -> None:
    """`check(scope, person_id)`: whether the viewer is, for this child, who `name` says (a name
    a sensitivity lists under `cleared_people`)."""
    _clearance_checks[name] = check


def clearance_names() -> frozenset[str]:
    return frozenset(_clearance_checks)


@dataclass(frozen=True)
class ChildClearance:
    """The sensitivities the viewer may read on one child beyond their agency kind's."""

    sensitivities: frozenset[str] = frozenset()


def clearance_for(scope: Scope, person_id: int) -> ChildClearance:
    """What this viewer is cleared for on this child, beyond their agency kind. A sensitivity
    whose `cleared_people` names no registered check clears nobody (the system check refuses
    such a file at start-up)."""
    found: set[str] = set()
    answers: dict[str, bool] = {}
    for code, spec in sensitivities().items():
        cleared = spec.get("cleared", [])
        if "*" in cleared or scope.agency_kind in cleared:
            continue
        for name in spec.get("cleared_people", []) or []:
            check = _clearance_checks.get(name)
            if check is None:
                continue
            if name not in answers:
                answers[name] = check(scope, person_id)
            if answers[name]:
                found.add(code)
                break
    return ChildClearance(frozenset(found))


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


# --- a grant that mirrors a referral ------------------------------------------------------------


def referral_grant_write(
    *, referral_id: int, person_id: int, agency_id: int, ends_on: dt.date | None
) -> bool:
    """The receiving agency's grant for one referral: open while the referral is (`ends_on`
    None), ended on the day it closed or was allocated (ACCESS_GRACE_DAYS more, when read).
    Returns whether the grant was created. Callers audit in their own transaction."""
    row, created = AccessGrant.objects.get_or_create(
        person_id=person_id,
        agency_id=agency_id,
        team_id=None,
        basis=AccessGrant.Basis.REFERRAL,
        basis_key=referral_id,
        defaults={"granted_at": clock.now(), "ends_on": ends_on},
    )
    if not created and row.ends_on != ends_on:
        AccessGrant.objects.filter(pk=row.pk).update(ends_on=ends_on)
    return created


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
        immediate=True,  # the scope carries the row's id
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
        audit_event_id=int(event.pk),
    )


def require_system(scope: Any) -> SystemScope:
    """The scope, if it is an opened system scope; AccessDenied otherwise (the system's whole-
    partnership reads take one explicitly, never a person's scope)."""
    if not isinstance(scope, SystemScope):
        raise AccessDenied("This needs a system scope (governance.access.system_scope).")
    return scope
