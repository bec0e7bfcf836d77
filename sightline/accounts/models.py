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
