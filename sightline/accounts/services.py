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


NAME_MAX = 150  # the columns' length (Django's AbstractUser)


def user_fields_errors(*, email: str, given_name: str, family_name: str) -> dict[str, str]:
    """What is wrong with a new user's email address and name, every problem at once."""
    from django.core.exceptions import ValidationError as DjangoValidationError
    from django.core.validators import validate_email

    errors: dict[str, str] = {}
    username = normalise_username(email)
    try:
        if len(username) > NAME_MAX or CONTROL.search(username):
            raise DjangoValidationError("too long")
        validate_email(username)
    except DjangoValidationError:
        errors["email"] = "Enter an email address in the correct format, like name@example.com"
    else:
        if User.objects.filter(username=username).exists():
            errors["email"] = "An account with that email address already exists"
    for field, value, label in (
        ("given_name", given_name, "first name"),
        ("family_name", family_name, "last name"),
    ):
        if not value.strip():
            errors[field] = f"Enter a {label}"
        elif len(value.strip()) > NAME_MAX or CONTROL.search(value):
            errors[field] = f"Enter a {label} of at most {NAME_MAX} characters, on one line"
    return errors


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
    errors = user_fields_errors(email=email, given_name=given_name, family_name=family_name)
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


# --- Two-factor sign-in and sessions ----------------------------------------------------------


def _may_administer_accounts(actor: Any) -> bool:
    """A system actor (a command run on the server by whoever runs it) or a user whose role
    administers the system. (An agency's information governance lead reaches the same acts
    through governance.administration, which checks its scope and calls the `_for_user`
    functions below.)"""
    from sightline.core.actors import SystemActor
    from sightline.core.extensions import holds

    return isinstance(actor, SystemActor) or holds(actor, "administer")


@transaction.atomic
def otp_confirm(*, actor: Any, user: User, code: str) -> tuple[Any, list[str]]:
    """Finish setting up two-factor sign-in: `code` must come from the authenticator the user
    is setting up (accounts.twofactor.unconfirmed_authenticator). Confirms it, replaces any
    other authenticator and backup codes with it and ten new backup codes, and returns the
    device and the codes (shown to the user once; only their digests are kept). Ends the
    user's sessions (the caller keeps its own with update_session_auth_hash).

    Raises ValidationFailed (field "code") for a wrong or malformed code."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sightline.accounts import twofactor
    from sightline.accounts.signals import two_factor_changed

    if actor is None or getattr(actor, "pk", None) != user.pk:
        raise ValueError("otp_confirm: only the user sets up their own two-factor sign-in")
    normalised = twofactor.normalise_code(code)
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("-pk")
        .first()
    )
    if not twofactor.is_authenticator_code(normalised):
        raise ValidationFailed(
            "Check the code", errors={"code": "Enter the 6-digit code from your authenticator app"}
        )
    if device is None or not device.verify_token(normalised):
        raise ValidationFailed(
            "Check the code",
            errors={"code": "The code is not right: enter the code your app shows now"},
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = _backup_codes_replace(user, StaticDevice, StaticToken)
    two_factor_changed.send(
        sender=User,
        actor=actor,
        user=user,
        change="enrolled",
        detail={"backup_codes": len(codes)},
    )
    # Sessions signed in before it, with the password alone, end: from now on every session of
    # this user was signed in with a code. (The page keeps its own: update_session_auth_hash.)
    _sessions_end(actor=actor, user=user, reason="two_factor_enrolled")
    return device, codes


def _backup_codes_replace(user: User, static_model: Any, token_model: Any) -> list[str]:
    from sightline.accounts import twofactor

    static_model.objects.filter(user=user).delete()
    static = static_model.objects.create(user=user, name=twofactor.BACKUP_NAME, confirmed=True)
    codes = twofactor.new_backup_codes()
    token_model.objects.bulk_create(
        [token_model(device=static, token=twofactor.backup_code_digest(c)) for c in codes]
    )
    return codes


@transaction.atomic
def otp_backup_codes_replace(*, actor: Any, user: User) -> list[str]:
    """New backup codes for a user who has two-factor sign-in (the old ones stop working)."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    from sightline.accounts import twofactor
    from sightline.accounts.signals import two_factor_changed

    if actor is None or getattr(actor, "pk", None) != user.pk:
        raise ValueError("otp_backup_codes_replace: only the user makes their own backup codes")
    if not twofactor.has_two_factor(user):
        raise ValidationFailed("Set up two-factor sign-in first")
    codes = _backup_codes_replace(user, StaticDevice, StaticToken)
    two_factor_changed.send(
        sender=User,
        actor=actor,
        user=user,
        change="backup_codes_replaced",
        detail={"backup_codes": len(codes)},
    )
    return codes


@transaction.atomic
def otp_reset(*, actor: Any, user: User) -> int:
    """Recovery by an administrator for a user who has lost their authenticator: remove their
    authenticators and backup codes and end every session they have. At their next sign-in they
    set up two-factor sign-in again (when it is required, before anything else). Returns how
    many devices were removed. Audited, whoever did it and whether or not there was any."""
    from sightline.core.errors import AccessDenied

    if actor is None or not _may_administer_accounts(actor):
        raise AccessDenied("Only an administrator can reset two-factor sign-in.")
    return otp_reset_for_user(actor=actor, user=user)


@transaction.atomic
def otp_reset_for_user(*, actor: Any, user: User) -> int:
    """otp_reset without its permission check: only for a caller that has made its own
    (governance.administration, whose agency's lead may reset their own agency's users)."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sightline.accounts.signals import two_factor_changed

    removed = TOTPDevice.objects.filter(user=user).delete()[1].get("otp_totp.TOTPDevice", 0)
    removed += StaticDevice.objects.filter(user=user).delete()[1].get("otp_static.StaticDevice", 0)
    two_factor_changed.send(
        sender=User, actor=actor, user=user, change="reset", detail={"devices_removed": removed}
    )
    _sessions_end(actor=actor, user=user, reason="two_factor_reset")
    return int(removed)


@transaction.atomic
def user_sessions_end(*, actor: Any, user: User) -> None:
    """Sign the user out everywhere: every session they have, on every browser, ends at its
    next request (the session hash changes: accounts.models.User.sessions_version). The user
    themself or an administrator."""
    from sightline.core.errors import AccessDenied

    if actor is None or (
        getattr(actor, "pk", None) != user.pk and not _may_administer_accounts(actor)
    ):
        raise AccessDenied("Only the user or an administrator can sign them out everywhere.")
    _sessions_end(actor=actor, user=user, reason="signed_out_everywhere")


def user_sessions_end_for_user(*, actor: Any, user: User) -> None:
    """user_sessions_end without its permission check: only for a caller that has made its own
    (governance.administration)."""
    with transaction.atomic():
        _sessions_end(actor=actor, user=user, reason="signed_out_everywhere")


def _sessions_end(*, actor: Any, user: User, reason: str) -> None:
    from django.db.models import F

    from sightline.accounts.signals import sessions_ended

    User.objects.filter(pk=user.pk).update(sessions_version=F("sessions_version") + 1)
    user.refresh_from_db(fields=["sessions_version"])
    sessions_ended.send(sender=User, actor=actor, user=user, reason=reason)
