"""Who to tell, on an agency's side, about a child: the practitioners working with the child,
their team managers, their heads of service, and the partnership's front door. Read by the
workflow services (closures here; disagreements and step decisions above) to address
notifications. Reads memberships and involvements only, no case content."""

from __future__ import annotations

from collections.abc import Iterable

from sightline.accounts.models import User
from sightline.agencies.models import Membership, Role, Team
from sightline.agencies.selectors import heads_of_service_for, team_managers_for
from sightline.cases.models import Involvement
from sightline.core import clock

# The roles that do the work with children (not managers, not the system's own roles).
PRACTITIONER_ROLES = (
    Role.SOCIAL_WORKER,
    Role.SCHOOL_DSL,
    Role.POLICE_OFFICER,
    Role.HEALTH_NURSE,
    Role.EARLY_HELP,
    Role.YOUTH_JUSTICE,
)
# Told when nobody is named: a small agency's whole staff, never a county's.
AGENCY_FALLBACK_LIMIT = 25


def _unique(users: Iterable[User]) -> list[User]:
    seen: set[int] = set()
    out = []
    for user in users:
        if user.pk not in seen and user.is_active:
            seen.add(user.pk)
            out.append(user)
    return out


def current_involvements(person_id: int, agency_id: int | None = None) -> list[Involvement]:
    today = clock.today()
    rows = Involvement.objects.filter(person_id=person_id).exclude(ended_on__lt=today)
    if agency_id is not None:
        rows = rows.filter(agency_id=agency_id)
    return list(rows.select_related("agency", "team").order_by("-is_lead", "id"))


def practitioners_for(
    *, person_id: int, agency_id: int, team_id: int | None = None, named: Iterable[int] = ()
) -> list[User]:
    """The people on an agency's side who work with the child: those named (the practitioner
    whose decision it was), the practitioners its involvements with the child name (by email),
    the members of the involvements' teams (or of `team_id`); else the agency's practitioners
    (at most AGENCY_FALLBACK_LIMIT)."""
    members = User.objects.filter(is_active=True, membership__agency_id=agency_id)
    found: list[User] = list(members.filter(pk__in=list(named)))
    involvements = current_involvements(person_id, agency_id)
    emails = [i.practitioner_email.lower() for i in involvements if i.practitioner_email]
    if emails:
        found += list(members.filter(email__in=emails))
    teams = {i.team_id for i in involvements if i.team_id} | ({team_id} if team_id else set())
    if teams:
        found += list(
            members.filter(membership__team_id__in=teams, membership__role__in=PRACTITIONER_ROLES)
        )
    if not found:
        found = list(
            members.filter(membership__role__in=PRACTITIONER_ROLES).order_by("id")[
                :AGENCY_FALLBACK_LIMIT
            ]
        )
    return _unique(found)


def _teams(person_id: int, agency_id: int, team_id: int | None) -> list[Team]:
    if team_id:
        return list(Team.objects.filter(pk=team_id))
    ids = {i.team_id for i in current_involvements(person_id, agency_id) if i.team_id}
    if ids:
        return list(Team.objects.filter(pk__in=ids))
    return list(Team.objects.filter(agency_id=agency_id))


def managers_for(*, person_id: int, agency_id: int, team_id: int | None = None) -> list[User]:
    """The team managers of the team working with the child (every team of the agency when
    none is known)."""
    users: list[User] = []
    for team in _teams(person_id, agency_id, team_id):
        users += team_managers_for(team)
    return _unique(users)


def heads_for(*, person_id: int, agency_id: int, team_id: int | None = None) -> list[User]:
    users: list[User] = []
    for team in _teams(person_id, agency_id, team_id):
        users += heads_of_service_for(team)
    if not users:
        users = list(
            User.objects.filter(
                is_active=True,
                membership__agency_id=agency_id,
                membership__role=Role.HEAD_OF_SERVICE,
            )
        )
    return _unique(users)


def partnership_users() -> list[User]:
    """Who speaks for the safeguarding partnership: its front door's managers (MASH)."""
    return _unique(
        User.objects.filter(is_active=True, membership__role=Role.MASH_MANAGER).order_by("id")
    )


def user_agency_id(user: User) -> int | None:
    membership = Membership.objects.filter(user_id=user.pk).first()
    return membership.agency_id if membership else None
