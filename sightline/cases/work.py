"""The cases app's part of "my work": closures of other agencies to answer, your agency's
proposals, and for a team manager the children their team is the last agency working with."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.urls import reverse

from sightline.agencies.selectors import teams_managed_by
from sightline.cases import selectors
from sightline.cases.closures import window_open
from sightline.core.extensions import WorkItem


def closures_to_answer(viewer: Any) -> list[WorkItem]:
    return [
        WorkItem(
            title=f"{p.agency.name} proposes to close its involvement",
            url=reverse("cases:closure", args=[p.pk]),
            deadline=p.window_ends_on,
            overdue=False,
            status="Object, or say your agency does not object, before the window closes",
            child_name=p.person.full_name,
            kind="closure",
        )
        for p in selectors.closures_to_answer_for(viewer=viewer)
        if window_open(p)
    ]


def closures_proposed(viewer: Any) -> list[WorkItem]:
    return [
        WorkItem(
            title=f"Your agency's proposal to close ({p.get_reason_display().lower()})",
            url=reverse("cases:closure", args=[p.pk]),
            deadline=p.window_ends_on if p.status == "proposed" else None,
            overdue=False,
            status=(
                "Blocked: another agency objected; a disagreement is open"
                if p.status == "blocked"
                else "The objection window is open"
            ),
            child_name=p.person.full_name,
            kind="closure",
        )
        for p in selectors.closures_proposed_by_agency_for(viewer=viewer)
    ]


def _flags(viewer: Any, teams: Sequence[Any]) -> list[WorkItem]:
    return [
        WorkItem(
            title=f"{f.agency.name} is the last agency working with this child",
            url=reverse("chronology:child", args=[f.person.reference]),
            deadline=None,
            overdue=False,
            status="Open alerts and no other agency involved: consider who else should be",
            child_name=f.person.full_name,
            kind="last_agency",
        )
        for f in selectors.last_agency_flags_for_teams(viewer=viewer, teams=teams)
    ]


def last_agency(viewer: Any) -> list[WorkItem]:
    teams = teams_managed_by(viewer) if getattr(viewer, "pk", None) else []
    return _flags(viewer, teams) if teams else []


def last_agency_for_teams(viewer: Any, teams: Sequence[Any]) -> list[WorkItem]:
    return _flags(viewer, teams)
