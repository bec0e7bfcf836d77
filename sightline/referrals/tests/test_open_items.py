"""A referral waiting for a decision, or accepted and waiting to be allocated, is one of the
child's open items: a step down or a closure shows it before it is agreed."""

from __future__ import annotations

from typing import Any

import pytest

from sightline.core.actors import CLOCK
from sightline.core.extensions import open_items_for, people_with_open
from sightline.governance import access
from sightline.governance.models import AccessGrant
from sightline.referrals import services
from sightline.referrals.tests.conftest import decide, refer

pytestmark = pytest.mark.django_db


def referral_items(viewer: Any, child: Any) -> list[Any]:
    return open_items_for(viewer, child, kinds=["referral"])


def test_undecided_and_unallocated_referrals_are_open(world, wednesday):
    waiting = refer(world)
    (item,) = referral_items(world.dsl, world.child)
    assert (
        item.title == "Referral to MASH (children's social care front door) from Brackenby Academy"
    )
    assert item.status == "Waiting for a decision"
    assert item.agency == "Sallowshire MASH"
    assert item.url == f"/referrals/{waiting.pk}/"
    accepted = decide(world, waiting, "accepted_for_assessment", ("exploitation_risk",), "")
    (item,) = referral_items(world.dsl, world.child)
    assert item.status == "Accepted for assessment: waiting to be allocated"
    services.referral_allocate(
        actor=world.manager,
        referral_id=accepted.pk,
        expected_version=accepted.version,
        worker_id=world.worker.pk,
    )
    assert referral_items(world.dsl, world.child) == []


def test_a_closed_referral_is_not_open_and_others_see_no_link(world, wednesday):
    decide(world, refer(world))  # no further action: closed
    assert referral_items(world.dsl, world.child) == []
    refer(world)
    # CAMHS sees the child (a grant) but is on neither side: told it exists, with no link.
    access.grant(person_id=world.child.pk, agency_id=world.camhs.pk, basis=AccessGrant.Basis.MANUAL)
    (item,) = referral_items(world.camhs_nurse, world.child)
    assert item.url == ""
    # Someone who may not see the child is told nothing.
    assert referral_items(world.stranger, world.child) == []


def test_the_sweep_knows_who_has_an_open_referral(world, wednesday):
    refer(world)
    scope = access.system_scope(actor=CLOCK, purpose="tests: open referrals")
    assert people_with_open(scope, kind="referral") == {world.child.pk}
