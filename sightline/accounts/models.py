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


class FailedSignIn(models.Model):
    """One failed attempt to sign in, kept for the throttle window (accounts.services).

    Counted per username, whether or not an account exists, so the throttle cannot reveal which
    email addresses have accounts. Rows older than a day are pruned; the audit log keeps the
    permanent record of every attempt."""

    username = models.CharField(max_length=254)
    attempted_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["username", "attempted_at"]),
            models.Index(fields=["attempted_at"]),
        ]
