"""cases.services.involvements_import: teams by name, updates in place, access grants."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest

from sightline.agencies.models import Team
from sightline.agencies.tests.factories import TeamFactory
from sightline.cases.models import Involvement
from sightline.cases.services import InvolvementValue, involvements_import
from sightline.chronology.tests.factories import new_agency, new_person
from sightline.core.actors import IMPORTER
from sightline.core.fastinsert import Adapter
from sightline.governance import access
from sightline.governance.models import AccessGrant

pytestmark = pytest.mark.django_db


def value(person: Any, agency: Any, team: str, **changes: Any) -> InvolvementValue:
    fields = {
        "source_record_id": None,
        "previous_record_id": None,
        "person_id": person.pk,
        "agency_id": agency.pk,
        "team_name": team,
        "practitioner_name": "Sam Jones",
        "practitioner_role": "Social worker",
        "practitioner_email": "sam@example.org",
        "practitioner_phone": "",
        "is_lead": True,
        "started_on": dt.date(2024, 1, 8),
        "ended_on": None,
        **changes,
    }
    return InvolvementValue(**fields)


def test_teams_are_found_by_name_whatever_the_case_and_created_once() -> None:
    agency = new_agency()
    existing = cast(
        Team, TeamFactory(agency=agency, name="Assessment Team", code="assessment-team")
    )
    TeamFactory(agency=agency, name="Other", code="court-team")
    child, sibling = new_person(), new_person()
    involvements_import(
        actor=IMPORTER,
        items=[
            value(child, agency, "assessment team"),
            value(sibling, agency, "Court Team"),
            value(child, agency, "court team"),
        ],
        team_scoped=False,
        adapter=Adapter(),
    )
    court = Team.objects.get(name="Court Team")
    assert court.code == "court-team-2"
    assert sorted(Involvement.objects.values_list("person_id", "team_id")) == sorted(
        [(child.pk, existing.pk), (sibling.pk, court.pk), (child.pk, court.pk)]
    )
    assert set(AccessGrant.objects.values_list("person_id", "team_id", "basis")) == {
        (child.pk, None, "involvement"),
        (sibling.pk, None, "involvement"),
    }


def test_a_team_scoped_feed_grants_to_the_team() -> None:
    agency = new_agency(kind="camhs")
    child = new_person()
    involvements_import(
        actor=IMPORTER, items=[value(child, agency, "Neuro")], team_scoped=True, adapter=Adapter()
    )
    grant = AccessGrant.objects.get()
    assert grant.team == Team.objects.get(name="Neuro")
    assert grant.agency_id == agency.pk


def test_an_actor_is_required() -> None:
    with pytest.raises(ValueError, match="needs an actor"):
        involvements_import(actor=None, items=[], team_scoped=False, adapter=Adapter())


def test_grants_already_held_are_not_added_again() -> None:
    agency, other = new_agency(), new_agency()
    team = cast(Team, TeamFactory(agency=agency, name="Neuro", code="neuro"))
    a, b, c = new_person(), new_person(), new_person()
    involvement, records = AccessGrant.Basis.INVOLVEMENT, AccessGrant.Basis.HOLDS_RECORDS

    def grant(people: list[Any], agency_id: int, basis: str, team_id: int | None = None) -> int:
        return access.grant_many(
            person_ids=[p.pk for p in people], agency_id=agency_id, basis=basis, team_id=team_id
        )

    assert grant([a, b], agency.pk, involvement) == 2
    assert grant([a, b, c], agency.pk, involvement) == 1
    # A team's grant, a grant on another basis and another agency's are other grants.
    assert grant([a], agency.pk, involvement, team.pk) == 1
    assert grant([a, b], agency.pk, involvement, team.pk) == 1
    assert grant([a], agency.pk, records) == 1
    assert grant([a], other.pk, involvement) == 1
    assert grant([a, b, c], agency.pk, involvement) == 0
    assert AccessGrant.objects.count() == 7


def test_each_involvement_gives_its_own_grant_with_its_dates() -> None:
    """One grant per involvement (its id the grant's basis_key), to the team when the feed is
    team-scoped, from the day it starts to the day it ends."""
    agency = new_agency(kind="school")
    child = new_person()
    involvements_import(
        actor=IMPORTER,
        items=[
            value(child, agency, "Old School", ended_on=dt.date(2020, 7, 20)),
            value(child, agency, "New School", started_on=dt.date(2020, 9, 1)),
        ],
        team_scoped=True,
        adapter=Adapter(),
    )
    rows = {
        inv.team.name if inv.team else "": inv
        for inv in Involvement.objects.select_related("team").order_by("id")
    }
    grants = {
        g.basis_key: g for g in AccessGrant.objects.filter(basis="involvement").order_by("id")
    }
    assert set(grants) == {rows["Old School"].pk, rows["New School"].pk}
    old, new = grants[rows["Old School"].pk], grants[rows["New School"].pk]
    assert (old.team_id, old.starts_on, old.ends_on) == (
        rows["Old School"].team_id,
        dt.date(2024, 1, 8),
        dt.date(2020, 7, 20),
    )
    assert (new.team_id, new.starts_on, new.ends_on) == (
        rows["New School"].team_id,
        dt.date(2020, 9, 1),
        None,
    )
