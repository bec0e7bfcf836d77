"""Who manages what: the team managers and heads of service a clock tells when it runs out
(docs/workflow.md), and the teams a manager sees on their team's view of "my work".

These read no case data (only agencies, teams and memberships), so they take the team or the
user rather than a viewer."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from sightline.accounts.models import User
from sightline.agencies.models import MANAGING_ROLES, Membership, Role, Team


def _active(users: QuerySet[User]) -> list[User]:
    return list(users.filter(is_active=True).order_by("last_name", "first_name", "username"))


def team_managers_for(team: Team) -> list[User]:
    """The active users who manage `team`: a team manager (or the MASH manager) whose
    membership names it."""
    return _active(User.objects.filter(membership__team=team, membership__role__in=MANAGING_ROLES))


def heads_of_service_for(team: Team) -> list[User]:
    """The active heads of service over `team`: those named for it, and those of its agency who
    have no teams named (they head every team of their agency)."""
    heads = User.objects.filter(membership__role=Role.HEAD_OF_SERVICE)
    named = Q(membership__heads_teams=team)
    whole_agency = Q(membership__agency_id=team.agency_id, membership__heads_teams__isnull=True)
    return _active(heads.filter(named | whole_agency).distinct())


def teams_managed_by(user: User) -> list[Team]:
    """The teams whose work `user` oversees: the team a team manager's (or the MASH manager's)
    membership names; for a head of service, the teams named for them, or else every team of
    their agency. Nobody else manages a team."""
    membership = Membership.objects.filter(user=user).select_related("team").first()
    if membership is None or not user.is_active:
        return []
    if membership.role in MANAGING_ROLES:
        return [membership.team] if membership.team is not None else []
    if membership.role == Role.HEAD_OF_SERVICE:
        named = list(membership.heads_teams.select_related("agency").order_by("name"))
        if named:
            return named
        return list(
            Team.objects.filter(agency_id=membership.agency_id)
            .select_related("agency")
            .order_by("name")
        )
    return []
