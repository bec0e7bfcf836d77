"""What a disagreement can be about, when Sightline holds the record: a step up or step down
decision (decisions), a closure proposal (cases), a referral decision (referrals). This app sits
above all three in the layer order, so it reads them; they link here by URL name
(`escalations:new?subject=<kind>:<id>`) and never import it.

Each source lists, for a viewer and a child, the decisions of other agencies the viewer could
disagree with, and resolves one by id (None when the viewer may not see it, or it is not this
child's)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from sightline.agencies.models import Agency
from sightline.cases.models import ClosureProposal
from sightline.core.dates import MONTHS
from sightline.core.errors import NotFound
from sightline.decisions.models import StepRequest
from sightline.governance import access
from sightline.people.models import Person
from sightline.referrals.models import Referral
from sightline.referrals.selectors import referral_decision_for, referrals_of_child_for
from sightline.referrals.vocabulary import DECISIONS, service_label


@dataclass(frozen=True)
class Subject:
    kind: str
    id: int | None
    label: str
    about_agency_id: int
    about_agency_name: str
    about_team_id: int | None = None
    about_user_id: int | None = None
    url: str = ""


def _day(value: Any) -> str:
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


# --- step up and step down decisions -------------------------------------------------------------


def _step_subject(request: StepRequest) -> Subject:
    what = "Step up" if request.direction == StepRequest.Direction.UP else "Step down"
    status = request.get_status_display().lower()
    when = _day(request.decided_at or request.requested_at)
    return Subject(
        kind="step_decision",
        id=request.pk,
        label=f"{what} request to {request.deciding_agency.name}, {when}: {status}",
        about_agency_id=request.deciding_agency_id,
        about_agency_name=request.deciding_agency.name,
        about_user_id=request.decided_by_id,
        url=reverse("decisions:request", args=[request.pk]),
    )


def _step_candidates(viewer: Any, person: Person) -> list[Subject]:
    scope = access.scope_for(viewer)
    rows = (
        StepRequest.objects.filter(person_id=person.pk)
        .exclude(deciding_agency_id=scope.agency_id or 0)
        .exclude(status=StepRequest.Status.WITHDRAWN)
        .select_related("deciding_agency")
        .order_by("-requested_at")[:10]
    )
    return [_step_subject(r) for r in rows]


def _step_get(viewer: Any, person: Person, subject_id: int) -> Subject | None:
    row = (
        StepRequest.objects.filter(pk=subject_id, person_id=person.pk)
        .select_related("deciding_agency")
        .first()
    )
    return _step_subject(row) if row is not None else None


# --- closures --------------------------------------------------------------------------------------


def _closure_subject(proposal: ClosureProposal) -> Subject:
    return Subject(
        kind="closure",
        id=proposal.pk,
        label=(
            f"{proposal.agency.name} proposing to close its involvement, "
            f"{_day(proposal.proposed_at)} ({proposal.get_reason_display().lower()})"
        ),
        about_agency_id=proposal.agency_id,
        about_agency_name=proposal.agency.name,
        about_team_id=proposal.team_id,
        about_user_id=proposal.proposed_by_id,
        url=reverse("cases:closure", args=[proposal.pk]),
    )


def _closure_candidates(viewer: Any, person: Person) -> list[Subject]:
    scope = access.scope_for(viewer)
    rows = (
        ClosureProposal.objects.filter(person_id=person.pk)
        .exclude(agency_id=scope.agency_id or 0)
        .exclude(status=ClosureProposal.Status.WITHDRAWN)
        .select_related("agency")
        .order_by("-proposed_at")[:10]
    )
    return [_closure_subject(p) for p in rows]


def _closure_get(viewer: Any, person: Person, subject_id: int) -> Subject | None:
    row = (
        ClosureProposal.objects.filter(pk=subject_id, person_id=person.pk)
        .select_related("agency")
        .first()
    )
    return _closure_subject(row) if row is not None else None


# --- referral decisions ---------------------------------------------------------------------------


def _referral_subject(referral: Referral, agency: Agency) -> Subject:
    decision = DECISIONS.get(referral.decision, referral.decision).lower()
    when = _day(referral.decided_at or referral.received_at)
    return Subject(
        kind="referral",
        id=referral.pk,
        label=f"Referral to {service_label(referral.service)}, decided {when}: {decision}",
        about_agency_id=agency.pk,
        about_agency_name=agency.name,
        about_team_id=referral.deciding_team_id,
        about_user_id=referral.decided_by_id,
        url=reverse("referrals:detail", args=[referral.pk]),
    )


def _referral_candidates(viewer: Any, person: Person) -> list[Subject]:
    scope = access.scope_for(viewer)
    out = []
    for referral in referrals_of_child_for(viewer=viewer, person_id=person.pk)[:20]:
        agency_id = referral.deciding_agency_id or referral.receiving_agency_id
        if not referral.decision or agency_id == scope.agency_id:
            continue
        agency = Agency.objects.get(pk=agency_id)
        out.append(_referral_subject(referral, agency))
    return out[:10]


def _referral_get(viewer: Any, person: Person, subject_id: int) -> Subject | None:
    try:
        decision = referral_decision_for(viewer=viewer, referral_id=subject_id)
    except NotFound:
        return None
    if decision is None or decision.person_id != person.pk:
        return None
    referral = Referral.objects.get(pk=subject_id)
    agency = Agency.objects.get(pk=decision.deciding_agency_id or referral.receiving_agency_id)
    return _referral_subject(referral, agency)


# --- the registry ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    candidates: Callable[[Any, Person], list[Subject]]
    get: Callable[[Any, Person, int], Subject | None]


SOURCES: dict[str, Source] = {
    "referral": Source(_referral_candidates, _referral_get),
    "step_decision": Source(_step_candidates, _step_get),
    "closure": Source(_closure_candidates, _closure_get),
}
# The page of each kind's record (its URL name, taking the record's id).
URL_NAMES: dict[str, str] = {
    "referral": "referrals:detail",
    "step_decision": "decisions:request",
    "closure": "cases:closure",
}
# Kinds with no record in Sightline: the raiser names what it is about.
UNRECORDED = ("missed_action", "other")


def register_source(kind: str, source: Source, *, url_name: str) -> None:
    SOURCES[kind] = source
    URL_NAMES[kind] = url_name


def candidates_for(viewer: Any, person: Person) -> list[Subject]:
    """The decisions of other agencies about this child the viewer may disagree with, newest
    first within each kind (the viewer has already been allowed to see the child)."""
    out: list[Subject] = []
    for source in SOURCES.values():
        out += source.candidates(viewer, person)
    return out


def subject_get(viewer: Any, person: Person, kind: str, subject_id: int) -> Subject | None:
    source = SOURCES.get(kind)
    return source.get(viewer, person, subject_id) if source is not None else None


def parse_subject(text: str) -> tuple[str, int] | None:
    """ "step_decision:12" -> ("step_decision", 12); None when it is not that shape."""
    kind, _, number = (text or "").partition(":")
    if kind not in SOURCES or not number.isascii() or not number.isdigit() or len(number) > 18:
        return None
    return kind, int(number)


def reconsideration_grounds(viewer: Any, referral: Referral) -> list[Any]:
    """The referrals app's grounds to reconsider a decision: the open and resolved
    disagreements about this referral's decision (the viewer may already open the referral,
    and so see the child)."""
    from sightline.escalations.models import Escalation
    from sightline.referrals.extensions import Ground

    rows = Escalation.objects.filter(
        subject_kind=Escalation.Subject.REFERRAL,
        subject_id=referral.pk,
        person_id=referral.person_id,
        status__in=[Escalation.Status.OPEN, Escalation.Status.RESOLVED],
    ).select_related("raised_by_agency")
    return [
        Ground(
            id=e.pk,
            label=f"{e.raised_by_agency.name}: {e.subject_label}",
            status=(
                f"Open, at stage {e.stage}"
                if e.status == Escalation.Status.OPEN
                else f"Resolved: {e.get_outcome_display().lower()}"
            ),
            url=reverse("escalations:detail", args=[e.pk]),
        )
        for e in rows.order_by("-raised_at", "-pk")
    ]
