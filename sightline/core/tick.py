"""One beat of the clock: queue the periodic jobs that are due, then run the due tasks.

`sightline tick` calls `tick()`; `sightline serve` calls it every minute in a thread for the
demo, a systemd timer every minute in production (docs/background-work.md). It is safe to run
twice at once: a periodic job's slot is taken by one tick only (a unique row per job and slot),
and a task is run by the one worker that claimed it (core.queue)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from sightline.core import clock, queue
from sightline.core.models import PeriodicRun

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def slot_of(when: dt.datetime, every: dt.timedelta) -> dt.datetime:
    """The start of the period of length `every` that `when` falls in (UTC, from the epoch)."""
    periods = (when - _EPOCH) // every
    return _EPOCH + periods * every


def schedule_due(now: dt.datetime | None = None) -> list[str]:
    """Queue every periodic job whose current slot no tick has taken yet (and whose `when`, if
    it has one, says something waits for it); their names.

    The slot row and the task commit together, so a tick that dies between the two leaves
    neither. A job still waiting from an earlier slot is not queued twice (dedupe key)."""
    now = now or clock.now()
    queued = []
    for job in queue.periodic_jobs():
        assert job.every is not None
        if job.when is not None and not job.when(now):
            continue  # nothing waits for it: no slot taken, nothing queued
        slot = slot_of(now, job.every)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    run = PeriodicRun.objects.create(job=job.name, slot=slot, enqueued_at=now)
            except IntegrityError:
                continue  # another tick took this slot
            run.task = queue.enqueue(
                job.name, args={"slot": slot.isoformat()}, dedupe_key="periodic"
            )
            run.save(update_fields=["task"])
        queued.append(job.name)
    return queued


@dataclass
class TickReport:
    at: dt.datetime
    queued: list[str] = field(default_factory=list)
    outcomes: list[queue.Outcome] = field(default_factory=list)
    state: queue.QueueState = field(default_factory=queue.QueueState)

    @property
    def did_something(self) -> bool:
        return bool(self.queued or self.outcomes)

    def lines(self) -> list[str]:
        """The summary `sightline tick` prints, in words a new user can follow."""
        out = [f"Tick at {_when(self.at, seconds=True)}."]
        if self.queued:
            out.append(
                f"Periodic jobs: {_n(len(self.queued), 'job')} due, queued: "
                + ", ".join(self.queued)
                + "."
            )
        else:
            out.append("Periodic jobs: none due.")
        if not self.outcomes:
            out.append("Tasks: none was waiting.")
        else:
            counts = [
                (sum(o.result in ("done", "again") for o in self.outcomes), "done"),
                (sum(o.result == "retry" for o in self.outcomes), "failed and will be tried again"),
                (sum(o.result == "failed" for o in self.outcomes), "failed for good"),
                (sum(o.result == "lost" for o in self.outcomes), "taken over by another worker"),
            ]
            out.append(
                f"Tasks: ran {len(self.outcomes)}: "
                + ", ".join(f"{n} {what}" for n, what in counts if n)
                + "."
            )
            out += [f"  {_outcome(o)}" for o in self.outcomes]
        out.append(_waiting(self.state))
        return out


def tick(
    *, worker: str | None = None, max_tasks: int | None = None, max_seconds: float | None = None
) -> TickReport:
    report = TickReport(at=clock.now())
    report.queued = schedule_due(report.at)
    report.outcomes = queue.run_pending(
        worker=worker or queue.worker_name("tick"), max_tasks=max_tasks, max_seconds=max_seconds
    )
    report.state = queue.queue_state()
    return report


def _n(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _when(value: dt.datetime, *, seconds: bool = False) -> str:
    local = timezone.localtime(value)
    if seconds:
        return f"{local.day} {local:%b %Y %H:%M:%S}"
    return f"{local:%H:%M}"


def _outcome(o: queue.Outcome) -> str:
    what = f"{o.name} (task {o.task_id})"
    first_line = o.error.splitlines()[0] if o.error else ""
    if o.result == "done":
        return f"done: {what} in {o.seconds:.1f} s"
    if o.result == "again":
        return f"done: {what} in {o.seconds:.1f} s; asked for again meanwhile, so queued again"
    if o.result == "retry":
        when = f" after {_when(o.retry_at)}" if o.retry_at else ""
        return (
            f"failed: {what}, attempt {o.attempt} of {o.max_attempts}: {first_line}. "
            f"It will be tried again{when}."
        )
    if o.result == "lost":
        return f"lost: {what} took longer than its lease and another worker has claimed it"
    return f"failed for good: {what}, attempt {o.attempt} of {o.max_attempts}: {first_line}"


def _waiting(state: queue.QueueState) -> str:
    parts = []
    if state.due:
        parts.append(f"{_n(state.due, 'task')} due now (the next tick runs them)")
    if state.later:
        first = f", the first at {_when(state.next_at)}" if state.next_at else ""
        parts.append(f"{_n(state.later, 'task')} waiting to be tried again or scheduled{first}")
    if state.running:
        parts.append(f"{_n(state.running, 'task')} running in another worker")
    return "Waiting: " + ("; ".join(parts) if parts else "nothing") + "."
