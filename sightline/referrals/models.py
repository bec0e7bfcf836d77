"""Contacts and referrals: a practitioner asks a service to act for a child, and the referral
keeps, from then on, who received it, what was decided and why, who it was allocated to, and
every clock it runs on (docs/workflow.md, "Referrals").

No referral can disappear: a referral is never deleted, its decision carries reasons from a
local code list (vocabulary/reasons.yaml), and every change is a ReferralEvent the referrer can
read. `version` is raised by every change, so two people changing the same referral at once
cannot both succeed (services: a conditional UPDATE on it)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Referral(models.Model):
    class Kind(models.TextChoices):
        REFERRAL = "referral", "Referral"
        # Information or a question for the service, not (yet) a request for it to act.
        CONTACT = "contact", "Contact"

    class Origin(models.TextChoices):
        SIGHTLINE = "sightline", "Made in Sightline"
        FEED = "feed", "From the receiving agency's feed"

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        DECIDED = "decided", "Decided"
        ALLOCATED = "allocated", "Allocated"
        CLOSED = "closed", "Closed"

    class Consent(models.TextChoices):
        YES = "yes", "Yes, the family consent"
        NO = "no", "No, the family do not consent"
        NOT_ASKED = "not_asked", "Not asked"
        NOT_KNOWN = "", "Not known"  # a referral from a feed

    class Risk(models.TextChoices):
        SIGNIFICANT_HARM = "significant_harm", "At risk of significant harm"
        NEEDS_SUPPORT = "needs_support", "Needs support, not at risk of significant harm"
        NOT_SURE = "not_sure", "Not sure"
        NOT_KNOWN = "", "Not known"  # a referral from a feed

    class Rag(models.TextChoices):
        RED = "red", "Red"
        AMBER = "amber", "Amber"
        GREEN = "green", "Green"
        NONE = "", "Not rated"

    # Found through the (person, received_at) index below.
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REFERRAL)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.SIGHTLINE)
    # The receiving service: a code of vocabulary/services.yaml, and that list's version.
    service = models.CharField(max_length=40)
    services_version = models.PositiveIntegerField()
    receiving_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+"
    )
    receiving_team = models.ForeignKey(
        "agencies.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Who referred. A referral from a feed names no referrer: the line does not say.
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    referring_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    referring_team = models.ForeignKey(
        "agencies.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    received_at = models.DateTimeField()
    concerns = models.TextField()
    family_knows = models.TextField(blank=True)
    consent = models.CharField(max_length=10, choices=Consent.choices, blank=True)
    consent_note = models.TextField(blank=True)
    risk = models.CharField(max_length=20, choices=Risk.choices, blank=True)
    risk_note = models.TextField(blank=True)
    # A reachable moment: the child has asked for help. Top of the queue, with its own clock.
    fast_track = models.BooleanField(default=False)
    child_words = models.TextField(blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # Triage by the receiving service (the MASH worker's RAG rating).
    rag = models.CharField(max_length=5, choices=Rag.choices, blank=True)
    rag_note = models.TextField(blank=True)
    rag_at = models.DateTimeField(null=True, blank=True)
    rag_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    decision = models.CharField(max_length=30, blank=True)
    decision_reasons = models.JSONField(default=list, blank=True)  # codes of reasons.yaml
    decision_text = models.TextField(blank=True)
    reasons_version = models.PositiveIntegerField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # The agency and team that decided (the receiving ones at the time): whom a disagreement
    # with the decision is raised with.
    deciding_agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    deciding_team = models.ForeignKey(
        "agencies.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    allocated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Whom a feed says it was allocated to, when that is not a Sightline user.
    allocated_to_name = models.CharField(max_length=200, blank=True)
    allocated_at = models.DateTimeField(null=True, blank=True)
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    assessment_completed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # A decision reconsidered (after a professional disagreement, or on a manager's reason) is
    # kept as a ReferralDecision and the referral waits for a new one: this counts the rounds,
    # and the clocks of each round are kept apart by it.
    decision_round = models.PositiveSmallIntegerField(default=1)
    reconsidered_at = models.DateTimeField(null=True, blank=True)

    # The entry the referral put in the child's story (or, from a feed, the line it came from).
    made_entry = models.ForeignKey(
        "chronology.ChronologyEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # A referral from a feed: the lineage of the `referral_made` line, so a line re-sent (a new
    # version of the same entry) finds its referral rather than opening another.
    source_lineage = models.BigIntegerField(null=True, blank=True, unique=True)
    # Raised by every change: a change made on a version someone else has moved on is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [
            models.Index(fields=["person", "received_at"]),
            models.Index(fields=["receiving_agency", "status"]),
            models.Index(fields=["referring_agency", "received_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="received") | ~models.Q(decision=""),
                name="referral_decided_has_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk} ({self.service}, {self.status})"


class ReferralEvidence(models.Model):
    """An entry of the child's story attached as evidence (the version the referrer saw)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="evidence")
    entry = models.ForeignKey(
        "chronology.ChronologyEntry", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["referral", "entry"], name="referral_evidence_once")
        ]


class ReferralClock(models.Model):
    """One clock a referral runs on, under the timescale (key and version) it started under:
    a timescale changed later does not move a clock already running."""

    class Clock(models.TextChoices):
        ACKNOWLEDGEMENT = "acknowledgement", "Acknowledge the referral"
        DECISION = "decision", "Decide"
        FAST_TRACK = "fast_track", "Fast track: allocate"
        ALLOCATION = "allocation", "Allocate"
        ASSESSMENT = "assessment", "Complete the assessment"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="clocks")
    clock = models.CharField(max_length=20, choices=Clock.choices)
    # The referral's decision round it belongs to: a reconsidered decision runs new clocks.
    round = models.PositiveSmallIntegerField(default=1)
    timescale_key = models.CharField(max_length=80)
    timescale_version = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    # The last day (or moment) it may be done in, and the instant it is overdue from.
    due_on = models.DateField()
    due_at = models.DateTimeField()
    met_at = models.DateTimeField(null=True, blank=True)
    # No longer needed (a referral closed before it was allocated stops its allocation clocks).
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "clock", "round"], name="referral_clock_once_a_round"
            )
        ]
        # The clock job reads only the running ones, by when they run out.
        indexes = [
            models.Index(
                fields=["due_at"],
                name="referralclock_running",
                condition=models.Q(met_at__isnull=True, stopped_at__isnull=True),
            )
        ]

    @property
    def running(self) -> bool:
        return self.met_at is None and self.stopped_at is None


class ReferralEscalation(models.Model):
    """A clock that ran out, told to a level of management: once per clock and level (the
    unique constraint makes two ticks at once safe)."""

    class Level(models.TextChoices):
        TEAM_MANAGER = "team_manager", "Team manager"
        HEAD_OF_SERVICE = "head_of_service", "Head of service"

    clock = models.ForeignKey(ReferralClock, on_delete=models.CASCADE, related_name="escalations")
    level = models.CharField(max_length=20, choices=Level.choices)
    at = models.DateTimeField()
    # The head of service is told a further interval after the team manager: the timescale of
    # that interval (key and version) is kept on the team manager's row.
    next_key = models.CharField(max_length=80, blank=True)
    next_version = models.PositiveIntegerField(null=True, blank=True)
    next_due_at = models.DateTimeField(null=True, blank=True)
    told = models.JSONField(default=list, blank=True)  # the user ids notified

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clock", "level"], name="referral_escalation_once")
        ]


class ReferralEvent(models.Model):
    """The referral's history, which the referrer reads: made, acknowledged, triaged, decided,
    allocated, asked about and answered, escalated, assessment completed."""

    class Kind(models.TextChoices):
        MADE = "made", "Referral made"
        RECEIVED_FROM_FEED = "received_from_feed", "Received (from the agency's feed)"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        TRIAGED = "triaged", "Triaged"
        DECIDED = "decided", "Decided"
        ALLOCATED = "allocated", "Allocated"
        QUESTION = "question", "Asked about"
        ANSWER = "answer", "Answered"
        ESCALATED = "escalated", "Escalated"
        RECONSIDERED = "reconsidered", "Decision reconsidered"
        ASSESSMENT_COMPLETED = "assessment_completed", "Assessment completed"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    actor_name = models.CharField(max_length=200)
    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    text = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    # An answer: the question it answers.
    reply_to = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replies"
    )

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            # A question is answered once: of two answers written at once, the second is told.
            models.UniqueConstraint(
                fields=["reply_to"],
                condition=models.Q(reply_to__isnull=False),
                name="referral_question_answered_once",
            )
        ]


class ReferralFeedLine(models.Model):
    """A feed line already applied to a referral (by its entry's lineage): a task run twice, or
    a line re-sent unchanged, changes nothing."""

    lineage = models.BigIntegerField(unique=True)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    entry_type = models.CharField(max_length=40)
    applied_at = models.DateTimeField()


class ReferralDecision(models.Model):
    """A decision that was reconsidered: kept as it was made, with why it was reconsidered and
    by whom. The referral itself holds the decision of its current round."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="earlier")
    round = models.PositiveSmallIntegerField()
    decision = models.CharField(max_length=30)
    decision_reasons = models.JSONField(default=list, blank=True)
    decision_text = models.TextField(blank=True)
    reasons_version = models.PositiveIntegerField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    deciding_agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    reconsidered_at = models.DateTimeField()
    reconsidered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # Why: the professional disagreement (escalations.Escalation id) that asked for it, and/or
    # the manager's own words.
    disagreement_id = models.BigIntegerField(null=True, blank=True)
    disagreement_label = models.CharField(max_length=300, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["referral", "round"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "round"], name="referral_decision_round")
        ]
