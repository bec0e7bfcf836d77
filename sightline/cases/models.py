"""Involvements: which agency, team and practitioner is working with a person, since when.
They drive "who else knows this child" on the identity bar and push access grants."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Involvement(models.Model):
    # Found through the (person, ended_on) index below.
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(
        "agencies.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    practitioner_name = models.CharField(max_length=200, blank=True)
    practitioner_role = models.CharField(max_length=200, blank=True)
    practitioner_email = models.CharField(max_length=254, blank=True)
    practitioner_phone = models.CharField(max_length=40, blank=True)
    is_lead = models.BooleanField(default=False)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    source_record = models.ForeignKey(
        "records.SourceRecord", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["person", "ended_on"])]


class ClosureProposal(models.Model):
    """An agency proposing to end its involvement with a child. Every other agency involved is
    told and has an objection window (the closure.objection_window timescale, in working days);
    an objection blocks the closure (and opens a professional disagreement, in the escalations
    app); when the window passes with no objection the involvement ends (services.
    closures_take_effect). Closing for non-engagement needs a recorded multi-agency discussion
    of the risk (`discussion_entry`)."""

    class Reason(models.TextChoices):
        WORK_COMPLETE = "work_complete", "The work is complete: needs are met"
        NON_ENGAGEMENT = "non_engagement", "The child or family are not engaging"
        MOVED_AWAY = "moved_away", "The child has moved out of the area"
        TRANSFERRED = "transferred", "Another service is taking over"
        OTHER = "other", "Another reason"

    class NextStep(models.TextChoices):
        EARLY_HELP = "early_help", "Step down to early help"
        UNIVERSAL = "universal", "Universal services only (school, GP, health visiting)"
        OTHER_SERVICE = "other_service", "Another service"
        NONE = "none", "No further service"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed: the objection window is open"
        BLOCKED = "blocked", "Blocked: another agency objected"
        CLOSED = "closed", "Closed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    involvement = models.ForeignKey(Involvement, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(
        "agencies.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField()
    reason = models.CharField(max_length=20, choices=Reason.choices)
    reason_text = models.TextField()
    remaining_risks = models.TextField()
    # What was still open when it was proposed (core.extensions' open items: alerts,
    # referrals, plans), as the proposer saw it: [{kind, title, agency, status, url}].
    open_items = models.JSONField(default=list, blank=True)
    next_step = models.CharField(max_length=20, choices=NextStep.choices)
    next_step_detail = models.TextField(blank=True)
    # The recorded multi-agency discussion of the risk (a chronology entry), required when
    # closing for non-engagement.
    discussion_entry = models.ForeignKey(
        "chronology.ChronologyEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    window_ends_on = models.DateField()
    timescale_key = models.CharField(max_length=60)
    timescale_version = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    closed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [
            models.Index(fields=["status", "window_ends_on"]),
            models.Index(fields=["person", "status"]),
        ]
        constraints = [
            # One live proposal per involvement: a second is refused, not queued.
            models.UniqueConstraint(
                fields=["involvement"],
                condition=models.Q(status__in=["proposed", "blocked"]),
                name="closure_one_live_per_involvement",
            )
        ]

    def __str__(self) -> str:
        return f"Closure proposal {self.pk} ({self.status})"


class ClosureResponse(models.Model):
    """Another involved agency's answer to a closure proposal: an objection (with its reason)
    or no objection. One per agency."""

    class Kind(models.TextChoices):
        OBJECTION = "objection", "Object to the closure"
        NO_OBJECTION = "no_objection", "No objection"

    proposal = models.ForeignKey(
        ClosureProposal, on_delete=models.CASCADE, related_name="responses"
    )
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "agency"], name="closure_response_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} to closure {self.proposal_id}"


class LastAgencyFlag(models.Model):
    """A child with open alerts whom only one agency is still working with ("last agency
    standing"): raised by services.last_agency_check when it finds the child so, cleared when
    it no longer does. Shown on the child's page and on the agency's team managers' my work."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(
        "agencies.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    raised_at = models.DateTimeField()
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["agency", "cleared_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(cleared_at__isnull=True),
                name="last_agency_one_open_flag",
            )
        ]

    def __str__(self) -> str:
        return f"Last agency standing: person {self.person_id}, agency {self.agency_id}"
