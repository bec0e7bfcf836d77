"""Break-glass access ends at its end (docs/access.md, Break-glass): for any sequence of opens,
passing time, ends by the practitioner and ends by a reviewer, the practitioner sees a child
exactly while one of their accesses to that child has started and not yet ended, and never
after. Checked through the access module (can_view_person, restrict_people) after every step,
on a clock that travels from one fixed Monday morning. The child's page then says the access
ended (breakglass.break_glass_ended_for) exactly when it has, and only to the one who opened it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sightline.accounts.models import User
from sightline.agencies.tests.factories import AgencyFactory, practitioner
from sightline.core.dates import LONDON
from sightline.governance import access, breakglass
from sightline.governance.models import BreakGlass
from sightline.people.models import Person
from sightline.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2027, 3, 1, 9, 0, tzinfo=LONDON)
MINUTES = 30

step = st.one_of(
    st.tuples(st.just("open"), st.integers(0, 1)),
    st.tuples(st.just("wait"), st.integers(1, 45)),
    st.tuples(st.just("end"), st.integers(0, 1)),
    st.tuples(st.just("revoke"), st.integers(0, 1)),
)


def _fresh(user: User) -> User:
    # A new request: nothing read about the viewer is kept from the last one.
    return User.objects.get(pk=user.pk)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, max_size=12))
def test_no_sequence_leaves_access_after_the_end(
    db: None, steps: list[tuple[str, int]], settings: Any
) -> None:
    settings.BREAK_GLASS_MINUTES = MINUTES
    BreakGlass.objects.all().delete()
    agency = AgencyFactory.create(kind="police")
    officer = practitioner("police_officer", agency=agency)
    reviewer = practitioner("auditor", agency=agency)
    children: list[Person] = PersonFactory.create_batch(2)
    # The model: each child's access windows [from, until).
    windows: dict[int, list[list[dt.datetime]]] = {0: [], 1: []}
    now = MONDAY
    with time_machine.travel(now, tick=False) as clock:
        for kind, value in steps:
            if kind == "wait":
                now += dt.timedelta(minutes=value)
                clock.move_to(now)
            elif kind == "open":
                row = breakglass.break_glass_open(
                    actor=_fresh(officer),
                    person_id=children[value].pk,
                    reason="police_emergency",
                    reason_text="Called to the address; the child was not there.",
                )
                if not any(start <= now < until for start, until in windows[value]):
                    windows[value].append([now, now + dt.timedelta(minutes=MINUTES)])
                assert row.until == windows[value][-1][1]
            else:
                current = [w for w in windows[value] if w[0] <= now < w[1]]
                for row in BreakGlass.objects.filter(person=children[value]):
                    actor = officer if kind == "end" else reviewer
                    breakglass.break_glass_end(actor=_fresh(actor), access_id=row.pk)
                for w in current:
                    w[1] = now
            viewer = _fresh(officer)
            seen = set(
                access.restrict_people(
                    viewer, Person.objects.filter(pk__in=[c.pk for c in children])
                ).values_list("pk", flat=True)
            )
            for i, child in enumerate(children):
                expected = any(start <= now < until for start, until in windows[i])
                assert access.can_view_person(_fresh(officer), child.pk) is expected
                assert (child.pk in seen) is expected
                # Never after the last end: whatever the rows say, nothing counts past it.
                last = max((until for _, until in windows[i]), default=None)
                if last is not None and now >= last:
                    assert not expected
                # "Your access ended" is said exactly when they opened the child once and
                # cannot see it now; never to someone who did not open it.
                ended = breakglass.break_glass_ended_for(
                    viewer=_fresh(officer), reference=child.reference
                )
                assert (ended is not None) is (bool(windows[i]) and not expected)
                assert (
                    breakglass.break_glass_ended_for(
                        viewer=_fresh(reviewer), reference=child.reference
                    )
                    is None
                )
