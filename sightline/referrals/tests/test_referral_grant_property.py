"""The receiving agency's access to a child follows its referrals and its work with the child:
after any sequence of deciding, allocating, completing, reconsidering and ending the
involvement, CAMHS (which knew nothing of the child before the referral) sees the child only
while one of its referrals is open, an involvement is current, or one of them ended within the
grace period."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sightline.agencies.models import Team
from sightline.cases.closures import _end_involvement
from sightline.cases.models import Involvement
from sightline.core import clock
from sightline.core.errors import DomainError
from sightline.governance import access
from sightline.referrals import services
from sightline.referrals.models import Referral
from sightline.referrals.selectors import OPEN_STATUSES
from sightline.referrals.services import DecisionFields
from sightline.referrals.tests.conftest import WEDNESDAY, fields, member

GRACE = 3
DECISIONS = {
    "accept": DecisionFields("accepted_for_assessment", ("exploitation_risk",)),
    "early_help": DecisionFields("early_help", ("needs_met_by_early_help",)),
    "nfa": DecisionFields("no_further_action", ("threshold_not_met",), "Not at threshold."),
}

actions = st.lists(
    st.one_of(
        st.just(("refer",)),
        st.tuples(st.just("decide"), st.integers(0, 2), st.sampled_from(sorted(DECISIONS))),
        st.tuples(st.just("allocate"), st.integers(0, 2)),
        st.tuples(st.just("complete"), st.integers(0, 2)),
        st.tuples(st.just("reconsider"), st.integers(0, 2)),
        st.just(("end_involvement",)),
        st.tuples(st.just("wait"), st.integers(1, 8)),
    ),
    min_size=2,
    max_size=12,
)


def _expected(world: Any, camhs: Any) -> bool:
    today = clock.today()
    horizon = today - dt.timedelta(days=GRACE)
    referrals = Referral.objects.filter(person=world.child, receiving_agency=camhs)
    if referrals.filter(status__in=OPEN_STATUSES).exists():
        return True
    for r in referrals:
        ended = r.allocated_at or r.closed_at
        if ended is not None and timezone.localdate(ended) >= horizon:
            return True
    for inv in Involvement.objects.filter(person=world.child, agency=camhs):
        started = inv.started_on is None or inv.started_on <= today
        if started and (inv.ended_on is None or inv.ended_on >= horizon):
            return True
    return False


def _act(
    world: Any, manager: Any, made: list[int], action: tuple[Any, ...], traveller: Any
) -> None:
    kind = action[0]
    if kind == "wait":
        traveller.shift(dt.timedelta(days=action[1]))
        return
    if kind == "refer":
        made.append(
            services.referral_make(
                actor=world.dsl, person=world.child, fields=fields(service="camhs")
            ).pk
        )
        return
    if kind == "end_involvement":
        current = Involvement.objects.filter(
            person=world.child, agency=world.camhs, ended_on__isnull=True
        ).first()
        if current is not None:
            _end_involvement(current, clock.today())
        return
    if not made:
        return
    referral_id = made[action[1] % len(made)]
    if kind == "decide":
        services.referral_decide(
            actor=manager,
            referral_id=referral_id,
            expected_version=None,
            fields=DECISIONS[action[2]],
        )
    elif kind == "allocate":
        services.referral_allocate(
            actor=manager,
            referral_id=referral_id,
            expected_version=None,
            worker_id=world.camhs_nurse.pk,
        )
    elif kind == "complete":
        services.referral_complete_assessment(
            actor=manager, referral_id=referral_id, expected_version=None, summary="Assessed."
        )
    else:
        services.referral_reconsider(
            actor=manager, referral_id=referral_id, expected_version=None, reason="New information."
        )


@override_settings(ACCESS_GRACE_DAYS=GRACE)
@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=actions)
# The paths the property is about, always tried: closed, allocated then ended, reopened.
@example(steps=[("decide", 0, "nfa"), ("wait", 2), ("wait", 2)])
@example(steps=[("decide", 0, "accept"), ("allocate", 0), ("end_involvement",), ("wait", 4)])
@example(steps=[("decide", 0, "nfa"), ("wait", 5), ("reconsider", 0), ("wait", 5)])
def test_the_receiving_agency_sees_the_child_only_while_it_has_reason_to(world, steps):
    with transaction.atomic(), time_machine.travel(WEDNESDAY, tick=False) as traveller:
        team = Team.objects.create(agency=world.camhs, code="camhs-team", name="CAMHS team")
        manager = member("team_manager", world.camhs, team=team, first="Rae", last="Cole")
        made: list[int] = []
        assert not access.can_view_person(world.camhs_nurse, world.child.pk)
        # Always one referral first: the rest act on it (or on the others made later).
        for step in [("refer",), *steps]:
            try:
                with transaction.atomic():
                    _act(world, manager, made, step, traveller)
            except DomainError:
                pass  # refused (a state that does not allow it, or a child no longer seen)
            for viewer in (world.camhs_nurse, manager):
                assert access.can_view_person(viewer, world.child.pk) == _expected(
                    world, world.camhs
                ), (step, [Referral.objects.get(pk=pk).status for pk in made])
        transaction.set_rollback(True)
