"""Helpers for the access tests: feeds registered as a data officer would, practitioners placed
in agencies and teams."""

from __future__ import annotations

from sightline.accounts.models import User
from sightline.agencies.models import Agency, Team
from sightline.agencies.tests.factories import MembershipFactory
from sightline.core.actors import IMPORTER
from sightline.records.models import SourceSystem
from sightline.records.services import source_system_register


def register(
    code: str, kind: str, *, organisation: str | None = None, team_scoped: bool = False
) -> SourceSystem:
    return source_system_register(
        actor=IMPORTER,
        code=code,
        name=f"{code} records",
        agency_kind=kind,
        organisation=organisation,
        access_scope=SourceSystem.AccessScope.TEAM if team_scoped else "agency",
    )


def member(role: str, agency: Agency, team: Team | None = None) -> User:
    return MembershipFactory.create(role=role, agency=agency, team=team).user
