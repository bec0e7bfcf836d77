"""The referral clocks, by time travel: deadlines across weekends and bank holidays, a
timescale's version changing while referrals run under the old one, and the escalations a clock
that runs out makes (the team's managers, then the head of service), once each however many
ticks run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine
import yaml
from django.core.management import call_command

from sightline.accounts.models import Notification
from sightline.core import queue, timescales
from sightline.core.actors import CLOCK
from sightline.core.dates import LONDON
from sightline.governance import access
from sightline.referrals import services, tasks
from sightline.referrals.models import ReferralClock, ReferralEscalation, ReferralEvent
from sightline.referrals.tests.conftest import World, decide, refer

pytestmark = pytest.mark.django_db


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def due(referral, clock: str = "decision") -> dt.date:
    return ReferralClock.objects.get(referral=referral, clock=clock).due_on


def run_clocks(now: dt.datetime) -> list[tuple[int, str, str]]:
    with time_machine.travel(now, tick=False):
        scope = access.system_scope(actor=CLOCK, purpose="referral clocks (test)")
        return services.referral_clocks_run(scope=scope).escalated


@pytest.mark.parametrize(
    ("made", "decision_due"),
    [
        (at(2026, 3, 11, 10), dt.date(2026, 3, 12)),  # Wednesday: Thursday
        (at(2026, 3, 13, 16, 30), dt.date(2026, 3, 16)),  # Friday: Monday
        (at(2026, 3, 14, 9), dt.date(2026, 3, 16)),  # Saturday: Monday
        (at(2026, 4, 2, 15), dt.date(2026, 4, 7)),  # before Good Friday and Easter Monday
        (at(2026, 12, 24, 12), dt.date(2026, 12, 29)),  # Christmas, Boxing Day (Monday 28)
    ],
)
def test_the_decision_is_due_one_working_day_after(world: World, made, decision_due) -> None:
    with time_machine.travel(made, tick=False):
        referral = refer(world)
    assert due(referral) == decision_due
    assert due(referral, "acknowledgement") == decision_due


def test_the_assessment_runs_45_working_days_from_the_referral(world: World) -> None:
    with time_machine.travel(at(2026, 3, 11, 10), tick=False):
        referral = refer(world)
    with time_machine.travel(at(2026, 3, 12, 9), tick=False):
        decide(
            world,
            referral,
            decision="accepted_for_assessment",
            reasons=("exploitation_risk",),
            text="",
        )
    # 11 March is day 1 (the census validator's count); Good Friday, Easter Monday and the
    # early May bank holiday skipped.
    assert due(referral, "assessment") == dt.date(2026, 5, 15)
    assert due(referral, "allocation") == dt.date(2026, 3, 13)


def test_a_clock_that_runs_out_tells_the_team_managers_then_the_head(world: World) -> None:
    with time_machine.travel(at(2026, 3, 11, 10), tick=False):
        referral = refer(world)
    assert run_clocks(at(2026, 3, 12, 23, 59)) == []  # due by the end of Thursday
    escalated = run_clocks(at(2026, 3, 13, 0, 5))
    assert sorted(c for _, c, _ in escalated) == ["acknowledgement", "decision"]
    told = Notification.objects.filter(key__startswith=f"referral:{referral.pk}:decision-overdue")
    assert {n.recipient for n in told} == {world.manager, world.other_manager}
    assert all("Jordan" not in n.subject + n.body for n in told)
    event = ReferralEvent.objects.filter(referral=referral, kind="escalated").first()
    assert event is not None
    assert "Morgan Reid" in event.text
    # Another tick, and another at once: nothing more.
    assert run_clocks(at(2026, 3, 13, 0, 10)) == []
    assert run_clocks(at(2026, 3, 13, 0, 10)) == []
    assert told.count() == 2
    # The head of service one working day later: told on Friday, so by the end of Monday.
    assert run_clocks(at(2026, 3, 16, 23, 0)) == []
    later = run_clocks(at(2026, 3, 17, 0, 5))
    assert {level for _, _, level in later} == {"head_of_service"}
    assert Notification.objects.filter(
        recipient=world.head, key__contains="decision-overdue:head_of_service"
    ).exists()
    assert run_clocks(at(2026, 3, 18, 0, 5)) == []
    # The referrer sees each escalation in the history.
    history = [e.text for e in ReferralEvent.objects.filter(referral=referral, kind="escalated")]
    assert len(history) == 4
    assert any("Told the head of service: Hilary Stone" in text for text in history)


def test_a_clock_met_in_time_never_escalates(world: World) -> None:
    with time_machine.travel(at(2026, 3, 11, 10), tick=False):
        referral = refer(world, risk="needs_support")
    with time_machine.travel(at(2026, 3, 12, 16), tick=False):
        decide(world, referral)
    assert run_clocks(at(2026, 3, 20)) == []
    assert not ReferralEscalation.objects.exists()


def test_a_clock_is_escalated_once_even_when_two_ticks_race(world: World) -> None:
    with time_machine.travel(at(2026, 3, 11, 10), tick=False):
        referral = refer(world)
    clock = ReferralClock.objects.get(referral=referral, clock="decision")
    assert services._escalate(clock, "team_manager", at(2026, 3, 13, 1))
    assert not services._escalate(clock, "team_manager", at(2026, 3, 13, 1))
    assert ReferralEscalation.objects.filter(clock=clock).count() == 1


def test_a_team_without_a_manager_is_said_so(world: World) -> None:
    world.manager.membership.delete()
    world.other_manager.membership.delete()
    with time_machine.travel(at(2026, 3, 11, 10), tick=False):
        referral = refer(world)
    run_clocks(at(2026, 3, 13, 1))
    event = ReferralEvent.objects.filter(referral=referral, kind="escalated").first()
    assert event is not None
    assert "No team manager is recorded" in event.text


def test_tick_runs_the_clock_job(world: World) -> None:
    assert tasks.CLOCKS in {k.name for k in queue.periodic_jobs()}
    with time_machine.travel(at(2026, 3, 11, 10), tick=False):
        referral = refer(world)
    with time_machine.travel(at(2026, 3, 13, 9), tick=False):
        call_command("tick", "--quiet")
    assert ReferralEscalation.objects.filter(clock__referral=referral).count() == 2


@pytest.fixture
def changed_timescale(tmp_path: Path, settings) -> None:
    """The partnership gives the MASH 2 working days from 1 April 2026 (version 2)."""
    data = yaml.safe_load(timescales.DEFAULT_FILE.read_text("utf-8"))
    versions = data["timescales"]["referral.decision"]["versions"]
    versions[0]["effective_to"] = dt.date(2026, 3, 31)
    versions.append(
        {
            "version": 2,
            "amount": 2,
            "unit": "working_days",
            "counting": "after",
            "effective_from": dt.date(2026, 4, 1),
            "source": "Local decision, 2026.",
        }
    )
    path = tmp_path / "timescales.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    settings.TIMESCALES_FILE = str(path)


def test_a_timescale_change_leaves_running_clocks_as_they_were(
    world: World, changed_timescale
) -> None:
    with time_machine.travel(at(2026, 3, 31, 17), tick=False):
        before = refer(world)
    with time_machine.travel(at(2026, 4, 1, 9), tick=False):
        after = refer(world)
    old = ReferralClock.objects.get(referral=before, clock="decision")
    new = ReferralClock.objects.get(referral=after, clock="decision")
    assert (old.timescale_version, old.due_on) == (1, dt.date(2026, 4, 1))
    # 2 working days after 1 April: 2 April, then Good Friday and Easter Monday, 7 April.
    assert (new.timescale_version, new.due_on) == (2, dt.date(2026, 4, 7))

    # Each escalates on its own deadline.
    def managers_told(escalated):
        return {r for r, c, level in escalated if c == "decision" and level == "team_manager"}

    assert managers_told(run_clocks(at(2026, 4, 2, 0, 5))) == {before.pk}
    assert managers_told(run_clocks(at(2026, 4, 8, 0, 5))) == {after.pk}
