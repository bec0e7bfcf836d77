"""Users of Sightline. What a user may see is decided by their agency membership
(agencies app) and the access module (governance app), never by fields here."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac


class User(AbstractUser):
    """A practitioner or officer who signs in. Usernames are work email addresses."""

    phone = models.CharField(max_length=40, blank=True)
    job_title = models.CharField(max_length=120, blank=True)
    # Raised by "sign out everywhere" (accounts.services.user_sessions_end): every session made
    # before it carries an older session hash, which Django's authentication middleware refuses.
    sessions_version = models.PositiveIntegerField(default=0)
    # A system integration's account (an agency's feed, a reporting tool): it has no password
    # and never signs in to the pages; it calls the API with tokens only, and only such an
    # account may hold one (governance.tokens, ADR 24).
    is_integration = models.BooleanField(default=False)

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        if not self.sessions_version:
            # Version 0 hashes as Django does, so sessions made before the field existed last.
            return str(super()._get_session_auth_hash(secret=secret))  # type: ignore[misc]
        return salted_hmac(
            "sightline.accounts.User.get_session_auth_hash",
            f"{self.password}\x00{self.sessions_version}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class SignInCounter(models.Model):
    """One limit's count for one key (an account from an address, an address, an account, a
    trusted device): the row an attempt locks while it is counted (accounts.throttle, ADR 10).

    Keyed by a keyed digest of the limit and key, so the table holds no email or IP address."""

    digest = models.CharField(max_length=64, primary_key=True)
    limit = models.CharField(max_length=20)
    touched_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["touched_at"])]


class SignInAttempt(models.Model):
    """One attempt counted against one limit: written before the password is checked, taken back
    if it was right. Rows leave when the longest window has passed; the audit log keeps the
    permanent record of every attempt. (No foreign key: pruning is one statement per table.)"""

    counter = models.CharField(max_length=64)
    attempted_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["counter", "attempted_at"]),
            models.Index(fields=["attempted_at"]),
        ]


class Notification(models.Model):
    """Something a user is told (a referral waiting for their decision, a clock run out): shown
    in the app until read, and emailed through the outbox. `key` names the event and its
    recipient ("referral:42:decision-overdue:tm:7"); it is unique, so telling the same thing
    twice (two ticks at once, a job run again) stores it once (accounts.services)."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=200)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500)  # a path on this site: the thing it is about
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    actor_name = models.CharField(max_length=200, blank=True)  # who caused it (core.actors)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key"], name="notification_unique_key")]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.recipient_id}"


class OutboxEmail(models.Model):
    """The email of one notification, waiting to be sent by `sightline tick` (the
    accounts.outbox job, through settings.EMAIL_BACKEND). A sender claims it for a lease (a
    token and a time) before sending, so two ticks at once never send it twice; a failure is
    tried again later, up to `max_attempts`."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    notification = models.OneToOneField(
        Notification, on_delete=models.CASCADE, related_name="email"
    )
    to = models.EmailField()
    subject = models.CharField(max_length=255)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=5)
    next_attempt_at = models.DateTimeField()
    created_at = models.DateTimeField()
    claimed_by = models.CharField(max_length=200, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]
        constraints = [
            # A sent email was sent by one claim, once: its sent time is set exactly then.
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="outbox_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"email {self.pk} to {self.to} ({self.status})"


class ApiToken(models.Model):
    """A token a system integration uses to call the API as one user (an agency's feed, a
    reporting tool): the same access rules as that user's pages, narrowed by its scopes
    (accounts.tokens, docs/api.md). Only a digest of the secret is stored; the `prefix`, shown
    in lists and sent with every call, finds the row. A token expires, and can be revoked."""

    class Scope(models.TextChoices):
        READ = "read", "Read: the API's GET endpoints"
        WRITE = "write", "Write: record entries, referrals and decisions (POST endpoints)"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=120)
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)  # SHA-256 of the whole token, hex
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField()
    created_by_name = models.CharField(max_length=200, blank=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
