"""A grant is held once per holder (the agency as a whole, or one team), basis and involvement,
on both databases, without the system-check warning SQLite gave for a constraint it could not
enforce (NULLS NOT DISTINCT); and a merge honours the partial constraints."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from sightline.agencies.tests.factories import AgencyFactory, TeamFactory
from sightline.core.actors import LINKER
from sightline.core.dates import LONDON
from sightline.governance.models import AccessGrant
from sightline.identity.merging import MergeEvidence, person_merge
from sightline.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

GRANTED = dt.datetime(2026, 1, 5, 9, 0, tzinfo=LONDON)


def grant(**fields: Any) -> AccessGrant:
    return AccessGrant.objects.create(granted_at=GRANTED, **fields)


@pytest.mark.parametrize(
    "command",
    [
        ("migrate",),  # checks the models against the database, as `sightline migrate` does
        ("check", "--database", "default"),
    ],
)
def test_a_command_prints_no_system_check_warning(command: tuple[str, ...]) -> None:
    out, err = io.StringIO(), io.StringIO()
    if command[0] == "check":
        call_command(*command, stdout=out, stderr=err)
    else:
        call_command(*command, skip_checks=False, stdout=out, stderr=err)
    printed = out.getvalue() + err.getvalue()
    assert "W047" not in printed
    assert "WARNINGS" not in printed
    assert "identified some issues" not in printed


@pytest.mark.parametrize(
    ("first", "second", "allowed"),
    [
        # The agency as a whole: once per basis.
        ({"basis": "holds_records"}, {"basis": "holds_records"}, False),
        ({"basis": "holds_records"}, {"basis": "manual"}, True),
        # One team: once per basis; the agency's grant and the team's are two grants.
        ({"basis": "manual", "team": "a"}, {"basis": "manual", "team": "a"}, False),
        ({"basis": "manual", "team": "a"}, {"basis": "manual", "team": "b"}, True),
        ({"basis": "manual"}, {"basis": "manual", "team": "a"}, True),
        # Involvements: one grant each.
        (
            {"basis": "involvement", "basis_key": 7},
            {"basis": "involvement", "basis_key": 7},
            False,
        ),
        (
            {"basis": "involvement", "basis_key": 7, "team": "a"},
            {"basis": "involvement", "basis_key": 7, "team": "a"},
            False,
        ),
        (
            {"basis": "involvement", "basis_key": 7},
            {"basis": "involvement", "basis_key": 8},
            True,
        ),
    ],
)
def test_each_grant_is_held_once(
    first: dict[str, Any], second: dict[str, Any], allowed: bool
) -> None:
    person, agency = PersonFactory.create(), AgencyFactory.create()
    teams = {"a": TeamFactory.create(agency=agency), "b": TeamFactory.create(agency=agency)}

    def fields(spec: dict[str, Any]) -> dict[str, Any]:
        team = teams[spec["team"]] if "team" in spec else None
        return {**spec, "team": team, "person": person, "agency": agency}

    grant(**fields(first))
    if allowed:
        grant(**fields(second))
        assert AccessGrant.objects.count() == 2
    else:
        with pytest.raises(IntegrityError), transaction.atomic():
            grant(**fields(second))
        assert AccessGrant.objects.count() == 1


def test_a_merge_moves_an_agency_grant_beside_a_team_grant_of_the_same_basis() -> None:
    """The partial constraints hold only among the rows they cover: the survivor's team grant
    does not stop the merged person's agency-wide grant from moving (and the reverse)."""
    agency = AgencyFactory.create()
    team = TeamFactory.create(agency=agency)
    survivor, merged = PersonFactory.create(), PersonFactory.create()
    grant(person=survivor, agency=agency, team=team, basis="manual")
    grant(person=merged, agency=agency, basis="manual")
    grant(person=merged, agency=agency, team=team, basis="manual")  # the survivor has it
    grant(person=merged, agency=agency, basis="involvement", basis_key=3, ends_on=None)
    person_merge(
        actor=LINKER, survivor=survivor, merged=merged, evidence=MergeEvidence("nhs_number")
    )
    held = set(
        AccessGrant.objects.filter(person=survivor).values_list("team_id", "basis", "basis_key")
    )
    assert held == {(team.pk, "manual", 0), (None, "manual", 0), (None, "involvement", 3)}
    # Only the duplicate of what the survivor held stays with the merged-away person.
    assert list(AccessGrant.objects.filter(person=merged).values_list("team_id", "basis")) == [
        (team.pk, "manual")
    ]
