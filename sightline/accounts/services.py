"""The accounts app owns users (practitioners and officers who sign in) and the sign-in throttle
(accounts.throttle).

What a user may see is decided by their membership (agencies.services.membership_create) and the
access module, never here. Account changes are announced (accounts.signals) and audited by the
governance app's receivers in the same transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from sightline.accounts.models import User
from sightline.accounts.signals import account_changed
from sightline.core.errors import ValidationFailed


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
