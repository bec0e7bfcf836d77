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
