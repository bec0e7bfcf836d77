"""Access grants (who has a legitimate relationship with which child) and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AccessGrant(models.Model):
    """A legitimate relationship between an agency (or one of its teams) and a person.

    Upper apps push grants (an import of an agency's records, an involvement, an allocation);
    the access check reads only this table, so it needs no knowledge of those apps. A grant
    counts from `starts_on` to `ends_on` (either may be open); an `involvement` grant mirrors
    one involvement (`basis_key` is its id) and counts ACCESS_GRACE_DAYS longer. The rules are
    in governance.access and docs/access.md."""

    class Basis(models.TextChoices):
        HOLDS_RECORDS = "holds_records", "The agency holds records on this person"
        INVOLVEMENT = "involvement", "The agency or team is working with this person"
        MANUAL = "manual", "Granted by a manager"

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
