"""The access module and the role policy as tables (docs/access.md): for each role, which
relationships with a child let its holder see the child; for each agency kind, which entries'
content it may read. The rows are written out, not computed, so a change to the policy has to
change this table too."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from sightline.accounts.models import User
from sightline.agencies.models import Agency, Role, Team
from sightline.agencies.tests.factories import AgencyFactory, MembershipFactory, TeamFactory
from sightline.core.dates import LONDON
from sightline.governance import access
from sightline.governance.models import AccessGrant
from sightline.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)
PAST = dt.date(2026, 5, 31)
NEXT = dt.date(2026, 9, 1)
RECORDS, INVOLVEMENT, MANUAL = "holds_records", "involvement", "manual"

# Each relationship: the grants the viewer's agency ("agency") or teams ("own team",
# "other team") hold for the child: (basis, holder, starts_on, ends_on). An involvement grant
# mirrors one involvement (its own basis_key).
RELATIONSHIPS: dict[str, list[tuple[str, str, dt.date | None, dt.date | None]]] = {
    "none": [],
    "holds records": [(RECORDS, "agency", None, None)],
    "holds records, involvement current": [
        (RECORDS, "agency", None, None),
        (INVOLVEMENT, "agency", dt.date(2020, 9, 1), None),
    ],
    "holds records, involvements ended": [
        (RECORDS, "agency", None, None),
        (INVOLVEMENT, "agency", dt.date(2015, 9, 1), dt.date(2020, 7, 20)),
        (INVOLVEMENT, "other team", dt.date(2021, 1, 1), PAST),
    ],
    "holds records, involvement not yet started": [
        (RECORDS, "agency", None, None),
        (INVOLVEMENT, "agency", NEXT, None),
    ],
    "involvement current": [(INVOLVEMENT, "agency", dt.date(2020, 9, 1), None)],
    "involvement ends today": [(INVOLVEMENT, "agency", dt.date(2020, 9, 1), TODAY)],
    "involvement ended": [(INVOLVEMENT, "agency", dt.date(2015, 9, 1), PAST)],
    "involvement not yet started": [(INVOLVEMENT, "agency", NEXT, None)],
    "own team's involvement current": [(INVOLVEMENT, "own team", dt.date(2020, 9, 1), None)],
    "own team's involvement ended": [(INVOLVEMENT, "own team", dt.date(2015, 9, 1), PAST)],
    "other team's involvement current": [(INVOLVEMENT, "other team", dt.date(2020, 9, 1), None)],
    "manual": [(MANUAL, "agency", None, None)],
    "manual to own team": [(MANUAL, "own team", None, None)],
    "manual ended": [(MANUAL, "agency", None, PAST)],
}
COLUMNS = list(RELATIONSHIPS)

# Who sees the child, by role (the viewer in "own team" of their agency), one mark per
# relationship above, in order: Y sees, . does not.
#                        none  recs  recs+cur  recs+ended  recs+future  inv  inv-today
#                        inv-ended  inv-future  team  team-ended  other-team  manual
#                        manual-team  manual-ended
SEES = {
    Role.SOCIAL_WORKER: ". Y Y . Y Y Y . . Y . . Y Y .",
    Role.SCHOOL_DSL: ". Y Y . Y Y Y . . Y . . Y Y .",
    Role.POLICE_OFFICER: ". Y Y . Y Y Y . . Y . . Y Y .",
    Role.HEALTH_NURSE: ". Y Y . Y Y Y . . Y . . Y Y .",
    Role.EARLY_HELP: ". Y Y . Y Y Y . . Y . . Y Y .",
    Role.YOUTH_JUSTICE: ". Y Y . Y Y Y . . Y . . Y Y .",
    Role.TEAM_MANAGER: ". Y Y . Y Y Y . . Y . . Y Y .",
    # Heads every team of the agency (no teams named): the other team's grant counts too.
    Role.HEAD_OF_SERVICE: ". Y Y . Y Y Y . . Y . Y Y Y .",
    Role.MASH_MANAGER: "Y Y Y Y Y Y Y Y Y Y Y Y Y Y Y",
    Role.DATA_OFFICER: ". . . . . . . . . . . . . . .",
    Role.ANALYST: ". . . . . . . . . . . . . . .",
    Role.SYSADMIN: ". . . . . . . . . . . . . . .",
    Role.AUDITOR: ". . . . . . . . . . . . . . .",
}
KIND = {
    Role.SOCIAL_WORKER: "childrens_social_care",
    Role.SCHOOL_DSL: "school",
    Role.POLICE_OFFICER: "police",
    Role.HEALTH_NURSE: "health_ae",
    Role.EARLY_HELP: "early_help",
    Role.YOUTH_JUSTICE: "youth_justice",
    Role.TEAM_MANAGER: "childrens_social_care",
    Role.HEAD_OF_SERVICE: "childrens_social_care",
    Role.MASH_MANAGER: "mash",
    Role.DATA_OFFICER: "other",
    Role.ANALYST: "other",
    Role.SYSADMIN: "other",
    Role.AUDITOR: "other",
}


def test_the_table_names_every_role_and_relationship() -> None:
    assert set(SEES) == set(Role)
    assert all(len(marks.split()) == len(COLUMNS) for marks in SEES.values())


def _viewer(role: str, *, in_team: bool = True) -> tuple[User, Agency, Team, Team]:
    agency = AgencyFactory.create(kind=KIND[Role(role)])
    own, other = TeamFactory.create(agency=agency), TeamFactory.create(agency=agency)
    user = MembershipFactory.create(role=role, agency=agency, team=own if in_team else None).user
    return user, agency, own, other


def _grant(child: Any, agency: Agency, own: Team, other: Team, relationship: str) -> None:
    for key, (basis, holder, starts, ends) in enumerate(RELATIONSHIPS[relationship], start=1):
        team = {"agency": None, "own team": own, "other team": other}[holder]
        AccessGrant.objects.create(
            person=child,
            agency=agency,
            team=team,
            basis=basis,
            basis_key=key if basis == INVOLVEMENT else 0,
            granted_at=dt.datetime(2020, 1, 1, tzinfo=LONDON),
            starts_on=starts,
            ends_on=ends,
        )


CASES = [
    pytest.param(role, column, marks.split()[i] == "Y", id=f"{role}-{column}")
    for role, marks in SEES.items()
    for i, column in enumerate(COLUMNS)
]


@pytest.mark.parametrize(("role", "relationship", "sees"), CASES)
def test_who_sees_the_child(role: str, relationship: str, sees: bool) -> None:
    user, agency, own, other = _viewer(role)
    child, stranger = PersonFactory.create(), PersonFactory.create()
    _grant(child, agency, own, other, relationship)
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(12), tzinfo=LONDON)):
        assert access.can_view_person(user, child.pk) is sees
        people = access.restrict_people(user, type(child).objects.filter(pk__in=[child.pk]))
        assert list(people) == ([child] if sees else [])
        assert access.can_view_person(user, stranger.pk) is (role == Role.MASH_MANAGER)


@pytest.mark.parametrize(
    ("relationship", "sees"),
    [
        ("involvement current", True),  # the agency's grant: everyone in it
        ("manual", True),
        ("own team's involvement current", False),  # a team's grant: its members only
        ("manual to own team", False),
        ("other team's involvement current", False),
    ],
)
def test_a_practitioner_in_no_team_sees_only_what_their_agency_holds(
    relationship: str, sees: bool
) -> None:
    user, agency, own, other = _viewer(Role.SOCIAL_WORKER, in_team=False)
    child = PersonFactory.create()
    _grant(child, agency, own, other, relationship)
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(12), tzinfo=LONDON)):
        assert access.can_view_person(user, child.pk) is sees


# Whose content an agency kind reads, for an entry another agency recorded, by sensitivity:
#                       standard  health_confidential  police_intelligence
#                       not_for_family_disclosure  informant_protected
SENSITIVITIES = [
    "standard",
    "health_confidential",
    "police_intelligence",
    "not_for_family_disclosure",
    "informant_protected",
]
READS = {
    # Health-confidential: health kinds only; the child's lead social worker is cleared on that
    # child by person, not by kind (chronology/tests/test_sharing.py).
    "childrens_social_care": "Y . . Y .",
    "school": "Y . . Y .",
    "police": "Y . Y Y Y",
    "police_other_force": "Y . Y Y .",
    "health_ae": "Y Y . Y .",
    "health_gp": "Y Y . Y .",
    "camhs": "Y Y . Y .",
    "school_nursing": "Y Y . Y .",
    "early_help": "Y . . Y .",
    "youth_justice": "Y . . Y .",
    "child_exploitation_team": "Y . Y Y .",
    "mash": "Y . Y Y .",
    "mace": "Y . Y Y .",
}


@pytest.mark.parametrize(
    ("kind", "sensitivity", "reads"),
    [
        pytest.param(kind, s, marks.split()[i] == "Y", id=f"{kind}-{s}")
        for kind, marks in READS.items()
        for i, s in enumerate(SENSITIVITIES)
    ],
)
def test_who_reads_an_entrys_content(kind: str, sensitivity: str, reads: bool) -> None:
    scope = access.Scope(1, "social_worker", 10, kind, None, frozenset())
    assert (
        access.can_read_content(scope, sensitivity=sensitivity, recorded_by_agency_id=99) is reads
    )
    # The agency that recorded an entry always reads it.
    assert access.can_read_content(scope, sensitivity=sensitivity, recorded_by_agency_id=10)


@pytest.mark.parametrize(
    ("relationship", "sees"),
    [
        ("own team's involvement current", True),  # a team they head
        ("other team's involvement current", False),  # their agency's, but not named for them
        ("involvement current", True),  # their agency's own grant
        ("own team's involvement ended", False),
    ],
)
def test_a_head_of_service_with_named_teams_sees_what_those_teams_hold(
    relationship: str, sees: bool
) -> None:
    user, agency, own, other = _viewer(Role.HEAD_OF_SERVICE, in_team=False)
    user.membership.heads_teams.set([own])
    child = PersonFactory.create()
    _grant(child, agency, own, other, relationship)
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(12), tzinfo=LONDON)):
        assert access.can_view_person(user, child.pk) is sees


def test_a_head_of_service_sees_a_named_team_of_another_agency() -> None:
    user, _agency, _own, _other = _viewer(Role.HEAD_OF_SERVICE, in_team=False)
    mash = AgencyFactory.create(kind="mash")
    front_door = TeamFactory.create(agency=mash)
    user.membership.heads_teams.set([front_door])
    child = PersonFactory.create()
    AccessGrant.objects.create(
        person=child,
        agency=mash,
        team=front_door,
        basis=MANUAL,
        granted_at=dt.datetime(2020, 1, 1, tzinfo=LONDON),
    )
    assert access.can_view_person(user, child.pk)
    people = access.restrict_people(user, type(child).objects.all())
    assert list(people) == [child]
