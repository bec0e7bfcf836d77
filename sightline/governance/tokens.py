"""API tokens for system integrations (docs/api.md#tokens): an agency's feed recording entries,
a reporting tool reading what its user may read. A token acts as one user, under the same
access rules as that user's pages, narrowed by its scopes: `read` for GET, `write` for the rest.

The token is shown once, when it is made. Only its SHA-256 digest is stored (a token is 190 bits
of randomness, so a slow hash adds nothing); its prefix, in every token, finds the row. A token
stops working when it expires, is revoked, or its user leaves (is made inactive). Every call
made with one is audited, refused or not."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from sightline.accounts.models import ApiToken, User
from sightline.core import clock
from sightline.core.actors import actor_name
from sightline.core.errors import AccessDenied, NotFound, ValidationFailed
from sightline.core.text import CONTROL
from sightline.governance import access, audit
from sightline.governance.audit import AuditAction
from sightline.governance.policy import Capability

TOKEN_START = "slt_"  # noqa: S105
PREFIX_LENGTH = 8
NAME_MAX = 120
DAYS_MAX = 366  # a token lives at most a year: integrations are re-issued, not forgotten
DAYS_DEFAULT = 90
SCOPES = dict(ApiToken.Scope.choices)
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    """(prefix, token): `slt_<prefix>_<secret>`, URL-safe, 8 + 32 characters of randomness."""
    alphabet = "abcdefghijkmnopqrstuvwxyz23456789"  # no 0/o, 1/l: read aloud or copied by hand
    while True:
        prefix = "".join(secrets.choice(alphabet) for _ in range(PREFIX_LENGTH))
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    return prefix, f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(24)}"


@transaction.atomic
def api_token_create(
    *, actor: Any, username: str, name: str, scopes: list[str], days: int | str
) -> tuple[ApiToken, str]:
    """Make a token for a system integration's account (its username; an administrator only),
    every mistake reported at once. Returns the row and the token itself, which is never stored
    and cannot be shown again. Only an integration's account holds tokens: a token signs in
    without a second factor, so it must never act as a person (ADR 24)."""
    access.require(actor, Capability.ADMINISTER)
    errors: dict[str, str] = {}
    username = str(username).strip().lower()
    user = (
        User.objects.filter(username=username).first()
        if username and len(username) <= 150 and not CONTROL.search(username)
        else None
    )
    if user is None:
        errors["user"] = "Enter the email address of a system integration's account"
    elif not user.is_integration:
        errors["user"] = (
            "This is a person's account: tokens are only for a system integration's account "
            "(add one in Users)"
        )
    elif not user.is_active or not hasattr(user, "membership"):
        errors["user"] = "Only a current account with a role in an agency can have a token"
    name = " ".join(str(name).split())
    if not name or len(name) > NAME_MAX or CONTROL.search(name):
        errors["name"] = f"Enter a name for the token (at most {NAME_MAX} characters)"
    scopes = sorted(set(scopes))
    if not scopes or any(s not in SCOPES for s in scopes):
        errors["scopes"] = "Select what the token may do"
    text = str(days).strip()
    lifetime = int(text) if text.isascii() and text.isdigit() and len(text) < 5 else 0
    if not 1 <= lifetime <= DAYS_MAX:
        errors["days"] = f"Enter how many days the token lasts, from 1 to {DAYS_MAX}"
    if errors:
        raise ValidationFailed("The token could not be made", errors=errors)
    assert user is not None
    prefix, token = _new_token()
    now = clock.now()
    row = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        digest=digest(token),
        scopes=scopes,
        created_at=now,
        created_by_name=actor_name(actor),
        expires_at=now + dt.timedelta(days=lifetime),
    )
    audit.record(
        actor,
        AuditAction.API_TOKEN_CREATED,
        object_type="api_token",
        object_id=row.pk,
        detail={
            "user": user.username,
            "name": name,
            "prefix": prefix,
            "scopes": scopes,
            "expires_at": row.expires_at.isoformat(),
        },
    )
    return row, token


@transaction.atomic
def api_token_revoke(*, actor: Any, token_id: int) -> ApiToken:
    """Stop a token now (an administrator only). Revoking a revoked token changes nothing."""
    access.require(actor, Capability.ADMINISTER)
    row = ApiToken.objects.select_for_update().filter(pk=token_id).first()
    if row is None:
        raise NotFound("No such token.")
    _revoke(actor, row)
    return row


def _revoke(actor: Any, row: ApiToken) -> None:
    if row.revoked_at is None:
        row.revoked_at = clock.now()
        row.revoked_by_name = actor_name(actor)
        row.save(update_fields=["revoked_at", "revoked_by_name"])
        audit.record(
            actor,
            AuditAction.API_TOKEN_REVOKED,
            object_type="api_token",
            object_id=row.pk,
            detail={"user": row.user.username, "name": row.name, "prefix": row.prefix},
        )


def api_tokens_revoke_for(*, actor: Any, user: User) -> int:
    """Revoke every live token of a user (a leaver, whoever records the leaving: the caller,
    governance.administration, has checked they may). Callers hold the transaction."""
    live = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
    count = 0
    for row in live.select_related("user"):
        _revoke(actor, row)
        count += 1
    return count


@dataclass(frozen=True)
class TokenRow:
    pk: int
    name: str
    prefix: str
    user: str
    username: str
    scopes: str
    created: str
    created_by: str
    expires: str
    last_used: str
    state: str  # "Active", "Expired", "Revoked"
    live: bool


def _when(value: dt.datetime | None) -> str:
    if value is None:
        return "Never"
    return timezone.localtime(value).strftime("%-d %b %Y %H:%M")


def api_tokens_for(*, viewer: Any, user: User | None = None) -> list[TokenRow]:
    """Every token (or a user's), newest first, for an administrator: no token is ever shown."""
    access.require(viewer, Capability.ADMINISTER)
    rows = ApiToken.objects.select_related("user")
    if user is not None:
        rows = rows.filter(user=user)
    now = clock.now()
    out: list[TokenRow] = []
    for row in rows[:500]:
        state = "Revoked" if row.revoked_at else "Expired" if row.expires_at <= now else "Active"
        out.append(
            TokenRow(
                pk=row.pk,
                name=row.name,
                prefix=row.prefix,
                user=row.user.get_full_name() or row.user.username,
                username=row.user.username,
                scopes=", ".join(row.scopes),
                created=_when(row.created_at),
                created_by=row.created_by_name,
                expires=_when(row.expires_at),
                last_used=_when(row.last_used_at),
                state=state,
                live=state == "Active",
            )
        )
    return out


# --- authenticating an API call ------------------------------------------------------------------


class TokenRefused(AccessDenied):
    """A token that is known but may not make this call (its scopes)."""


def api_token_authenticate(request: HttpRequest, token: str) -> User | None:
    """The user a bearer token acts as, or None (the API answers 401). A token without the
    scope the call needs raises TokenRefused (403). Audited either way, with the token's prefix
    and never the token."""
    parts = token.split("_", 2)  # the secret may hold "_" too; the prefix never does
    if len(token) > 200 or len(parts) != 3 or f"{parts[0]}_" != TOKEN_START or not parts[2]:
        return None
    row = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if row is None:
        return None
    user = row.user
    if not hmac.compare_digest(row.digest, digest(token)):
        # A real prefix with a wrong secret: someone has part of a token. Audited.
        audit.record(
            user,
            AuditAction.API_TOKEN_REFUSED,
            object_type="api_token",
            object_id=row.pk,
            detail={
                "prefix": row.prefix,
                "method": (request.method or "GET").upper(),
                "path": request.path_info[:300],
                "why": "wrong_secret",
            },
        )
        return None
    now = clock.now()
    method = (request.method or "GET").upper()
    detail = {"prefix": row.prefix, "method": method, "path": request.path_info[:300]}
    why = ""
    if row.revoked_at is not None:
        why = "revoked"
    elif row.expires_at <= now:
        why = "expired"
    elif not user.is_active:
        why = "user_inactive"
    elif not user.is_integration:
        why = "not_an_integration"
    if why:
        audit.record(
            user,
            AuditAction.API_TOKEN_REFUSED,
            object_type="api_token",
            object_id=row.pk,
            detail={**detail, "why": why},
        )
        return None
    needed = ApiToken.Scope.READ if method in _READ_METHODS else ApiToken.Scope.WRITE
    if needed not in row.scopes:
        audit.record(
            user,
            AuditAction.API_TOKEN_REFUSED,
            object_type="api_token",
            object_id=row.pk,
            detail={**detail, "why": f"no_{needed}_scope"},
        )
        raise TokenRefused(f"This token may not {('read' if needed == 'read' else 'write')}.")
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    audit.record(
        user, AuditAction.API_TOKEN_USED, object_type="api_token", object_id=row.pk, detail=detail
    )
    request.user = user
    return user
