"""Fixtures for the security tests: practitioners who sign in with a password, and the codes
their authenticator app would show (computed as the app does, django_otp.oath.totp)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "security-test-password-1"


def app_code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the user's app shows now (or `steps_ahead` 30-second steps later, which the
    server accepts within its tolerance of one step: a code not yet used, when this step's was)."""
    value = totp(
        device.bin_key,
        step=device.step,
        t0=device.t0 - steps_ahead * device.step,
        digits=device.digits,
    )
    return f"{value:0{device.digits}d}"


def signed_up(role: str = "social_worker", **kwargs: Any) -> Any:
    from sightline.agencies.tests.factories import practitioner

    user = practitioner(role, **kwargs)
    user.set_password(PASSWORD)
    user.save()
    return user


def enrol(user: Any) -> tuple[TOTPDevice, list[str]]:
    """Set up two-factor sign-in for the user as the setup page does."""
    from sightline.accounts import twofactor
    from sightline.accounts.services import otp_confirm

    device = twofactor.unconfirmed_authenticator(user)
    return otp_confirm(actor=user, user=user, code=app_code(device))


def sign_in(client: Client, user: Any, password: str = PASSWORD) -> Any:
    return client.post("/sign-in", {"email": user.username, "password": password})


@pytest.fixture
def practitioner_user(db: None) -> Any:
    return signed_up("social_worker")


@pytest.fixture
def no_otp_backoff(settings: Any) -> None:
    """django-otp's own back-off (1, 2, 4… seconds after each wrong code) turned off, for tests
    that try a right code straight after a wrong one; Sightline's throttle still counts."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
