"""Step up and step down as multi-agency decisions: who asked and why, the evidence (entries of
the child's story), each agency's view, the decision and its reason, and how long it took.

A request is made to the agency that decides (children's social care for a step up to level 4,
the exploitation team for its cohort, early help for a step down): the other agencies involved
give their views first; the decision is the deciding agency's, recorded with its reason."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class StepRequest(models.Model):
    class Direction(models.TextChoices):
        UP = "up", "Step up"
        DOWN = "down", "Step down"

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for a decision"
        AGREED = "agreed", "Agreed"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    direction = models.CharField(max_length=4, choices=Direction.choices)
    # Levels of need (levels.py), under the version in force when it was asked.
    levels_version = models.PositiveIntegerField()
    from_level = models.CharField(max_length=40)
    to_level = models.CharField(max_length=40)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requesting_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+"
    )
    requesting_team = models.ForeignKey(
        "agencies.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    deciding_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    risk = models.TextField()
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    # Who took part in the discussion (names and agencies, as the decider recorded them), and
    # when it was held.
    participants = models.TextField(blank=True)
    discussed_on = models.DateField(null=True, blank=True)
    # Working days from the request to the decision (core.workingdays, both days counted).
    working_days_taken = models.PositiveIntegerField(null=True, blank=True)
    # What was still open when a step down was decided (core.extensions' open items), as the
    # decider saw it.
    open_items = models.JSONField(default=list, blank=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [
            models.Index(fields=["deciding_agency", "status"]),
            models.Index(fields=["person", "status"]),
            models.Index(fields=["requested_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(from_level=models.F("to_level")),
                name="step_request_changes_level",
            )
        ]

    def __str__(self) -> str:
        return f"Step {self.direction} request {self.pk} ({self.status})"


class StepEvidence(models.Model):
    """An entry of the child's story the request rests on (the version the requester saw)."""

    request = models.ForeignKey(StepRequest, on_delete=models.CASCADE, related_name="evidence")
    entry = models.ForeignKey(
        "chronology.ChronologyEntry", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "entry"], name="step_evidence_once")
        ]


class AgencyView(models.Model):
    """One agency's view of a step request, given before the decision. One per agency; giving
    it again replaces it (audited)."""

    class View(models.TextChoices):
        SUPPORTS = "supports", "Supports the request"
        OPPOSES = "opposes", "Does not support the request"
        UNSURE = "unsure", "No view, or not sure"

    request = models.ForeignKey(StepRequest, on_delete=models.CASCADE, related_name="views")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    given_at = models.DateTimeField()
    view = models.CharField(max_length=10, choices=View.choices)
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "agency"], name="agency_view_once")
        ]
