"""Professional disagreements (escalations): one agency's challenge to another agency's decision
or silence about a child, worked through the stages of the local procedure (procedure.py), each
with a deadline; a stage not answered by its deadline moves up by itself (tasks.move_up).

The disagreement is about a subject: a kind and, where Sightline holds it, the record (a
referral, a step-up decision, a closure proposal), kept as the kind and the record's id so this
app can point at records of apps below it without those apps knowing (subjects.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Escalation(models.Model):
    class Subject(models.TextChoices):
        REFERRAL = "referral", "A referral decision"
        STEP_DECISION = "step_decision", "A step up or step down decision"
        CLOSURE = "closure", "An agency closing its involvement"
        MISSED_ACTION = "missed_action", "An action not taken, or no response"
        OTHER = "other", "Another decision"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Outcome(models.TextChoices):
        AGREED = "agreed", "Agreed a way forward"
        DECISION_CHANGED = "decision_changed", "The decision was changed"
        UPHELD = "upheld", "The decision was upheld"
        WITHDRAWN = "withdrawn", "Withdrawn"

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    subject_kind = models.CharField(max_length=20, choices=Subject.choices)
    # The record disagreed with, when Sightline holds it (subjects.py resolves kind + id).
    subject_id = models.BigIntegerField(null=True, blank=True)
    # What it was about, as the raiser saw it ("Referral to the MASH, 3 March 2027: no further
    # action"): kept, so the disagreement reads the same after the record changes.
    subject_label = models.CharField(max_length=300)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_by_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+"
    )
    raised_by_team = models.ForeignKey(
        "agencies.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    about_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    about_team = models.ForeignKey(
        "agencies.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The person whose decision it was, when known (told first, at stage 1).
    about_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    disagreement = models.TextField()
    outcome_sought = models.TextField()
    raised_at = models.DateTimeField()
    procedure_version = models.PositiveIntegerField()
    # The current stage, and its deadline (a copy of the open EscalationStage's, for queues).
    stage = models.PositiveSmallIntegerField(default=1)
    stage_due_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_text = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Raised by an objection to a closure (cases.ClosureProposal), so opening it twice is
    # impossible: one disagreement per objection.
    closure_objection_id = models.BigIntegerField(null=True, blank=True, unique=True)
    # Bumped by every change: a change made on a page shown before another change is refused.
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [
            models.Index(fields=["status", "stage_due_on"]),
            models.Index(fields=["person", "status"]),
            models.Index(fields=["subject_kind", "subject_id"]),
            models.Index(fields=["raised_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(raised_by_agency=models.F("about_agency")),
                name="escalation_between_two_agencies",
            ),
            models.CheckConstraint(
                condition=models.Q(status="open", outcome="")
                | (~models.Q(status="open") & ~models.Q(outcome="")),
                name="escalation_outcome_when_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"Disagreement {self.pk} ({self.get_status_display()}, stage {self.stage})"


class EscalationStage(models.Model):
    """One stage of one disagreement: when it began and why, its deadline (and the timescale
    version it was computed under), the answer, and how it ended. One row per stage number, so
    two ticks (or a tick and a person) cannot both move a disagreement up."""

    class Start(models.TextChoices):
        RAISED = "raised", "Raised"
        ESCALATED = "escalated", "Escalated by the agency that raised it"
        NOT_ANSWERED = "not_answered", "Moved up: not answered by the deadline"

    class End(models.TextChoices):
        ESCALATED = "escalated", "Escalated"
        MOVED_UP = "moved_up", "Moved up: not answered by the deadline"
        RESOLVED = "resolved", "Resolved"
        WITHDRAWN = "withdrawn", "Withdrawn"

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="stages")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    started_at = models.DateTimeField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    start = models.CharField(max_length=16, choices=Start.choices)
    start_note = models.TextField(blank=True)
    due_on = models.DateField()
    timescale_key = models.CharField(max_length=60)
    timescale_version = models.PositiveIntegerField()
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_by_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    response = models.TextField(blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end = models.CharField(max_length=12, choices=End.choices, blank=True)

    class Meta:
        ordering = ["escalation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["escalation", "number"], name="escalation_stage_once")
        ]

    def __str__(self) -> str:
        return f"Stage {self.number} of disagreement {self.escalation_id}"
