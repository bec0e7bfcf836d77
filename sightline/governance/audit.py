"""The audit log. Every view of case data and every change calls `record`, inside the same
transaction as the change, so a change without its audit row cannot be committed."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db import transaction

from sightline.core import clock
from sightline.core.actors import SystemActor
from sightline.governance.models import AuditEvent


class AuditAction(StrEnum):
    SIGNED_IN = "signed_in"
    SIGNED_OUT = "signed_out"
    SIGN_IN_FAILED = "sign_in_failed"
    PERSON_SEARCHED = "person_searched"
    PERSON_VIEWED = "person_viewed"
    STORY_VIEWED = "story_viewed"
    STORY_EXPORTED = "story_exported"
    ENTRY_VIEWED = "entry_viewed"
    ENTRY_RECORDED = "entry_recorded"
    ENTRY_CORRECTED = "entry_corrected"
    ENTRY_MARKED_IN_ERROR = "entry_marked_in_error"
    BATCH_IMPORTED = "batch_imported"
    BATCH_REJECTED = "batch_rejected"
    SOURCE_REGISTERED = "source_registered"
    PEOPLE_LINKED = "people_linked"
    PEOPLE_MERGED = "people_merged"
    PERSON_SPLIT = "person_split"
    MATCH_DECIDED = "match_decided"
    PEOPLE_EXPORTED = "people_exported"
    ACCESS_GRANTED = "access_granted"
    ACCOUNT_CREATED = "account_created"
    ROLE_GIVEN = "role_given"


def record(
    actor: Any,
    action: AuditAction,
    *,
    object_type: str,
    object_id: str | int = "",
    person_id: int | None = None,
    purpose: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    if actor is None:
        raise ValueError("An audit event needs an actor")
    is_system = isinstance(actor, SystemActor)
    name = str(actor) if is_system else (actor.get_username() if actor.pk else "anonymous")
    return AuditEvent.objects.create(
        occurred_at=clock.now(),
        actor=None if is_system or not getattr(actor, "pk", None) else actor,
        actor_name=name,
        action=str(action),
        object_type=object_type,
        object_id=str(object_id),
        person_id=person_id,
        purpose=purpose,
        detail=detail or {},
    )


def in_transaction() -> bool:
    return transaction.get_connection().in_atomic_block
