"""Access grants (who has a legitimate relationship with which child) and the audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AccessGrant(models.Model):
    """A legitimate relationship between an agency (or one of its teams) and a person.

    Upper apps push grants (an import of an agency's records, an involvement, an allocation);
    the access check reads only this table, so it needs no knowledge of those apps. A grant
    counts from `starts_on` to `ends_on` (either may be open); an `involvement` grant mirrors
    one involvement (`basis_key` is its id) and counts ACCESS_GRACE_DAYS longer; a `referral`
    grant mirrors one referral the same way. The rules are
    in governance.access and docs/access.md."""

    class Basis(models.TextChoices):
        HOLDS_RECORDS = "holds_records", "The agency holds records on this person"
        INVOLVEMENT = "involvement", "The agency or team is working with this person"
        MANUAL = "manual", "Granted by a manager"
        # The receiving agency of a referral (basis_key: the referral's id), from when it is
        # made until it is closed or allocated (an involvement then takes over), grace added.
        REFERRAL = "referral", "The agency received a referral about this person"

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    # Agency and team are found through the (agency, person) and (team, person) indexes below:
    # an index of their own would only slow the import, which writes a grant per record.
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    team = models.ForeignKey(
        "agencies.Team",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    basis = models.CharField(max_length=20, choices=Basis.choices)
    # Which row of the pushing app the grant mirrors, for a basis with one grant per row (an
    # involvement's id); 0 for a basis with one grant per holder (holds_records, manual).
    basis_key = models.BigIntegerField(default=0)
    granted_at = models.DateTimeField()
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    # A manual grant's administrator and reason (governance.administration); empty for the
    # grants that mirror records, involvements and referrals, which bulk writes create.
    granted_by_name = models.CharField(max_length=200, blank=True, default="", db_default="")
    reason = models.TextField(blank=True, default="", db_default="")

    class Meta:
        # Two partial constraints rather than one over a nullable team: both databases enforce
        # them (SQLite has no NULLS NOT DISTINCT), so a grant to the agency as a whole and a
        # grant to one of its teams are each held once.
        constraints = [
            models.UniqueConstraint(
                fields=["person", "agency", "basis", "basis_key"],
                condition=models.Q(team__isnull=True),
                name="grant_unique_agency",
            ),
            models.UniqueConstraint(
                fields=["person", "agency", "team", "basis", "basis_key"],
                condition=models.Q(team__isnull=False),
                name="grant_unique_team",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "person"]),
            models.Index(fields=["team", "person"]),
        ]


class AuditEvent(models.Model):
    """Append-only and tamper-evident: who did or saw what, when, about whom, and why.

    Rows are written only by `governance.chain` (through `governance.audit.record`): each gets
    the next sequence number, the previous row's hash and its own (SHA-256 over its canonical
    content and the previous hash), so an edited, deleted or inserted row breaks the chain
    (`sightline audit verify`). The database refuses UPDATE and DELETE on the table (triggers,
    migration 0005). docs/audit.md, docs/adr/0021-tamper-evident-audit.md."""

    # The row's place in the chain: 1, 2, 3... with no gaps.
    seq = models.BigIntegerField(unique=True)
    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(max_length=200)
    # Who the actor was when they acted (their membership then): role, agency and team. A
    # membership changes; the log keeps what it was (DPA 2018 s62: the identity of the person).
    actor_role = models.CharField(max_length=40, blank=True)
    actor_agency_id = models.BigIntegerField(null=True, blank=True)
    actor_team_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64, blank=True)
    person_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    purpose = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    # Where the request came from (core.requests.client_address); empty outside a request.
    client_address = models.GenericIPAddressField(null=True, blank=True)
    # The previous row's hash (64 zeros for the first row) and this row's.
    prev_hash = models.CharField(max_length=64)
    row_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["actor", "occurred_at"], name="audit_actor_when")]


class AuditChainHead(models.Model):
    """The chain's last row (its sequence number and hash): one row, id 1. An append locks it
    (SELECT ... FOR UPDATE), so appends from any number of connections form one chain; verify
    compares it with the table's last row, so rows removed from the end are found."""

    seq = models.BigIntegerField(default=0)
    row_hash = models.CharField(max_length=64)
    appended_at = models.DateTimeField(null=True, blank=True)


class SharingDecision(models.Model):
    """A decision to share, or not to share, information about a child, recorded whether or not
    anything was shared (the DfE information-sharing advice: what, with whom, why, and the
    lawful basis, or the reason for not sharing). A decision to share one entry with one agency
    (`entry_lineage`, `recipient_agency`) is also what lets an entry with handling code C be read
    outside the agency that recorded it (governance.sharing, docs/information-governance.md)."""

    class Outcome(models.TextChoices):
        SHARED = "shared", "Shared"
        NOT_SHARED = "not_shared", "Not shared"

    # Found through the (person, decided_at) index below.
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # The entry shared (any version: the lineage), when the decision is about one entry.
    entry_lineage = models.BigIntegerField(null=True, blank=True)
    what = models.TextField()
    # With whom: an agency of the partnership, or someone outside it, named in words.
    recipient_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipient_other = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    purpose = models.TextField(blank=True)
    # A code of vocabulary/lawful_bases.yaml (shared) or of reasons_not_shared.yaml (not shared).
    lawful_basis = models.CharField(max_length=40, blank=True)
    reason_not_shared = models.CharField(max_length=40, blank=True)
    reason_text = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    decided_by_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["person", "decided_at"], name="sharing_person_when")]


class BreakGlass(models.Model):
    """A practitioner opening a child outside their agency's and team's relationships, for a
    stated reason, for a limited time (governance.breakglass; docs/access.md, Break-glass).

    Access counts from `started_at` until `ends_at` (BREAK_GLASS_MINUTES later) or until it was
    ended early (`ended_at`), whichever comes first, and only for `user`: it is a person's
    access, not their agency's. Every use is listed for an information governance review."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    # Who they were when they broke glass (their membership then), for the review.
    role = models.CharField(max_length=40)
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=40)  # a code of vocabulary/break_glass_reasons.yaml
    reason_text = models.TextField()
    started_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # Ended before `ends_at`: by the practitioner ("I have finished") or by a reviewer.
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_outcome = models.CharField(max_length=20, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["user", "person", "ends_at"], name="break_glass_user_person"),
            models.Index(fields=["started_at"], name="break_glass_started"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("started_at")),
                name="break_glass_ends_after_start",
            ),
        ]

    @property
    def until(self) -> Any:
        """When the access ends (or ended): the earlier of its end and an early end."""
        if self.ended_at is not None and self.ended_at < self.ends_at:
            return self.ended_at
        return self.ends_at


class SubjectAccessRequest(models.Model):
    """A person's request for their own records (UK GDPR Article 15), from its receipt to the
    officer's sign-off. The export is built once (`exported_at`) and kept with the request, so
    the pack that is signed off is the pack that is sent; the withheld log is kept beside it
    for the officer and never goes to the requester (dataprotection.subject_access)."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        EXPORTED = "exported", "Exported"
        SIGNED_OFF = "signed_off", "Signed off"

    # Found through the (person, received_on) index below.
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # The officer's own reference for the request (a case number in the IG team's log).
    reference = models.CharField(max_length=40, unique=True)
    requested_on = models.DateField()
    # The statutory month runs from receipt (or from when identity was confirmed).
    received_on = models.DateField()
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    opened_at = models.DateTimeField()
    exported_at = models.DateTimeField(null=True, blank=True)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pack_pdf = models.BinaryField(blank=True, default=b"")
    pack_json = models.BinaryField(blank=True, default=b"")
    withheld_log = models.BinaryField(blank=True, default=b"")
    # SHA-256 of each file, as exported: what the sign-off vouches for.
    digests = models.JSONField(default=dict, blank=True)
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["person", "received_on"], name="sar_person_received")]


class LegalHold(models.Model):
    """A hold on deleting a person's records (litigation, an inquiry, a practice review): while
    it is not lifted, no retention run deletes them, whatever their retention date."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    reason = models.TextField()
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    placed_by_name = models.CharField(max_length=200)
    placed_at = models.DateTimeField()
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-placed_at", "-id"]


class RetentionRun(models.Model):
    """One deletion run: planned (the people whose retention has passed, held by no one, with
    what would go), approved by a second person, then executed (dataprotection.retention).
    `plan` is the list as planned; `deleted` and `kept` what execution did with each."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        APPROVED = "approved", "Approved"
        EXECUTED = "executed", "Executed"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    rules_version = models.CharField(max_length=20)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    planned_by_name = models.CharField(max_length=200)
    planned_at = models.DateTimeField()
    # [{"person_id", "reference", "merged_ids", "keep_until", "rule", "counts": {...}}]
    plan = models.JSONField(default=list)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    executed_at = models.DateTimeField(null=True, blank=True)
    deleted = models.JSONField(default=list, blank=True)  # person ids deleted
    kept = models.JSONField(default=list, blank=True)  # [{"person_id", "why"}]

    class Meta:
        ordering = ["-planned_at", "-id"]
