"""The task queue's two tables: work to do in the background, and the periodic jobs' slots.

No domain nouns: a task names a handler an app registered (sightline.core.queue) and carries
its arguments as JSON. docs/background-work.md and docs/adr/0008-task-queue.md explain them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Task(models.Model):
    """One piece of background work: pending, running (claimed by a worker until its lease
    ends), done or failed.

    A dedupe key makes the same work asked for twice one task: while a task with that key is
    pending or running there is no second one (a unique constraint). Asked for again while it
    runs, it is marked `again` and goes back to pending when this run ends, so work requested
    after the run began reading is never lost."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to run"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    name = models.CharField(max_length=100)
    args = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=200, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    again = models.BooleanField(default=False)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=3)
    run_after = models.DateTimeField()
    created_at = models.DateTimeField()
    # The current claim: which worker, a token only that claim knows, and until when it holds.
    claimed_by = models.CharField(max_length=200, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["name", "dedupe_key"],
                condition=Q(status__in=["pending", "running"]) & ~Q(dedupe_key=""),
                name="core_task_one_active_per_key",
            )
        ]
        indexes = [
            models.Index(fields=["status", "run_after"], name="core_task_due"),
        ]

    def __str__(self) -> str:
        return f"task {self.pk} {self.name} ({self.status})"


class PeriodicRun(models.Model):
    """A periodic job's slot (the start of its period) taken by one tick: the unique row makes
    a job run once per slot however many ticks run at once."""

    job = models.CharField(max_length=100)
    slot = models.DateTimeField()
    enqueued_at = models.DateTimeField()
    task = models.ForeignKey(Task, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="core_periodic_once_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.job} at {self.slot.isoformat()}"
