"""The audit log. Every view of case data and every change calls `record`, inside the same
transaction as the change, so a change without its audit row cannot be committed. Every row
carries the client address of the request it was made in (core.requests), empty outside one,
and the actor's role, agency and team at the time.

Rows are appended to a hash chain (governance.chain): append-only and tamper-evident, checked
by `sightline audit verify` (docs/audit.md). A long transaction that audits as it goes (a
directory of feeds imported together) wraps its work in `deferred()`, so its rows are appended
at its end and the chain's lock is held only from there to the commit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum
from typing import Any

from django.db import connection, transaction

from sightline.agencies.models import Membership
from sightline.core import clock
from sightline.core.actors import SystemActor, actor_name, actor_user
from sightline.core.requests import current_client_address
from sightline.governance import chain
from sightline.governance.models import AuditEvent

# Chain appends are tied to one database connection's transaction, hence to a thread; the
# context variable keeps each thread's (and each request's) pending rows apart.
_pending: ContextVar[list[tuple[AuditEvent, _Kept]] | None] = ContextVar(
    "audit_pending", default=None
)


class _Kept:
    """A no-op commit callback registered with each deferred row: Django drops the callbacks of
    a savepoint that rolls back, so a row whose callback is gone when the block ends was
    recorded in work that was undone, and is not appended."""

    def __call__(self) -> None:
        return None


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
    # Alerts (sightline.alerts): raised and grown by evaluations, decided by people, and read.
    ALERT_RAISED = "alert_raised"
    ALERT_UPDATED = "alert_updated"
    ALERT_ACKNOWLEDGED = "alert_acknowledged"
    ALERT_ACTIONED = "alert_actioned"
    ALERT_DISMISSED = "alert_dismissed"
    ALERT_VIEWED = "alert_viewed"
    ALERTS_LISTED = "alerts_listed"  # the inbox, or a child's alerts over the API
    # Referrals (sightline.referrals.services): every change, and every page showing one.
    REFERRAL_MADE = "referral_made"
    REFERRAL_VIEWED = "referral_viewed"
    REFERRAL_QUEUE_VIEWED = "referral_queue_viewed"
    REFERRAL_ACKNOWLEDGED = "referral_acknowledged"
    REFERRAL_TRIAGED = "referral_triaged"
    REFERRAL_DECIDED = "referral_decided"
    REFERRAL_ALLOCATED = "referral_allocated"
    REFERRAL_RECONSIDERED = "referral_reconsidered"
    INVOLVEMENT_STARTED = "involvement_started"  # in Sightline (an allocation), not a feed
    REFERRAL_ASKED = "referral_asked"
    REFERRAL_ANSWERED = "referral_answered"
    REFERRAL_ASSESSMENT_COMPLETED = "referral_assessment_completed"
    REFERRAL_ESCALATED = "referral_escalated"
    REFERRAL_FROM_FEED = "referral_from_feed"
    REFERRAL_REFUSED = "referral_refused"  # a change refused (a stale version, a rule)
    # Break-glass access to a child outside the viewer's relationships (governance.breakglass):
    # opened (counted by the auditor's flags), ended early, listed and reviewed. The lock-down
    # view: a child outside them, only whom to contact.
    BREAK_GLASS = "break_glass"
    # A decision to share or not to share information (governance.sharing).
    SHARING_DECIDED = "sharing_decided"
    BREAK_GLASS_ENDED = "break_glass_ended"
    BREAK_GLASS_REVIEWED = "break_glass_reviewed"
    BREAK_GLASS_LISTED = "break_glass_listed"
    LOCKDOWN_VIEWED = "lockdown_viewed"
    # The audit log's own use: the auditor's pages, the chain's checks and its exported head.
    AUDIT_SEARCHED = "audit_searched"
    AUDIT_CHILD_VIEWED = "audit_child_viewed"
    AUDIT_FLAGS_VIEWED = "audit_flags_viewed"
    AUDIT_VERIFIED = "audit_verified"
    AUDIT_HEAD_EXPORTED = "audit_head_exported"
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
    # Two-factor sign-in (accounts.twofactor): set up, new backup codes, reset by an
    # administrator; and every session of a user ended at once ("sign out everywhere").
    TWO_FACTOR_ENROLLED = "two_factor_enrolled"
    TWO_FACTOR_BACKUP_CODES_REPLACED = "two_factor_backup_codes_replaced"
    TWO_FACTOR_RESET = "two_factor_reset"
    SESSIONS_ENDED = "sessions_ended"
    # Subject access requests, legal holds and the retention schedule's deletion runs
    # (dataprotection). A deleted person's rows stay in this log, which keeps only their id.
    SUBJECT_ACCESS_OPENED = "subject_access_opened"
    SUBJECT_ACCESS_EXPORTED = "subject_access_exported"
    SUBJECT_ACCESS_SIGNED_OFF = "subject_access_signed_off"
    SUBJECT_ACCESS_VIEWED = "subject_access_viewed"  # the request's page or one of its files
    LEGAL_HOLD_PLACED = "legal_hold_placed"
    LEGAL_HOLD_LIFTED = "legal_hold_lifted"
    RETENTION_PLANNED = "retention_planned"
    RETENTION_APPROVED = "retention_approved"
    RETENTION_REFUSED = "retention_refused"  # an approval by the planner, or out of turn
    RETENTION_EXECUTED = "retention_executed"
    PERSON_DELETED = "person_deleted"
    # Administration (governance.administration, governance.tokens): users who leave or come
    # back, manual grants, API tokens made, revoked, used and refused; the pages listing them.
    USER_LEFT = "user_left"
    # A new user chose their password (the invitation's link). Names, not secrets: S105.
    PASSWORD_SET = "password_set"  # noqa: S105
    PASSWORD_LINK_MADE = "password_link_made"  # noqa: S105
    USER_RETURNED = "user_returned"
    ACCESS_GRANT_ENDED = "access_grant_ended"
    ADMINISTRATION_VIEWED = "administration_viewed"
    API_TOKEN_CREATED = "api_token_created"  # noqa: S105
    API_TOKEN_REVOKED = "api_token_revoked"  # noqa: S105
    API_TOKEN_USED = "api_token_used"  # noqa: S105
    API_TOKEN_REFUSED = "api_token_refused"  # noqa: S105


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
    immediate: bool = False,
) -> AuditEvent:
    """One audit row, appended to the chain now, or at the end of the enclosing `deferred()`
    block (its id is then None until the block ends; `immediate` appends it now regardless,
    for a caller that needs the id). `client_address` defaults to the current request's (ui's
    ClientAddressMiddleware); pass it where the request is known but may not have been through
    the middleware."""
    if actor is None:
        raise ValueError("An audit event needs an actor")
    purpose = _purpose(actor, purpose, person_id=person_id, action=str(action))
    role, agency_id, team_id = _membership(actor)
    event = AuditEvent(
        occurred_at=clock.now(),
        actor=actor_user(actor),
        actor_name=actor_name(actor),
        actor_role=role,
        actor_agency_id=agency_id,
        actor_team_id=team_id,
        action=str(action),
        object_type=object_type,
        object_id=str(object_id),
        person_id=person_id,
        purpose=purpose,
        detail=detail or {},
        client_address=(client_address or current_client_address.get()) or None,
    )
    pending = _pending.get()
    if pending is not None and not immediate and connection.in_atomic_block:
        kept = _Kept()
        transaction.on_commit(kept)
        pending.append((event, kept))
    else:
        chain.append([event])
    return event


def _purpose(actor: Any, given: str, *, person_id: int | None, action: str) -> str:
    """The row's "why", never empty (docs/access.md, Purposes): the purpose the caller gives
    (a meeting, a review, the system's task), or the one the access module works out from the
    actor's scope and the grant that lets them. A look under break-glass always says so, with
    its reason, whatever else was given."""
    from sightline.governance import access  # access audits through this module

    given = " ".join((given or "").split())
    if given and person_id is None:
        return given[: access.PURPOSE_MAX]
    if given and isinstance(actor, SystemActor):
        return given[: access.PURPOSE_MAX]
    worked_out = access.purpose_for(actor, person_id=person_id, action=action)
    if not given:
        return worked_out
    if worked_out.startswith("break-glass:"):
        return f"{worked_out} ({given})"[: access.PURPOSE_MAX]
    return given[: access.PURPOSE_MAX]


def _membership(actor: Any) -> tuple[str, int | None, int | None]:
    """The actor's role, agency and team now: from the scope the access module cached on the
    user for this request when there is one (no query), else from their membership."""
    if isinstance(actor, SystemActor):
        return "system", None, None
    pk = getattr(actor, "pk", None)
    if not pk or not getattr(actor, "is_authenticated", False):
        return "", None, None
    scope = getattr(actor, "_sightline_scope", None)
    if scope is not None and getattr(scope, "user_id", None) == pk:
        return scope.role or "", scope.agency_id, scope.team_id
    row = Membership.objects.filter(user_id=pk).values_list("role", "agency_id", "team_id").first()
    return (str(row[0]), row[1], row[2]) if row else ("", None, None)


@contextmanager
def deferred() -> Iterator[None]:
    """Rows recorded inside the block are appended to the chain together when it ends without
    an exception, in the caller's transaction (use it inside `transaction.atomic()`; outside
    one, rows are appended at once), and dropped with it otherwise. A row recorded in a
    savepoint that rolled back is dropped with the savepoint's work. Nested blocks append with
    the outermost."""
    if _pending.get() is not None:
        yield
        return
    pending: list[tuple[AuditEvent, _Kept]] = []
    token = _pending.set(pending)
    try:
        yield
    except BaseException:
        _pending.reset(token)
        raise
    _pending.reset(token)
    # Django keeps a transaction's commit callbacks in `run_on_commit`, less those of savepoints
    # rolled back (documented behaviour of on_commit; the list itself is Django's).
    alive = {id(callback) for _, callback, *_ in connection.run_on_commit}
    chain.append([event for event, kept in pending if id(kept) in alive])


def in_transaction() -> bool:
    return bool(transaction.get_connection().in_atomic_block)


# --- the chain's own events ---------------------------------------------------------------------

# Who runs the chain's checks and exports when no person does (the command without --user).
AUDIT_TOOL = SystemActor("audit")


def head_export(*, actor: Any, directory: Any = None) -> chain.ExportedHead:
    """Write the chain's current head to a file (AUDIT_HEAD_EXPORT_DIR) and record that it was
    exported, with the head, as the next row of the chain itself. The file is the evidence:
    kept where the database's users cannot write, it shows a rewritten table
    (`sightline audit verify --against FILE`)."""
    exported = chain.head_write(directory)
    record(
        actor,
        AuditAction.AUDIT_HEAD_EXPORTED,
        object_type="audit_chain",
        object_id=exported.head.seq,
        purpose="export the audit chain's head",
        detail={**exported.head.as_json(), "file": exported.path.name},
    )
    return exported


def verify_record(*, actor: Any, report: chain.Report, against: int = 0) -> None:
    """Record a check of the chain and what it found (after the walk: the row is not part of
    what it checked)."""
    record(
        actor,
        AuditAction.AUDIT_VERIFIED,
        object_type="audit_chain",
        object_id=report.last.seq,
        purpose="verify the audit chain",
        detail={
            "rows": report.rows,
            "ok": report.ok,
            "problem": report.problem.text() if report.problem else "",
            "heads_checked": against,
            "heads_not_on_chain": sum(not h.ok for h in report.heads),
        },
    )
