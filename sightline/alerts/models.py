"""Raised alerts and their history (docs/alerts.md, "Handling alerts"; ADR 16).

An alert is a concern about one child under one rule, not an echo of each entry: while it is
open, new evidence for the same rule is added to it. One open alert per (child, rule) is a
database constraint. An alert keeps what the rule said when it was raised (title, severity,
prompt, actions, reference) and what its evaluation found (explanation parts, evidence entry
keys, the first day it held), so it still reads the same after the rule file changes.

Evidence is named by entry lineage (an entry's stable id across its versions): a correction
does not make an entry new evidence."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


# Highest first, for ordering the panel and the inbox.
SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}


class Alert(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "New"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        ACTIONED = "actioned", "Action recorded"
        DISMISSED = "dismissed", "Dismissed"
        # Left on a person merged into another, whose own alert for the rule took it in.
        COMBINED = "combined", "Combined on merge"

    # Found through the (person, rule, status) index below.
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    rule = models.CharField(max_length=80)
    rule_version = models.PositiveIntegerField()
    # What the rule said when the alert was raised (or last grew).
    title = models.CharField(max_length=200)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    themes = models.JSONField(default=list)
    prompt = models.TextField()
    actions = models.JSONField(default=list)  # the choices offered when recording the action
    reference = models.JSONField(default=list)  # the review learning: [{id, review, ...}]
    suppress_days = models.PositiveIntegerField(default=0)
    # What the evaluation found.
    certainty = models.CharField(max_length=10, default="definite")
    first_held_on = models.DateField()
    holds = models.BooleanField(default=True)  # at the last evaluation
    stopped_holding_on = models.DateField(null=True, blank=True)
    parts = models.JSONField(default=list)  # [{text, evidence: [keys], certainty, negative}]
    explanation = models.TextField()  # the parts joined: never shown as such (see presenters)
    evidence = models.JSONField(default=list)  # the keys the current explanation rests on
    seen_evidence = models.JSONField(default=list)  # every key it has rested on, first first
    fingerprint = models.CharField(max_length=64)  # of the finding stored, to see a change
    # The lifecycle.
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    raised_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    decided_by_name = models.CharField(max_length=200, blank=True)
    # After a decision: not raised again before this day unless new evidence arrives.
    suppressed_until = models.DateField(null=True, blank=True)
    combined_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        indexes = [
            models.Index(fields=["person", "rule", "status"], name="alert_person_rule"),
            # The inbox: the open alerts, whoever's.
            models.Index(
                fields=["status", "raised_at"],
                name="alert_active",
                condition=models.Q(status__in=["open", "acknowledged"]),
            ),
        ]
        constraints = [
            # One concern per child and rule: new evidence grows the open alert.
            models.UniqueConstraint(
                fields=["person", "rule"],
                condition=models.Q(status="open"),
                name="alert_one_open_per_rule",
            ),
            models.CheckConstraint(
                condition=models.Q(severity__in=["low", "medium", "high", "critical"]),
                name="alert_known_severity",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["open", "acknowledged", "actioned", "dismissed", "combined"]
                ),
                name="alert_known_status",
            ),
        ]

    def __str__(self) -> str:
        return f"alert {self.pk}: {self.rule} for person {self.person_id} ({self.status})"

    @property
    def is_active(self) -> bool:
        """Open or acknowledged: still shown on the child's page."""
        return self.status in (self.Status.OPEN, self.Status.ACKNOWLEDGED)


class AlertEvent(models.Model):
    """One thing that happened to an alert, with who and when: its history."""

    class Kind(models.TextChoices):
        RAISED = "raised", "Raised"
        EVIDENCE_ADDED = "evidence_added", "New evidence"
        REMINDED = "reminded", "Raised again as a reminder"
        NO_LONGER_HOLDS = "no_longer_holds", "No longer holds"
        HOLDS_AGAIN = "holds_again", "Holds again"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        ACTIONED = "actioned", "Action recorded"
        DISMISSED = "dismissed", "Dismissed"
        COMBINED = "combined", "Combined on merge"
        NOTIFIED = "notified", "Senior manager told"

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField()
    # The day the evaluation was for (raised, evidence, reminders): the clock's today.
    on = models.DateField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    actor_name = models.CharField(max_length=200)
    # Evidence keys this event added (raised: all of them; evidence added: what is new).
    added = models.JSONField(default=list, blank=True)
    # The explanation parts at that moment, so the history can say what was new.
    parts = models.JSONField(default=list, blank=True)
    action = models.CharField(max_length=500, blank=True)  # chosen from the rule's, or written
    note = models.TextField(blank=True)  # why (dismissed), or anything the person added
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
