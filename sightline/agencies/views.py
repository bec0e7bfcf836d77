""" "My work": what is waiting on the signed-in user (each app's registered sections), and for
a team manager or head of service, what is waiting on their teams. The landing page after
sign-in for everyone who works with children (docs/workflow.md, "My work")."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sightline.agencies.models import Membership
from sightline.agencies.presenters import build_sections, team_names
from sightline.agencies.selectors import teams_managed_by
from sightline.core.errors import AccessDenied
from sightline.core.extensions import holds, team_work_sections, work_sections

FINDS_CHILDREN = ("view_all_children", "view_granted_children")
TEAM_WORK = "view_team_work"


def _context(request: HttpRequest) -> dict[str, object]:
    user = request.user
    membership = (
        Membership.objects.filter(user_id=int(user.pk or 0))
        .select_related("agency", "team")
        .first()
    )
    teams = teams_managed_by(user) if holds(user, TEAM_WORK) else []  # type: ignore[arg-type]
    return {
        "active_nav": "my_work",
        "membership": membership,
        "role": membership.get_role_display() if membership else "",
        "finds_children": any(holds(user, c) for c in FINDS_CHILDREN),
        "teams": teams,
        "team_names": team_names(teams),
    }


@never_cache
@require_GET
def my_work(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    sections = build_sections(work_sections(), lambda s: s.provider(request.user))
    context.update(
        {
            "tab": "mine",
            "sections": sections,
            "waiting": sum(len(s.items) for s in sections),
            "overdue": sum(s.overdue for s in sections),
        }
    )
    return render(request, "agencies/my_work.html", context)


@never_cache
@require_GET
def team_work(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    teams = context["teams"]
    if not holds(request.user, TEAM_WORK):
        raise AccessDenied(
            "Your team's work is for team managers and heads of service. Your own work is on "
            "the \u201cMy work\u201d page."
        )
    assert isinstance(teams, list)
    sections = (
        build_sections(team_work_sections(), lambda s: s.provider(request.user, teams))
        if teams
        else []
    )
    context.update(
        {
            "tab": "team",
            "sections": sections,
            "waiting": sum(len(s.items) for s in sections),
            "overdue": sum(s.overdue for s in sections),
        }
    )
    return render(request, "agencies/team_work.html", context)
