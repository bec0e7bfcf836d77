"""Source systems, import batches and source records: every line an agency sent, kept exactly as
received (payload and hash). Every derived row (person, name, entry…) points back here."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SourceSystem(models.Model):
    """An agency feed, registered by a data officer before its first import."""

    class AccessScope(models.TextChoices):
        AGENCY = "agency", "Everyone in the agency may see people this feed sends"
        TEAM = "team", "Only the team named on an involvement may see them"

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    access_scope = models.CharField(
        max_length=8, choices=AccessScope.choices, default=AccessScope.AGENCY
    )
    registered_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.code


class ImportBatch(models.Model):
    """One feed file imported (or refused) as a whole. An import writes its batch row in the
    same transaction as its records, so an interrupted import leaves no batch at all; a refused
    file is recorded on its own, with its errors."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        IMPORTED = "imported", "Imported"
        REJECTED = "rejected", "Rejected"

    class Phase(models.TextChoices):
        ALL = "all", "Every line"
        PEOPLE = "people", "Person lines"
        REST = "rest", "Lines other than person lines"

    filename = models.CharField(max_length=500)
    # A directory is imported person lines first: one file may give a "people" and a "rest" batch.
    phase = models.CharField(max_length=8, choices=Phase.choices, default=Phase.ALL)
    file_sha256 = models.CharField(max_length=64)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    accept_valid = models.BooleanField(default=False)
    counts = models.JSONField(default=dict)
    error_count = models.PositiveIntegerField(default=0)
    # The first errors as `file:line: field: reason` (records.ingest.quality.STORED_ERRORS);
    # the reject report holds them all.
    errors = models.JSONField(default=list, blank=True)
    rejects_path = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(max_length=200, blank=True)


class SourceRecord(models.Model):
    """One version of one line. (`source_system`, `source_id`) is the key (the feed's
    `source` and `source_id`); a changed line adds a
    version and marks the previous one not current."""

    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        ENTRY = "entry", "Chronology entry"
        RELATIONSHIP = "relationship", "Relationship"
        INVOLVEMENT = "involvement", "Involvement"

    # Not indexed alone: the unique (source_system, source_id, version) index serves it, and
    # every index costs each insert (an import writes millions of these rows).
    source_system = models.ForeignKey(
        SourceSystem, on_delete=models.PROTECT, related_name="records", db_index=False
    )
    source_id = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    version = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    payload = models.JSONField()
    payload_hash = models.CharField(max_length=64)
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="records")
    line_number = models.PositiveIntegerField()
    # For person records: the Sightline person this record is currently linked to.
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source_system", "source_id", "version"], name="sourcerecord_unique_version"
            )
        ]
        # The current version of a key is found through the unique index (a key has few
        # versions); `person` and `batch` have their foreign-key indexes.
