"""The access rule, as a property: whatever a feed sends (involvements started, ended, re-sent
with other dates or another team, in any order), an agency or team sees the child on a date D
exactly when it has an involvement current on D (with the grace), or holds records and has no
involvement that has ended for good (docs/access.md, "When access ends")."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sightline.agencies.models import Agency, Team
from sightline.core.dates import LONDON
from sightline.governance import access
from sightline.people.models import Person
from sightline.records.models import SourceRecord
from sightline.records.tests.lines import involvement, person
from tests.access.feeds import member, register

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

FIRST = dt.date(2019, 1, 1)
TEAMS = ("Team A", "Team B")
_examples = itertools.count(1)

days = st.integers(min_value=0, max_value=8 * 365)


@st.composite
def sends(draw: Any) -> tuple[int, dt.date, dt.date | None, int]:
    """One involvement line sent (or re-sent): which of three, its dates, its team."""
    which = draw(st.integers(min_value=0, max_value=2))
    start = FIRST + dt.timedelta(days=draw(days))
    length = draw(st.none() | st.integers(min_value=0, max_value=3 * 365))
    end = None if length is None else start + dt.timedelta(days=length)
    return which, start, end, draw(st.integers(min_value=0, max_value=1))


def expected(
    sent: dict[int, tuple[dt.date, dt.date | None, int]],
    *,
    on: dt.date,
    grace: int,
    team_scoped: bool,
    holds_records: bool,
    viewer_team: int | None,
) -> bool:
    """The rule, written independently of the code: the involvements as last sent."""

    def not_ended(end: dt.date | None) -> bool:
        return end is None or on <= end + dt.timedelta(days=grace)

    for start, end, team in sent.values():
        holder_matches = not team_scoped or team == viewer_team
        if holder_matches and start <= on and not_ended(end):
            return True
    if not holds_records:
        return False
    return not sent or any(not_ended(end) for _, end, _ in sent.values())


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    team_scoped=st.booleans(),
    grace=st.sampled_from([0, 10]),
    history=st.lists(sends(), min_size=0, max_size=5),
    on=st.lists(days, min_size=1, max_size=6),
)
def test_access_follows_the_involvements_as_last_sent(
    send: Callable[..., Any],
    settings: Any,
    team_scoped: bool,
    grace: int,
    history: list[tuple[int, dt.date, dt.date | None, int]],
    on: list[int],
) -> None:
    settings.ACCESS_GRACE_DAYS = grace
    n = next(_examples)
    code = f"feed{n}"
    # An agency-scoped feed's person line gives its agency a holds_records grant; a
    # team-scoped feed's gives nothing (only its involvements do).
    register(code, "early_help", organisation=f"Early help {n}", team_scoped=team_scoped)
    send([person("P-1", code, **{"identifiers.nhs_number": None})])
    record = SourceRecord.objects.get(source_id="P-1", source_system__code=code)
    assert record.person_id is not None
    child = Person.objects.get(pk=record.person_id)

    sent: dict[int, tuple[dt.date, dt.date | None, int]] = {}
    for which, start, end, team in history:
        send(
            [
                involvement(
                    f"I-{which}",
                    code,
                    "P-1",
                    agency="early_help",
                    team=TEAMS[team],
                    **{"from": start.isoformat(), "to": end.isoformat() if end else None},
                )
            ]
        )
        sent[which] = (start, end, team)

    agency = Agency.objects.get(name=f"Early help {n}")
    viewers: dict[int | None, Any] = {None: member("early_help_worker", agency)}
    for index, name in enumerate(TEAMS):
        held = Team.objects.filter(agency=agency, name=name).first()
        if held is not None:
            viewers[index] = member("early_help_worker", agency, held)
    agency_holds = not team_scoped
    for offset in on:
        day = FIRST + dt.timedelta(days=offset)
        with time_machine.travel(dt.datetime.combine(day, dt.time(12), tzinfo=LONDON)):
            for viewer_team, user in viewers.items():
                want = expected(
                    sent,
                    on=day,
                    grace=grace,
                    team_scoped=team_scoped,
                    holds_records=agency_holds,
                    viewer_team=viewer_team,
                )
                got = access.can_view_person(user, child.pk)
                assert got == want, (day, viewer_team, sent, team_scoped, agency_holds, grace)
