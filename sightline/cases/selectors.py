"""Reads of involvements (who is working with a child), always for one viewer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Lower

from sightline.cases.models import ClosureProposal, ClosureResponse, Involvement, LastAgencyFlag
from sightline.core import clock
from sightline.core.extensions import open_items_for
from sightline.governance import access
from sightline.governance.models import AccessGrant
from sightline.governance.policy import Capability
from sightline.people.models import Person


def involvements_for(*, viewer: Any, person: Person) -> list[Involvement]:
    """Every involvement with this person, current and ended: lead practitioners first, then by
    agency. Empty for a viewer who may not see the person (one query, the access check included)."""
    rows = access.restrict_people(
        viewer, Involvement.objects.filter(person_id=person.pk), field="person_id"
    ).select_related("agency", "team")
    return sorted(
        rows,
        key=lambda i: (
            i.ended_on is not None,
            not i.is_lead,
            i.agency.name,
            i.team.name if i.team else "",
            i.practitioner_name,
        ),
    )


def is_lead_social_worker(scope: access.Scope, person_id: int) -> bool:
    """Whether the viewer is the child's lead social worker: the practitioner named (by their
    email) on a current lead involvement of their own children's social care agency. Read for
    the access module's clearance of health-confidential detail (access.clearance_for)."""
    if (
        scope.user_id is None
        or scope.agency_id is None
        or scope.agency_kind != "childrens_social_care"
    ):
        return False
    from django.contrib.auth import get_user_model

    email = get_user_model().objects.filter(pk=scope.user_id).values("email")[:1]
    today = clock.today()
    return (
        Involvement.objects.filter(person_id=person_id, agency_id=scope.agency_id, is_lead=True)
        .exclude(practitioner_email="")
        # iexact cannot take a subquery; the same comparison, spelled out.
        .annotate(lead_email=Lower("practitioner_email"))
        .filter(lead_email=Lower(Subquery(email)))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .filter(Q(started_on__isnull=True) | Q(started_on__lte=today))
        .exists()
    )


# --- closure proposals and "last agency standing" ----------------------------------------------


def closure_get_for(*, viewer: Any, closure_id: int) -> ClosureProposal:
    """A closure proposal, if the viewer may see its child; NotFound (audited) otherwise, the
    same answer as for one that does not exist."""
    found = (
        ClosureProposal.objects.select_related(
            "person", "agency", "team", "proposed_by", "involvement", "discussion_entry"
        )
        .filter(pk=closure_id)
        .first()
    )
    access.require_person(
        viewer, found.person_id if found is not None else None, detail={"closure": closure_id}
    )
    assert found is not None
    return found


def responses_of(proposal: ClosureProposal) -> list[ClosureResponse]:
    return list(
        ClosureResponse.objects.filter(proposal=proposal)
        .select_related("agency", "responded_by")
        .order_by("responded_at")
    )


def closures_for_child(*, viewer: Any, person: Person) -> list[ClosureProposal]:
    rows = access.restrict_people(
        viewer,
        ClosureProposal.objects.filter(person_id=person.pk).select_related("agency", "person"),
        field="person_id",
    )
    return sorted(
        rows, key=lambda p: (p.status not in ("proposed", "blocked"), -p.proposed_at.timestamp())
    )


def closures_to_answer_for(*, viewer: Any) -> list[ClosureProposal]:
    """Proposals of other agencies, still in their window, for children the viewer's agency
    knows, that the agency has not answered yet."""
    scope = access.scope_for(viewer)
    if scope.agency_id is None:
        return []
    rows = access.restrict_people(
        viewer,
        ClosureProposal.objects.filter(status=ClosureProposal.Status.PROPOSED)
        .exclude(agency_id=scope.agency_id)
        .exclude(responses__agency_id=scope.agency_id)
        .select_related("agency", "person"),
        field="person_id",
    )
    if scope.can(Capability.VIEW_ALL_CHILDREN):
        # The front door sees every child: only the children its own agency is working with.
        rows = rows.filter(
            Exists(
                AccessGrant.objects.filter(
                    person_id=OuterRef("person_id"), agency_id=scope.agency_id
                )
            )
        )
    return list(rows.order_by("window_ends_on", "pk"))


def closures_proposed_by_agency_for(*, viewer: Any) -> list[ClosureProposal]:
    scope = access.scope_for(viewer)
    if scope.agency_id is None:
        return []
    rows = access.restrict_people(
        viewer,
        ClosureProposal.objects.filter(
            agency_id=scope.agency_id, status__in=["proposed", "blocked"]
        ).select_related("agency", "person"),
        field="person_id",
    )
    return list(rows.order_by("window_ends_on", "pk"))


def last_agency_flags_for_teams(*, viewer: Any, teams: Sequence[Any]) -> list[LastAgencyFlag]:
    """Open "last agency standing" flags of the teams a manager oversees (the agency's, when
    the involvement names no team)."""
    team_ids = [t.pk for t in teams]
    agency_ids = sorted({t.agency_id for t in teams})
    rows = access.restrict_people(
        viewer,
        LastAgencyFlag.objects.filter(cleared_at__isnull=True)
        .filter(Q(team_id__in=team_ids) | Q(team__isnull=True, agency_id__in=agency_ids))
        .select_related("person", "agency"),
        field="person_id",
    )
    return list(rows.order_by("raised_at"))


def last_agency_for(*, viewer: Any, person: Person) -> Involvement | None:
    """The one agency still working with this child, when the child has open alerts (the
    viewer's view of them) and only one agency has a current involvement; else None."""
    # The alerts first: with none open (or no alerts app), no query of involvements.
    if not open_items_for(viewer, person, kinds=["alert"]):
        return None
    today = clock.today()
    rows = [
        i
        for i in involvements_for(viewer=viewer, person=person)
        if (i.started_on is None or i.started_on <= today)
        and (i.ended_on is None or i.ended_on >= today)
    ]
    if len({i.agency_id for i in rows}) != 1:
        return None
    return rows[0]
