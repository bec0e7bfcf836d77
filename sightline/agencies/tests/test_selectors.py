"""Who manages what: team managers, heads of service (of their whole agency, or of named teams),
and the teams a manager oversees."""

import pytest
from django.db import IntegrityError, transaction

from sightline.agencies.models import Membership, Role
from sightline.agencies.selectors import heads_of_service_for, team_managers_for, teams_managed_by
from sightline.agencies.tests.factories import AgencyFactory, MembershipFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_a_team_manager_manages_the_team_their_membership_names():
    csc = AgencyFactory.create(code="csc", kind="childrens_social_care")
    assessment, disabled = TeamFactory.create(agency=csc), TeamFactory.create(agency=csc)
    manager = MembershipFactory.create(role=Role.TEAM_MANAGER, agency=csc, team=assessment).user
    MembershipFactory.create(role=Role.SOCIAL_WORKER, agency=csc, team=assessment)
    assert team_managers_for(assessment) == [manager]
    assert team_managers_for(disabled) == []
    assert teams_managed_by(manager) == [assessment]


def test_the_mash_manager_manages_the_mash_team():
    mash = AgencyFactory.create(code="mash", kind="mash")
    front_door = TeamFactory.create(agency=mash)
    manager = MembershipFactory.create(role=Role.MASH_MANAGER, agency=mash, team=front_door).user
    assert team_managers_for(front_door) == [manager]
    assert teams_managed_by(manager) == [front_door]


def test_an_inactive_manager_is_told_nothing():
    csc = AgencyFactory.create(code="csc", kind="childrens_social_care")
    team = TeamFactory.create(agency=csc)
    manager = MembershipFactory.create(role=Role.TEAM_MANAGER, agency=csc, team=team).user
    manager.is_active = False
    manager.save()
    assert team_managers_for(team) == []
    assert teams_managed_by(manager) == []


def test_a_head_of_service_heads_every_team_of_their_agency_unless_teams_are_named():
    csc = AgencyFactory.create(code="csc", kind="childrens_social_care")
    mash = AgencyFactory.create(code="mash", kind="mash")
    a, b = TeamFactory.create(agency=csc, name="A team"), TeamFactory.create(agency=csc, name="B")
    front_door = TeamFactory.create(agency=mash)
    whole = MembershipFactory.create(role=Role.HEAD_OF_SERVICE, agency=csc).user
    named_membership = MembershipFactory.create(role=Role.HEAD_OF_SERVICE, agency=csc)
    named_membership.heads_teams.set([b, front_door])
    named = named_membership.user

    assert heads_of_service_for(a) == [whole]
    assert sorted(u.pk for u in heads_of_service_for(b)) == sorted([whole.pk, named.pk])
    # Named teams may be another agency's: a head of children's services heads the MASH.
    assert heads_of_service_for(front_door) == [named]
    assert teams_managed_by(whole) == [a, b]
    assert {t.pk for t in teams_managed_by(named)} == {b.pk, front_door.pk}


def test_practitioners_manage_nothing():
    user = MembershipFactory.create(role=Role.SOCIAL_WORKER).user
    assert teams_managed_by(user) == []


def test_a_team_manager_without_a_team_is_refused_by_the_database():
    csc = AgencyFactory.create(code="csc", kind="childrens_social_care")
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory.create(role=Role.TEAM_MANAGER, agency=csc, team=None)
    assert not Membership.objects.filter(role=Role.TEAM_MANAGER).exists()
