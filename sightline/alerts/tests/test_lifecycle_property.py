"""A property over the database with the shipped rules: whatever sequence of story changes,
decisions and days passing, re-evaluating never leaves two open alerts for one rule and child,
and evaluating twice in a row changes nothing the second time (the same facts never raise
twice)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.db.models import Count
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sightline.agencies.tests.factories import practitioner
from sightline.alerts import evaluation, services
from sightline.alerts.models import Alert
from sightline.alerts.tasks import EVALUATOR
from sightline.chronology.models import ChronologyEntry
from sightline.chronology.services import entry_mark_entered_in_error
from sightline.chronology.tests.factories import entry_for, new_agency, new_person
from sightline.core.dates import LONDON
from sightline.governance import access
from sightline.governance.models import AccessGrant

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)

STEPS = st.lists(
    st.one_of(
        st.tuples(
            st.just("entry"),
            st.sampled_from(
                [
                    "missing_episode",
                    "return_interview",
                    "found_after_missing",
                    "arrest_out_of_area",
                    "case_closed",
                ]
            ),
            st.integers(0, 60),
        ),
        st.tuples(st.just("in_error"), st.integers(0, 20)),
        st.tuples(
            st.just("decide"),
            st.sampled_from(["acknowledge", "action", "dismiss"]),
            st.integers(0, 5),
        ),
        st.tuples(st.just("days"), st.integers(1, 40)),
    ),
    min_size=1,
    max_size=14,
)


@contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def evaluate(child: Any) -> Any:
    scope = access.system_scope(actor=EVALUATOR, purpose="tests: lifecycle property")
    return evaluation.evaluate_people(scope=scope, actor=EVALUATOR, person_ids=[child.pk])


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(steps=STEPS)
def test_re_evaluation_never_makes_two_open_alerts_for_one_rule(
    steps: list[tuple[Any, ...]],
) -> None:
    with rolled_back(), time_machine.travel(START, tick=False) as clock:
        police = new_agency(code="police", name="Police", kind="police")
        csc = new_agency(code="csc", name="Children's social care", kind="childrens_social_care")
        child = new_person(given_names="Robin", birth_date=dt.date(2011, 2, 3))
        access.grant(person_id=child.pk, agency_id=csc.pk, basis=AccessGrant.Basis.INVOLVEMENT)
        access.grant(person_id=child.pk, agency_id=police.pk, basis=AccessGrant.Basis.INVOLVEMENT)
        worker = practitioner("social_worker", agency=csc)
        officer = practitioner("police_officer", agency=police)
        now = START
        for step in steps:
            if step[0] == "entry":
                _, type_, ago = step
                at = (now - dt.timedelta(days=ago)).astimezone(LONDON)
                entry_for(child, agency=police if type_ != "case_closed" else csc, type=type_,
                          occurred_at=at, recorded_at=now, summary="Synthetic.")  # fmt: skip
            elif step[0] == "in_error":
                current = list(ChronologyEntry.objects.filter(superseded_at__isnull=True,
                               entered_in_error=False, agency=police).order_by("id"))  # fmt: skip
                if current:
                    entry_mark_entered_in_error(actor=officer, entry=current[step[1] % len(current)],
                                                reason="Wrong child.", person=child)  # fmt: skip
            elif step[0] == "decide":
                _, what, n = step
                active = list(
                    Alert.objects.filter(status__in=["open", "acknowledged"]).order_by("id")
                )
                if active:
                    alert = active[n % len(active)]
                    try:
                        if what == "acknowledge":
                            services.alert_acknowledge(actor=worker, alert=alert)
                        elif what == "action":
                            services.alert_action(actor=worker, alert=alert, action="Discussed")
                        else:
                            services.alert_dismiss(actor=worker, alert=alert, reason="Known.")
                    except services.InvalidTransition:
                        pass
            else:
                now += dt.timedelta(days=step[1])
                clock.move_to(now)
            evaluate(child)
            twice = Alert.objects.filter(status="open").values("person", "rule").annotate(
                n=Count("id")).filter(n__gt=1)  # fmt: skip
            assert not twice.exists(), list(twice)
            again = evaluate(child)
            assert again.applied.counts == {}, (step, again.applied.counts)
