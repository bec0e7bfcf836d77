"""The task queue: background work in the database, no broker (docs/background-work.md).

Apps register what they run in `AppConfig.ready()`:

    register_task("identity.link", link_task, purpose="link newly imported person records",
                  actor=LINKER)
    register_periodic("alerts.sweep", sweep, every=dt.timedelta(minutes=5), purpose="…")

and ask for work, ideally in the transaction that makes it necessary (the task then commits,
or rolls back, with the change):

    enqueue("identity.link", dedupe_key="pending")

`sightline tick` (core.tick) runs what is due. A worker **claims** a task with a lease (a token
and a time it holds it until, extended while the handler runs); no other worker can claim it
until the lease has run out, so two workers never run one task at once, on PostgreSQL
(`SELECT … FOR UPDATE SKIP LOCKED`) as on SQLite (its IMMEDIATE transactions take the write
lock first). A failure is recorded and tried again later, up to the task's attempts; a worker
that stops mid-task (killed, power cut) loses its lease and the task is claimed again.
Delivery is at least once: handlers must be idempotent.

Every handler is called with `scope=`, an audited system scope opened for the task's actor and
purpose (governance registers the opener: core may not import it), and the task's arguments.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, Literal

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils.module_loading import import_string

from sightline.core import clock
from sightline.core.actors import CLOCK, SystemActor
from sightline.core.models import Task

log = logging.getLogger(__name__)

DEFAULT_LEASE = dt.timedelta(minutes=2)
DEFAULT_ATTEMPTS = 3
# Retries wait 1, 2, 4… minutes, never more than an hour.
_FIRST_RETRY = dt.timedelta(minutes=1)
_LONGEST_RETRY = dt.timedelta(hours=1)
_ERROR_MAX = 10_000
ACTIVE = (Task.Status.PENDING, Task.Status.RUNNING)


class Permanent(Exception):
    """Raised by a handler when trying again cannot help (no model to link with, a missing
    record): the task fails now, with this message, instead of using up its attempts."""


# --- the registry ----------------------------------------------------------------------------


Handler = Callable[..., object] | str


@dataclass(frozen=True)
class TaskKind:
    """A registered handler and how its tasks run. The handler may be given by its dotted path
    ("sightline.identity.linking.link_imported"), imported when a task first runs, so a heavy
    module (Splink) is loaded only by the process that does that work."""

    name: str
    handler: Handler
    purpose: str  # why the system reads case data for it: the system scope's audited purpose
    actor: SystemActor
    max_attempts: int
    lease: dt.timedelta
    every: dt.timedelta | None = None  # periodic jobs only
    # periodic jobs only: a cheap check, (now) -> whether anything waits for the job; a slot is
    # taken only when it answers true (None: always), so an idle job adds no task, no audit row
    # and no line to tick's report.
    when: Callable[[dt.datetime], bool] | None = None


ScopeOpener = Callable[..., Any]  # (actor=, purpose=, detail=) -> a scope for the handler

_kinds: dict[str, TaskKind] = {}
_scope_opener: list[ScopeOpener] = []


def register_task(
    name: str,
    handler: Handler,
    *,
    purpose: str,
    actor: SystemActor = CLOCK,
    max_attempts: int = DEFAULT_ATTEMPTS,
    lease: dt.timedelta = DEFAULT_LEASE,
) -> TaskKind:
    """Register the handler of tasks called `name` ("app.what"). Re-registering replaces."""
    if not purpose.strip() or len(purpose.strip()) > 200:
        raise ValueError(
            f"task {name}: a purpose of at most 200 characters is required (it is audited "
            "with every run)"
        )
    if max_attempts < 1 or lease <= dt.timedelta(0):
        raise ValueError(f"task {name}: at least one attempt and a positive lease")
    kind = TaskKind(name, handler, purpose.strip(), actor, max_attempts, lease)
    _kinds[name] = kind
    return kind


def register_periodic(
    name: str,
    handler: Handler,
    *,
    every: dt.timedelta,
    purpose: str,
    actor: SystemActor = CLOCK,
    max_attempts: int = DEFAULT_ATTEMPTS,
    lease: dt.timedelta = DEFAULT_LEASE,
    when: Callable[[dt.datetime], bool] | None = None,
) -> TaskKind:
    """Register a job tick runs once in every period of `every` (periods start at whole
    multiples of it since midnight UTC, 1 January 1970). Its handler gets `slot`, the start of
    the period, besides `scope`. A slot missed while nothing ticked is not caught up: the next
    tick runs the current one, so a job computes what is due from stored state. With `when`,
    a slot is taken only when `when(now)` says something waits for the job."""
    if every < dt.timedelta(minutes=1):
        raise ValueError(f"periodic job {name}: tick runs every minute at most")
    kind = register_task(
        name, handler, purpose=purpose, actor=actor, max_attempts=max_attempts, lease=lease
    )
    kind = replace(kind, every=every, when=when)
    _kinds[name] = kind
    return kind


def unregister(name: str) -> None:
    _kinds.pop(name, None)


def task_kind(name: str) -> TaskKind | None:
    return _kinds.get(name)


def task_kinds() -> list[TaskKind]:
    return sorted(_kinds.values(), key=lambda k: k.name)


def periodic_jobs() -> list[TaskKind]:
    return [k for k in task_kinds() if k.every is not None]


def register_scope_opener(opener: ScopeOpener) -> None:
    """governance registers `access.system_scope` here (GovernanceConfig.ready())."""
    _scope_opener[:] = [opener]


@contextmanager
def registered(*kinds: TaskKind) -> Iterator[None]:
    """For tests: these kinds registered for the block, the registry as it was after."""
    before = dict(_kinds)
    for kind in kinds:
        _kinds[kind.name] = kind
    try:
        yield
    finally:
        _kinds.clear()
        _kinds.update(before)


# --- asking for work ----------------------------------------------------------------------------


def enqueue(
    name: str,
    *,
    args: Mapping[str, Any] | None = None,
    dedupe_key: str = "",
    run_after: dt.datetime | None = None,
) -> Task:
    """Ask for `name` to run with `args` (JSON values). With a dedupe key, while a task of that
    name and key is pending the same task is returned (its arguments stand); while one is
    running it is marked to run once more when it ends. Inside a transaction the task commits
    with it, and a pending task it joins stays locked until then, so no worker starts it before
    the change that asked for it is visible."""
    if name not in _kinds:
        raise LookupError(f"no task {name!r} is registered (register_task in AppConfig.ready())")
    values = dict(args or {})
    json.dumps(values)  # refuse what JSON cannot hold now, not when a worker reads it
    if len(dedupe_key) > 200:
        raise ValueError("a dedupe key is at most 200 characters")
    kind = _kinds[name]
    for _ in range(5):
        with transaction.atomic():
            if dedupe_key:
                held = (
                    Task.objects.select_for_update()
                    .filter(name=name, dedupe_key=dedupe_key, status__in=ACTIVE)
                    .first()
                )
                if held is not None:
                    if held.status == Task.Status.RUNNING and not held.again:
                        Task.objects.filter(pk=held.pk).update(again=True)
                        held.again = True
                    return held
            now = clock.now()
            try:
                with transaction.atomic():
                    return Task.objects.create(
                        name=name,
                        args=values,
                        dedupe_key=dedupe_key,
                        max_attempts=kind.max_attempts,
                        run_after=run_after or now,
                        created_at=now,
                    )
            except IntegrityError:
                continue  # another enqueue of the same key won the race: join it
    raise RuntimeError(f"could not enqueue {name} {dedupe_key!r}")  # pragma: no cover


# --- claiming and finishing -------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """A worker's hold on a task: only the holder of the token can finish it."""

    id: int
    name: str
    args: dict[str, Any]
    token: str
    worker: str
    attempt: int
    max_attempts: int
    lease_until: dt.datetime


def worker_name(label: str = "") -> str:
    """Who is claiming: host, process and thread (and a label), for the task's record."""
    name = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
    return f"{label}@{name}" if label else name


def _lease(name: str) -> dt.timedelta:
    kind = _kinds.get(name)
    return kind.lease if kind is not None else DEFAULT_LEASE


def _due(now: dt.datetime) -> Q:
    pending = Q(status=Task.Status.PENDING, run_after__lte=now)
    abandoned = Q(status=Task.Status.RUNNING, lease_until__lt=now)
    return pending | abandoned


def claim(worker: str, *, names: Iterable[str] | None = None) -> Claim | None:
    """Claim the next due task (oldest due first): a pending one whose time has come, or a
    running one whose worker's lease has run out. None when nothing is due."""
    wanted = list(names) if names is not None else None
    while True:
        with transaction.atomic():
            now = clock.now()
            rows = Task.objects.filter(_due(now))
            if wanted is not None:
                rows = rows.filter(name__in=wanted)
            rows = rows.order_by("run_after", "id")
            if connection.vendor == "postgresql":
                # Rows another worker is claiming are passed over, not waited for.
                rows = rows.select_for_update(skip_locked=True)
            task = rows.first()
            if task is None:
                return None
            if task.status == Task.Status.RUNNING and task.attempts >= task.max_attempts:
                # Its worker stopped on the last attempt: nothing left to try.
                _close_abandoned(task, now)
                continue
            token = uuid.uuid4().hex
            lease_until = now + _lease(task.name)
            took = Task.objects.filter(
                pk=task.pk, status=task.status, claim_token=task.claim_token
            ).update(
                status=Task.Status.RUNNING,
                claimed_by=worker[:200],
                claim_token=token,
                lease_until=lease_until,
                attempts=F("attempts") + 1,
                started_at=now,
            )
            if not took:  # pragma: no cover - the row lock (or SQLite's write lock) prevents it
                continue
            return Claim(
                id=task.pk,
                name=task.name,
                args=dict(task.args or {}),
                token=token,
                worker=worker,
                attempt=task.attempts + 1,
                max_attempts=task.max_attempts,
                lease_until=lease_until,
            )


def _close_abandoned(task: Task, now: dt.datetime) -> None:
    error = (
        f"stopped without finishing {task.attempts} time(s): the worker ended or lost its lease "
        f"(last claimed by {task.claimed_by})"
    )
    if task.again:  # asked for again meanwhile: that request gets its own attempts
        Task.objects.filter(pk=task.pk).update(
            status=Task.Status.PENDING,
            again=False,
            attempts=0,
            run_after=now,
            claim_token="",
            lease_until=None,
            last_error=error,
        )
        return
    Task.objects.filter(pk=task.pk).update(
        status=Task.Status.FAILED, finished_at=now, lease_until=None, last_error=error
    )


def _held(claim: Claim) -> Task | None:
    return (
        Task.objects.select_for_update()
        .filter(pk=claim.id, claim_token=claim.token, status=Task.Status.RUNNING)
        .first()
    )


def extend(claim: Claim) -> bool:
    """Extend the lease while the handler runs; False when the claim was lost."""
    lease_until = clock.now() + _lease(claim.name)
    return bool(
        Task.objects.filter(
            pk=claim.id, claim_token=claim.token, status=Task.Status.RUNNING
        ).update(lease_until=lease_until)
    )


Finished = Literal["done", "again", "retry", "failed", "lost"]


def complete(claim: Claim) -> Finished:
    """The claimed run succeeded: done, or pending once more ("again") if it was asked for
    while it ran. "lost" when the lease ran out and another worker claimed it."""
    with transaction.atomic():
        task = _held(claim)
        if task is None:
            return "lost"
        now = clock.now()
        if task.again:
            Task.objects.filter(pk=task.pk).update(
                status=Task.Status.PENDING,
                again=False,
                attempts=0,
                run_after=now,
                claim_token="",
                lease_until=None,
                finished_at=now,
            )
            return "again"
        Task.objects.filter(pk=task.pk).update(
            status=Task.Status.DONE, finished_at=now, lease_until=None, last_error=""
        )
        return "done"


def retry_delay(attempt: int) -> dt.timedelta:
    delay: dt.timedelta = min(_FIRST_RETRY * 2 ** max(attempt - 1, 0), _LONGEST_RETRY)
    return delay


def fail(claim: Claim, error: str, *, permanent: bool = False) -> Finished:
    """The claimed run failed with `error`: tried again later ("retry") while attempts remain
    (unless `permanent`), otherwise "failed". A task asked for again while it ran goes back to
    pending with fresh attempts: that request has not been tried."""
    with transaction.atomic():
        task = _held(claim)
        if task is None:
            return "lost"
        now = clock.now()
        error = error[:_ERROR_MAX]
        reset = {"claim_token": "", "lease_until": None, "last_error": error}
        if not permanent and task.attempts < task.max_attempts:
            Task.objects.filter(pk=task.pk).update(
                status=Task.Status.PENDING, run_after=now + retry_delay(task.attempts), **reset
            )
            return "retry"
        if task.again:
            Task.objects.filter(pk=task.pk).update(
                status=Task.Status.PENDING, again=False, attempts=0, run_after=now, **reset
            )
            return "again"
        Task.objects.filter(pk=task.pk).update(status=Task.Status.FAILED, finished_at=now, **reset)
        return "failed"


# --- running ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What became of one claimed task."""

    task_id: int
    name: str
    result: Finished
    seconds: float
    error: str = ""
    retry_at: dt.datetime | None = None
    attempt: int = 1
    max_attempts: int = 1


class _Heartbeat(threading.Thread):
    """Extends the claim's lease every third of it while the handler runs, on its own
    connection, so a long run keeps its task and a dead worker's task is soon claimed again."""

    def __init__(self, claim: Claim, lease: dt.timedelta) -> None:
        super().__init__(name=f"task-{claim.id}-heartbeat", daemon=True)
        self.claim = claim
        self.interval = max(lease.total_seconds() / 3, 1.0)
        self.stopping = threading.Event()

    def run(self) -> None:
        from django.db import connections

        try:
            while not self.stopping.wait(self.interval):
                try:
                    if not extend(self.claim):
                        log.warning("task %s: lease lost while running", self.claim.id)
                        return
                except Exception:  # a busy database: try again at the next beat
                    log.warning("task %s: could not extend its lease", self.claim.id, exc_info=True)
        finally:
            connections.close_all()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=self.interval + 15)


def _open_scope(kind: TaskKind, claim: Claim) -> Any:
    if not _scope_opener:
        raise RuntimeError("no system scope opener registered (is sightline.governance installed?)")
    detail = {"task": claim.id, "task_name": claim.name, "attempt": claim.attempt}
    return _scope_opener[0](actor=kind.actor, purpose=kind.purpose, detail=detail)


def _call(kind: TaskKind, claim: Claim) -> None:
    handler = import_string(kind.handler) if isinstance(kind.handler, str) else kind.handler
    args = dict(claim.args)
    if kind.every is not None and isinstance(args.get("slot"), str):
        args["slot"] = dt.datetime.fromisoformat(args["slot"])
    handler(scope=_open_scope(kind, claim), **args)


def run_claimed(claim: Claim) -> Outcome:
    """Run one claimed task's handler and record how it ended."""
    started = time.perf_counter()
    kind = _kinds.get(claim.name)
    outcome = Outcome(
        claim.id, claim.name, "failed", 0.0, attempt=claim.attempt, max_attempts=claim.max_attempts
    )
    if kind is None:
        outcome.error = f"no handler is registered for {claim.name!r} (is its app installed?)"
        outcome.result = fail(claim, outcome.error, permanent=True)
        return outcome
    heartbeat = _Heartbeat(claim, kind.lease)
    heartbeat.start()
    try:
        _call(kind, claim)
    except Exception as exc:
        heartbeat.stop()
        outcome.error = f"{type(exc).__name__}: {exc}"
        trace = "".join(traceback.format_exception(exc))
        log.warning("task %s (%s) failed: %s", claim.id, claim.name, outcome.error)
        outcome.result = fail(
            claim, f"{outcome.error}\n\n{trace}", permanent=isinstance(exc, Permanent)
        )
        if outcome.result == "retry":
            outcome.retry_at = (
                Task.objects.filter(pk=claim.id).values_list("run_after", flat=True).first()
            )
    else:
        heartbeat.stop()
        outcome.result = complete(claim)
    outcome.seconds = time.perf_counter() - started
    return outcome


@dataclass
class QueueState:
    """What is waiting: due now, later (retries, scheduled), and when the next is due."""

    due: int = 0
    later: int = 0
    running: int = 0
    next_at: dt.datetime | None = None


def queue_state() -> QueueState:
    now = clock.now()
    pending = Task.objects.filter(status=Task.Status.PENDING)
    later = pending.filter(run_after__gt=now)
    nxt = later.order_by("run_after").values_list("run_after", flat=True).first()
    return QueueState(
        due=Task.objects.filter(_due(now)).count(),
        later=later.count(),
        running=Task.objects.filter(status=Task.Status.RUNNING, lease_until__gte=now).count(),
        next_at=nxt,
    )


def run_pending(
    *,
    worker: str | None = None,
    names: Iterable[str] | None = None,
    max_tasks: int | None = None,
    max_seconds: float | None = None,
) -> list[Outcome]:
    """Claim and run due tasks until none is due (or the budget is spent). Tests call it to
    drain the queue; `sightline tick` runs it after queuing the periodic jobs."""
    who = worker or worker_name()
    chosen = list(names) if names is not None else None
    started = time.perf_counter()
    outcomes: list[Outcome] = []
    while max_tasks is None or len(outcomes) < max_tasks:
        if max_seconds is not None and time.perf_counter() - started >= max_seconds:
            break
        claimed = claim(who, names=chosen)
        if claimed is None:
            break
        outcomes.append(run_claimed(claimed))
    return outcomes
