"""The decisions app's part of "my work": step requests waiting on the viewer's agency's
decision, the requests it made (waiting, or refused: a disagreement may be called for), and a
manager's teams' waiting requests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sightline.core.extensions import WorkItem
from sightline.decisions import selectors
from sightline.decisions.models import StepRequest
from sightline.decisions.presenters import present_request


def _item(request: StepRequest, status: str) -> WorkItem:
    view = present_request(request)
    return WorkItem(
        title=f"{view.title} ({view.requesting_agency} asks {view.deciding_agency})",
        url=view.url,
        deadline=None,
        overdue=False,
        status=status,
        child_name=view.child_name,
        kind="step_request",
    )


def to_decide(viewer: Any) -> list[WorkItem]:
    return [
        _item(r, f"Waiting {present_request(r).waiting} for your agency's decision")
        for r in selectors.step_requests_to_decide_for(viewer=viewer)
    ]


def made(viewer: Any) -> list[WorkItem]:
    out = []
    for r in selectors.step_requests_made_for(viewer=viewer):
        if r.status == StepRequest.Status.REFUSED:
            status = "Refused: raise a disagreement if you do not accept it"
        else:
            status = f"Waiting {present_request(r).waiting} for {r.deciding_agency.name}"
        out.append(_item(r, status))
    return out


def for_teams(viewer: Any, teams: Sequence[Any]) -> list[WorkItem]:
    return [
        _item(r, f"Waiting {present_request(r).waiting} for {r.deciding_agency.name}")
        for r in selectors.step_requests_for_teams(viewer=viewer, teams=teams)
    ]
