"""Allocating a referral starts the receiving agency's involvement with the child (or reuses
the one it has), from the allocation date: "who else knows this child" and access follow it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sightline.cases.models import Involvement
from sightline.governance.models import AccessGrant, AuditEvent
from sightline.referrals import services
from sightline.referrals.tests.conftest import WEDNESDAY, decide, refer

pytestmark = pytest.mark.django_db


def allocate(world: Any, referral: Any, worker: Any = None) -> Any:
    return services.referral_allocate(
        actor=world.manager,
        referral_id=referral.pk,
        expected_version=referral.version,
        worker_id=(worker or world.worker).pk,
    )


def test_allocation_starts_an_involvement_and_its_grant(world, wednesday):
    referral = decide(world, refer(world), "accepted_for_assessment", ("exploitation_risk",), "")
    allocate(world, referral)
    (involvement,) = Involvement.objects.filter(person=world.child, agency=world.mash)
    assert involvement.started_on == WEDNESDAY.date()
    assert involvement.ended_on is None
    assert involvement.team_id == world.mash_team.pk
    assert involvement.practitioner_name == world.worker.display_name
    assert involvement.practitioner_email == world.worker.email
    grant = AccessGrant.objects.get(basis=AccessGrant.Basis.INVOLVEMENT, basis_key=involvement.pk)
    assert (grant.agency_id, grant.starts_on, grant.ends_on) == (
        world.mash.pk,
        WEDNESDAY.date(),
        None,
    )
    assert AuditEvent.objects.filter(action="involvement_started", object_id=str(involvement.pk))


def test_a_current_involvement_is_reused(world, wednesday):
    first = decide(world, refer(world), "accepted_for_assessment", ("exploitation_risk",), "")
    allocate(world, first)
    wednesday.shift(dt.timedelta(days=7))
    second = decide(world, refer(world), "early_help", ("needs_met_by_early_help",), "")
    allocate(world, second, world.social_worker)
    assert Involvement.objects.filter(person=world.child, agency=world.mash).count() == 1


def test_an_ended_involvement_is_not_reused(world, wednesday):
    Involvement.objects.create(
        person=world.child,
        agency=world.mash,
        started_on=dt.date(2020, 1, 6),
        ended_on=dt.date(2021, 7, 30),
    )
    referral = decide(world, refer(world), "accepted_for_assessment", ("exploitation_risk",), "")
    allocate(world, referral)
    assert Involvement.objects.filter(
        person=world.child, agency=world.mash, ended_on__isnull=True
    ).exists()
    assert Involvement.objects.filter(person=world.child, agency=world.mash).count() == 2
