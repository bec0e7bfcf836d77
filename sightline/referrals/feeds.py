"""Referrals from agencies' feeds: a partnership whose social care system sends
`referral_made` and `referral_rejected` lines sees those referrals on the same clocks as the
ones made in Sightline, as far as a feed line allows (docs/workflow.md, "Referrals from feeds").

After an import, chronology announces `story_changed` (cause `imported`, with the batch); the
receiver (referrals.wiring) only enqueues `referrals.from_feed` for the batch, and this module,
run by the task, reads the batch's referral lines through the system scope:

| line | from an agency that receives a service | does |
|---|---|---|
| `referral_made` | opens a referral to that service, received when the line says it happened, with the decision clock running from then |
| `referral_accepted` | decides the agency's oldest open feed referral of the child made before it: accepted for assessment (allocation and assessment clocks start) |
| `referral_rejected` | decides it: no further action |
| `allocation` | allocates the decided one (to whom the line does not say) |
| `assessment_completed` | completes the allocated one's assessment |

A decision line without an open referral opens one and decides it at once (the line proves a
referral existed). What a line cannot tell, the referral does not claim: who referred, their
agency, the consent, the referrer's view of the risk, the fast track, the reason for the decision
(recorded as "recorded in the receiving agency's own system", the line's summary as its text)
and whom it was allocated to. So a feed referral has no acknowledgement clock (the referrer is
not known to Sightline) and no fast track.

Only lines dated to the day, about a child (an entry subject), recorded by an agency of a kind
a service names (services.yaml `agency_kinds`), and that happened within
`REFERRALS_FEED_LOOKBACK_DAYS` (default 30) of the import are put on clocks: a feed's history of
years-old referrals stays history (it is in the child's story) rather than escalating to today's
managers. Each line is applied once, by its entry's lineage (ReferralFeedLine): a task run
twice, or the line re-sent, changes nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from sightline.agencies.models import Agency, Team
from sightline.chronology.models import ChronologyEntry, EntrySubject
from sightline.core import clock
from sightline.core.dates import Precision
from sightline.governance import access, audit
from sightline.governance.audit import AuditAction
from sightline.referrals import clocks
from sightline.referrals.models import Referral, ReferralClock, ReferralEvent, ReferralFeedLine
from sightline.referrals.signals import announce_decided
from sightline.referrals.vocabulary import (
    ACCEPTED,
    NO_FURTHER_ACTION,
    Service,
    reasons,
    services,
)

FEED_REASON = "recorded_in_agency_system"
MADE = "referral_made"
ACCEPTED_LINE = "referral_accepted"
REJECTED_LINE = "referral_rejected"
ALLOCATION_LINE = "allocation"
ASSESSMENT_LINE = "assessment_completed"
FEED_TYPES = (MADE, ACCEPTED_LINE, REJECTED_LINE, ALLOCATION_LINE, ASSESSMENT_LINE)
Clock = ReferralClock.Clock
Status = Referral.Status


def lookback() -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, "REFERRALS_FEED_LOOKBACK_DAYS", 30)))


def service_for_agency_kind(kind: str) -> Service | None:
    """The service an agency of this kind receives (the first in the list naming it)."""
    return next((s for s in services().by_code.values() if kind in s.agency_kinds), None)


@dataclass
class FeedRun:
    """What one run did: counts by what happened to each line."""

    opened: int = 0
    decided: int = 0
    allocated: int = 0
    completed: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, why: str) -> None:
        self.skipped[why] = self.skipped.get(why, 0) + 1


def _team(agency: Agency, service: Service) -> Team | None:
    teams = list(Team.objects.filter(agency=agency))
    if service.team:
        return next((t for t in teams if t.code == service.team), None)
    return teams[0] if len(teams) == 1 else None


def _subject(entry: ChronologyEntry) -> int | None:
    return (
        EntrySubject.objects.filter(entry_id=entry.pk, role=EntrySubject.Role.SUBJECT)
        .order_by("pk")
        .values_list("person_id", flat=True)
        .first()
    )


def _start(referral: Referral, which: str, key: str, start: dt.datetime) -> None:
    due = clocks.due_for(key, start)
    ReferralClock.objects.get_or_create(
        referral=referral,
        clock=which,
        defaults={
            "timescale_key": due.key,
            "timescale_version": due.version,
            "started_at": start,
            "due_on": due.due_on,
            "due_at": due.due_at,
        },
    )


def _meet(referral: Referral, which: list[str], at: dt.datetime) -> None:
    ReferralClock.objects.filter(
        referral_id=referral.pk, clock__in=which, met_at__isnull=True, stopped_at__isnull=True
    ).update(met_at=at)


def _event(referral: Referral, kind: str, entry: ChronologyEntry, text: str = "") -> None:
    ReferralEvent.objects.create(
        referral=referral,
        kind=kind,
        at=entry.occurred_at,
        actor=None,
        actor_name=f"{entry.agency.name} (from its feed)",
        agency_id=entry.agency_id,
        text=text,
        detail={"entry": entry.pk},
    )


def _open(entry: ChronologyEntry, person_id: int, service: Service, actor: Any) -> Referral:
    referral = Referral.objects.create(
        person_id=person_id,
        kind=Referral.Kind.REFERRAL,
        origin=Referral.Origin.FEED,
        service=service.code,
        services_version=services().version,
        receiving_agency=entry.agency,
        receiving_team=_team(entry.agency, service),
        received_at=entry.occurred_at,
        concerns=entry.summary,
        made_entry=entry,
        source_lineage=entry.lineage or entry.pk,
    )
    _start(referral, Clock.DECISION, clocks.DECISION_KEY, referral.received_at)
    _event(referral, ReferralEvent.Kind.RECEIVED_FROM_FEED, entry, entry.summary)
    audit.record(
        actor,
        AuditAction.REFERRAL_FROM_FEED,
        object_type="referral",
        object_id=referral.pk,
        person_id=person_id,
        detail={"line": entry.type, "entry": entry.pk, "opened": True, "service": service.code},
    )
    return referral


def _open_referral(
    person_id: int, agency_id: int, statuses: list[str], before: dt.datetime
) -> Referral | None:
    return (
        Referral.objects.filter(
            person_id=person_id,
            receiving_agency_id=agency_id,
            origin=Referral.Origin.FEED,
            status__in=statuses,
            received_at__lte=before,
        )
        .order_by("received_at", "pk")
        .first()
    )


def _decide(referral: Referral, entry: ChronologyEntry, actor: Any) -> None:
    accepted = entry.type == ACCEPTED_LINE
    at = entry.occurred_at
    referral.status = Status.DECIDED if accepted else Status.CLOSED
    referral.decision = ACCEPTED if accepted else NO_FURTHER_ACTION
    referral.decision_reasons = [FEED_REASON]
    referral.decision_text = entry.summary
    referral.reasons_version = reasons().version
    referral.decided_at = at
    referral.deciding_agency_id = entry.agency_id
    referral.deciding_team_id = referral.receiving_team_id
    referral.closed_at = None if accepted else at
    referral.version += 1
    referral.save()
    _meet(referral, [Clock.DECISION], at)
    if accepted:
        allocation = clocks.allocation_key(referral.service)
        if allocation:
            _start(referral, Clock.ALLOCATION, allocation, at)
        _start(referral, Clock.ASSESSMENT, clocks.ASSESSMENT_KEY, referral.received_at)
    _event(referral, ReferralEvent.Kind.DECIDED, entry, entry.summary)
    audit.record(
        actor,
        AuditAction.REFERRAL_FROM_FEED,
        object_type="referral",
        object_id=referral.pk,
        person_id=referral.person_id,
        detail={"line": entry.type, "entry": entry.pk, "decision": referral.decision},
    )
    announce_decided(referral)


def _apply(entry: ChronologyEntry, run: FeedRun, actor: Any, now: dt.datetime) -> None:
    lineage = entry.lineage or entry.pk
    if ReferralFeedLine.objects.filter(lineage=lineage).exists():
        run.skip("already applied")
        return
    service = service_for_agency_kind(entry.agency.kind)
    if service is None:
        run.skip("not from a receiving agency")
        return
    if entry.precision != Precision.DAY:
        run.skip("not dated to the day")
        return
    if entry.occurred_at < now - lookback():
        run.skip("older than the look-back")
        return
    person_id = _subject(entry)
    if person_id is None:
        run.skip("no child")
        return
    referral: Referral | None
    if entry.type == MADE:
        referral = _open(entry, person_id, service, actor)
        run.opened += 1
    elif entry.type in (ACCEPTED_LINE, REJECTED_LINE):
        referral = _open_referral(person_id, entry.agency_id, [Status.RECEIVED], entry.occurred_at)
        if referral is None:
            referral = _open(entry, person_id, service, actor)
            run.opened += 1
        _decide(referral, entry, actor)
        run.decided += 1
    elif entry.type == ALLOCATION_LINE:
        referral = _open_referral(person_id, entry.agency_id, [Status.DECIDED], entry.occurred_at)
        if referral is None:
            run.skip("nothing to allocate")
            return
        referral.status = Status.ALLOCATED
        referral.allocated_at = entry.occurred_at
        referral.version += 1
        referral.save()
        _meet(referral, [Clock.ALLOCATION, Clock.FAST_TRACK], entry.occurred_at)
        _event(referral, ReferralEvent.Kind.ALLOCATED, entry, entry.summary)
        run.allocated += 1
    else:
        referral = _open_referral(
            person_id, entry.agency_id, [Status.ALLOCATED, Status.DECIDED], entry.occurred_at
        )
        if referral is None or referral.decision != ACCEPTED:
            run.skip("no assessment running")
            return
        referral.status = Status.CLOSED
        referral.assessment_completed_at = entry.occurred_at
        referral.closed_at = entry.occurred_at
        referral.version += 1
        referral.save()
        _meet(referral, [Clock.ASSESSMENT, Clock.ALLOCATION], entry.occurred_at)
        _event(referral, ReferralEvent.Kind.ASSESSMENT_COMPLETED, entry, entry.summary)
        run.completed += 1
    ReferralFeedLine.objects.create(
        lineage=lineage, referral=referral, entry_type=entry.type, applied_at=now
    )


def referrals_from_batch(*, scope: Any, batch_id: int) -> FeedRun:
    """Apply an import batch's referral lines, oldest first, each in its own transaction."""
    system = access.require_system(scope)
    now = clock.now()
    run = FeedRun()
    entries = (
        ChronologyEntry.objects.filter(
            source_record__batch_id=batch_id,
            type__in=FEED_TYPES,
            superseded_at__isnull=True,
            entered_in_error=False,
        )
        .select_related("agency")
        .order_by("occurred_at", "pk")
    )
    for entry in list(entries):
        try:
            with transaction.atomic():
                _apply(entry, run, system.actor, now)
        except IntegrityError:
            run.skip("already applied")  # another run applied it first
    return run
