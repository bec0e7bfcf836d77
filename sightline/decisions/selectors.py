"""Reads of step up and step down requests, always for one viewer, through the access module.
A request about a child the viewer may not see is "not found", as one that does not exist."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Q, QuerySet

from sightline.agencies.models import Agency
from sightline.chronology.filters import StoryFilters
from sightline.chronology.models import ChronologyEntry
from sightline.chronology.selectors import Child, StoryRow, entry_get_for, story_for
from sightline.core.errors import NotFound
from sightline.decisions.models import AgencyView, StepEvidence, StepRequest
from sightline.governance import access
from sightline.people.models import Person

EVIDENCE_CHOICES = 40


def _base() -> QuerySet[StepRequest]:
    return StepRequest.objects.select_related(
        "person",
        "requested_by",
        "requesting_agency",
        "requesting_team",
        "deciding_agency",
        "decided_by",
    )


def step_request_get_for(*, viewer: Any, request_id: int) -> StepRequest:
    found = _base().filter(pk=request_id).first()
    access.require_person(
        viewer, found.person_id if found is not None else None, detail={"step_request": request_id}
    )
    assert found is not None
    return found


def step_requests_for_child(*, viewer: Any, person: Person) -> list[StepRequest]:
    rows = access.restrict_people(viewer, _base().filter(person_id=person.pk), field="person_id")
    return sorted(rows, key=lambda r: (r.status != "waiting", -r.requested_at.timestamp()))


def views_of(request: StepRequest) -> list[AgencyView]:
    return list(
        AgencyView.objects.filter(request=request)
        .select_related("agency", "given_by")
        .order_by("agency__name")
    )


def evidence_of(*, viewer: Any, child: Child, request: StepRequest) -> list[StoryRow | int]:
    """The request's evidence as the viewer may read it: the entry, or only its number when
    the viewer is not cleared to read it (it still counts as evidence)."""
    out: list[StoryRow | int] = []
    for item in StepEvidence.objects.filter(request=request).order_by("entry__occurred_at"):
        try:
            out.append(entry_get_for(viewer=viewer, child=child, entry_id=item.entry_id))
        except NotFound:
            out.append(item.entry_id)
    return out


def evidence_choices_for(*, viewer: Any, child: Child) -> list[ChronologyEntry]:
    """The entries a requester may cite: the newest of the child's story they may read."""
    page = story_for(viewer=viewer, child=child, filters=StoryFilters(), per_page=EVIDENCE_CHOICES)
    return [
        row.entry
        for row in page.rows
        if isinstance(row, StoryRow) and not row.entry.entered_in_error
    ]


def _visible(viewer: Any, rows: QuerySet[StepRequest]) -> QuerySet[StepRequest]:
    return access.restrict_people(viewer, rows, field="person_id")


def step_requests_to_decide_for(*, viewer: Any) -> list[StepRequest]:
    scope = access.scope_for(viewer)
    if scope.agency_id is None:
        return []
    rows = _visible(
        viewer,
        _base().filter(status=StepRequest.Status.WAITING, deciding_agency_id=scope.agency_id),
    )
    return list(rows.order_by("requested_at"))


def step_requests_made_for(*, viewer: Any) -> list[StepRequest]:
    """The viewer's agency's requests still waiting, and those refused (a disagreement may be
    called for)."""
    scope = access.scope_for(viewer)
    if scope.agency_id is None:
        return []
    rows = _visible(
        viewer,
        _base().filter(requesting_agency_id=scope.agency_id, status__in=["waiting", "refused"]),
    )
    return list(rows.order_by("-requested_at")[:50])


def step_requests_for_teams(*, viewer: Any, teams: Sequence[Any]) -> list[StepRequest]:
    team_ids = [t.pk for t in teams]
    agency_ids = sorted({t.agency_id for t in teams})
    rows = _visible(
        viewer,
        _base()
        .filter(status=StepRequest.Status.WAITING)
        .filter(Q(requesting_team_id__in=team_ids) | Q(deciding_agency_id__in=agency_ids)),
    )
    return list(rows.order_by("requested_at"))


def deciding_agencies_for(*, viewer: Any) -> list[Agency]:
    scope = access.scope_for(viewer)
    return list(Agency.objects.exclude(pk=scope.agency_id or 0).order_by("name"))
