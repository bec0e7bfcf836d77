"""Writes to referrals: make, acknowledge, triage, decide, allocate, ask and answer, complete
the assessment, and the clocks that escalate by themselves (docs/workflow.md, "Referrals").

Every write is `referral_<verb>(*, actor, ...)`, atomic, checked against the actor's role and
side of the referral (selectors: a viewer who may not see it gets "not found", whether or not it
exists) and audited in the same transaction. A change names the version of the referral it was
made on: if someone else changed the referral meanwhile (two managers deciding at once), the
second change is refused (ConcurrentChange) and told what the first did; a conditional UPDATE on
`version` makes that hold on SQLite and PostgreSQL alike.

The referral's story is told in the child's chronology through the chronology services: making
it records `referral_made` (or `nrm_referral`), a decision `referral_accepted` or
`referral_rejected`, an allocation `allocation`, the assessment `assessment_completed`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet

from sightline.accounts.models import User
from sightline.agencies.models import Agency, Membership, Team
from sightline.cases.services import involvement_start
from sightline.chronology import selectors as story
from sightline.chronology.services import EntryFields, entry_record
from sightline.core import clock
from sightline.core.actors import CLOCK, actor_name
from sightline.core.dates import LONDON, PartialDate, Precision
from sightline.core.errors import AccessDenied, InvalidTransition, NotFound, ValidationFailed
from sightline.core.text import CONTROL_MULTILINE
from sightline.governance import access, audit
from sightline.governance.audit import AuditAction
from sightline.governance.policy import Capability
from sightline.governance.vocabulary import sensitivities
from sightline.people.models import Person
from sightline.referrals import clocks, extensions, notify
from sightline.referrals.models import (
    Referral,
    ReferralClock,
    ReferralDecision,
    ReferralEscalation,
    ReferralEvent,
    ReferralEvidence,
)
from sightline.referrals.selectors import is_row_id, referral_get_for, sides_of
from sightline.referrals.signals import announce_decided
from sightline.referrals.vocabulary import (
    ACCEPTED,
    CLOSING_DECISIONS,
    DECISIONS,
    WORKING_DECISIONS,
    Service,
    reason_label,
    reasons,
    service_label,
    services,
)

TEXT_MAX = 10_000
NOTE_MAX = 2_000
EVIDENCE_MAX = 20
Clock = ReferralClock.Clock
Status = Referral.Status

# DfE, "Information sharing: advice for practitioners providing safeguarding services" (April
# 2024), golden rule 3 (../shared/reference/domain-standards.md, 5.2).
CONSENT_ADVICE = (
    "You do not need consent to share personal information about a child and/or family "
    "members if a child is at risk or there is a perceived risk of harm."
)
CONSENT_ADVICE_SOURCE = (
    "Department for Education, Information sharing: advice for practitioners providing "
    "safeguarding services to children, young people, parents and carers (2024)"
)
CONSENT_REFUSAL = (
    "“The family did not consent” cannot be the only reason: the referrer says the child is at "
    "risk of significant harm, and consent is not needed to share information to safeguard a "
    "child. Decide on the risk itself, or give the reason it does not need this service"
)


class ConcurrentChange(InvalidTransition):
    """Someone else changed the referral after the actor read it: their change stands, this
    one was not made. The message says who did what, and when."""

    def __init__(self, message: str, *, referral_id: int) -> None:
        super().__init__(message)
        self.referral_id = referral_id


# --- small rules --------------------------------------------------------------------------------


def _text(
    errors: dict[str, str],
    name: str,
    value: str,
    *,
    missing: str | None = None,
    label: str,
    maximum: int = TEXT_MAX,
) -> str:
    value = (value or "").strip()
    if not value:
        if missing:
            errors[name] = missing
    elif len(value) > maximum:
        errors[name] = f"{label} must be {maximum:,} characters or fewer"
    elif CONTROL_MULTILINE.search(value):
        errors[name] = f"{label} must not contain control characters"
    return value


def _name(actor: Any) -> str:
    return str(getattr(actor, "display_name", "") or actor_name(actor))


def _when(value: dt.datetime) -> str:
    local = value.astimezone(LONDON)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def _membership(actor: Any) -> Membership | None:
    pk = getattr(actor, "pk", None)
    return Membership.objects.filter(user_id=pk).first() if isinstance(pk, int) else None


def _scope_agency(actor: Any) -> Agency | None:
    scope = access.scope_for(actor)
    return Agency.objects.filter(pk=scope.agency_id).first() if scope.agency_id else None


def _event(
    referral: Referral,
    kind: str,
    actor: Any,
    *,
    at: dt.datetime,
    text: str = "",
    detail: Mapping[str, Any] | None = None,
    reply_to: ReferralEvent | None = None,
) -> ReferralEvent:
    scope = access.scope_for(actor)
    return ReferralEvent.objects.create(
        referral=referral,
        kind=kind,
        at=at,
        actor=actor if isinstance(actor, User) else None,
        actor_name=_name(actor),
        agency_id=scope.agency_id,
        text=text,
        detail=dict(detail or {}),
        reply_to=reply_to,
    )


def _audit(actor: Any, action: AuditAction, referral: Referral, **detail: Any) -> None:
    audit.record(
        actor,
        action,
        object_type="referral",
        object_id=referral.pk,
        person_id=referral.person_id,
        detail={"version": referral.version, **detail},
    )


def _story_sensitivity(referral: Referral) -> str:
    entry = referral.made_entry
    return entry.sensitivity if entry is not None else "standard"


def _record_story(
    actor: Any, referral: Referral, *, type: str, summary: str, detail: str = ""
) -> int:
    """Record an entry in the child's story as the actor's agency, now."""
    now = clock.now().astimezone(LONDON)
    entry = entry_record(
        actor=actor,
        person=referral.person,
        fields=EntryFields(
            type=type,
            occurred=PartialDate(start=now, precision=Precision.DAY, has_time=True),
            summary=summary,
            detail=detail[:20_000],
            sensitivity=_story_sensitivity(referral),
        ),
    )
    return entry.pk


# --- clocks -----------------------------------------------------------------------------------


def _start_clock(referral: Referral, which: str, key: str, start: dt.datetime) -> ReferralClock:
    due = clocks.due_for(key, start)
    return ReferralClock.objects.create(
        referral=referral,
        clock=which,
        round=referral.decision_round,
        timescale_key=due.key,
        timescale_version=due.version,
        started_at=start,
        due_on=due.due_on,
        due_at=due.due_at,
    )


def _meet(referral: Referral, which: Iterable[str], at: dt.datetime) -> None:
    ReferralClock.objects.filter(
        referral_id=referral.pk,
        clock__in=list(which),
        met_at__isnull=True,
        stopped_at__isnull=True,
    ).update(met_at=at)


def _stop(referral: Referral, which: Iterable[str], at: dt.datetime) -> None:
    ReferralClock.objects.filter(
        referral_id=referral.pk,
        clock__in=list(which),
        met_at__isnull=True,
        stopped_at__isnull=True,
    ).update(stopped_at=at)


# --- versions: one change wins ----------------------------------------------------------------


_DONE = {
    ReferralEvent.Kind.MADE: "made",
    ReferralEvent.Kind.RECEIVED_FROM_FEED: "received",
    ReferralEvent.Kind.ACKNOWLEDGED: "acknowledged",
    ReferralEvent.Kind.TRIAGED: "triaged",
    ReferralEvent.Kind.DECIDED: "decided",
    ReferralEvent.Kind.ALLOCATED: "allocated",
    ReferralEvent.Kind.RECONSIDERED: "reopened for a new decision",
    ReferralEvent.Kind.ASSESSMENT_COMPLETED: "recorded the assessment of",
}


def _stale(referral: Referral, action: str) -> ConcurrentChange:
    last = (
        ReferralEvent.objects.filter(referral_id=referral.pk, kind__in=list(_DONE))
        .select_related("agency")
        .order_by("-at", "-id")
        .first()
    )
    if last is None:  # pragma: no cover - every referral has its first event
        what = "Someone changed this referral"
    else:
        who = last.actor_name + (f" ({last.agency.name})" if last.agency else "")
        what = f"{who} {_DONE[ReferralEvent.Kind(last.kind)]} this referral on {_when(last.at)}"
    return ConcurrentChange(
        f"{what}, while you had it open, so your {action} was not saved. Check what they "
        "recorded, then try again if it is still needed.",
        referral_id=referral.pk,
    )


def _apply(
    referral: Referral,
    *,
    expected_version: int | None,
    statuses: Iterable[str],
    action: str,
    values: Mapping[str, Any],
) -> Referral:
    """Make the change if nobody else has since the actor's `expected_version` (None: whatever
    the version now is) and the referral is in one of `statuses`."""
    allowed = list(statuses)
    if expected_version is not None and expected_version != referral.version:
        raise _stale(referral, action)
    updated = Referral.objects.filter(
        pk=referral.pk, version=referral.version, status__in=allowed
    ).update(version=F("version") + 1, **values)
    if not updated:
        fresh = Referral.objects.get(pk=referral.pk)
        if fresh.version != referral.version:
            raise _stale(fresh, action)
        raise InvalidTransition(_state_refusal(fresh, action))
    referral.refresh_from_db()
    return referral


def _state_refusal(referral: Referral, action: str) -> str:
    if referral.decision:
        by = referral.decided_by.display_name if referral.decided_by else "the receiving agency"
        decided = (
            f"It was decided on {_when(referral.decided_at)} by {by}: "
            f"{DECISIONS.get(referral.decision, referral.decision).lower()}."
            if referral.decided_at
            else ""
        )
        return f"This referral is {Status(referral.status).label.lower()}, so you cannot {action} it. {decided}".strip()
    return f"This referral is {Status(referral.status).label.lower()}, so you cannot {action} it."


def _refused(actor: Any, referral: Referral, action: str, exc: Exception) -> None:
    """A refused change is audited too (outside the rolled-back transaction)."""
    audit.record(
        actor,
        AuditAction.REFERRAL_REFUSED,
        object_type="referral",
        object_id=referral.pk,
        person_id=referral.person_id,
        detail={"action": action, "reason": type(exc).__name__, "message": str(exc)[:500]},
    )


def require_receiving_side(actor: Any, referral: Referral, action: str) -> None:
    if not sides_of(actor, referral).receiver:
        raise AccessDenied(
            f"Only {referral.receiving_agency.name} can {action} this referral: it was made "
            "to them. Ask them about it instead."
        )


def _end_grant(referral: Referral, at: dt.datetime | None) -> None:
    """The receiving agency's grant for the referral: open (`at` None) or ended on the day of
    `at` (closed; or allocated, when the involvement the allocation started takes over).
    Feed referrals have none: the agency's own records give it the child."""
    if referral.origin != Referral.Origin.SIGHTLINE:
        return
    access.referral_grant_write(
        referral_id=referral.pk,
        person_id=referral.person_id,
        agency_id=referral.receiving_agency_id,
        ends_on=at.astimezone(LONDON).date() if at is not None else None,
    )


# --- making a referral --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralFields:
    """What a practitioner tells the service about the child."""

    service: str
    concerns: str
    family_knows: str
    consent: str
    consent_note: str = ""
    risk: str = ""
    risk_note: str = ""
    kind: str = Referral.Kind.REFERRAL
    fast_track: bool = False
    child_words: str = ""
    evidence: tuple[int, ...] = field(default_factory=tuple)
    # Who may read the concerns in the child's story (governance sensitivities).
    sensitivity: str = "standard"


CONSENTS = (Referral.Consent.YES, Referral.Consent.NO, Referral.Consent.NOT_ASKED)
RISKS = (Referral.Risk.SIGNIFICANT_HARM, Referral.Risk.NEEDS_SUPPORT, Referral.Risk.NOT_SURE)


def validate_referral_fields(fields: ReferralFields, *, today: dt.date) -> dict[str, str]:
    """Every rule a referral's own fields must meet, as field -> GOV.UK error message. Pure
    (the evidence and the receiving agency are checked by `referral_make`)."""
    errors: dict[str, str] = {}
    if fields.kind not in Referral.Kind.values:
        errors["kind"] = "Select whether this is a referral or a contact"
    service = services().by_code.get(fields.service)
    if service is None:
        errors["service"] = "Select the service you are referring to"
    elif not service.available_on(today):
        errors["service"] = f"{service.label} is not taking referrals. Select another service"
    _text(
        errors,
        "concerns",
        fields.concerns,
        missing="Enter your concerns: what has happened, and what you are worried will happen",
        label="Your concerns",
    )
    _text(
        errors,
        "family_knows",
        fields.family_knows,
        missing="Enter what the family know about this referral (say if they do not know, and why)",
        label="What the family know",
    )
    if fields.consent not in CONSENTS:
        errors["consent"] = "Select whether the family consent to the referral"
    elif fields.consent in (Referral.Consent.NO, Referral.Consent.NOT_ASKED):
        _text(
            errors,
            "consent_note",
            fields.consent_note,
            missing="Say why the family were not asked"
            if fields.consent == Referral.Consent.NOT_ASKED
            else "Say what the family said, and why you are referring without their consent",
            label="Why",
            maximum=NOTE_MAX,
        )
    else:
        _text(errors, "consent_note", fields.consent_note, label="Why", maximum=NOTE_MAX)
    if fields.risk not in RISKS:
        errors["risk"] = "Select your view of the risk to the child"
    _text(errors, "risk_note", fields.risk_note, label="Your view of the risk")
    if fields.fast_track:
        _text(
            errors,
            "child_words",
            fields.child_words,
            missing="Enter what the child said when they asked for help, in their own words",
            label="The child's words",
            maximum=NOTE_MAX,
        )
    else:
        _text(errors, "child_words", fields.child_words, label="The child's words")
    if fields.sensitivity not in sensitivities():
        errors["sensitivity"] = "Select who may read your concerns in the child's story"
    if len(fields.evidence) > EVIDENCE_MAX:
        errors["evidence"] = f"Attach {EVIDENCE_MAX} entries or fewer"
    return errors


def receiving_for(service: Service) -> tuple[Agency, Team | None] | None:
    """The agency that receives referrals to `service` (its first kind the partnership has; of
    several agencies of that kind, the one whose code is the kind, else the first by name), and
    the receiving team: the service's `team`, else the agency's only team, else none."""
    for kind in service.agency_kinds:
        agencies = list(Agency.objects.filter(kind=kind).order_by("name"))
        if not agencies:
            continue
        agency = next((a for a in agencies if a.code == kind), agencies[0])
        teams = list(Team.objects.filter(agency=agency))
        team = None
        if service.team:
            team = next((t for t in teams if t.code == service.team), None)
        elif len(teams) == 1:
            team = teams[0]
        return agency, team
    return None


def _evidence_errors(actor: Any, person: Person, ids: Iterable[int]) -> dict[str, str]:
    child = story.Child(person=person, scope=access.scope_for(actor), requested_reference="")
    for entry_id in ids:
        if not is_row_id(entry_id):
            return {"evidence": "Choose entries from this child's story that you can read"}
        try:
            story.entry_get_for(viewer=actor, child=child, entry_id=int(entry_id))
        except (NotFound, ValueError, TypeError):
            return {"evidence": "Choose entries from this child's story that you can read"}
    return {}


def _made_summary(referral: Referral, agency: Agency | None) -> str:
    kind = Referral.Kind(referral.kind).label
    text = f"{kind} to {service_label(referral.service)}"
    if agency is not None:
        text += f" from {agency.name}"
    if referral.fast_track:
        text += ". Fast track: the child has asked for help"
    return text + "."


def referral_make(*, actor: Any, person: Person, fields: ReferralFields) -> Referral:
    """Make a contact or referral about a child the actor may see, to a service in the
    partnership's list. The receiving agency is given a grant to see the child (it now holds
    the referral), the clocks start (acknowledgement, decision, and the fast track when the
    child has asked for help), and the referral is recorded in the child's story."""
    scope = access.require(actor, Capability.MAKE_REFERRALS)
    access.require_person(actor, person.pk)
    now = clock.now()
    errors = validate_referral_fields(fields, today=now.astimezone(LONDON).date())
    service = services().by_code.get(fields.service)
    receiving = receiving_for(service) if service is not None and "service" not in errors else None
    if service is not None and "service" not in errors and receiving is None:
        errors["service"] = (
            f"No agency in the partnership receives referrals to {service.label} yet. Choose "
            "another service, or ask your system administrator to add the agency"
        )
    if fields.evidence and "evidence" not in errors:
        errors.update(_evidence_errors(actor, person, fields.evidence))
    if errors:
        raise ValidationFailed("Check the referral", errors=errors)
    assert service is not None
    assert receiving is not None
    agency, team = receiving
    membership = _membership(actor)
    with transaction.atomic():
        referral = Referral.objects.create(
            person=person,
            kind=fields.kind,
            origin=Referral.Origin.SIGHTLINE,
            service=service.code,
            services_version=services().version,
            receiving_agency=agency,
            receiving_team=team,
            referrer=actor,
            referring_agency_id=scope.agency_id,
            referring_team_id=membership.team_id if membership else None,
            received_at=now,
            concerns=fields.concerns.strip(),
            family_knows=fields.family_knows.strip(),
            consent=fields.consent,
            consent_note=fields.consent_note.strip(),
            risk=fields.risk,
            risk_note=fields.risk_note.strip(),
            fast_track=fields.fast_track,
            child_words=fields.child_words.strip() if fields.fast_track else "",
        )
        ReferralEvidence.objects.bulk_create(
            ReferralEvidence(referral=referral, entry_id=int(e))
            for e in sorted({int(e) for e in fields.evidence})
        )
        _start_clock(referral, Clock.ACKNOWLEDGEMENT, clocks.ACKNOWLEDGEMENT_KEY, now)
        _start_clock(referral, Clock.DECISION, clocks.DECISION_KEY, now)
        if referral.fast_track:
            _start_clock(referral, Clock.FAST_TRACK, clocks.FAST_TRACK_KEY, now)
        detail = referral.concerns
        if referral.child_words:
            detail += f"\n\nIn the child's words: “{referral.child_words}”"
        referral.made_entry_id = entry_record(
            actor=actor,
            person=person,
            fields=EntryFields(
                type=service.made_entry_type,
                occurred=PartialDate(
                    start=now.astimezone(LONDON), precision=Precision.DAY, has_time=True
                ),
                summary=_made_summary(referral, _scope_agency(actor)),
                detail=detail[:20_000],
                sensitivity=fields.sensitivity,
                is_significant=referral.fast_track,
            ),
        ).pk
        referral.save(update_fields=["made_entry"])
        _event(
            referral,
            ReferralEvent.Kind.MADE,
            actor,
            at=now,
            detail={"service": service.code, "fast_track": referral.fast_track},
        )
        # The receiving agency now holds the referral: it must be able to open the child to
        # triage and decide it, whatever its earlier involvement (docs/workflow.md).
        # A grant of its own, which ends when the referral closes or is allocated (ADR 27).
        access.referral_grant_write(
            referral_id=referral.pk, person_id=person.pk, agency_id=agency.pk, ends_on=None
        )
        _audit(
            actor,
            AuditAction.REFERRAL_MADE,
            referral,
            service=service.code,
            services_version=referral.services_version,
            receiving_agency=agency.code,
            fast_track=referral.fast_track,
            evidence=sorted({int(e) for e in fields.evidence}),
            entry=referral.made_entry_id,
        )
        audit.record(
            actor,
            AuditAction.ACCESS_GRANTED,
            object_type="person",
            object_id=person.reference,
            person_id=person.pk,
            detail={"agency": agency.code, "basis": "referral", "why": f"referral {referral.pk}"},
        )
        if referral.fast_track:
            notify.tell(
                notify.team_managers_of(referral),
                referral=referral,
                event="fast-track",
                subject=f"Fast track referral {referral.pk} to {service.label}",
                body=(
                    f"{_name(actor)} has made a fast track referral to {service.label}: the "
                    "child has asked for help. Open the referral to triage and decide it."
                ),
                actor=actor,
            )
    return referral


# --- the receiving side: acknowledge, triage ----------------------------------------------------


def _acknowledgement(referral: Referral, actor: Any, now: dt.datetime) -> dict[str, Any]:
    if referral.acknowledged_at is not None:
        return {}
    return {"acknowledged_at": now, "acknowledged_by": actor if isinstance(actor, User) else None}


def _after_acknowledged(referral: Referral, actor: Any, now: dt.datetime) -> None:
    """The acknowledgement's clock, event and the referrer told (inside the change)."""
    _meet(referral, [Clock.ACKNOWLEDGEMENT], now)
    _event(referral, ReferralEvent.Kind.ACKNOWLEDGED, actor, at=now)
    notify.tell(
        [referral.referrer],
        referral=referral,
        event="acknowledged",
        subject=f"Referral {referral.pk} received",
        body=(
            f"{referral.receiving_agency.name} has received your referral {referral.pk} to "
            f"{service_label(referral.service)}."
        ),
        actor=actor,
    )


def referral_acknowledge(
    *, actor: Any, referral_id: int, expected_version: int | None = None
) -> Referral:
    """Tell the referrer the referral has been received (once)."""
    access.require(actor, Capability.RECEIVE_REFERRALS)
    referral = referral_get_for(viewer=actor, referral_id=referral_id)
    require_receiving_side(actor, referral, "acknowledge")
    if referral.acknowledged_at is not None:
        raise InvalidTransition(
            f"This referral was acknowledged on {_when(referral.acknowledged_at)}."
        )
    now = clock.now()
    try:
        with transaction.atomic():
            referral = _apply(
                referral,
                expected_version=expected_version,
                statuses=Referral.Status.values,
                action="acknowledgement",
                values=_acknowledgement(referral, actor, now),
            )
            _after_acknowledged(referral, actor, now)
            _audit(actor, AuditAction.REFERRAL_ACKNOWLEDGED, referral)
    except InvalidTransition as exc:
        _refused(actor, referral, "acknowledge", exc)
        raise
    return referral


RAGS = (Referral.Rag.RED, Referral.Rag.AMBER, Referral.Rag.GREEN)


def referral_triage(
    *, actor: Any, referral_id: int, expected_version: int | None, rag: str, note: str = ""
) -> Referral:
    """Record the receiving service's RAG rating (and acknowledge the referral if nobody has)."""
    access.require(actor, Capability.RECEIVE_REFERRALS)
    referral = referral_get_for(viewer=actor, referral_id=referral_id)
    require_receiving_side(actor, referral, "triage")
    errors: dict[str, str] = {}
    if rag not in RAGS:
        errors["rag"] = "Select a rating: red, amber or green"
    note = _text(errors, "rag_note", note, label="Your triage note", maximum=NOTE_MAX)
    if rag == Referral.Rag.RED and not note and "rag" not in errors:
        errors["rag_note"] = "Say why you rated it red"
    if errors:
        raise ValidationFailed("Check the triage", errors=errors)
    now = clock.now()
    acknowledging = _acknowledgement(referral, actor, now)
    try:
        with transaction.atomic():
            referral = _apply(
                referral,
                expected_version=expected_version,
                statuses=[Status.RECEIVED, Status.DECIDED],
                action="triage",
                values={
                    "rag": rag,
                    "rag_note": note,
                    "rag_at": now,
                    "rag_by": actor if isinstance(actor, User) else None,
                    **acknowledging,
                },
            )
            if acknowledging:
                _after_acknowledged(referral, actor, now)
            _event(
                referral,
                ReferralEvent.Kind.TRIAGED,
                actor,
                at=now,
                text=note,
                detail={"rag": rag},
            )
            _audit(actor, AuditAction.REFERRAL_TRIAGED, referral, rag=rag)
    except InvalidTransition as exc:
        _refused(actor, referral, "triage", exc)
        raise
    return referral


# --- deciding -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionFields:
    decision: str
    reasons: tuple[str, ...]
    text: str = ""


def validate_decision(
    fields: DecisionFields, *, risk: str, include_feed: bool = False
) -> dict[str, str]:
    """The rules of a decision, as field -> message. Pure.

    - a decision from the list, with at least one reason the list gives for it;
    - "no further action" and "signposted" need the decider's own words too, as does "another
      reason";
    - "the family did not consent" may not be the only reason where the referrer recorded a risk
      of significant harm (CONSENT_ADVICE)."""
    errors: dict[str, str] = {}
    if fields.decision not in DECISIONS:
        errors["decision"] = "Select the decision"
    codes = list(dict.fromkeys(fields.reasons))
    allowed = {
        r.code: r for r in reasons().for_decision(fields.decision, include_feed=include_feed)
    }
    if "decision" not in errors:
        if not codes:
            errors["reasons"] = "Select at least one reason for the decision"
        elif any(code not in allowed for code in codes):
            errors["reasons"] = "Select reasons from the list for this decision"
        elif risk == Referral.Risk.SIGNIFICANT_HARM and all(
            allowed[c].not_alone_when_significant_harm for c in codes
        ):
            errors["reasons"] = CONSENT_REFUSAL
    needs_words = fields.decision in CLOSING_DECISIONS or "other" in codes
    missing = None
    if needs_words:
        missing = (
            "Say, in your own words, why no further action is needed"
            if fields.decision == "no_further_action"
            else "Say where you have signposted the family, and why"
            if fields.decision == "signposted"
            else "Say what the other reason is"
        )
    _text(errors, "text", fields.text, missing=missing, label="Your reasons", maximum=TEXT_MAX)
    return errors


def _decided_summary(referral: Referral) -> str:
    why = "; ".join(reason_label(c) for c in referral.decision_reasons)
    return (
        f"{Referral.Kind(referral.kind).label} to {service_label(referral.service)} decided: "
        f"{DECISIONS[referral.decision].lower()}. Reason: {why}."
    )


def referral_decide(
    *, actor: Any, referral_id: int, expected_version: int | None, fields: DecisionFields
) -> Referral:
    """Decide a referral made to the actor's agency: accepted for assessment, early help, no
    further action or signposted elsewhere, with its reasons. One decision per referral: a
    decision made on a version someone else has changed since is refused, and says what they
    did. A decider who may no longer see the referral is told it is not found."""
    referral = referral_get_for(viewer=actor, referral_id=referral_id)
    require_receiving_side(actor, referral, "decide")
    scope = access.scope_for(actor)
    if not scope.can(Capability.DECIDE_REFERRALS):
        raise AccessDenied(
            f"Only a manager at {referral.receiving_agency.name} can decide this referral. "
            "Triage it and tell your manager."
        )
    errors = validate_decision(fields, risk=referral.risk)
    if errors:
        raise ValidationFailed("Check the decision", errors=errors)
    now = clock.now()
    codes = tuple(dict.fromkeys(fields.reasons))
    closing = fields.decision in CLOSING_DECISIONS
    acknowledging = _acknowledgement(referral, actor, now)
    membership = _membership(actor)
    try:
        with transaction.atomic():
            referral = _apply(
                referral,
                expected_version=expected_version,
                statuses=[Status.RECEIVED],
                action="decision",
                values={
                    "status": Status.CLOSED if closing else Status.DECIDED,
                    "decision": fields.decision,
                    "decision_reasons": list(codes),
                    "decision_text": fields.text.strip(),
                    "reasons_version": reasons().version,
                    "decided_at": now,
                    "decided_by": actor if isinstance(actor, User) else None,
                    "deciding_agency_id": scope.agency_id,
                    "deciding_team_id": (membership.team_id if membership else None)
                    or referral.receiving_team_id,
                    "closed_at": now if closing else None,
                    **acknowledging,
                },
            )
            if acknowledging:
                _after_acknowledged(referral, actor, now)
            _after_decided(referral, actor, now)
            if closing:
                _end_grant(referral, now)
            entry_id = _record_story(
                actor,
                referral,
                type="referral_accepted"
                if referral.decision in WORKING_DECISIONS
                else "referral_rejected",
                summary=_decided_summary(referral),
                detail=referral.decision_text,
            )
            _event(
                referral,
                ReferralEvent.Kind.DECIDED,
                actor,
                at=now,
                text=referral.decision_text,
                detail={"decision": referral.decision, "reasons": list(codes), "entry": entry_id},
            )
            _audit(
                actor,
                AuditAction.REFERRAL_DECIDED,
                referral,
                decision=referral.decision,
                reasons=list(codes),
                reasons_version=referral.reasons_version,
                entry=entry_id,
            )
            notify.tell(
                [referral.referrer],
                referral=referral,
                event="decided"
                if referral.decision_round == 1
                else f"decided:{referral.decision_round}",
                subject=f"Referral {referral.pk} decided",
                body=(
                    f"{referral.receiving_agency.name} has decided your referral "
                    f"{referral.pk}. Open it to read the decision and the reasons."
                ),
                actor=actor,
            )
            announce_decided(referral)
    except InvalidTransition as exc:
        _refused(actor, referral, "decide", exc)
        raise
    return referral


def _after_decided(referral: Referral, actor: Any, now: dt.datetime) -> None:
    """The clocks a decision meets, stops and starts."""
    _meet(referral, [Clock.DECISION], now)
    if referral.decision in CLOSING_DECISIONS:
        _stop(referral, [Clock.FAST_TRACK], now)
        return
    allocation = clocks.allocation_key(referral.service)
    if allocation:
        _start_clock(referral, Clock.ALLOCATION, allocation, now)
    if referral.decision == ACCEPTED:
        # Working Together: the assessment's 45 working days run from the point of referral;
        # for a reconsidered decision, from the reconsideration (the referral received again).
        start = referral.reconsidered_at or referral.received_at
        _start_clock(referral, Clock.ASSESSMENT, clocks.ASSESSMENT_KEY, start)


# --- reconsidering a decision -------------------------------------------------------------------

RECONSIDERABLE = (Status.DECIDED, Status.CLOSED)
RECONSIDER_GROUNDS_MISSING = (
    "Choose the professional disagreement that asks for the decision to be reconsidered, or "
    "give your reason as a manager for reconsidering it"
)


def reconsideration_refusal(referral: Referral) -> str | None:
    """Why this referral's decision cannot be reconsidered now (None: it can)."""
    if referral.status == Status.RECEIVED:
        return "This referral is waiting for a decision: decide it instead."
    if referral.status == Status.ALLOCATED:
        return (
            f"This referral is allocated to {referral.allocated_to_name or _allocated_name(referral)}"
            ": they are working with the child. Talk to them and their manager instead."
        )
    if referral.assessment_completed_at is not None:
        return "The assessment of this referral is complete: make a new referral if needed."
    return None


def _allocated_name(referral: Referral) -> str:
    return referral.allocated_to.display_name if referral.allocated_to else "a worker"


def referral_reconsider(
    *,
    actor: Any,
    referral_id: int,
    expected_version: int | None,
    disagreement_id: int | None = None,
    reason: str = "",
) -> Referral:
    """Reopen a decided referral for a new decision: a professional disagreement about its
    decision (open, or resolved) asks for it, or a manager of the receiving agency gives their
    reason. The decision stands in the referral's history as an earlier decision; the referral
    waits for a new one, on a new decision clock from now, under the timescale in force now;
    the referrer is told and it is in the child's story."""
    referral = referral_get_for(viewer=actor, referral_id=referral_id)
    require_receiving_side(actor, referral, "reconsider")
    if not access.scope_for(actor).can(Capability.DECIDE_REFERRALS):
        raise AccessDenied(
            f"Only a manager at {referral.receiving_agency.name} can reconsider this decision."
        )
    refusal = reconsideration_refusal(referral)
    if refusal is not None:
        raise InvalidTransition(refusal)
    errors: dict[str, str] = {}
    reason = _text(errors, "reason", reason, label="Your reason", maximum=NOTE_MAX)
    ground = None
    if disagreement_id is not None:
        grounds = {g.id: g for g in extensions.reconsideration_grounds_for(actor, referral)}
        ground = grounds.get(disagreement_id) if is_row_id(disagreement_id) else None
        if ground is None:
            errors["disagreement"] = (
                "Choose a professional disagreement about this referral's decision from the list"
            )
    elif not reason and "reason" not in errors:
        errors["disagreement"] = RECONSIDER_GROUNDS_MISSING
    if errors:
        raise ValidationFailed("Check why the decision is reconsidered", errors=errors)
    now = clock.now()
    previous = {
        "round": referral.decision_round,
        "decision": referral.decision,
        "decision_reasons": list(referral.decision_reasons or []),
        "decision_text": referral.decision_text,
        "reasons_version": referral.reasons_version,
        "decided_at": referral.decided_at,
        "decided_by_id": referral.decided_by_id,
        "deciding_agency_id": referral.deciding_agency_id,
    }
    try:
        with transaction.atomic():
            referral = _apply(
                referral,
                expected_version=expected_version,
                statuses=RECONSIDERABLE,
                action="reconsideration",
                values={
                    "status": Status.RECEIVED,
                    "decision": "",
                    "decision_reasons": [],
                    "decision_text": "",
                    "reasons_version": None,
                    "decided_at": None,
                    "decided_by": None,
                    "closed_at": None,
                    "decision_round": F("decision_round") + 1,
                    "reconsidered_at": now,
                },
            )
            earlier = ReferralDecision.objects.create(
                referral=referral,
                **previous,
                reconsidered_at=now,
                reconsidered_by=actor if isinstance(actor, User) else None,
                disagreement_id=ground.id if ground else None,
                disagreement_label=(ground.label if ground else "")[:300],
                reason=reason,
            )
            _end_grant(referral, None)  # open again while it waits for the new decision
            # What the earlier decision started no longer runs; a new decision clock does.
            _stop(referral, [Clock.ALLOCATION, Clock.ASSESSMENT], now)
            _start_clock(referral, Clock.DECISION, clocks.DECISION_KEY, now)
            why = (
                f"the professional disagreement “{ground.label}”"
                if ground
                else "a manager's reason"
            )
            earlier_label = DECISIONS.get(earlier.decision, earlier.decision).lower()
            entry_id = _record_story(
                actor,
                referral,
                type="referral_reconsidered",
                summary=(
                    f"{Referral.Kind(referral.kind).label} to {service_label(referral.service)}: "
                    f"the decision ({earlier_label}) is reconsidered, after {why}. A new "
                    "decision is due."
                ),
                detail=reason,
            )
            text = f"The decision ({earlier_label}) is reconsidered, after {why}."
            if reason:
                text += f" {reason}"
            _event(
                referral,
                ReferralEvent.Kind.RECONSIDERED,
                actor,
                at=now,
                text=text,
                detail={
                    "round": referral.decision_round,
                    "earlier": earlier.pk,
                    "disagreement": earlier.disagreement_id,
                    "entry": entry_id,
                },
            )
            _audit(
                actor,
                AuditAction.REFERRAL_RECONSIDERED,
                referral,
                round=referral.decision_round,
                earlier_decision=earlier.decision,
                disagreement=earlier.disagreement_id,
                entry=entry_id,
            )
            notify.tell(
                [referral.referrer],
                referral=referral,
                event=f"reconsidered:{referral.decision_round}",
                subject=f"Referral {referral.pk} is being decided again",
                body=(
                    f"{referral.receiving_agency.name} is reconsidering its decision on your "
                    f"referral {referral.pk}. You will be told the new decision."
                ),
                actor=actor,
            )
    except InvalidTransition as exc:
        _refused(actor, referral, "reconsider", exc)
        raise
    return referral


# --- allocating ---------------------------------------------------------------------------------


def allocatable_workers(referral: Referral) -> list[User]:
    """Who a referral can be allocated to: the active members of the receiving agency with a
    role that works with children, the receiving team first."""
    roles = [
        r
        for r in Membership.Role.values
        if Capability.VIEW_GRANTED_CHILDREN in _caps(r) or Capability.VIEW_ALL_CHILDREN in _caps(r)
    ]
    users = list(
        User.objects.filter(
            is_active=True,
            membership__agency_id=referral.receiving_agency_id,
            membership__role__in=roles,
        ).select_related("membership")
    )
    users.sort(
        key=lambda u: (
            u.membership.team_id != referral.receiving_team_id,
            u.last_name,
            u.first_name,
            u.username,
        )
    )
    return users


def _team_of(user: User) -> int | None:
    membership = Membership.objects.filter(user_id=user.pk).first()
    return membership.team_id if membership else None


def _caps(role: str) -> frozenset[str]:
    from sightline.governance.policy import capabilities_of

    return capabilities_of(role)


def referral_allocate(
    *, actor: Any, referral_id: int, expected_version: int | None, worker_id: int
) -> Referral:
    """Allocate a decided referral (accepted for assessment or early help) to a worker of the
    receiving agency."""
    referral = referral_get_for(viewer=actor, referral_id=referral_id)
    require_receiving_side(actor, referral, "allocate")
    if not access.scope_for(actor).can(Capability.DECIDE_REFERRALS):
        raise AccessDenied(
            f"Only a manager at {referral.receiving_agency.name} can allocate this referral."
        )
    worker = next((u for u in allocatable_workers(referral) if u.pk == worker_id), None)
    if worker is None:
        raise ValidationFailed(
            "Check the allocation",
            errors={
                "worker": f"Select someone at {referral.receiving_agency.name} to allocate it to"
            },
        )
    now = clock.now()
    try:
        with transaction.atomic():
            referral = _apply(
                referral,
                expected_version=expected_version,
                statuses=[Status.DECIDED],
                action="allocation",
                values={
                    "status": Status.ALLOCATED,
                    "allocated_to": worker,
                    "allocated_at": now,
                    "allocated_by": actor if isinstance(actor, User) else None,
                },
            )
            _meet(referral, [Clock.ALLOCATION, Clock.FAST_TRACK], now)
            # The receiving agency now works with the child: an involvement (its own, if it
            # has one already), so access and "who else knows this child" follow it.
            _end_grant(referral, now)
            involvement, started = involvement_start(
                actor=actor,
                person_id=referral.person_id,
                agency_id=referral.receiving_agency_id,
                team_id=_team_of(worker) or referral.receiving_team_id,
                started_on=now.astimezone(LONDON).date(),
                practitioner=worker,
                why=f"referral {referral.pk} allocated",
            )
            entry_id = _record_story(
                actor,
                referral,
                type="allocation",
                summary=(
                    f"{Referral.Kind(referral.kind).label} to "
                    f"{service_label(referral.service)} allocated to {worker.display_name}, "
                    f"{referral.receiving_agency.name}."
                ),
            )
            _event(
                referral,
                ReferralEvent.Kind.ALLOCATED,
                actor,
                at=now,
                text=worker.display_name,
                detail={
                    "worker": worker.pk,
                    "entry": entry_id,
                    "involvement": involvement.pk,
                    "involvement_started": started,
                },
            )
            _audit(actor, AuditAction.REFERRAL_ALLOCATED, referral, worker=worker.pk)
            notify.tell(
                [referral.referrer],
                referral=referral,
                event="allocated",
                subject=f"Referral {referral.pk} allocated",
                body=(
                    f"Your referral {referral.pk} to {service_label(referral.service)} is "
                    f"allocated to {worker.display_name}."
                ),
                actor=actor,
            )
            notify.tell(
                [worker],
                referral=referral,
                event="allocated-to-you",
                subject=f"Referral {referral.pk} allocated to you",
                body=(
                    f"{_name(actor)} has allocated referral {referral.pk} to "
                    f"{service_label(referral.service)} to you."
                ),
                actor=actor,
            )
    except InvalidTransition as exc:
        _refused(actor, referral, "allocate", exc)
        raise
    return referral


def referral_complete_assessment(
    *, actor: Any, referral_id: int, expected_version: int | None, summary: str
) -> Referral:
    """Record that the assessment of a referral accepted for assessment is complete (by the
    allocated worker or a manager of the receiving agency); the referral is then closed."""
    referral = referral_get_for(viewer=actor, referral_id=referral_id)
    require_receiving_side(actor, referral, "record the assessment of")
    if referral.allocated_to_id != getattr(actor, "pk", None) and not access.scope_for(actor).can(
        Capability.DECIDE_REFERRALS
    ):
        raise AccessDenied(
            "Only the worker it is allocated to, or a manager, can record the assessment."
        )
    if referral.decision != ACCEPTED:
        raise InvalidTransition("Only a referral accepted for assessment has an assessment.")
    errors: dict[str, str] = {}
    summary = _text(
        errors,
        "summary",
        summary,
        missing="Enter the outcome of the assessment",
        label="The outcome",
    )
    if errors:
        raise ValidationFailed("Check the assessment", errors=errors)
    now = clock.now()
    try:
        with transaction.atomic():
            referral = _apply(
                referral,
                expected_version=expected_version,
                statuses=[Status.ALLOCATED],
                action="assessment",
                values={
                    "status": Status.CLOSED,
                    "assessment_completed_at": now,
                    "closed_at": now,
                },
            )
            _meet(referral, [Clock.ASSESSMENT], now)
            entry_id = _record_story(
                actor,
                referral,
                type="assessment_completed",
                summary=f"Assessment completed ({service_label(referral.service)}).",
                detail=summary,
            )
            _event(
                referral,
                ReferralEvent.Kind.ASSESSMENT_COMPLETED,
                actor,
                at=now,
                text=summary,
                detail={"entry": entry_id},
            )
            _audit(actor, AuditAction.REFERRAL_ASSESSMENT_COMPLETED, referral, entry=entry_id)
    except InvalidTransition as exc:
        _refused(actor, referral, "record the assessment of", exc)
        raise
    return referral


# --- asking about a referral --------------------------------------------------------------------


def referral_ask(*, actor: Any, referral_id: int, question: str) -> ReferralEvent:
    """Ask about a referral (the referrer: what is happening? the receiving side: a question for
    the referrer). The other side is told."""
    referral = referral_get_for(viewer=actor, referral_id=referral_id)
    errors: dict[str, str] = {}
    question = _text(
        errors,
        "question",
        question,
        missing="Enter your question",
        label="Your question",
        maximum=NOTE_MAX,
    )
    if errors:
        raise ValidationFailed("Check your question", errors=errors)
    sides = sides_of(actor, referral)
    now = clock.now()
    with transaction.atomic():
        event = _event(referral, ReferralEvent.Kind.QUESTION, actor, at=now, text=question)
        _audit(actor, AuditAction.REFERRAL_ASKED, referral, question=event.pk)
        if sides.referrer and not sides.receiver:
            recipients = [*notify.team_managers_of(referral), referral.allocated_to]
        else:
            recipients = [referral.referrer]
        notify.tell(
            [u for u in recipients if u is not None and u.pk != getattr(actor, "pk", None)],
            referral=referral,
            event=f"question:{event.pk}",
            subject=f"A question about referral {referral.pk}",
            body=f"{_name(actor)} has asked a question. Open the referral to read and answer it.",
            actor=actor,
        )
    return event


def referral_answer(
    *, actor: Any, referral_id: int, question_id: int, answer: str
) -> ReferralEvent:
    """Answer a question about a referral, from the other side of it; the asker is told. A
    question is answered once (the first answer stands; a second is told so)."""
    referral = referral_get_for(viewer=actor, referral_id=referral_id)
    question = (
        ReferralEvent.objects.filter(
            pk=question_id if is_row_id(question_id) else 0,
            referral_id=referral.pk,
            kind=ReferralEvent.Kind.QUESTION,
        )
        .select_related("actor")
        .first()
    )
    if question is None:
        raise NotFound("No question found on this referral with that number.")
    sides = sides_of(actor, referral)
    asked_by_referrer = question.agency_id == referral.referring_agency_id and (
        question.agency_id != referral.receiving_agency_id
    )
    if (asked_by_referrer and not sides.receiver) or (not asked_by_referrer and not sides.referrer):
        raise AccessDenied(
            "The question was asked by your side of the referral: the other side answers it."
        )
    errors: dict[str, str] = {}
    answer = _text(
        errors, "answer", answer, missing="Enter your answer", label="Your answer", maximum=NOTE_MAX
    )
    if errors:
        raise ValidationFailed("Check your answer", errors=errors)
    now = clock.now()
    try:
        with transaction.atomic():
            event = _event(
                referral,
                ReferralEvent.Kind.ANSWER,
                actor,
                at=now,
                text=answer,
                reply_to=question,
            )
            _audit(actor, AuditAction.REFERRAL_ANSWERED, referral, question=question.pk)
            notify.tell(
                [question.actor] if question.actor is not None else [],
                referral=referral,
                event=f"answer:{question.pk}",
                subject=f"Your question about referral {referral.pk} was answered",
                body=f"{_name(actor)} has answered. Open the referral to read the answer.",
                actor=actor,
            )
    except IntegrityError:
        first = ReferralEvent.objects.filter(reply_to=question).first()
        who = first.actor_name if first else "Someone"
        exc = ConcurrentChange(
            f"{who} answered this question while you were writing, so your answer was not "
            "saved. Read their answer in the history.",
            referral_id=referral.pk,
        )
        _refused(actor, referral, "answer", exc)
        raise exc from None
    return event


# --- the clocks: escalate what has run out ------------------------------------------------------


@dataclass
class ClockRun:
    """What one run of the clock job did: (referral id, clock, level) for each escalation."""

    escalated: list[tuple[int, str, str]] = field(default_factory=list)


_LEVEL_TEXT: dict[str, str] = {
    ReferralEscalation.Level.TEAM_MANAGER: "the team manager",
    ReferralEscalation.Level.HEAD_OF_SERVICE: "the head of service",
}


def _overdue_text(row: ReferralClock) -> str:
    day = row.due_on
    due = f"{day.day} {day:%B %Y}"
    return {
        Clock.ACKNOWLEDGEMENT: f"The referral was to be acknowledged by {due}",
        Clock.DECISION: f"The decision was due by {due}",
        Clock.FAST_TRACK: f"The fast track referral was to be allocated by {due}",
        Clock.ALLOCATION: f"The referral was to be allocated by {due}",
        Clock.ASSESSMENT: f"The assessment was due by {due}",
    }[Clock(row.clock)]


def _escalate(row: ReferralClock, level: str, now: dt.datetime) -> bool:
    """Tell one level about one clock that ran out, once (the escalation's unique row)."""
    referral = Referral.objects.select_related("person", "receiving_agency").get(pk=row.referral_id)
    with transaction.atomic():
        try:
            with transaction.atomic():
                escalation = ReferralEscalation.objects.create(clock=row, level=level, at=now)
        except IntegrityError:
            return False  # another tick told them
        if level == ReferralEscalation.Level.TEAM_MANAGER:
            recipients = notify.team_managers_of(referral)
            following = clocks.due_for(clocks.ESCALATE_KEY, now)
            escalation.next_key = following.key
            escalation.next_version = following.version
            escalation.next_due_at = following.due_at
        else:
            recipients = notify.heads_of_service_of(referral)
        overdue = _overdue_text(row)
        names = ", ".join(u.display_name for u in recipients)
        text = (
            f"{overdue}. Told {_LEVEL_TEXT[level]}: {names}."
            if recipients
            else f"{overdue}. No {_LEVEL_TEXT[level].removeprefix('the ')} is recorded for "
            f"{referral.receiving_agency.name}'s team: ask the system administrator to name one."
        )
        escalation.told = notify.tell(
            recipients,
            referral=referral,
            # A reconsidered decision's clocks are new ones: their managers are told again.
            event=f"{row.clock}-overdue:{level}"
            if row.round == 1
            else f"{row.clock}-r{row.round}-overdue:{level}",
            subject=f"Overdue: referral {referral.pk}",
            body=f"{overdue} and it has not been done. Please make sure it is done today.",
            actor=CLOCK,
        )
        escalation.save(update_fields=["told", "next_key", "next_version", "next_due_at"])
        _event(
            referral,
            ReferralEvent.Kind.ESCALATED,
            CLOCK,
            at=now,
            text=text,
            detail={"clock": row.clock, "level": level, "told": escalation.told},
        )
        _audit(
            CLOCK,
            AuditAction.REFERRAL_ESCALATED,
            referral,
            clock=row.clock,
            level=level,
            told=escalation.told,
            timescale=[row.timescale_key, row.timescale_version],
        )
    return True


def _clocks_due(
    now: dt.datetime,
) -> tuple[QuerySet[ReferralClock], QuerySet[ReferralClock]]:
    levels = ReferralEscalation.Level
    due = ReferralClock.objects.filter(
        met_at__isnull=True, stopped_at__isnull=True, due_at__lte=now
    ).exclude(escalations__level=levels.TEAM_MANAGER)
    further = ReferralClock.objects.filter(
        met_at__isnull=True,
        stopped_at__isnull=True,
        escalations__level=levels.TEAM_MANAGER,
        escalations__next_due_at__lte=now,
    ).exclude(escalations__level=levels.HEAD_OF_SERVICE)
    return due, further


def referral_clocks_due(now: dt.datetime) -> bool:
    """Whether any clock waits to be escalated (the periodic job's `when`: an idle tick adds no
    task and no audit row). Reads only the clocks' own columns, no case data."""
    due, further = _clocks_due(now)
    return due.exists() or further.exists()


def referral_clocks_run(*, scope: Any, now: dt.datetime | None = None) -> ClockRun:
    """Escalate every running clock that has run out: first to the receiving team's managers,
    then, if still running when the further interval has passed, to the heads of service.
    Idempotent: each clock is escalated once per level, however many ticks run."""
    access.require_system(scope)
    now = now or clock.now()
    run = ClockRun()
    levels = ReferralEscalation.Level
    due, further = _clocks_due(now)
    for row in due.order_by("due_at", "pk"):
        if _escalate(row, levels.TEAM_MANAGER, now):
            run.escalated.append((row.referral_id, row.clock, levels.TEAM_MANAGER))
    for row in further.distinct().order_by("due_at", "pk"):
        if _escalate(row, levels.HEAD_OF_SERVICE, now):
            run.escalated.append((row.referral_id, row.clock, levels.HEAD_OF_SERVICE))
    return run
