"""`sightline tick`: the periodic jobs once per slot, the waiting tasks, a summary a new user
can read; two ticks at once (two processes, on SQLite and on PostgreSQL) do each thing once."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from sightline import cli
from sightline.core import queue
from sightline.core.actors import SystemActor
from sightline.core.models import PeriodicRun, Task
from sightline.core.tick import slot_of

ROOT = Path(__file__).resolve().parents[3]
START = dt.datetime(2026, 12, 1, 9, 20, tzinfo=dt.UTC)
TESTER = SystemActor("tester")


def tick() -> str:
    out = io.StringIO()
    call_command("tick", stdout=out)
    return out.getvalue()


def a_kind(name: str, handler: Any, *, every: dt.timedelta | None = None) -> queue.TaskKind:
    return queue.TaskKind(
        name=name,
        handler=handler,
        purpose=f"tests: {name}",
        actor=TESTER,
        max_attempts=2,
        lease=dt.timedelta(minutes=1),
        every=every,
    )


def test_tick_is_listed_by_sightline_help(capsys: pytest.CaptureFixture[str]) -> None:
    cli.main(["--help"])
    out = capsys.readouterr().out
    assert "  tick " in out
    assert "background work" in out


@pytest.mark.django_db
def test_a_tick_with_nothing_to_do_says_so() -> None:
    with time_machine.travel(START, tick=False):
        out = tick()
    assert out.splitlines() == [
        "Tick at 1 Dec 2026 09:20:00.",
        "Periodic jobs: none due.",
        "Tasks: none was waiting.",
        "Waiting: nothing.",
    ]
    quiet = io.StringIO()
    call_command("tick", "--quiet", stdout=quiet)
    assert quiet.getvalue() == ""


@pytest.mark.django_db
def test_a_tick_runs_what_is_waiting_and_says_how_it_went() -> None:
    done: list[int] = []

    def fine(*, scope: Any, n: int) -> None:
        done.append(n)

    def broken(*, scope: Any) -> None:
        raise ConnectionError("the mail server did not answer")

    kinds = [a_kind("tests.fine", fine), a_kind("tests.broken", broken)]
    with queue.registered(*kinds), time_machine.travel(START, tick=False) as clock:
        queue.enqueue("tests.fine", args={"n": 1})
        queue.enqueue("tests.broken")
        queue.enqueue("tests.fine", args={"n": 2}, run_after=START + dt.timedelta(hours=2))
        out = tick()
        assert done == [1]
        assert "Tasks: ran 2: 1 done, 1 failed and will be tried again." in out
        assert "  done: tests.fine (task " in out
        assert (
            "attempt 1 of 2: ConnectionError: the mail server did not answer. "
            "It will be tried again after 09:21." in out
        )
        assert "Waiting: 2 tasks waiting to be tried again or scheduled, the first at 09:21." in out

        clock.shift(dt.timedelta(minutes=1))
        out = tick()
        assert "Tasks: ran 1: 1 failed for good." in out
        assert "failed for good: tests.broken" in out
        assert "Waiting: 1 task waiting to be tried again or scheduled, the first at 11:20." in out
    broken_task = Task.objects.get(name="tests.broken")
    assert broken_task.status == "failed"
    assert broken_task.last_error.startswith("ConnectionError: the mail server did not answer")


@pytest.mark.django_db
def test_a_periodic_job_runs_once_per_slot_however_often_tick_runs() -> None:
    slots: list[dt.datetime] = []

    def hourly(*, scope: Any, slot: dt.datetime) -> None:
        slots.append(slot)

    with (
        queue.registered(a_kind("tests.hourly", hourly, every=dt.timedelta(hours=1))),
        time_machine.travel(START, tick=False) as clock,
    ):
        first = tick()
        assert "Periodic jobs: 1 job due, queued: tests.hourly." in first
        assert "done: tests.hourly" in first
        for _ in range(3):
            clock.shift(dt.timedelta(minutes=10))
            assert "Periodic jobs: none due." in tick()
        assert slots == [dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)]
        # The next hour's slot runs; slots missed while nothing ticked are not caught up.
        clock.shift(dt.timedelta(hours=4))
        tick()
        tick()
    assert slots == [
        dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 1, 13, 0, tzinfo=dt.UTC),
    ]
    assert PeriodicRun.objects.filter(job="tests.hourly").count() == 2


@pytest.mark.django_db
def test_a_periodic_job_with_nothing_waiting_takes_no_slot() -> None:
    from dataclasses import replace

    from sightline.core.tick import tick

    waiting: list[bool] = [False]
    ran: list[Any] = []
    job = replace(
        a_kind("tests.idle", lambda **kw: ran.append(kw), every=dt.timedelta(minutes=1)),
        when=lambda now: waiting[0],
    )
    with queue.registered(job), time_machine.travel(START, tick=False) as clock:
        assert "tests.idle" not in tick().queued
        assert not PeriodicRun.objects.filter(job="tests.idle").exists()
        waiting[0] = True
        clock.shift(dt.timedelta(minutes=1))
        assert "tests.idle" in tick().queued
    assert len(ran) == 1


def test_slots_start_at_whole_periods() -> None:
    every = dt.timedelta(minutes=15)
    assert slot_of(START, every) == dt.datetime(2026, 12, 1, 9, 15, tzinfo=dt.UTC)
    assert slot_of(START.replace(minute=15), every) == START.replace(minute=15)
    london = START.astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert slot_of(london, every) == slot_of(START, every)


# --- two ticks at once, in two processes --------------------------------------------------------


@pytest.fixture
def tick_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """An environment for `sightline tick` in subprocesses, on a database of its own (a SQLite
    file, or a new database on the tests' PostgreSQL server), with the test app's task and
    periodic job installed."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SIGHTLINE_VAR_DIR"] = str(tmp_path / "var")
    env["DJANGO_SETTINGS_MODULE"] = "sightline.core.tests.tick_settings"
    env["TICK_TEST_LOG"] = str(tmp_path / "runs.log")
    env["PYTHONPATH"] = str(ROOT)
    name = None
    url = os.environ.get("DATABASE_URL", "")
    if connection.vendor == "postgresql" and url:
        name = f"sightline_tick_{uuid.uuid4().hex[:10]}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = url.rsplit("/", 1)[0] + f"/{name}"
    program(env, "migrate", "-v0").check_returncode()
    yield env
    if name:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def program(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own program)
        [sys.executable, "-m", "sightline.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_ticks_at_once_run_each_task_and_each_slot_once(tick_env: dict[str, str]) -> None:
    asked = program(
        tick_env,
        "shell",
        "-c",
        "from sightline.core import queue\n"
        "for n in range(60):\n"
        "    queue.enqueue('tickapp.record', args={'n': n})\n",
    )
    assert asked.returncode == 0, asked.stderr
    ticks = [
        subprocess.Popen(
            [sys.executable, "-m", "sightline.cli", "tick"],
            env=tick_env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [t.communicate(timeout=300) for t in ticks]
    for tick_process, (out, err) in zip(ticks, outputs, strict=True):
        assert tick_process.returncode == 0, err
        assert out.startswith("Tick at ")

    runs = Path(tick_env["TICK_TEST_LOG"]).read_text().splitlines()
    tasks = Counter(line.split()[1] for line in runs if line.startswith("task "))
    assert sorted(tasks, key=int) == [str(n) for n in range(60)]
    assert set(tasks.values()) == {1}, "no task ran twice"
    periodic = Counter(line.split()[1] for line in runs if line.startswith("periodic "))
    assert periodic, "the periodic job ran"
    assert set(periodic.values()) == {1}, "each slot ran once"
    workers = {line.split()[-1] for line in runs if line.startswith("task ")}
    assert len(workers) == 2, "both ticks ran tasks"

    again = program(tick_env, "tick")
    assert "Tasks: none was waiting." in again.stdout
    assert "Waiting: nothing." in again.stdout
