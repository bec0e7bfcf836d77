"""What the referral pages and the API say about a referral: statuses, decisions with their
reasons, clocks as "due by", "overdue since" and "met on", and the history. Pure: no queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sightline.chronology.presenters import long_date, long_datetime
from sightline.core.dates import LONDON, format_partial
from sightline.referrals.clocks import state_of
from sightline.referrals.extensions import Flag
from sightline.referrals.models import Referral, ReferralClock, ReferralDecision, ReferralEvent
from sightline.referrals.vocabulary import DECISIONS, reason_label, service_label

STATUS_TAGS = {
    Referral.Status.RECEIVED: "govuk-tag--blue",
    Referral.Status.DECIDED: "govuk-tag--turquoise",
    Referral.Status.ALLOCATED: "govuk-tag--green",
    Referral.Status.CLOSED: "govuk-tag--grey",
}
DECISION_TAGS = {
    "accepted_for_assessment": "govuk-tag--green",
    "early_help": "govuk-tag--turquoise",
    "no_further_action": "govuk-tag--orange",
    "signposted": "govuk-tag--yellow",
}
RAG_TAGS = {"red": "govuk-tag--red", "amber": "govuk-tag--orange", "green": "govuk-tag--green"}


def _day(value: dt.date) -> str:
    return long_date(value)


@dataclass(frozen=True)
class ClockView:
    clock: str
    label: str
    due_text: str  # "by 12 March 2026"
    status: str  # "Overdue", "Due today", "Due", "Met on time", "Met late", "No longer needed"
    tag: str
    detail: str  # "Met on 11 March 2026, 10:02"
    timescale: str  # "referral.decision, version 2"
    overdue: bool
    due_on: dt.date
    met: bool


def present_clock(row: ReferralClock, now: dt.datetime) -> ClockView:
    state = state_of(row, now)
    today = now.astimezone(LONDON).date()
    if state.stopped:
        status, tag, detail = "No longer needed", "govuk-tag--grey", ""
    elif state.met_at is not None:
        status, tag = (
            ("Met late", "govuk-tag--orange") if state.late else ("Met", "govuk-tag--green")
        )
        detail = f"Done {long_datetime(state.met_at)}"
    elif state.overdue:
        status, tag, detail = "Overdue", "govuk-tag--red", ""
    elif state.due_on == today:
        status, tag, detail = "Due today", "govuk-tag--yellow", ""
    else:
        status, tag, detail = "Due", "govuk-tag--blue", ""
    return ClockView(
        clock=row.clock,
        # A reconsidered decision runs its clocks again: say which round each belongs to.
        label=state.label if row.round == 1 else f"{state.label} (after reconsideration)",
        due_text=f"by {_day(state.due_on)}",
        status=status,
        tag=tag,
        detail=detail,
        timescale=f"{state.timescale_key}, version {state.timescale_version}",
        overdue=state.overdue,
        due_on=state.due_on,
        met=state.met_at is not None,
    )


def decision_text(referral: Referral) -> str:
    return DECISIONS.get(referral.decision, "") if referral.decision else ""


def reasons_text(referral: Referral) -> str:
    return "; ".join(reason_label(code) for code in referral.decision_reasons or ())


def _person_name(user: object) -> str:
    return str(getattr(user, "display_name", "") or "") if user is not None else ""


def referrer_text(referral: Referral) -> str:
    if referral.origin == Referral.Origin.FEED:
        return "Not known (from the receiving agency's feed)"
    who = _person_name(referral.referrer)
    agency = referral.referring_agency.name if referral.referring_agency else ""
    return ", ".join(p for p in (who, agency) if p)


def decided_by_text(referral: Referral) -> str:
    who = _person_name(referral.decided_by)
    agency = referral.deciding_agency.name if referral.deciding_agency else ""
    return ", ".join(p for p in (who, agency) if p)


def allocated_text(referral: Referral) -> str:
    if referral.allocated_to is not None:
        return _person_name(referral.allocated_to)
    if referral.allocated_at is not None:
        return referral.allocated_to_name or "Allocated (the feed does not say to whom)"
    return ""


@dataclass(frozen=True)
class ReferralRow:
    """One referral in a list (the front door, the referrer's list, the child's page)."""

    id: int
    url: str
    kind: str
    child_name: str
    child_reference: str
    child_born: str
    service: str
    receiving: str
    referrer: str
    received: str
    status: str
    status_tag: str
    decision: str
    decision_tag: str
    reasons: str
    allocated_to: str
    fast_track: bool
    rag: str
    rag_tag: str
    next_due: str
    overdue: bool
    decided_by: str = ""
    decided_when: str = ""
    allocated_when: str = ""
    flags: Sequence[Flag] = field(default_factory=tuple)


def present_row(
    referral: Referral, *, url: str, now: dt.datetime, flags: Sequence[Flag] = ()
) -> ReferralRow:
    person = referral.person
    next_due: dt.datetime | None = getattr(referral, "next_due", None)
    next_text = ""
    overdue = False
    if next_due is not None:
        overdue = now >= next_due
        day = (next_due - dt.timedelta(microseconds=1)).astimezone(LONDON).date()
        next_text = f"Overdue since {_day(day)}" if overdue else f"Due by {_day(day)}"
    return ReferralRow(
        id=referral.pk,
        url=url,
        kind=Referral.Kind(referral.kind).label,
        child_name=person.full_name,
        child_reference=person.reference,
        child_born=format_partial(person.birth_date, person.birth_date_precision)
        if person.birth_date
        else "Not known",
        service=service_label(referral.service),
        receiving=referral.receiving_agency.name,
        referrer=referrer_text(referral),
        received=long_datetime(referral.received_at),
        status=Referral.Status(referral.status).label,
        status_tag=STATUS_TAGS[Referral.Status(referral.status)],
        decision=decision_text(referral),
        decision_tag=DECISION_TAGS.get(referral.decision, ""),
        reasons=reasons_text(referral),
        allocated_to=allocated_text(referral),
        fast_track=referral.fast_track,
        rag=Referral.Rag(referral.rag).label if referral.rag else "",
        rag_tag=RAG_TAGS.get(referral.rag, ""),
        next_due=next_text,
        overdue=overdue,
        decided_by=decided_by_text(referral),
        decided_when=long_datetime(referral.decided_at) if referral.decided_at else "",
        allocated_when=long_datetime(referral.allocated_at) if referral.allocated_at else "",
        flags=tuple(flags),
    )


@dataclass(frozen=True)
class EventView:
    id: int
    kind: str
    label: str
    when: str
    who: str
    text: str
    detail: str
    is_question: bool
    answered: bool


_RAG_WORDS = {"red": "Red", "amber": "Amber", "green": "Green"}


def present_event(event: ReferralEvent, *, answered_ids: set[int]) -> EventView:
    detail = ""
    data = event.detail or {}
    if event.kind == ReferralEvent.Kind.DECIDED:
        codes = data.get("reasons") or []
        detail = DECISIONS.get(str(data.get("decision")), "")
        if codes:
            detail += ". Reasons: " + "; ".join(reason_label(str(c)) for c in codes)
    elif event.kind == ReferralEvent.Kind.TRIAGED:
        detail = f"Rated {_RAG_WORDS.get(str(data.get('rag')), '')}"
    elif event.kind == ReferralEvent.Kind.MADE:
        detail = service_label(str(data.get("service", "")))
        if data.get("fast_track"):
            detail += " (fast track)"
    who = event.actor_name
    if event.agency is not None and event.actor_id is not None:
        who = f"{who}, {event.agency.name}"
    return EventView(
        id=event.pk,
        kind=event.kind,
        label=ReferralEvent.Kind(event.kind).label,
        when=long_datetime(event.at),
        who=who,
        text=event.text,
        detail=detail,
        is_question=event.kind == ReferralEvent.Kind.QUESTION,
        answered=event.pk in answered_ids,
    )


@dataclass(frozen=True)
class EarlierDecisionView:
    """A decision that was reconsidered, as it was made, and why it was reconsidered."""

    round: int
    decision: str
    tag: str
    reasons: list[str]
    text: str
    decided: str  # "Morgan Reid, 3 March 2027, 10:02"
    reconsidered: str
    why: str
    disagreement_id: int | None


def present_earlier(row: ReferralDecision) -> EarlierDecisionView:
    decided_by = row.decided_by.display_name if row.decided_by else "The receiving agency"
    by = row.reconsidered_by.display_name if row.reconsidered_by else "The receiving agency"
    why = (
        f"The professional disagreement “{row.disagreement_label}”"
        if row.disagreement_id
        else "A manager's reason"
    )
    if row.reason:
        why += f": {row.reason}"
    return EarlierDecisionView(
        round=row.round,
        decision=DECISIONS.get(row.decision, row.decision),
        tag=DECISION_TAGS.get(row.decision, ""),
        reasons=[reason_label(c) for c in row.decision_reasons or []],
        text=row.decision_text,
        decided=f"{decided_by}, {long_datetime(row.decided_at)}" if row.decided_at else decided_by,
        reconsidered=f"{by}, {long_datetime(row.reconsidered_at)}",
        why=why,
        disagreement_id=row.disagreement_id,
    )
