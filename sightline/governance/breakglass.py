"""Break-glass: a practitioner opening a child outside their relationships, for a stated reason,
for a limited time (docs/access.md, Break-glass; docs/adr/0022-break-glass.md).

- Only a role with `break_glass` may, and only for a child they cannot already see.
- The access is the practitioner's alone (not their agency's), from now until
  BREAK_GLASS_MINUTES later, or until it is ended early by them or by a reviewer. The access
  module reads these rows (access.break_glass_current): nothing else grants it.
- Opening it is audited (`break_glass`, with the reason); every page seen under it is audited
  with the purpose "break-glass: <reason>: <text>" (audit.record asks access.purpose_for).
- Every use is listed for the information governance review (`break_glass_uses_for`), and
  reviewed once (`break_glass_review`). Telling the child's lead practitioner and the
  information governance lead is the caller's (cases.lockdown knows who they are).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet

from sightline.core import clock
from sightline.core.errors import AccessDenied, NotFound, ValidationFailed
from sightline.core.text import CONTROL_MULTILINE
from sightline.governance import access, audit
from sightline.governance.audit import AuditAction
from sightline.governance.models import BreakGlass
from sightline.governance.policy import Capability
from sightline.governance.vocabulary import break_glass_reasons

REASON_TEXT_MAX = 1000
REVIEW_NOTE_MAX = 2000
PER_PAGE = 50
PURPOSE_REVIEW = "auditor review: break-glass use"


class ReviewOutcome:
    APPROPRIATE = "appropriate"
    NOT_APPROPRIATE = "not_appropriate"
    LABELS = {
        APPROPRIATE: "Appropriate: the reason justified the access",
        NOT_APPROPRIATE: "Not appropriate: to be taken up with the practitioner's agency",
    }


def minutes() -> int:
    """BREAK_GLASS_MINUTES: how long a break-glass access lasts (at least one minute)."""
    return max(1, int(getattr(settings, "BREAK_GLASS_MINUTES", 240) or 240))


def duration_text() -> str:
    """How long a break-glass access lasts, as the pages say it: "4 hours", "90 minutes"."""
    total = minutes()
    if total % 60:
        return f"{total} minute{'' if total == 1 else 's'}"
    hours = total // 60
    return f"{hours} hour{'' if hours == 1 else 's'}"


def _check_text(errors: dict[str, str], field: str, text: str, *, label: str, limit: int) -> str:
    text = text.strip() if isinstance(text, str) else ""
    if not text:
        errors[field] = f"Enter {label}"
    elif len(text) > limit:
        errors[field] = f"{label[0].upper()}{label[1:]} must be {limit:,} characters or fewer"
    elif CONTROL_MULTILINE.search(text):
        errors[field] = f"{label[0].upper()}{label[1:]} must not contain control characters"
    return text


def break_glass_open(*, actor: Any, person_id: int, reason: str, reason_text: str) -> BreakGlass:
    """Open break-glass access to a child for the actor, now, for BREAK_GLASS_MINUTES.

    ValidationFailed (errors by field: `reason`, `reason_text`) for a reason not on the list
    or text missing, too long or with control characters; AccessDenied for a role without
    `break_glass`; NotFound for a child the actor can already see (they need no glass broken)
    or who does not exist. Asked again while an access to the child counts, it returns that
    one unchanged: a second press of the button is not a second use."""
    scope = access.require(actor, Capability.BREAK_GLASS)
    user_id = scope.user_id
    if (
        user_id is None
        or scope.agency_id is None
        or not scope.can(Capability.VIEW_GRANTED_CHILDREN)
    ):
        raise AccessDenied("You do not have permission to do that.")
    errors: dict[str, str] = {}
    reason = reason.strip() if isinstance(reason, str) else ""
    if reason not in break_glass_reasons():
        errors["reason"] = "Select why you need to open this child's record"
    text = _check_text(
        errors, "reason_text", reason_text, label="why you need it now", limit=REASON_TEXT_MAX
    )
    if errors:
        raise ValidationFailed("Say why you need to open this child's record", errors=errors)
    with transaction.atomic():
        # Two presses at the same moment (two connections) must be one use: the practitioner's
        # row is locked, so the second waits and then finds the first's access.
        list(get_user_model().objects.select_for_update().filter(pk=user_id).values("pk"))
        current = (
            access.break_glass_current(scope)
            .select_for_update()
            .filter(person_id=person_id)
            .order_by("-started_at")
            .first()
        )
        if current is not None:
            return current
        if access._granted(scope, person_id):
            raise NotFound(access.NOT_FOUND_MESSAGE)
        now = clock.now()
        row = BreakGlass.objects.create(
            user_id=user_id,
            person_id=person_id,
            role=scope.role or "",
            agency_id=scope.agency_id,
            reason=reason,
            reason_text=text,
            started_at=now,
            ends_at=now + dt.timedelta(minutes=minutes()),
        )
        audit.record(
            actor,
            AuditAction.BREAK_GLASS,
            object_type="break_glass",
            object_id=row.pk,
            person_id=person_id,
            purpose=access.break_glass_purpose(row),
            detail={
                "reason": reason,
                "ends_at": row.ends_at.isoformat(),
                "minutes": minutes(),
            },
        )
    access.forget_cached(actor)
    return row


def _get(access_id: int) -> BreakGlass:
    row = BreakGlass.objects.select_related("user", "person", "agency").filter(pk=access_id).first()
    if row is None:
        raise NotFound("No such break-glass access.")
    return row


def break_glass_end(*, actor: Any, access_id: int) -> BreakGlass:
    """End a break-glass access now: the practitioner's own (they have finished), or any, by a
    reviewer (`audit_access`). Another practitioner's is not found. Ending one that has already
    ended changes nothing."""
    scope = access.scope_for(actor)
    row = _get(access_id)
    reviewer = scope.can(Capability.AUDIT_ACCESS)
    if row.user_id != scope.user_id and not reviewer:
        raise NotFound("No such break-glass access.")
    with transaction.atomic():
        row = BreakGlass.objects.select_for_update().get(pk=row.pk)
        now = clock.now()
        if row.until <= now:
            return row
        row.ended_at = now
        row.ended_by_id = scope.user_id
        row.save(update_fields=["ended_at", "ended_by"])
        audit.record(
            actor,
            AuditAction.BREAK_GLASS_ENDED,
            object_type="break_glass",
            object_id=row.pk,
            person_id=row.person_id,
            purpose=PURPOSE_REVIEW if reviewer and row.user_id != scope.user_id else "",
            detail={"by": "reviewer" if row.user_id != scope.user_id else "practitioner"},
        )
    access.forget_cached(actor)
    return row


def break_glass_review(*, actor: Any, access_id: int, outcome: str, note: str) -> BreakGlass:
    """Record the information governance review of a break-glass use (once)."""
    access.require(actor, Capability.AUDIT_ACCESS)
    errors: dict[str, str] = {}
    if outcome not in ReviewOutcome.LABELS:
        errors["outcome"] = "Select whether the access was appropriate"
    note = _check_text(errors, "note", note, label="what you found", limit=REVIEW_NOTE_MAX)
    if errors:
        raise ValidationFailed("The review could not be recorded", errors=errors)
    with transaction.atomic():
        row = BreakGlass.objects.select_for_update().filter(pk=access_id).first()
        if row is None:
            raise NotFound("No such break-glass access.")
        if row.reviewed_at is not None:
            raise ValidationFailed(
                "This use has already been reviewed",
                errors={"outcome": "This use has already been reviewed"},
            )
        row.reviewed_at = clock.now()
        row.reviewed_by_id = actor.pk
        row.review_outcome = outcome
        row.review_note = note
        row.save(update_fields=["reviewed_at", "reviewed_by", "review_outcome", "review_note"])
        audit.record(
            actor,
            AuditAction.BREAK_GLASS_REVIEWED,
            object_type="break_glass",
            object_id=row.pk,
            person_id=row.person_id,
            purpose=PURPOSE_REVIEW,
            detail={"outcome": outcome},
        )
    return row


# --- reads ----------------------------------------------------------------------------------------


def break_glass_banner_for(*, viewer: Any) -> list[BreakGlass]:
    """The viewer's own break-glass accesses that count now (the banner on every page). Their
    own record of what they opened: not a read of case data, so not audited."""
    scope = access.scope_for(viewer)
    if not access.break_glass_held(viewer):  # no query when none: the access check read it
        return []
    return list(access.break_glass_current(scope).select_related("person").order_by("ends_at"))


def break_glass_ended_for(*, viewer: Any, reference: str) -> BreakGlass | None:
    """The viewer's latest break-glass access to the child with this reference, if it has
    ended: a page of that child they reload after the end is then explained, not a bare "not
    found". Their own record of what they opened (as the banner), so not audited; a child they
    never opened gives None, and the caller refuses as before."""
    scope = access.scope_for(viewer)
    if scope.user_id is None or not isinstance(reference, str) or not reference:
        return None
    row = (
        BreakGlass.objects.filter(user_id=scope.user_id, person__reference=reference[:40])
        .select_related("person")
        .order_by("-started_at", "-id")
        .first()
    )
    return row if row is not None and row.until <= clock.now() else None


@dataclass
class UsesPage:
    rows: list[BreakGlass]
    page: int
    pages: int
    total: int
    waiting: int  # not yet reviewed, of every use


def _uses(reviewed: bool | None) -> QuerySet[BreakGlass]:
    rows = BreakGlass.objects.select_related("user", "person", "agency", "reviewed_by")
    if reviewed is not None:
        rows = rows.filter(reviewed_at__isnull=not reviewed)
    return rows.order_by("-started_at", "-id")


def break_glass_uses_for(*, viewer: Any, reviewed: bool | None = False, page: int = 1) -> UsesPage:
    """Break-glass uses for the information governance review: those not yet reviewed (the
    default), those reviewed, or all; newest first. Audited (`break_glass_listed`)."""
    access.require(viewer, Capability.AUDIT_ACCESS)
    rows = _uses(reviewed)
    total = rows.count()
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(page, 1), pages)
    found = list(rows[(page - 1) * PER_PAGE : page * PER_PAGE])
    waiting = BreakGlass.objects.filter(reviewed_at__isnull=True).count()
    audit.record(
        viewer,
        AuditAction.BREAK_GLASS_LISTED,
        object_type="break_glass",
        purpose=PURPOSE_REVIEW,
        detail={
            "reviewed": "all" if reviewed is None else ("yes" if reviewed else "no"),
            "page": page,
            "result_count": total,
        },
    )
    return UsesPage(found, page, pages, total, waiting)


def break_glass_get_for(*, viewer: Any, access_id: int) -> BreakGlass:
    """One use, for its review (auditors only)."""
    access.require(viewer, Capability.AUDIT_ACCESS)
    return _get(access_id)
