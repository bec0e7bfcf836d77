"""How each source record came to belong to its person, so every link explains itself."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class IdentityLink(models.Model):
    """The current reason a person source record is attached to a person."""

    class Method(models.TextChoices):
        FIRST_SEEN = "first_seen", "First record of this person"
        NHS_NUMBER = "nhs_number", "Same NHS number"
        UPN = "upn", "Same unique pupil number"
        PNC_ID = "pnc_id", "Same PNC ID"
        SAME_SOURCE_KEY = "same_source_key", "An updated version of the same record"
        PROBABILISTIC = "probabilistic", "Name, date of birth and address"
        CONFIRMED = "confirmed", "Confirmed by a person"

    source_record = models.OneToOneField(
        "records.SourceRecord", on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    method = models.CharField(max_length=20, choices=Method.choices)
    match_weight = models.FloatField(null=True, blank=True)
    explanation = models.JSONField(default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField()


class LinkRun(models.Model):
    """One run of probabilistic linking: a new import batch against everyone known, or the whole
    population again (`sightline link --full`). Its counts and report are what the run did."""

    class Kind(models.TextChoices):
        BATCH = "batch", "A new import batch against everyone known"
        FULL = "full", "Everyone again"

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    batch = models.ForeignKey(
        "records.ImportBatch", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.RUNNING)
    model_version = models.CharField(max_length=40, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    actor_name = models.CharField(max_length=200)
    counts = models.JSONField(default=dict, blank=True)
    # Feeds whose person lines could not be linked (no usable field), and any failure.
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["batch", "status"])]


class CandidateLink(models.Model):
    """Two person source records that may be the same child, waiting for (or given) a person's
    decision. One candidate per pair of records, `record_a` the lower id; the evidence is the
    model's match weight and its waterfall (which comparison added or took away how much).

    `version` rises with every decision: a decision names the version it was made on, so two
    reviewers deciding the same pair at once cannot both apply (identity.review)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        CONFIRMED = "confirmed", "Confirmed: the same child"
        REJECTED = "rejected", "Rejected: different children"
        ASK_SOURCE = "ask_source", "Not sure: asked the source agency"
        WITHDRAWN = "withdrawn", "No longer needed"

    record_a = models.ForeignKey("records.SourceRecord", on_delete=models.CASCADE, related_name="+")
    record_b = models.ForeignKey("records.SourceRecord", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    match_weight = models.FloatField()
    match_probability = models.FloatField(null=True, blank=True)
    # Why the pair is here rather than linked (identity.linkage.guard.Reason), e.g. grey_zone.
    reason = models.CharField(max_length=40, blank=True)
    model_version = models.CharField(max_length=40, blank=True)
    # PairDecision.explanation(): prior weight and one step per comparison, `left` = record_a.
    waterfall = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    run = models.ForeignKey(
        LinkRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="candidates"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record_a", "record_b"], name="candidate_unique_pair"),
            models.CheckConstraint(
                condition=models.Q(record_a__lt=models.F("record_b")), name="candidate_ordered"
            ),
        ]
        indexes = [models.Index(fields=["status", "-match_weight"])]


class MatchDecision(models.Model):
    """Every decision on a candidate, with its reason: the candidate keeps only the latest."""

    class Decision(models.TextChoices):
        CONFIRM = "confirm", "Confirmed: the same child"
        REJECT = "reject", "Rejected: different children"
        ASK_SOURCE = "ask_source", "Not sure: ask the source agency"
        WITHDRAW = "withdraw", "No longer needed"
        SPLIT = "split", "Merge undone (split)"

    candidate = models.ForeignKey(CandidateLink, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(max_length=12, choices=Decision.choices)
    reason = models.TextField(blank=True)
    from_status = models.CharField(max_length=12)
    from_version = models.PositiveIntegerField()
    decided_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(max_length=200)

    class Meta:
        ordering = ["decided_at", "id"]


class PersonMerge(models.Model):
    """One person merged into another, and exactly which rows moved, so a split restores them.

    `moved` maps each re-pointed field ("app_label.Model.field") to the ids of the rows that
    moved from `merged` to `survivor`; `kept` the rows left on `merged` because the survivor
    already held the same row (a unique constraint: the same entry, grant or name key);
    `survivor_before` the survivor's own fields the merge filled in; `links_before` the identity
    links of `merged`'s records as they were. A split puts every one of them back."""

    survivor = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    # How the two were found to be one: an identifier, the model's weight, or a person.
    method = models.CharField(max_length=20)
    match_weight = models.FloatField(null=True, blank=True)
    explanation = models.JSONField(default=dict, blank=True)
    record_a = models.ForeignKey(
        "records.SourceRecord", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    record_b = models.ForeignKey(
        "records.SourceRecord", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    candidate = models.ForeignKey(
        CandidateLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="merges"
    )
    reason = models.TextField(blank=True)
    merged_at = models.DateTimeField()
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    merged_by_name = models.CharField(max_length=200)
    moved = models.JSONField(default=dict)
    kept = models.JSONField(default=dict, blank=True)
    survivor_before = models.JSONField(default=dict, blank=True)
    links_before = models.JSONField(default=list, blank=True)
    split_at = models.DateTimeField(null=True, blank=True)
    split_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    split_by_name = models.CharField(max_length=200, blank=True)
    split_reason = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["survivor"]), models.Index(fields=["merged"])]

    @property
    def is_split(self) -> bool:
        return self.split_at is not None
