""" "My work" in the JSON API: the same sections and items as the page, overdue first, for the
signed-in user, and for a manager their teams' work."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from sightline.agencies.presenters import SectionView, build_sections
from sightline.agencies.selectors import teams_managed_by
from sightline.core.errors import AccessDenied
from sightline.core.extensions import holds, team_work_sections, work_sections

router = Router(tags=["my work"])


class WorkItemOut(Schema):
    title: str
    url: str
    deadline: dt.date | None  # a day (due by its end in England)
    deadline_at: dt.datetime | None  # or, for a clock in hours, an instant
    overdue: bool
    status: str
    child_name: str | None
    kind: str
    owner: str | None


class WorkSectionOut(Schema):
    name: str
    title: str
    items: list[WorkItemOut]
    loaded: bool  # false: the section could not be loaded just now


class TeamOut(Schema):
    agency: str
    code: str
    name: str


class MyWorkOut(Schema):
    sections: list[WorkSectionOut]
    waiting: int
    overdue: int
    teams: list[TeamOut]


def _out(sections: list[SectionView], teams: list[TeamOut]) -> MyWorkOut:
    out = []
    for s in sections:
        items = []
        for view in s.items:
            i = view.item
            at = i.deadline if isinstance(i.deadline, dt.datetime) else None
            day = None if at is not None else i.deadline
            items.append(
                WorkItemOut(
                    title=i.title,
                    url=i.url,
                    deadline=day,
                    deadline_at=at,
                    overdue=i.overdue,
                    status=i.status,
                    child_name=i.child_name,
                    kind=i.kind,
                    owner=i.owner,
                )
            )
        out.append(WorkSectionOut(name=s.name, title=s.title, items=items, loaded=not s.failed))
    return MyWorkOut(
        sections=out,
        waiting=sum(len(s.items) for s in out),
        overdue=sum(i.overdue for s in out for i in s.items),
        teams=teams,
    )


@router.get("/my-work", response=MyWorkOut, summary="What is waiting on you", url_name="my_work")
def my_work(request: HttpRequest) -> MyWorkOut:
    sections = build_sections(work_sections(), lambda s: s.provider(request.user))
    return _out(sections, [])


@router.get(
    "/my-work/team",
    response=MyWorkOut,
    summary="What is waiting on your teams (team managers and heads of service)",
    url_name="team_work",
)
def team_work(request: HttpRequest) -> MyWorkOut:
    if not holds(request.user, "view_team_work"):
        raise AccessDenied("Your team's work is for team managers and heads of service.")
    teams = teams_managed_by(request.user)  # type: ignore[arg-type]
    sections = (
        build_sections(team_work_sections(), lambda s: s.provider(request.user, teams))
        if teams
        else []
    )
    return _out(sections, [TeamOut(agency=t.agency.code, code=t.code, name=t.name) for t in teams])
