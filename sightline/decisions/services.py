"""Writes of step up and step down requests: ask, give an agency's view, decide, withdraw.

- Anyone who may see the child and record entries asks, of another agency (the one that
  decides), saying why, what the risk is, and which entries of the child's story show it.
- Every other agency that knows the child may give its view while the request waits.
- The deciding agency decides (agreed or refused) with its reason and who took part; a step
  down is decided only once the decider has seen what is still open (open referrals, alerts,
  plans: core.extensions' open items). How long it took is kept, in working days.
- A refused step up is told to the requester with a one-click disagreement (the escalations
  app's raise page, with the decision as its subject).

Each write is atomic, audited, and an entry in the child's story. Two people deciding at once:
the request is locked and the second is told who decided first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from sightline.accounts.models import User
from sightline.accounts.services import notification_send
from sightline.agencies.models import Agency
from sightline.cases import recipients
from sightline.chronology.models import ChronologyEntry
from sightline.chronology.selectors import child_get_for, entry_get_for
from sightline.chronology.services import entry_record
from sightline.chronology.system_entries import happened_now
from sightline.core import clock
from sightline.core.actors import actor_user
from sightline.core.dates import MONTHS
from sightline.core.errors import AccessDenied, InvalidTransition, NotFound, ValidationFailed
from sightline.core.extensions import OpenItem, open_items_for
from sightline.core.textfields import check_text
from sightline.core.workingdays import england
from sightline.decisions.levels import levels_on
from sightline.decisions.models import AgencyView, StepEvidence, StepRequest
from sightline.governance import access, audit
from sightline.governance.audit import AuditAction
from sightline.governance.models import AccessGrant
from sightline.governance.policy import Capability
from sightline.people.models import Person

EVIDENCE_MAX = 20
# A deciding agency that does not know the child yet sees them for this long, to decide.
DECIDER_ACCESS_DAYS = 90


def long_date(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def disagree_url(request: StepRequest) -> str:
    """The escalations app's raise page with this decision as its subject (linked by URL name:
    this app sits below escalations and never imports it)."""
    base = reverse("escalations:new", args=[request.person.reference])
    return f"{base}?{urlencode({'subject': f'step_decision:{request.pk}'})}"


def _tell(
    users: Iterable[User], *, key: str, subject: str, body: str, url: str, actor: Any
) -> None:
    skip = getattr(actor_user(actor), "pk", None)
    seen: set[int] = set()
    for user in users:
        if user.pk in seen or user.pk == skip:
            continue
        seen.add(user.pk)
        notification_send(
            recipient=user, key=f"{key}:{user.pk}", subject=subject[:200], body=body, url=url,
            actor=actor,
        )  # fmt: skip


def _open_json(items: Sequence[OpenItem]) -> list[dict[str, str]]:
    return [
        {"kind": i.kind, "title": i.title, "agency": i.agency, "status": i.status, "url": i.url}
        for i in items
    ]


# --- ask ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepFields:
    from_level: str
    to_level: str
    deciding_agency_id: int | None
    reason: str
    risk: str
    evidence: Sequence[int] = field(default_factory=tuple)


def step_request_make(*, actor: Any, person: Person, fields: StepFields) -> StepRequest:
    """Ask another agency to step the child up or down a level of need."""
    scope = access.require(actor, Capability.RECORD_ENTRIES)
    child = child_get_for(viewer=actor, reference=person.reference)
    now = clock.now()
    levels = levels_on(timezone.localdate(now))
    errors: dict[str, str] = {}
    current = levels.get(fields.from_level)
    wanted = levels.get(fields.to_level)
    if current is None:
        errors["from_level"] = "Select the level of need the child is at now"
    if wanted is None:
        errors["to_level"] = "Select the level of need you are asking for"
    elif current is not None and wanted.code == current.code:
        errors["to_level"] = "Select a different level from the one the child is at now"
    deciding = (
        Agency.objects.filter(pk=fields.deciding_agency_id).first()
        if fields.deciding_agency_id is not None
        else None
    )
    if deciding is None:
        errors["deciding_agency"] = "Select the agency you are asking to decide"
    elif deciding.pk == scope.agency_id:
        errors["deciding_agency"] = (
            "Select another agency: a step up or step down is a decision between agencies"
        )
    reason = check_text(
        errors, "reason", fields.reason, missing="Enter why you are asking", name="Why"
    )
    risk = check_text(
        errors, "risk", fields.risk, missing="Enter what the risk to the child is", name="The risk"
    )
    evidence: list[ChronologyEntry] = []
    wanted_ids = list(dict.fromkeys(fields.evidence))
    if len(wanted_ids) > EVIDENCE_MAX:
        errors["evidence"] = f"Select at most {EVIDENCE_MAX} entries"
    else:
        for entry_id in wanted_ids:
            try:
                row = entry_get_for(viewer=actor, child=child, entry_id=entry_id)
            except NotFound:
                errors["evidence"] = "Select entries from this child's story"
                break
            if row.entry.superseded_at is not None or row.entry.entered_in_error:
                errors["evidence"] = "Select current entries (not corrected or withdrawn ones)"
                break
            evidence.append(row.entry)
    if errors:
        raise ValidationFailed("Check the request", errors=errors)
    assert current is not None
    assert wanted is not None
    assert deciding is not None
    assert scope.agency_id is not None  # a recording role always has an agency
    direction = StepRequest.Direction.UP if wanted.level > current.level else "down"
    user = actor_user(actor)
    membership = getattr(user, "membership", None)
    with transaction.atomic():
        request = StepRequest.objects.create(
            person=person,
            direction=direction,
            levels_version=levels.version,
            from_level=current.code,
            to_level=wanted.code,
            requested_by=user,
            requesting_agency_id=scope.agency_id,
            requesting_team_id=membership.team_id if membership else None,
            deciding_agency=deciding,
            reason=reason,
            risk=risk,
            requested_at=now,
        )
        StepEvidence.objects.bulk_create(StepEvidence(request=request, entry=e) for e in evidence)
        if not access.can_view_person(_agency_viewer(deciding), person.pk):
            access.grant(
                person_id=person.pk,
                agency_id=deciding.pk,
                basis=AccessGrant.Basis.MANUAL,
                ends_on=timezone.localdate(now) + dt.timedelta(days=DECIDER_ACCESS_DAYS),
            )
        mine = Agency.objects.get(pk=scope.agency_id).name
        what = "step up" if direction == StepRequest.Direction.UP else "step down"
        entry_record(
            actor=actor,
            person=person,
            fields=happened_now(
                "step_up_requested" if direction == StepRequest.Direction.UP else (
                    "threshold_discussion"
                ),
                f"{mine} asked {deciding.name} to {what} from {current.label} to {wanted.label}.",
                f"Why: {reason}\n\nThe risk: {risk}",
            ),
        )  # fmt: skip
        audit.record(
            actor,
            AuditAction.STEP_REQUESTED,
            object_type="step_request",
            object_id=request.pk,
            person_id=person.pk,
            detail={
                "direction": direction,
                "from": current.code,
                "to": wanted.code,
                "deciding_agency": deciding.pk,
                "levels_version": levels.version,
                "evidence": [e.pk for e in evidence],
            },
        )
        deciders = [
            *recipients.practitioners_for(person_id=person.pk, agency_id=deciding.pk),
            *recipients.managers_for(person_id=person.pk, agency_id=deciding.pk),
        ]
        _tell(
            deciders,
            key=f"step:{request.pk}:requested",
            subject=f"{mine} asks {deciding.name} to decide a {what}",
            body=(
                f"{mine} asks {deciding.name} to {what} a child from {current.label} to "
                f"{wanted.label}. Read why, and the evidence, then decide."
            ),
            url=reverse("decisions:request", args=[request.pk]),
            actor=actor,
        )
    return request


def _agency_viewer(agency: Agency) -> access.Scope:
    """A scope for "anyone in this agency", to ask whether the agency can see a child."""
    return access.Scope(
        user_id=None,
        role=None,
        agency_id=agency.pk,
        agency_kind=agency.kind,
        team_id=None,
        capabilities=frozenset({Capability.VIEW_GRANTED_CHILDREN}),
    )


# --- views, decision, withdrawal -------------------------------------------------------------------


def _lock(request: StepRequest) -> StepRequest:
    locked = (
        StepRequest.objects.select_for_update(of=("self",))
        .select_related("person", "deciding_agency", "requesting_agency", "decided_by")
        .filter(pk=request.pk)
        .first()
    )
    if locked is None:
        raise NotFound("No step request found with that number.")
    return locked


def _still_waiting(request: StepRequest) -> None:
    if request.status == StepRequest.Status.WAITING:
        return
    if request.status == StepRequest.Status.WITHDRAWN:
        raise InvalidTransition("This request was withdrawn, so it cannot be changed.")
    by = request.decided_by.display_name if request.decided_by else "someone"
    when = timezone.localtime(request.decided_at) if request.decided_at else clock.now()
    raise InvalidTransition(
        f"This request was already decided ({request.get_status_display().lower()}) by {by} at "
        f"{when:%H:%M} on {long_date(when.date())}."
    )


def step_view_give(*, actor: Any, request: StepRequest, view: str, comment: str) -> AgencyView:
    """An agency's view of a waiting request (given again, it replaces the last)."""
    access.require_person(actor, request.person_id)
    scope = access.require(actor, Capability.RECORD_ENTRIES)
    errors: dict[str, str] = {}
    if view not in AgencyView.View.values:
        errors["view"] = "Select your agency's view"
    text = check_text(
        errors,
        "comment",
        comment,
        missing="Enter why your agency holds this view",
        name="Why",
        required=view == AgencyView.View.OPPOSES,
    )
    with transaction.atomic():
        locked = _lock(request)
        _still_waiting(locked)
        if scope.agency_id == locked.deciding_agency_id:
            raise AccessDenied(
                f"{locked.deciding_agency.name} decides this request: record the decision instead."
            )
        if errors:
            raise ValidationFailed("Check your agency's view", errors=errors)
        given, _ = AgencyView.objects.update_or_create(
            request=locked,
            agency_id=scope.agency_id,
            defaults={
                "given_by": actor_user(actor),
                "given_at": clock.now(),
                "view": view,
                "comment": text,
            },
        )
        audit.record(
            actor,
            AuditAction.STEP_VIEW_GIVEN,
            object_type="step_request",
            object_id=locked.pk,
            person_id=locked.person_id,
            detail={"view": view},
        )
    return given


@dataclass(frozen=True)
class DecisionFields:
    decision: str  # agreed | refused
    reason: str
    participants: str = ""
    discussed_on: dt.date | None = None
    open_items_seen: bool = False


def open_items_of(actor: Any, request: StepRequest) -> list[OpenItem]:
    """What is still open for the child, as the actor may see it (shown before a step down)."""
    return open_items_for(actor, request.person)


def step_decide(*, actor: Any, request: StepRequest, fields: DecisionFields) -> StepRequest:
    """The deciding agency agrees or refuses the request, with its reason."""
    access.require_person(actor, request.person_id)
    scope = access.require(actor, Capability.RECORD_ENTRIES)
    errors: dict[str, str] = {}
    if fields.decision not in (StepRequest.Status.AGREED, StepRequest.Status.REFUSED):
        errors["decision"] = "Select the decision"
    reason = check_text(
        errors, "reason", fields.reason, missing="Enter the reason for the decision",
        name="The reason",
    )  # fmt: skip
    participants = check_text(
        errors, "participants", fields.participants,
        missing="Enter who took part in the decision", name="Who took part", max_length=1000,
    )  # fmt: skip
    today = clock.today()
    if fields.discussed_on is not None and fields.discussed_on > today:
        errors["discussed_on"] = "The date it was discussed must be today or in the past"
    with transaction.atomic():
        locked = _lock(request)
        _still_waiting(locked)
        if scope.agency_id != locked.deciding_agency_id:
            raise AccessDenied(
                f"Only {locked.deciding_agency.name}, which was asked, can decide this request. "
                "You can give your agency's view."
            )
        items = open_items_of(actor, locked) if locked.direction == "down" else []
        if items and fields.decision == StepRequest.Status.AGREED and not fields.open_items_seen:
            errors["open_items_seen"] = (
                "Confirm you have considered what is still open for the child before agreeing "
                "the step down"
            )
        if fields.discussed_on is not None and fields.discussed_on < timezone.localdate(
            locked.requested_at
        ):
            errors["discussed_on"] = "The date it was discussed must be on or after the request"
        if errors:
            raise ValidationFailed("Check the decision", errors=errors)
        now = clock.now()
        taken = england().working_days_between(
            timezone.localdate(locked.requested_at), timezone.localdate(now)
        )
        StepRequest.objects.filter(pk=locked.pk, status=StepRequest.Status.WAITING).update(
            status=fields.decision,
            decided_at=now,
            decided_by=actor_user(actor),
            decision_reason=reason,
            participants=participants,
            discussed_on=fields.discussed_on,
            working_days_taken=taken,
            open_items=_open_json(items),
            revision=locked.revision + 1,
        )
        locked.refresh_from_db()
        levels = levels_on(timezone.localdate(locked.requested_at))
        to_label = (levels.get(locked.to_level) or levels.levels[0]).label
        agency = locked.deciding_agency.name
        up = locked.direction == StepRequest.Direction.UP
        agreed = fields.decision == StepRequest.Status.AGREED
        kind = {
            (True, True): "threshold_discussion",
            (True, False): "step_up_refused",
            (False, True): "step_down",
            (False, False): "threshold_discussion",
        }[(up, agreed)]
        what = "step up" if up else "step down"
        verb = "agreed" if agreed else "refused"
        entry_record(
            actor=actor,
            person=locked.person,
            fields=happened_now(
                kind,
                f"{agency} {verb} the {what} to {to_label} asked for by "
                f"{locked.requesting_agency.name} ({taken} working "
                f"{'day' if taken == 1 else 'days'} after it was asked).",
                f"Reason: {reason}\n\nWho took part: {participants}",
            ),
        )
        audit.record(
            actor,
            AuditAction.STEP_DECIDED,
            object_type="step_request",
            object_id=locked.pk,
            person_id=locked.person_id,
            detail={"decision": fields.decision, "working_days": taken, "open_items": len(items)},
        )
        body = f"{agency} {verb} the {what} to {to_label} that your agency asked for."
        if up and not agreed:
            body += (
                "\n\nIf you disagree, raise a professional disagreement: the decision's page "
                "has a button that starts one with the decision filled in."
            )
        _tell(
            [locked.requested_by],
            key=f"step:{locked.pk}:decided",
            subject=f"{agency} {verb} your agency's {what} request",
            body=body,
            url=reverse("decisions:request", args=[locked.pk]),
            actor=actor,
        )
    return locked


def step_withdraw(*, actor: Any, request: StepRequest, reason: str) -> StepRequest:
    """The requesting agency withdraws a waiting request."""
    access.require_person(actor, request.person_id)
    scope = access.require(actor, Capability.RECORD_ENTRIES)
    errors: dict[str, str] = {}
    text = check_text(
        errors, "reason", reason, missing="Enter why you are withdrawing it", name="The reason"
    )
    with transaction.atomic():
        locked = _lock(request)
        _still_waiting(locked)
        if scope.agency_id != locked.requesting_agency_id:
            raise AccessDenied(
                f"Only {locked.requesting_agency.name}, which asked, can withdraw this request."
            )
        if errors:
            raise ValidationFailed("Check the reason", errors=errors)
        StepRequest.objects.filter(pk=locked.pk, status=StepRequest.Status.WAITING).update(
            status=StepRequest.Status.WITHDRAWN,
            decision_reason=text,
            decided_at=clock.now(),
            decided_by=actor_user(actor),
            revision=locked.revision + 1,
        )
        audit.record(
            actor,
            AuditAction.STEP_WITHDRAWN,
            object_type="step_request",
            object_id=locked.pk,
            person_id=locked.person_id,
        )
    locked.refresh_from_db()
    return locked
