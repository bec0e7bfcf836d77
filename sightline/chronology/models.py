"""The child's story: append-only, bitemporal chronology entries.

`occurred_at` is when a thing happened (at a precision); `recorded_at` is when the partnership
learned it. A correction never edits: it adds a new version and closes the old one
(`superseded_at`, the new version's recorded_at), so the story "as known on" any date is exactly
the versions recorded by then and not yet superseded by then."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ChronologyEntry(models.Model):
    class Grade(models.TextChoices):
        FACT = "fact", "Fact"
        PROFESSIONAL_OPINION = "professional_opinion", "Professional opinion"
        REPORTED = "reported", "Reported (hearsay)"
        INTELLIGENCE = "intelligence", "Intelligence"

    class Sensitivity(models.TextChoices):
        STANDARD = "standard", "Standard"
        HEALTH_CONFIDENTIAL = "health_confidential", "Health confidential"
        POLICE_INTELLIGENCE = "police_intelligence", "Police intelligence"
        NOT_FOR_FAMILY_DISCLOSURE = "not_for_family_disclosure", "Not for family disclosure"
        INFORMANT_PROTECTED = "informant_protected", "Informant protected"

    # All versions of one entry share a lineage (the id of the first version). Looked up through
    # the unique (lineage, version) index.
    lineage = models.BigIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    # Agency and type are filters within one child's story (reached through EntrySubject's
    # person index), never searched across the county: unindexed, as every index costs each
    # of the millions of rows an import writes.
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    type = models.CharField(max_length=40)
    occurred_at = models.DateTimeField()
    precision = models.CharField(max_length=8, default="day")
    has_time = models.BooleanField(default=False)
    ended_at = models.DateTimeField(null=True, blank=True)
    recorded_at = models.DateTimeField()
    summary = models.TextField()
    detail = models.TextField(blank=True)
    grade = models.CharField(max_length=24, choices=Grade.choices, default=Grade.FACT)
    sensitivity = models.CharField(
        max_length=32, choices=Sensitivity.choices, default=Sensitivity.STANDARD
    )
    # Police grading kept exactly as given: 3x5x2 (source 1-3, assessment A-E, handling P/C)
    # or an older 5x5x5 code, never converted.
    intelligence_grade = models.JSONField(null=True, blank=True)
    location_postcode = models.CharField(max_length=10, blank=True)
    location_label = models.CharField(max_length=200, blank=True)
    is_significant = models.BooleanField(default=False)
    source_record = models.ForeignKey(
        "records.SourceRecord", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # partial index below: imported entries have no author
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    correction_reason = models.TextField(blank=True)
    # Set on the version that withdraws an entry recorded by mistake (services.
    # entry_mark_entered_in_error): the earlier versions stay, so "as known on" a date before it
    # still shows the entry. A database default, so the bulk writer need not name it.
    entered_in_error = models.BooleanField(default=False, db_default=False)

    class Meta:
        # Only the few rows that have them: most entries are imported and never superseded.
        indexes = [
            models.Index(
                fields=["author"], name="entry_author", condition=models.Q(author__isnull=False)
            ),
            models.Index(
                fields=["superseded_by"],
                name="entry_superseded_by",
                condition=models.Q(superseded_by__isnull=False),
            ),
        ]
        constraints = [
            # One version number per lineage: two corrections of the same version cannot both
            # succeed (the second finds the first and is refused).
            models.UniqueConstraint(fields=["lineage", "version"], name="entry_lineage_version")
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.occurred_at:%Y-%m-%d}"


class EntrySubject(models.Model):
    """A person an entry is about, and in what role. The story of a person is the entries in
    which they are a subject."""

    class Role(models.TextChoices):
        SUBJECT = "subject", "Subject"
        PARENT = "parent", "Parent"
        SIBLING = "sibling", "Sibling"
        PERPETRATOR = "perpetrator", "Alleged perpetrator"
        VICTIM = "victim", "Victim"
        WITNESS = "witness", "Witness"
        ASSOCIATE = "associate", "Associate"
        OTHER = "other", "Other"

    # Both served by composite indexes below (entry: the unique (entry, person); person: the
    # story index), so no single-column index of their own.
    entry = models.ForeignKey(
        ChronologyEntry, on_delete=models.CASCADE, related_name="subjects", db_index=False
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.SUBJECT)
    # Copied from the entry so a person's story is one index range scan, newest first.
    occurred_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["person", "-occurred_at"])]
        constraints = [
            models.UniqueConstraint(fields=["entry", "person"], name="entrysubject_unique")
        ]
