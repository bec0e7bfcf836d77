"""The task queue: one task per dedupe key, a lease no second worker can take while it runs,
retries with a limit and the error kept, and a registry. Handlers registered here for the
tests only; the system scope each one gets is governance's (registered at start-up)."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from sightline.core import queue
from sightline.core.actors import SystemActor
from sightline.core.models import Task

pytestmark = pytest.mark.django_db

WORK = "tests.work"
START = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(seconds=60)
TESTER = SystemActor("tester")


def kind(
    handler: Any = None, *, name: str = WORK, attempts: int = 2, lease: dt.timedelta = LEASE
) -> queue.TaskKind:
    return queue.TaskKind(
        name=name,
        handler=handler or (lambda **_: None),
        purpose="tests: do some work",
        actor=TESTER,
        max_attempts=attempts,
        lease=lease,
    )


@pytest.fixture
def ran() -> Iterator[list[dict[str, Any]]]:
    """A registered task that records what it was called with."""
    calls: list[dict[str, Any]] = []
    with queue.registered(kind(lambda **kw: calls.append(kw))):
        yield calls


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


# --- asking ------------------------------------------------------------------------------------


def test_the_same_work_asked_for_twice_while_pending_is_one_task(ran, clock) -> None:
    first = queue.enqueue(WORK, args={"n": 1}, dedupe_key="person:7")
    second = queue.enqueue(WORK, args={"n": 2}, dedupe_key="person:7")
    other = queue.enqueue(WORK, args={"n": 3}, dedupe_key="person:8")
    unkeyed = [queue.enqueue(WORK, args={"n": n}) for n in (4, 5)]
    assert second.pk == first.pk, "one task while it waits; its arguments stand"
    assert len({other.pk, first.pk, *(t.pk for t in unkeyed)}) == 4
    queue.run_pending(worker="w")
    assert sorted(call["n"] for call in ran) == [1, 3, 4, 5]
    # Done, the key is free again: asked once more, the work runs once more.
    queue.enqueue(WORK, args={"n": 6}, dedupe_key="person:7")
    queue.run_pending(worker="w")
    assert [call["n"] for call in ran][-1] == 6


def test_asked_for_again_while_it_runs_it_runs_once_more_after(ran, clock) -> None:
    task = queue.enqueue(WORK, dedupe_key="k")
    claim = queue.claim("w1")
    assert claim is not None
    again = queue.enqueue(WORK, dedupe_key="k")
    assert again.pk == task.pk
    assert Task.objects.filter(dedupe_key="k").count() == 1
    assert queue.complete(claim) == "again"
    task.refresh_from_db()
    assert (task.status, task.again, task.attempts) == ("pending", False, 0)
    [outcome] = queue.run_pending(worker="w2")
    assert outcome.result == "done"
    assert Task.objects.get().status == "done"


def test_only_registered_work_with_json_arguments_can_be_asked_for(ran) -> None:
    with pytest.raises(LookupError, match=r"no task 'tests\.nothing' is registered"):
        queue.enqueue("tests.nothing")
    with pytest.raises(TypeError):
        queue.enqueue(WORK, args={"when": dt.date(2026, 1, 1)})
    assert not Task.objects.exists()


def test_a_task_asked_for_in_a_transaction_that_rolls_back_is_never_run(ran) -> None:
    with transaction.atomic():
        queue.enqueue(WORK, dedupe_key="k")
        transaction.set_rollback(True)  # the change that asked for it failed
    assert not Task.objects.exists()
    assert queue.run_pending(worker="w") == []


def test_registering_needs_a_purpose_and_sane_limits() -> None:
    with pytest.raises(ValueError, match="purpose"):
        queue.register_task("tests.x", lambda **_: None, purpose=" ")
    with pytest.raises(ValueError, match="attempt"):
        queue.register_task("tests.x", lambda **_: None, purpose="p", max_attempts=0)
    with pytest.raises(ValueError, match="every minute at most"):
        queue.register_periodic(
            "tests.x", lambda **_: None, every=dt.timedelta(seconds=10), purpose="p"
        )
    assert queue.task_kind("tests.x") is None


# --- claiming ------------------------------------------------------------------------------------


def test_a_claimed_task_is_not_claimed_again_until_its_lease_runs_out(ran, clock) -> None:
    queue.enqueue(WORK)
    first = queue.claim("w1")
    assert first is not None
    assert queue.claim("w2") is None, "held by w1"
    clock.shift(LEASE - dt.timedelta(seconds=1))
    assert queue.claim("w2") is None, "w1's lease has not run out"
    clock.shift(dt.timedelta(seconds=2))
    second = queue.claim("w2")  # w1 stopped (killed, power cut): the task is not lost
    assert second is not None
    assert second.id == first.id
    assert second.attempt == 2
    # w1 comes back: it no longer holds the task, so its result is not recorded.
    assert queue.complete(first) == "lost"
    assert queue.fail(first, "late") == "lost"
    assert queue.complete(second) == "done"


def test_a_long_run_keeps_its_lease_alive(clock) -> None:
    with queue.registered(kind()):
        queue.enqueue(WORK)
        claim = queue.claim("w1")
        assert claim is not None
        clock.shift(dt.timedelta(seconds=50))
        assert queue.extend(claim)
        clock.shift(dt.timedelta(seconds=50))
        assert queue.claim("w2") is None, "the lease was extended 50 s ago"
        clock.shift(dt.timedelta(seconds=61))
        assert queue.claim("w2") is not None
        assert not queue.extend(claim), "lost: extending it again is refused"


def test_a_task_abandoned_on_its_last_attempt_fails_with_the_reason(ran, clock) -> None:
    queue.enqueue(WORK)
    for _ in range(2):
        assert queue.claim("w1") is not None
        clock.shift(LEASE * 2)
    assert queue.claim("w2") is None
    task = Task.objects.get()
    assert task.status == "failed"
    assert "stopped without finishing 2 time(s)" in task.last_error


# --- failing -------------------------------------------------------------------------------------


def test_a_failure_is_recorded_and_tried_again_later_then_given_up(clock) -> None:
    calls = []

    def broken(**kw: Any) -> None:
        calls.append(kw)
        raise ValueError("the service is down")

    with queue.registered(kind(broken, attempts=3)):
        task = queue.enqueue(WORK, args={"n": 1})
        [first] = queue.run_pending(worker="w")
        assert (first.result, first.attempt) == ("retry", 1)
        assert first.retry_at == START + dt.timedelta(minutes=1)
        task.refresh_from_db()
        assert task.status == "pending"
        assert task.last_error.startswith("ValueError: the service is down")
        assert "Traceback" in task.last_error
        assert queue.run_pending(worker="w") == [], "not before its retry time"
        clock.shift(dt.timedelta(minutes=1))
        [second] = queue.run_pending(worker="w")
        assert second.retry_at == START + dt.timedelta(minutes=1 + 2), "waits twice as long"
        clock.shift(dt.timedelta(minutes=2))
        [third] = queue.run_pending(worker="w")
        assert third.result == "failed"
    task.refresh_from_db()
    assert (task.status, task.attempts) == ("failed", 3)
    assert task.finished_at == START + dt.timedelta(minutes=3)
    assert len(calls) == 3


def test_a_permanent_failure_is_not_tried_again(clock) -> None:
    def hopeless(**kw: Any) -> None:
        raise queue.Permanent("no model to link with")

    with queue.registered(kind(hopeless, attempts=5)):
        queue.enqueue(WORK)
        [outcome] = queue.run_pending(worker="w")
    assert outcome.result == "failed"
    assert Task.objects.get().attempts == 1


def test_a_task_whose_handler_is_gone_fails_saying_so(ran) -> None:
    queue.enqueue(WORK)
    queue.unregister(WORK)
    [outcome] = queue.run_pending(worker="w")
    assert outcome.result == "failed"
    assert "no handler is registered for 'tests.work'" in Task.objects.get().last_error


def test_each_run_gets_an_audited_system_scope_for_the_kinds_purpose(ran) -> None:
    from django.apps import apps

    queue.enqueue(WORK, args={"n": 1})
    queue.run_pending(worker="w")
    scope = ran[0]["scope"]
    assert scope.purpose == "tests: do some work"
    assert scope.actor == TESTER
    event = apps.get_model("governance", "AuditEvent").objects.get(pk=scope.audit_event_id)
    assert (event.action, event.actor_name) == ("system_access", "system:tester")
    assert event.detail["task_name"] == WORK


# --- two workers at once -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="SQLite's in-memory test database is one connection; two processes: test_tick.py",
)
def test_two_threads_draining_one_queue_run_each_task_once() -> None:
    seen: list[int] = []
    lock = threading.Lock()
    running: set[int] = set()
    overlaps: list[int] = []

    def work(*, scope: Any, n: int) -> None:
        with lock:
            if n in running:
                overlaps.append(n)
            running.add(n)
        threading.Event().wait(0.01)
        with lock:
            running.discard(n)
            seen.append(n)

    with queue.registered(kind(work)):
        for n in range(60):
            queue.enqueue(WORK, args={"n": n})

        def drain(name: str) -> None:
            try:
                queue.run_pending(worker=name)
            finally:
                connection.close()

        threads = [threading.Thread(target=drain, args=(f"w{i}",)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert sorted(seen) == list(range(60)), "every task ran exactly once"
    assert overlaps == []
    assert set(Task.objects.values_list("status", flat=True)) == {"done"}
    workers = Counter(Task.objects.values_list("claimed_by", flat=True))
    assert len(workers) == 2, f"both workers took some: {workers}"


# --- any interleaving of two workers (hypothesis) ------------------------------------------------


class TwoWorkers(RuleBasedStateMachine):
    """Two workers enqueue, claim, complete and fail in any order while time passes (every step
    takes a second). Throughout: at most one task is active per dedupe key, and no worker claims
    a task another worker still holds a live lease on. At the end, once the queue is drained:
    every request (each enqueue) was run by a claim that began after it, and nothing waits."""

    KEYS = ("", "a", "b")

    def __init__(self) -> None:
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.traveller = time_machine.travel(START, tick=False)
        self.clock = self.traveller.start()
        self.held: dict[str, queue.Claim | None] = {"w1": None, "w2": None}
        self.asked: list[tuple[int, dt.datetime]] = []

    def step(self, seconds: int = 1) -> dt.datetime:
        self.clock.shift(dt.timedelta(seconds=seconds))
        return dt.datetime.now(dt.UTC)

    @rule(key=st.sampled_from(KEYS))
    def enqueue(self, key: str) -> None:
        when = self.step()
        task = queue.enqueue(WORK, dedupe_key=key)
        self.asked.append((task.pk, when))

    @rule(worker=st.sampled_from(["w1", "w2"]))
    def claim(self, worker: str) -> None:
        if self.held[worker] is not None:
            return
        now = self.step()
        got = queue.claim(worker)
        if got is None:
            return
        for other, theirs in self.held.items():
            if other != worker and theirs is not None and theirs.id == got.id:
                assert now > theirs.lease_until, "claimed while another held a live lease"
        self.held[worker] = got

    @precondition(lambda self: any(self.held.values()))
    @rule(worker=st.sampled_from(["w1", "w2"]), succeeded=st.booleans())
    def finish(self, worker: str, succeeded: bool) -> None:
        mine = self.held[worker]
        if mine is None:
            return
        self.step()
        current = Task.objects.get(pk=mine.id)
        still_mine = current.claim_token == mine.token and current.status == "running"
        result = queue.complete(mine) if succeeded else queue.fail(mine, "it broke")
        assert (result == "lost") == (not still_mine)
        self.held[worker] = None

    @rule(seconds=st.integers(min_value=1, max_value=200))
    def wait(self, seconds: int) -> None:
        self.step(seconds)

    @invariant()
    def one_active_task_per_key(self) -> None:
        active = Counter(
            Task.objects.filter(status__in=queue.ACTIVE)
            .exclude(dedupe_key="")
            .values_list("dedupe_key", flat=True)
        )
        assert all(n == 1 for n in active.values()), active

    @invariant()
    def one_holder_per_task(self) -> None:
        tokens = dict(Task.objects.filter(status="running").values_list("pk", "claim_token"))
        holders = Counter(
            c.id for c in self.held.values() if c is not None and tokens.get(c.id) == c.token
        )
        assert all(n == 1 for n in holders.values())

    def teardown(self) -> None:
        try:
            for _ in range(200):  # the workers stop; a third drains what is left
                got = queue.claim("drain")
                if got is not None:
                    assert queue.complete(got) in ("done", "again")
                    continue
                if not Task.objects.filter(status__in=queue.ACTIVE).exists():
                    break
                self.step(2 * 60 * 60)  # past any retry wait or lease
            assert not Task.objects.filter(status__in=queue.ACTIVE).exists(), "work left waiting"
            tasks = {t.pk: t for t in Task.objects.all()}
            for task_id, when in self.asked:
                task = tasks[task_id]
                assert task.status in ("done", "failed")
                assert task.started_at is not None
                assert task.started_at >= when, "a request no claim began after: lost"
        finally:
            self.traveller.stop()
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)


def test_any_interleaving_of_two_workers_loses_nothing_and_runs_nothing_twice(ran) -> None:
    run_state_machine_as_test(
        TwoWorkers,
        settings=hypothesis_settings(max_examples=60, stateful_step_count=30, deadline=None),
    )
