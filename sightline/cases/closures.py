"""Closure agreement: an agency ending its involvement with a child proposes it to every other
agency that knows the child, who have an objection window (the closure.objection_window
timescale, in working days). An objection blocks the closure and opens a professional
disagreement (announced with `signals.closure_objected`: the escalations app, above this one,
opens it). Closing for non-engagement needs a recorded multi-agency discussion of the risk.
When the window passes with no objection the involvement ends (`closures_take_effect`, a
periodic job), and with it the agency's access, after the grace period, as for any involvement.

"Last agency standing" (`last_agency_check`): a child with open alerts whom only one agency is
still working with is flagged, for that agency's team managers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from sightline.accounts.models import User
from sightline.accounts.services import notification_send
from sightline.agencies.models import Agency
from sightline.cases import recipients
from sightline.cases.models import ClosureProposal, ClosureResponse, Involvement, LastAgencyFlag
from sightline.cases.signals import announce_closure_objected
from sightline.chronology.models import ChronologyEntry
from sightline.chronology.selectors import child_get_for
from sightline.chronology.services import EntryFields, entry_record
from sightline.chronology.system_entries import entry_record_by_system, happened_now
from sightline.core import clock
from sightline.core.actors import CLOCK, actor_user
from sightline.core.dates import LONDON, MONTHS, PartialDate, Precision
from sightline.core.errors import AccessDenied, InvalidTransition, NotFound, ValidationFailed
from sightline.core.extensions import OpenItem, open_items_for, people_with_open
from sightline.core.textfields import check_text
from sightline.core.timescales import is_overdue, timescale_for
from sightline.core.workingdays import england
from sightline.governance import access, audit
from sightline.governance.audit import AuditAction
from sightline.governance.models import AccessGrant
from sightline.governance.policy import Capability
from sightline.people.models import Person

WINDOW = "closure.objection_window"
# Entry types that record a multi-agency discussion (a closure for non-engagement needs one).
DISCUSSION_TYPES = (
    "multi_agency_meeting",
    "strategy_discussion",
    "mash_discussion",
    "mace_discussion",
    "threshold_discussion",
    "core_group",
    "cin_review",
    "cp_conference",
)
# A discussion older than this does not speak to the risk now.
DISCUSSION_MAX_AGE = dt.timedelta(days=92)


def long_date(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _open_items_json(items: Sequence[OpenItem]) -> list[dict[str, str]]:
    return [
        {"kind": i.kind, "title": i.title, "agency": i.agency, "status": i.status, "url": i.url}
        for i in items
    ]


def _current(involvement: Involvement, today: dt.date) -> bool:
    started = involvement.started_on is None or involvement.started_on <= today
    return started and (involvement.ended_on is None or involvement.ended_on >= today)


def involvement_to_close(actor: Any, person: Person) -> Involvement | None:
    """The actor's agency's current involvement with the child (their own team's first)."""
    scope = access.scope_for(actor)
    if scope.agency_id is None:
        return None
    today = clock.today()
    rows = [
        i for i in recipients.current_involvements(person.pk, scope.agency_id) if _current(i, today)
    ]
    rows.sort(key=lambda i: (i.team_id != scope.team_id, not i.is_lead, i.pk))
    return rows[0] if rows else None


def agencies_knowing(person_id: int, *, today: dt.date | None = None) -> list[Agency]:
    """Every agency that may see the child today (an involvement, records it holds, a grant):
    those who are told of a closure and may object."""
    today = today or clock.today()
    ids = set(
        AccessGrant.objects.filter(person_id=person_id)
        .filter(access.current_q(today))
        .values_list("agency_id", flat=True)
    )
    ids |= {i.agency_id for i in recipients.current_involvements(person_id)}
    counting = [
        agency_id
        for agency_id in sorted(ids)
        if access.grants_counting(agency_id=agency_id, today=today)
        .filter(person_id=person_id)
        .exists()
    ]
    return list(Agency.objects.filter(pk__in=counting).order_by("name"))


def discussions_for(actor: Any, person: Person) -> list[ChronologyEntry]:
    """Recorded multi-agency discussions in the child's story the actor may read, newest
    first, from the last three months (what a closure for non-engagement may rest on)."""
    from sightline.chronology.filters import StoryFilters
    from sightline.chronology.selectors import StoryRow, story_for

    child = child_get_for(viewer=actor, reference=person.reference)
    since = clock.now() - DISCUSSION_MAX_AGE
    out = []
    for kind in DISCUSSION_TYPES:
        page = story_for(viewer=actor, child=child, filters=StoryFilters(type=kind), per_page=20)
        out += [
            row.entry
            for row in page.rows
            if isinstance(row, StoryRow)
            and not row.entry.entered_in_error
            and row.entry.occurred_at >= since
        ]
    return sorted(out, key=lambda e: e.occurred_at, reverse=True)


# --- propose ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Discussion:
    """A multi-agency discussion recorded with the proposal (when none is in the story yet)."""

    held_on: dt.date | None
    participants: str
    summary: str


@dataclass(frozen=True)
class ClosureFields:
    reason: str
    reason_text: str
    remaining_risks: str
    next_step: str
    next_step_detail: str = ""
    discussion_entry_id: int | None = None
    discussion: Discussion | None = None


def _check(
    actor: Any, person: Person, fields: ClosureFields
) -> tuple[dict[str, str], dict[str, Any], ChronologyEntry | None]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    if fields.reason not in ClosureProposal.Reason.values:
        errors["reason"] = "Select why your agency is closing its involvement"
    values["reason_text"] = check_text(
        errors, "reason_text", fields.reason_text, missing="Enter the reason", name="The reason"
    )
    values["remaining_risks"] = check_text(
        errors,
        "remaining_risks",
        fields.remaining_risks,
        missing="Enter the risks that remain, or say that none remain",
        name="The risks that remain",
    )
    if fields.next_step not in ClosureProposal.NextStep.values:
        errors["next_step"] = "Select where the child goes next"
    values["next_step_detail"] = check_text(
        errors,
        "next_step_detail",
        fields.next_step_detail,
        missing="Enter which service",
        name="Which service",
        required=fields.next_step == ClosureProposal.NextStep.OTHER_SERVICE,
        max_length=500,
    )
    chosen: ChronologyEntry | None = None
    if fields.reason == ClosureProposal.Reason.NON_ENGAGEMENT:
        if fields.discussion_entry_id is not None:
            chosen = next(
                (e for e in discussions_for(actor, person) if e.pk == fields.discussion_entry_id),
                None,
            )
            if chosen is None:
                errors["discussion"] = (
                    "Select a multi-agency discussion from the last three months, or record one"
                )
        elif fields.discussion is not None:
            d = fields.discussion
            if d.held_on is None:
                errors["discussion_held_on"] = "Enter the date the discussion was held"
            elif d.held_on > clock.today():
                errors["discussion_held_on"] = "The discussion must be today or in the past"
            elif d.held_on < clock.today() - DISCUSSION_MAX_AGE:
                errors["discussion_held_on"] = (
                    "The discussion must be from the last three months: hold one now"
                )
            check_text(
                errors,
                "discussion_participants",
                d.participants,
                missing="Enter who took part (names and agencies)",
                name="Who took part",
                max_length=1000,
            )
            check_text(
                errors,
                "discussion_summary",
                d.summary,
                missing="Enter what was said about the risk",
                name="What was said about the risk",
                max_length=1000,
            )
        else:
            errors["discussion"] = (
                "Closing because the child or family are not engaging needs a multi-agency "
                "discussion of the risk: select one, or record it"
            )
    return errors, values, chosen


def closure_propose(*, actor: Any, person: Person, fields: ClosureFields) -> ClosureProposal:
    """Propose that the actor's agency ends its involvement with the child. Every other agency
    that knows the child is told and may object until the window's last day."""
    access.require(actor, Capability.RECORD_ENTRIES)
    access.require_person(actor, person.pk)
    involvement = involvement_to_close(actor, person)
    if involvement is None:
        raise InvalidTransition(
            "Your agency has no current involvement with this child to close. If an "
            "involvement is shown, it is recorded in another agency's system: ask them."
        )
    errors, values, chosen = _check(actor, person, fields)
    if errors:
        raise ValidationFailed("Check the proposal", errors=errors)
    now = clock.now()
    timescale = timescale_for(WINDOW, now)
    ends = timescale.deadline(now, england())
    window_ends_on = ends if not isinstance(ends, dt.datetime) else timezone.localdate(ends)
    items = open_items_for(actor, person)
    agency = involvement.agency
    with transaction.atomic():
        discussion = chosen
        if fields.reason == ClosureProposal.Reason.NON_ENGAGEMENT and chosen is None:
            d = fields.discussion
            assert d is not None
            assert d.held_on is not None
            discussion = entry_record(
                actor=actor,
                person=person,
                fields=EntryFields(
                    type="multi_agency_meeting",
                    occurred=PartialDate(
                        dt.datetime.combine(d.held_on, dt.time.min, tzinfo=LONDON),
                        Precision.DAY,
                        False,
                    ),
                    summary=(
                        "Multi-agency discussion of the risk before closing for "
                        f"non-engagement: {d.summary.strip()}"
                    )[:1000],
                    detail=f"Who took part: {d.participants.strip()}",
                    grade=ChronologyEntry.Grade.PROFESSIONAL_OPINION,
                ),
            )
        try:
            with transaction.atomic():
                proposal = ClosureProposal.objects.create(
                    involvement=involvement,
                    person=person,
                    agency=agency,
                    team=involvement.team,
                    proposed_by=actor_user(actor),
                    proposed_at=now,
                    reason=fields.reason,
                    next_step=fields.next_step,
                    open_items=_open_items_json(items),
                    discussion_entry=discussion,
                    window_ends_on=window_ends_on,
                    timescale_key=timescale.key,
                    timescale_version=timescale.version,
                    **values,
                )
        except IntegrityError:
            raise InvalidTransition(
                f"{agency.name} has already proposed to close this involvement. Open the "
                "proposal on the child's page to follow it."
            ) from None
        next_step = ClosureProposal.NextStep(fields.next_step).label
        if values["next_step_detail"]:
            next_step += f" ({values['next_step_detail']})"
        open_text = (
            "Still open: " + "; ".join(f"{i.title} ({i.agency})" for i in items)
            if items
            else "Nothing else is recorded as open."
        )
        entry_record(
            actor=actor,
            person=person,
            fields=happened_now(
                "closure_proposed",
                f"{agency.name} proposed to close its involvement "
                f"({ClosureProposal.Reason(fields.reason).label[:1].lower()}"
                f"{ClosureProposal.Reason(fields.reason).label[1:]}). Next: {next_step}. Other "
                f"agencies may object until the end of {long_date(window_ends_on)}.",
                f"Reason: {values['reason_text']}\n\nRisks that remain: "
                f"{values['remaining_risks']}\n\n{open_text}",
            ),
        )
        audit.record(
            actor,
            AuditAction.CLOSURE_PROPOSED,
            object_type="closure_proposal",
            object_id=proposal.pk,
            person_id=person.pk,
            detail={
                "involvement": involvement.pk,
                "reason": fields.reason,
                "next_step": fields.next_step,
                "window_ends_on": window_ends_on.isoformat(),
                "timescale": timescale.label,
                "open_items": len(items),
                "discussion_entry": discussion.pk if discussion else None,
            },
        )
        others = [a for a in agencies_knowing(person.pk) if a.pk != agency.pk]
        url = reverse("cases:closure", args=[proposal.pk])
        for other in others:
            _tell(
                recipients.practitioners_for(person_id=person.pk, agency_id=other.pk),
                key=f"closure:{proposal.pk}:proposed",
                subject=f"{agency.name} proposes to close its involvement with a child",
                body=(
                    f"{agency.name} proposes to close its involvement with a child your agency "
                    "knows. Read its reasons and the risks that remain. If you object, say so by "
                    f"the end of {long_date(window_ends_on)}: an objection blocks the closure."
                ),
                url=url,
                actor=actor,
            )
    return proposal


def _tell(
    users: Iterable[User], *, key: str, subject: str, body: str, url: str, actor: Any
) -> None:
    skip = getattr(actor_user(actor), "pk", None)
    for user in users:
        if user.pk != skip:
            notification_send(
                recipient=user,
                key=f"{key}:{user.pk}",
                subject=subject[:200],
                body=body,
                url=url,
                actor=actor,
            )


# --- respond, withdraw -----------------------------------------------------------------------------


def _lock(proposal: ClosureProposal) -> ClosureProposal:
    locked = (
        ClosureProposal.objects.select_for_update(of=("self",))
        .select_related("agency", "person", "involvement")
        .filter(pk=proposal.pk)
        .first()
    )
    if locked is None:
        raise NotFound("No closure proposal found with that number.")
    return locked


def window_open(proposal: ClosureProposal, now: dt.datetime | None = None) -> bool:
    return not is_overdue(proposal.window_ends_on, now)


def closure_respond(
    *, actor: Any, proposal: ClosureProposal, kind: str, reason: str
) -> ClosureResponse:
    """Another agency answers a proposal within its window: an objection (which blocks the
    closure and opens a disagreement) or no objection. One answer per agency."""
    access.require_person(actor, proposal.person_id)
    scope = access.require(actor, Capability.RECORD_ENTRIES)
    errors: dict[str, str] = {}
    if kind not in ClosureResponse.Kind.values:
        errors["kind"] = "Select whether your agency objects to the closure"
    text = check_text(
        errors,
        "reason",
        reason,
        missing="Enter why your agency objects",
        name="The reason",
        required=kind == ClosureResponse.Kind.OBJECTION,
    )
    agency_id = scope.agency_id
    if agency_id is None:  # pragma: no cover - a recording role always has an agency
        raise AccessDenied("You need to belong to an agency to answer a proposal.")
    with transaction.atomic():
        locked = _lock(proposal)
        if agency_id == locked.agency_id:
            raise AccessDenied(
                f"This is {locked.agency.name}'s own proposal: other agencies answer it. You can "
                "withdraw it."
            )
        if locked.status in (ClosureProposal.Status.CLOSED, ClosureProposal.Status.WITHDRAWN):
            raise InvalidTransition(
                f"This proposal is {locked.get_status_display().lower()}, so it cannot be "
                "answered. If you are worried about the child now, raise a disagreement."
            )
        if not window_open(locked):
            raise InvalidTransition(
                f"The objection window closed at the end of {long_date(locked.window_ends_on)}."
                " If you are worried about the closure, raise a disagreement."
            )
        already = (
            ClosureResponse.objects.filter(proposal=locked, agency_id=agency_id)
            .select_related("responded_by")
            .first()
        )
        if already is not None:
            raise InvalidTransition(
                f"{already.responded_by.display_name} already answered for your agency "
                f"({already.get_kind_display().lower()}) at "
                f"{timezone.localtime(already.responded_at):%H:%M} on "
                f"{long_date(timezone.localdate(already.responded_at))}."
            )
        if kind == ClosureResponse.Kind.NO_OBJECTION and locked.status != "proposed":
            raise InvalidTransition(
                "Another agency has objected, so the closure is blocked: there is nothing to "
                "agree to now."
            )
        if errors:
            raise ValidationFailed("Check your answer", errors=errors)
        now = clock.now()
        try:
            with transaction.atomic():
                response = ClosureResponse.objects.create(
                    proposal=locked,
                    agency_id=agency_id,
                    responded_by=actor_user(actor),
                    responded_at=now,
                    kind=kind,
                    reason=text,
                )
        except IntegrityError:  # pragma: no cover - the lock above serialises answers
            raise InvalidTransition("Your agency has just answered this proposal.") from None
        mine = Agency.objects.get(pk=agency_id).name
        if kind == ClosureResponse.Kind.OBJECTION:
            ClosureProposal.objects.filter(pk=locked.pk).update(
                status=ClosureProposal.Status.BLOCKED, revision=locked.revision + 1
            )
            entry_record(
                actor=actor,
                person=locked.person,
                fields=happened_now(
                    "professional_disagreement",
                    f"{mine} objected to {locked.agency.name}'s proposal to close its "
                    "involvement. The closure is blocked, and a professional disagreement is "
                    "opened.",
                    f"Why: {text}",
                ),
            )
            announce_closure_objected(
                proposal_id=locked.pk, response_id=response.pk, person_id=locked.person_id
            )
        audit.record(
            actor,
            AuditAction.CLOSURE_ANSWERED,
            object_type="closure_proposal",
            object_id=locked.pk,
            person_id=locked.person_id,
            detail={"kind": kind, "response": response.pk},
        )
        proposers = [
            locked.proposed_by,
            *recipients.managers_for(
                person_id=locked.person_id, agency_id=locked.agency_id, team_id=locked.team_id
            ),
        ]
        objected = kind == ClosureResponse.Kind.OBJECTION
        _tell(
            proposers if objected else [locked.proposed_by],
            key=f"closure:{locked.pk}:answered:{response.pk}",
            subject=(
                f"{mine} objects to your agency's closure"
                if objected
                else f"{mine} does not object to your agency's closure"
            ),
            body=(
                f"{mine} objects to {locked.agency.name} closing its involvement with a child. "
                "The closure is blocked and a professional disagreement is opened."
                if objected
                else f"{mine} does not object to the closure."
            ),
            url=reverse("cases:closure", args=[locked.pk]),
            actor=actor,
        )
    return response


def closure_withdraw(*, actor: Any, proposal: ClosureProposal, reason: str) -> ClosureProposal:
    """The proposing agency withdraws its proposal (the involvement stays open)."""
    access.require_person(actor, proposal.person_id)
    scope = access.require(actor, Capability.RECORD_ENTRIES)
    errors: dict[str, str] = {}
    text = check_text(
        errors, "reason", reason, missing="Enter why you are withdrawing it", name="The reason"
    )
    with transaction.atomic():
        locked = _lock(proposal)
        if scope.agency_id != locked.agency_id:
            raise AccessDenied(f"Only {locked.agency.name}, which proposed it, can withdraw it.")
        if locked.status not in (ClosureProposal.Status.PROPOSED, ClosureProposal.Status.BLOCKED):
            raise InvalidTransition(
                f"This proposal is {locked.get_status_display().lower()}: it cannot be withdrawn."
            )
        if errors:
            raise ValidationFailed("Check the reason", errors=errors)
        now = clock.now()
        ClosureProposal.objects.filter(pk=locked.pk).update(
            status=ClosureProposal.Status.WITHDRAWN,
            withdrawn_at=now,
            withdrawn_by=actor_user(actor),
            revision=locked.revision + 1,
        )
        entry_record(
            actor=actor,
            person=locked.person,
            fields=happened_now(
                "closure_proposed",
                f"{locked.agency.name} withdrew its proposal to close its involvement; the "
                "involvement stays open.",
                f"Why: {text}",
            ),
        )
        audit.record(
            actor,
            AuditAction.CLOSURE_WITHDRAWN,
            object_type="closure_proposal",
            object_id=locked.pk,
            person_id=locked.person_id,
        )
    locked.refresh_from_db()
    return locked


# --- the clock -------------------------------------------------------------------------------------


def closures_take_effect(*, scope: Any, now: dt.datetime | None = None) -> list[int]:
    """End every involvement whose closure's window has passed with no objection: its last
    day is the window's last day (so access ends after the grace period, as for any ended
    involvement); the closure is an entry in the child's story; the agencies are told.
    Idempotent: the proposal moves from proposed to closed once (a conditional update)."""
    access.require_system(scope)
    now = now or clock.now()
    today = timezone.localdate(now)
    due = ClosureProposal.objects.filter(
        status=ClosureProposal.Status.PROPOSED, window_ends_on__lt=today
    )
    closed = []
    for pk in due.values_list("pk", flat=True).order_by("window_ends_on", "pk"):
        with transaction.atomic():
            locked = (
                ClosureProposal.objects.select_for_update(of=("self",))
                .select_related("agency", "person", "involvement", "proposed_by")
                .filter(pk=pk, status=ClosureProposal.Status.PROPOSED)
                .first()
            )
            if locked is None or window_open(locked, now):
                continue
            if locked.responses.filter(kind=ClosureResponse.Kind.OBJECTION).exists():
                continue  # pragma: no cover - an objection blocks the proposal
            updated = ClosureProposal.objects.filter(
                pk=locked.pk, status=ClosureProposal.Status.PROPOSED
            ).update(
                status=ClosureProposal.Status.CLOSED, closed_at=now, revision=locked.revision + 1
            )
            if not updated:  # pragma: no cover - the lock serialises ticks
                continue
            _end_involvement(locked.involvement, locked.window_ends_on)
            next_step = locked.get_next_step_display()
            if locked.next_step_detail:
                next_step += f" ({locked.next_step_detail})"
            entry_record_by_system(
                actor=CLOCK,
                person=locked.person,
                agency_id=locked.agency_id,
                fields=happened_now(
                    "case_closed",
                    f"{locked.agency.name} closed its involvement "
                    f"({locked.get_reason_display()[:1].lower()}"
                    f"{locked.get_reason_display()[1:]}): no agency objected by the end of "
                    f"{long_date(locked.window_ends_on)}. Next: {next_step}.",
                    f"Reason: {locked.reason_text}\n\nRisks that remain: {locked.remaining_risks}",
                ),
                why=f"closure {locked.pk}: the objection window passed with no objection",
            )
            audit.record(
                CLOCK,
                AuditAction.CLOSURE_TOOK_EFFECT,
                object_type="closure_proposal",
                object_id=locked.pk,
                person_id=locked.person_id,
                detail={
                    "involvement": locked.involvement_id,
                    "ended_on": locked.window_ends_on.isoformat(),
                },
            )
            _tell(
                [locked.proposed_by],
                key=f"closure:{locked.pk}:closed",
                subject=f"{locked.agency.name}'s involvement with a child has closed",
                body=(
                    f"No agency objected by the end of {long_date(locked.window_ends_on)}, so "
                    f"{locked.agency.name}'s involvement has ended."
                ),
                url=reverse("cases:closure", args=[locked.pk]),
                actor=CLOCK,
            )
            closed.append(locked.pk)
            last_agency_check(scope=scope, person_ids=[locked.person_id], now=now)
    return closed


def _end_involvement(involvement: Involvement, ended_on: dt.date) -> None:
    """End the involvement, and its access grant with it (governance.access)."""
    Involvement.objects.filter(pk=involvement.pk).update(ended_on=ended_on)
    held = AccessGrant.objects.filter(
        basis=AccessGrant.Basis.INVOLVEMENT, basis_key=involvement.pk
    ).first()
    access.involvement_grants_write(
        [
            access.InvolvementGrant(
                key=involvement.pk,
                person_id=involvement.person_id,
                agency_id=involvement.agency_id,
                team_id=held.team_id if held is not None else None,
                starts_on=involvement.started_on,
                ends_on=ended_on,
            )
        ],
        new=held is None,
    )


# --- last agency standing --------------------------------------------------------------------------


def _agencies_working(person_id: int, today: dt.date) -> dict[int, Involvement]:
    out: dict[int, Involvement] = {}
    for involvement in recipients.current_involvements(person_id):
        if _current(involvement, today):
            out.setdefault(involvement.agency_id, involvement)
    return out


def last_agency_check(
    *, scope: Any, person_ids: Iterable[int] | None = None, now: dt.datetime | None = None
) -> tuple[list[int], list[int]]:
    """Flag each child with open alerts whom only one agency is still working with, and clear
    the flag of each who no longer is. `person_ids`: the children to look at (default: every
    child with an open alert, as the alerts app says, and every child flagged now). Returns
    (flags raised, flags cleared). Idempotent: one open flag per child (a unique row)."""
    access.require_system(scope)
    now = now or clock.now()
    today = timezone.localdate(now)
    if person_ids is None:
        with_alerts = people_with_open(scope, kind="alert") or set()
        flagged = set(
            LastAgencyFlag.objects.filter(cleared_at__isnull=True).values_list(
                "person_id", flat=True
            )
        )
        person_ids = sorted(with_alerts | flagged)
    raised: list[int] = []
    cleared: list[int] = []
    for person_id in person_ids:
        person = Person.objects.filter(pk=person_id, merged_into__isnull=True).first()
        working = _agencies_working(person_id, today) if person is not None else {}
        alerts = open_items_for(scope, person, kinds=["alert"]) if person is not None else []
        flag = LastAgencyFlag.objects.filter(person_id=person_id, cleared_at__isnull=True).first()
        if person is not None and len(working) == 1 and alerts:
            ((agency_id, involvement),) = working.items()
            if flag is not None and flag.agency_id == agency_id:
                continue
            with transaction.atomic():
                if flag is not None:
                    _clear(flag, now)
                    cleared.append(flag.pk)
                try:
                    with transaction.atomic():
                        new = LastAgencyFlag.objects.create(
                            person_id=person_id,
                            agency_id=agency_id,
                            team_id=involvement.team_id,
                            raised_at=now,
                        )
                except IntegrityError:
                    continue
                audit.record(
                    CLOCK,
                    AuditAction.LAST_AGENCY_FLAGGED,
                    object_type="last_agency_flag",
                    object_id=new.pk,
                    person_id=person_id,
                    detail={"agency": agency_id, "open_alerts": len(alerts)},
                )
                assert person is not None
                _tell(
                    recipients.managers_for(
                        person_id=person_id, agency_id=agency_id, team_id=involvement.team_id
                    ),
                    key=f"last-agency:{new.pk}",
                    subject="Your agency is the last one working with a child",
                    body=(
                        f"{involvement.agency.name} is the only agency still working with a "
                        "child who has open alerts. Consider whether other agencies should be "
                        "involved, and escalate their withdrawal if needed."
                    ),
                    url=reverse("chronology:child", args=[person.reference]),
                    actor=CLOCK,
                )
                raised.append(new.pk)
        elif flag is not None:
            with transaction.atomic():
                _clear(flag, now)
            cleared.append(flag.pk)
    return raised, cleared


def _clear(flag: LastAgencyFlag, now: dt.datetime) -> None:
    LastAgencyFlag.objects.filter(pk=flag.pk, cleared_at__isnull=True).update(cleared_at=now)
    audit.record(
        CLOCK,
        AuditAction.LAST_AGENCY_CLEARED,
        object_type="last_agency_flag",
        object_id=flag.pk,
        person_id=flag.person_id,
    )
