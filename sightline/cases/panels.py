"""The cases app's block on the child's page: the agencies and named practitioners working with
the child, so any reader knows whom to call. Registered in CasesConfig.ready()."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sightline.cases.models import Involvement
from sightline.cases.selectors import involvements_for
from sightline.core import clock
from sightline.core.dates import MONTHS
from sightline.core.extensions import Panel


@dataclass(frozen=True)
class InvolvementView:
    agency: str
    team: str
    name: str
    role: str
    phone: str
    email: str
    is_lead: bool
    since: str
    ended: str


def _date(value: dt.date | None) -> str:
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}" if value else ""


def present_involvement(involvement: Involvement) -> InvolvementView:
    team = involvement.team
    return InvolvementView(
        agency=involvement.agency.name,
        team=team.name if team else "",
        name=involvement.practitioner_name,
        role=involvement.practitioner_role,
        # A named practitioner's own number first; otherwise the team's, then the agency's.
        phone=involvement.practitioner_phone
        or (team.phone if team else "")
        or involvement.agency.phone,
        email=involvement.practitioner_email
        or (team.email if team else "")
        or involvement.agency.email,
        is_lead=involvement.is_lead,
        since=_date(involvement.started_on),
        ended=_date(involvement.ended_on),
    )


def involvements_panel(viewer: Any, person: Any) -> Panel | None:
    today = clock.today()
    rows = involvements_for(viewer=viewer, person=person)
    current = [present_involvement(i) for i in rows if i.ended_on is None or i.ended_on >= today]
    ended = [present_involvement(i) for i in rows if i.ended_on is not None and i.ended_on < today]
    return Panel(template="cases/_involvements.html", context={"current": current, "ended": ended})


def closures_panel(viewer: Any, person: Any) -> Panel | None:
    """Closures proposed for the child (live ones, with their window), and the way for the
    viewer's agency to propose closing its own involvement."""
    from sightline.cases.closures import involvement_to_close
    from sightline.cases.presenters import present_closure
    from sightline.cases.selectors import closures_for_child
    from sightline.governance import access
    from sightline.governance.policy import Capability

    rows = [present_closure(p) for p in closures_for_child(viewer=viewer, person=person)]
    live = [r for r in rows if r.status in ("proposed", "blocked")]
    can_propose = (
        access.scope_for(viewer).can(Capability.RECORD_ENTRIES)
        and involvement_to_close(viewer, person) is not None
        and not any(r.agency == _agency_name(viewer) for r in live)
    )
    if not live and not can_propose:
        return None
    return Panel(
        template="cases/_closures.html", context={"live": live, "can_propose": can_propose}
    )


def _agency_name(viewer: Any) -> str:
    membership = getattr(viewer, "membership", None)
    return membership.agency.name if membership is not None else ""


def last_agency_panel(viewer: Any, person: Any) -> Panel | None:
    """ "Last agency standing": only one agency is still working with a child who has open
    alerts. Shown to everyone who sees the child, above who is involved."""
    from sightline.cases.selectors import last_agency_for

    involvement = last_agency_for(viewer=viewer, person=person)
    if involvement is None:
        return None
    return Panel(
        template="cases/_last_agency.html",
        context={
            "agency": involvement.agency.name,
            "team": involvement.team.name if involvement.team else "",
        },
    )
