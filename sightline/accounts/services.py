"""The accounts app owns users (practitioners and officers who sign in) and the sign-in throttle
(accounts.throttle).

What a user may see is decided by their membership (agencies.services.membership_create) and the
access module, never here. Account changes are announced (accounts.signals) and audited by the
governance app's receivers in the same transaction."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from sightline.accounts.models import Notification, OutboxEmail, User
from sightline.accounts.signals import account_changed
from sightline.core import clock
from sightline.core.actors import actor_name
from sightline.core.errors import NotFound, ValidationFailed
from sightline.core.text import CONTROL, CONTROL_MULTILINE


def normalise_username(email: str) -> str:
    """Usernames are work email addresses, compared without case or surrounding spaces."""
    return email.strip().lower()


@transaction.atomic
def user_create(
    *,
    actor: Any,
    email: str,
    given_name: str,
    family_name: str,
    password: str,
    phone: str = "",
    job_title: str = "",
) -> User:
    """Create a user who signs in with their work email address.

    The password must pass the partnership's password rules (settings.AUTH_PASSWORD_VALIDATORS)
    and is stored hashed (Argon2). To create a user together with their agency role, call
    `sightline.agencies.services.practitioner_create` (agencies sits above accounts)."""
    if actor is None:
        raise ValueError("user_create needs an actor")
    username = normalise_username(email)
    errors: dict[str, str] = {}
    if not username or "@" not in username:
        errors["email"] = "Enter an email address in the correct format, like name@example.com"
    elif User.objects.filter(username=username).exists():
        errors["email"] = "An account with that email address already exists"
    if not given_name.strip():
        errors["given_name"] = "Enter a first name"
    if not family_name.strip():
        errors["family_name"] = "Enter a last name"
    user = User(
        username=username,
        email=username,
        first_name=given_name.strip(),
        last_name=family_name.strip(),
        phone=phone.strip(),
        job_title=job_title.strip(),
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = " ".join(exc.messages)
    if errors:
        raise ValidationFailed("The account could not be created", errors=errors)
    user.set_password(password)
    user.save()
    account_changed.send(
        sender=User,
        actor=actor,
        user=user,
        change="account_created",
        detail={"username": username, "job_title": user.job_title},
    )
    return user


# --- Notifications ----------------------------------------------------------------------------


def _site_url() -> str:
    return str(getattr(settings, "SITE_URL", "") or "http://127.0.0.1:8000").rstrip("/")


def _email_text(notification: Notification) -> tuple[str, str]:
    """The email of a notification: its subject, its body and the link to open it."""
    parts = [notification.body] if notification.body else []
    parts.append(f"Open it in Sightline: {_site_url()}{notification.url}")
    parts.append(
        "You are receiving this because of your role in the safeguarding partnership. "
        "Sign in to see the detail."
    )
    return f"Sightline: {notification.subject}", "\n\n".join(parts) + "\n"


def notification_send(
    *,
    recipient: User,
    key: str,
    subject: str,
    body: str,
    url: str,
    actor: Any = None,
) -> Notification | None:
    """Tell `recipient` something: an in-app notification, and an email in the outbox (sent by
    `sightline tick`) when they have an email address.

    `key` names the event and the recipient ("referral:42:decision-overdue:tm:7") and is unique
    (a database constraint): the same key sent again, at once or later, does nothing and
    returns None, so a clock job may send on every run. `url` is a path on this site (the
    thing the notification is about). The subject and body are emailed: keep a child's name
    and anything else from their record out of them (the page they link to shows it, after
    sign-in). An inactive recipient is not told (None)."""
    key = key.strip()
    subject = " ".join(subject.split())
    problems = []
    if not key or len(key) > 200 or CONTROL.search(key):
        problems.append("key: 1 to 200 characters, no control characters")
    if not subject or len(subject) > 200 or CONTROL.search(subject):
        problems.append("subject: 1 to 200 characters on one line")
    if CONTROL_MULTILINE.search(body) or len(body) > 5000:
        problems.append("body: at most 5,000 characters, no control characters")
    if not url.startswith("/") or url.startswith("//") or "\\" in url or len(url) > 500:
        problems.append("url: a path on this site, like /referrals/42/")
    if problems:
        raise ValueError("notification_send: " + "; ".join(problems))
    if not recipient.is_active:
        return None
    now = clock.now()
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                key=key,
                subject=subject,
                body=body.strip(),
                url=url,
                created_at=now,
                actor_name=actor_name(actor) if actor is not None else "",
            )
            if recipient.email and getattr(settings, "NOTIFICATION_EMAILS", True):
                email_subject, email_body = _email_text(notification)
                OutboxEmail.objects.create(
                    notification=notification,
                    to=recipient.email,
                    subject=email_subject[:255],
                    body=email_body,
                    next_attempt_at=now,
                    created_at=now,
                    max_attempts=int(getattr(settings, "NOTIFICATION_EMAIL_ATTEMPTS", 5)),
                )
    except IntegrityError:
        if Notification.objects.filter(key=key).exists():
            return None  # told already (or being told, by another transaction that won)
        raise
    return notification


@transaction.atomic
def notification_mark_read(*, actor: User, notification_id: int) -> Notification:
    """Mark one of the actor's own notifications read (once: the first time stands). Another
    user's notification is not found, exactly as one that does not exist."""
    notification = (
        Notification.objects.select_for_update()
        .filter(pk=notification_id, recipient_id=actor.pk)
        .first()
    )
    if notification is None:
        raise NotFound("No such notification.")
    if notification.read_at is None:
        notification.read_at = clock.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notification_mark_all_read(*, actor: User) -> int:
    """Mark every unread notification of the actor's read; how many were."""
    return Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(
        read_at=clock.now()
    )
