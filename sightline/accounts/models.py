"""Users of Sightline. What a user may see is decided by their agency membership
(agencies app) and the access module (governance app), never by fields here."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A practitioner or officer who signs in. Usernames are work email addresses."""

    phone = models.CharField(max_length=40, blank=True)
    job_title = models.CharField(max_length=120, blank=True)

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
