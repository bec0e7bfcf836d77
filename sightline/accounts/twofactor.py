"""Two-factor sign-in (docs/security.md, ADR 23): an authenticator app's time-based codes
(django-otp's TOTPDevice) and ten backup codes (its StaticDevice).

- A user's authenticator is a TOTPDevice: unconfirmed while they set it up, confirmed once they
  have typed a code from it. Only a confirmed one is asked for at sign-in.
- Backup codes are django-otp static tokens, stored as a keyed digest (HMAC with SECRET_KEY),
  never as typed: each is shown once, when made, and is used up when used.
- Whether a user *must* have one is `two_factor_required`: the OTP_REQUIRED setting and the rule
  governance registers (the roles that see case data), through core.extensions.

Writes (confirming, resetting) are services (accounts.services); this module reads and checks."""

from __future__ import annotations

import base64
import secrets
from typing import Any

import segno
from django.conf import settings
from django.utils.crypto import salted_hmac
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from markupsafe import Markup

from sightline.core import extensions

AUTHENTICATOR_NAME = "Authenticator app"
BACKUP_NAME = "Backup codes"
_BACKUP_SALT = "sightline.accounts.twofactor.backup"
# Backup codes: 12 characters of Crockford-like base32 (no 0/O, 1/I/L confusion), 60 bits.
_BACKUP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_BACKUP_LENGTH = 12


def confirmed_authenticator(user: Any) -> TOTPDevice | None:
    if not getattr(user, "pk", None):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_two_factor(user: Any) -> bool:
    """Whether the user has set up two-factor sign-in (a confirmed authenticator)."""
    return confirmed_authenticator(user) is not None


def two_factor_required(user: Any) -> bool:
    """Whether this signed-in user must sign in with a code: OTP_REQUIRED is on and their roles
    see case data (or they are a superuser)."""
    if not getattr(settings, "OTP_REQUIRED", False):
        return False
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(getattr(user, "is_superuser", False)) or extensions.sees_case_data(user)


def unconfirmed_authenticator(user: Any) -> TOTPDevice:
    """The authenticator the user is setting up: the one they began, or a new secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it typed: base32, in groups of four."""
    text = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_code_svg(device: TOTPDevice) -> Markup:
    """The device's otpauth:// address as a QR code, inline SVG (no image fetched, no inline
    style: the CSP allows it as it is)."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=4, svgclass="sl-qr", lineclass=None, title="QR code for your authenticator app"
    )
    # segno writes only attributes and a <title>; role="img" lets the title name it.
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704


def normalise_code(text: str) -> str:
    """A code as typed, without spaces or hyphens, lower case."""
    return "".join(ch for ch in text if ch not in " -\t").lower()


def is_authenticator_code(code: str) -> bool:
    return len(code) == 6 and code.isascii() and code.isdigit()


def is_backup_code(code: str) -> bool:
    return len(code) == _BACKUP_LENGTH and all(ch in _BACKUP_ALPHABET for ch in code)


def backup_code_digest(code: str) -> str:
    """What is stored for a backup code: 16 characters (96 bits) of a keyed digest, which is
    what django-otp's token column holds."""
    digest = salted_hmac(_BACKUP_SALT, normalise_code(code), algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:16]


def new_backup_codes(count: int | None = None) -> list[str]:
    """Fresh backup codes as the user is shown them: xxxx-xxxx-xxxx."""
    n = int(count if count is not None else getattr(settings, "OTP_BACKUP_CODES", 10))
    codes = []
    for _ in range(n):
        raw = "".join(secrets.choice(_BACKUP_ALPHABET) for _ in range(_BACKUP_LENGTH))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    return codes


def backup_codes_left(user: Any) -> int:
    device = StaticDevice.objects.filter(user=user, name=BACKUP_NAME).first()
    return device.token_set.count() if device is not None else 0


def check_code(user: Any, typed: str) -> Device | None:
    """The device that accepts this code, using it up (a backup code is deleted; an
    authenticator code cannot be used twice), or None. Anything that is neither form of code is
    refused without touching a device."""
    code = normalise_code(typed)
    if is_authenticator_code(code):
        device = confirmed_authenticator(user)
        if device is not None and device.verify_token(code):
            return device
        return None
    if is_backup_code(code):
        static = StaticDevice.objects.filter(user=user, name=BACKUP_NAME, confirmed=True).first()
        if static is not None and static.verify_token(backup_code_digest(code)):
            return static
    return None
