"""The audit log. Every view of case data and every change calls `record`, inside the same
transaction as the change, so a change without its audit row cannot be committed. Every row
carries the client address of the request it was made in (core.requests), empty outside one."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db import transaction

from sightline.core import clock
from sightline.core.actors import actor_name, actor_user
from sightline.core.requests import current_client_address
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
    # The review queue (names and dates of birth of every pair on the page) and one pair.
    MATCH_QUEUE_VIEWED = "match_queue_viewed"
    MATCH_VIEWED = "match_viewed"
    PEOPLE_EXPORTED = "people_exported"
    ACCESS_GRANTED = "access_granted"
    ACCESS_REFUSED = "access_refused"
    ACCOUNT_CREATED = "account_created"
    ROLE_GIVEN = "role_given"  # a role given or changed, or the teams a head of service heads
    AGENCY_CREATED = "agency_created"
    TEAM_CREATED = "team_created"
    SYSTEM_ACCESS = "system_access"  # a system scope opened (access.system_scope)
    # Referrals (sightline.referrals.services): every change, and every page showing one.
    REFERRAL_MADE = "referral_made"
    REFERRAL_VIEWED = "referral_viewed"
    REFERRAL_QUEUE_VIEWED = "referral_queue_viewed"
    REFERRAL_ACKNOWLEDGED = "referral_acknowledged"
    REFERRAL_TRIAGED = "referral_triaged"
    REFERRAL_DECIDED = "referral_decided"
    REFERRAL_ALLOCATED = "referral_allocated"
    REFERRAL_ASKED = "referral_asked"
    REFERRAL_ANSWERED = "referral_answered"
    REFERRAL_ASSESSMENT_COMPLETED = "referral_assessment_completed"
    REFERRAL_ESCALATED = "referral_escalated"
    REFERRAL_FROM_FEED = "referral_from_feed"
    REFERRAL_REFUSED = "referral_refused"  # a change refused (a stale version, a rule)
    # Professional disagreements (escalations), step up and step down (decisions), closures
    # and "last agency standing" (cases).
    DISAGREEMENT_RAISED = "disagreement_raised"
    DISAGREEMENT_ANSWERED = "disagreement_answered"
    DISAGREEMENT_ESCALATED = "disagreement_escalated"
    DISAGREEMENT_MOVED_UP = "disagreement_moved_up"
    DISAGREEMENT_RESOLVED = "disagreement_resolved"
    DISAGREEMENT_WITHDRAWN = "disagreement_withdrawn"
    DISAGREEMENT_VIEWED = "disagreement_viewed"
    DISAGREEMENT_REPORT_VIEWED = "disagreement_report_viewed"
    STEP_REQUESTED = "step_requested"
    STEP_VIEW_GIVEN = "step_view_given"
    STEP_DECIDED = "step_decided"
    STEP_WITHDRAWN = "step_withdrawn"
    STEP_REQUEST_VIEWED = "step_request_viewed"
    CLOSURE_PROPOSED = "closure_proposed"
    CLOSURE_ANSWERED = "closure_answered"
    CLOSURE_WITHDRAWN = "closure_withdrawn"
    CLOSURE_TOOK_EFFECT = "closure_took_effect"
    CLOSURE_VIEWED = "closure_viewed"
    LAST_AGENCY_FLAGGED = "last_agency_flagged"
    LAST_AGENCY_CLEARED = "last_agency_cleared"


def record(
    actor: Any,
    action: AuditAction,
    *,
    object_type: str,
    object_id: str | int = "",
    person_id: int | None = None,
    purpose: str = "",
    detail: dict[str, Any] | None = None,
    client_address: str | None = None,
) -> AuditEvent:
    """One audit row. `client_address` defaults to the current request's (ui's
    ClientAddressMiddleware); pass it where the request is known but may not have been through
    the middleware."""
    if actor is None:
        raise ValueError("An audit event needs an actor")
    return AuditEvent.objects.create(
        occurred_at=clock.now(),
        actor=actor_user(actor),
        actor_name=actor_name(actor),
        action=str(action),
        object_type=object_type,
        object_id=str(object_id),
        person_id=person_id,
        purpose=purpose,
        detail=detail or {},
        client_address=(client_address or current_client_address.get()) or None,
    )


def in_transaction() -> bool:
    return bool(transaction.get_connection().in_atomic_block)
