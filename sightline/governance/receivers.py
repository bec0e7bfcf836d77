"""Audit rows for what lower apps announce (accounts sits below governance, so it cannot call
`audit.record` itself). Receivers run synchronously, inside the sender's request or transaction,
so the audit row commits with the change it records."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.dispatch import receiver

from sightline.accounts import signals
from sightline.agencies.signals import organisation_changed
from sightline.core.requests import client_address
from sightline.governance import audit
from sightline.governance.audit import AuditAction


def _client(request: Any) -> str | None:
    """The caller's address (the audit row's client_address), as the throttle reads it."""
    return client_address(request) if request is not None else None


@receiver(signals.signed_in)
def _signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    # Which second factor completed it, when one was asked for (accounts.twofactor).
    second = {"two_factor": str(kwargs["two_factor"])} if kwargs.get("two_factor") else {}
    audit.record(
        user,
        AuditAction.SIGNED_IN,
        object_type="user",
        object_id=user.pk,
        detail=second or None,
        client_address=_client(request),
    )


@receiver(signals.sign_in_refused)
def _sign_in_refused(sender: Any, request: Any, username: str, reason: str, **kwargs: Any) -> None:
    # A throttled attempt names the limit that refused it (here only: the page never says).
    limit = {"limit": str(kwargs["limit"])} if kwargs.get("limit") else {}
    # Refused at the two-factor code (after a right password) rather than at the password.
    if kwargs.get("stage"):
        limit["stage"] = str(kwargs["stage"])
    audit.record(
        AnonymousUser(),
        AuditAction.SIGN_IN_FAILED,
        object_type="user",
        detail={"username": username[:254], "reason": reason, **limit},
        client_address=_client(request),
    )


@receiver(signals.signed_out)
def _signed_out(sender: Any, request: Any, user: Any, reason: str, **kwargs: Any) -> None:
    audit.record(
        user,
        AuditAction.SIGNED_OUT,
        object_type="user",
        object_id=user.pk,
        detail={"reason": reason},
        client_address=_client(request),
    )


@receiver(signals.account_changed)
def _account_changed(
    sender: Any, actor: Any, user: Any, change: str, detail: dict[str, Any], **kwargs: Any
) -> None:
    action = (
        AuditAction.ACCOUNT_CREATED
        if change == "account_created"
        else AuditAction.PASSWORD_SET
        if change == "password_set"
        else AuditAction.ROLE_GIVEN
    )
    audit.record(actor, action, object_type="user", object_id=user.pk, detail=detail)


@receiver(organisation_changed)
def _organisation_changed(
    sender: Any, actor: Any, change: str, detail: dict[str, Any], **kwargs: Any
) -> None:
    action = AuditAction.AGENCY_CREATED if change == "agency_created" else AuditAction.TEAM_CREATED
    audit.record(actor, action, object_type=change.split("_")[0], detail=detail)


_TWO_FACTOR_ACTIONS = {
    "enrolled": AuditAction.TWO_FACTOR_ENROLLED,
    "backup_codes_replaced": AuditAction.TWO_FACTOR_BACKUP_CODES_REPLACED,
    "reset": AuditAction.TWO_FACTOR_RESET,
}


@receiver(signals.two_factor_changed)
def _two_factor_changed(
    sender: Any, actor: Any, user: Any, change: str, detail: dict[str, Any], **kwargs: Any
) -> None:
    audit.record(
        actor,
        _TWO_FACTOR_ACTIONS[change],
        object_type="user",
        object_id=user.pk,
        detail={"username": user.get_username(), **detail},
    )


@receiver(signals.sessions_ended)
def _sessions_ended(sender: Any, actor: Any, user: Any, reason: str, **kwargs: Any) -> None:
    audit.record(
        actor,
        AuditAction.SESSIONS_ENDED,
        object_type="user",
        object_id=user.pk,
        detail={"username": user.get_username(), "reason": reason},
    )
