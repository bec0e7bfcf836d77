"""The disagreement clock in time: across a weekend, across Easter's bank holidays (checked
against the `holidays` package), across a change of the stage's timescale version, and run by
`sightline tick` with a frozen clock. Two people answering one stage at the same moment."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import holidays
import pytest
import yaml
from django.core.management import call_command
from django.db import connection, connections

from sightline.core.timescales import DEFAULT_FILE
from sightline.core.workingdays import england
from sightline.escalations import services
from sightline.escalations.models import Escalation
from sightline.escalations.tests.conftest import at
from sightline.escalations.tests.helpers import raise_one
from sightline.governance.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_friday_disagreement_is_due_on_tuesday(world, monday):
    monday.move_to(at(2027, 3, 5, 16))  # Friday
    assert raise_one(world).stage_due_on == dt.date(2027, 3, 9)


def test_a_disagreement_raised_before_easter_skips_good_friday_and_easter_monday(world, monday):
    monday.move_to(at(2027, 3, 25, 11))  # Thursday before Good Friday
    escalation = raise_one(world)
    easter = holidays.country_holidays("GB", subdiv="ENG", years=2027)
    assert dt.date(2027, 3, 26) in easter
    assert dt.date(2027, 3, 29) in easter
    # After Thursday: Fri 26 and Mon 29 are bank holidays, so Tue 30 and Wed 31.
    assert escalation.stage_due_on == dt.date(2027, 3, 31)
    # Moves up on Thursday 1 April, not over the long weekend.
    for day in (26, 27, 28, 29, 30, 31):
        monday.move_to(at(2027, 3, day, 12))
        assert services.escalations_move_up(scope=_scope()) == []
    monday.move_to(at(2027, 4, 1, 0, 5))
    assert services.escalations_move_up(scope=_scope()) == [escalation.pk]


def test_the_calendar_agrees_with_the_holidays_package():
    calendar = england()
    easter = holidays.country_holidays("GB", subdiv="ENG", years=range(2026, 2030))
    day = dt.date(2026, 1, 1)
    while day < dt.date(2030, 1, 1):
        assert calendar.is_working_day(day) == (day.weekday() < 5 and day not in easter), day
        day += dt.timedelta(days=1)


def _scope():
    from sightline.core.actors import CLOCK
    from sightline.governance import access

    return access.system_scope(actor=CLOCK, purpose="test the disagreement clock")


@pytest.fixture
def new_stage_one(tmp_path: Path, settings) -> None:
    """Stage 1 becomes 4 working days from 15 March 2027 (version 2)."""
    data = yaml.safe_load(DEFAULT_FILE.read_text())
    entry = data["timescales"]["escalation.stage1"]
    first = entry["versions"][0]
    first["effective_to"] = dt.date(2027, 3, 14)
    entry["versions"].append(
        {
            **first,
            "version": 2,
            "amount": 4,
            "effective_from": dt.date(2027, 3, 15),
            "effective_to": None,
        }
    )
    del entry["versions"][1]["effective_to"]
    path = tmp_path / "timescales.yaml"
    path.write_text(yaml.safe_dump(data))
    settings.TIMESCALES_FILE = str(path)


def test_a_timescale_version_change_applies_to_stages_that_begin_after_it(
    world, monday, new_stage_one
):
    monday.move_to(at(2027, 3, 12, 10))  # Friday, under version 1: 2 working days
    before = raise_one(world)
    assert before.stage_due_on == dt.date(2027, 3, 16)
    monday.move_to(at(2027, 3, 15, 10))  # Monday, version 2: 4 working days
    after = raise_one(world, subject_label="Another decision")
    assert after.stage_due_on == dt.date(2027, 3, 19)
    stages = {e.pk: e.stages.get() for e in (before, after)}
    assert stages[before.pk].timescale_version == 1
    assert stages[after.pk].timescale_version == 2
    # The one begun under version 1 keeps its deadline and moves up on Wednesday 17th.
    monday.move_to(at(2027, 3, 17, 0, 1))
    assert services.escalations_move_up(scope=_scope()) == [before.pk]


def test_tick_moves_it_up_with_a_frozen_clock(world, monday):
    escalation = raise_one(world)
    monday.move_to(at(2027, 3, 4, 9, 1))
    call_command("tick", "--quiet")
    escalation.refresh_from_db()
    assert escalation.stage == 2
    call_command("tick", "--quiet")  # the same period: nothing again
    assert escalation.stages.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_people_answering_one_stage_at_once_one_wins(monday):
    from sightline.cases.tests.world import build_world
    from sightline.core.errors import InvalidTransition

    world = build_world()
    escalation = raise_one(world)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def answer(who: str) -> None:
        try:
            barrier.wait()
            services.escalation_respond(
                actor=world.users[who],
                escalation=Escalation.objects.get(pk=escalation.pk),
                stage=1,
                response=f"Answer from {who}.",
            )
            results.append("answered")
        except InvalidTransition as exc:
            results.append(exc.message)
        except Exception as exc:  # SQLite: the loser may find the database locked
            results.append(f"failed: {type(exc).__name__}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer, args=(who,)) for who in ("sw", "sw2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results.count("answered") == 1, results
    assert escalation.stages.get().response.startswith("Answer from")
    assert AuditEvent.objects.filter(action="disagreement_answered").count() == 1
    if connection.vendor == "postgresql":
        assert any("already answered by" in r for r in results), results
