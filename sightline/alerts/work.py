""" "My work" and a manager's view of their teams' work: the open alerts waiting on them
(core.extensions.register_work_section; docs/workflow.md). An alert has no deadline of its own:
a new one is waiting for someone to acknowledge it, an acknowledged one for the action taken."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Exists, OuterRef
from django.urls import reverse

from sightline.alerts import selectors
from sightline.alerts.models import Alert
from sightline.cases.models import Involvement
from sightline.core import clock
from sightline.core.extensions import WorkItem
from sightline.governance import access
from sightline.people.models import Person

_MAX = 100


def _items(alerts: list[Alert]) -> list[WorkItem]:
    people = Person.objects.in_bulk([a.person_id for a in alerts])
    return [
        WorkItem(
            title=f"{a.title} ({a.get_severity_display().lower()})",
            url=reverse("alerts:alert", args=[a.pk]),
            deadline=None,
            overdue=False,
            status="New: acknowledge it"
            if a.status == Alert.Status.OPEN
            else "Acknowledged: record the action taken",
            child_name=people[a.person_id].full_name if a.person_id in people else None,
            kind="alert",
        )
        for a in alerts
    ]


def _ordered(qs: Any) -> list[Alert]:
    return list(qs.annotate(rank=selectors._severity_order()).order_by("rank", "raised_at")[:_MAX])


def my_alerts(viewer: Any) -> list[WorkItem]:
    """The active alerts on children the viewer is named on (their involvements' practitioner
    email), that they may see."""
    email = (getattr(viewer, "email", "") or "").strip()
    if not email:
        return []
    filters = selectors.InboxFilters(show="mine", statuses=("open", "acknowledged"))
    qs = selectors.inbox_queryset(viewer=viewer, filters=filters, rules_with_theme={})
    return _items(_ordered(qs))


def team_alerts(viewer: Any, teams: Sequence[Any]) -> list[WorkItem]:
    """The active alerts on children the teams work with today, that the viewer may see."""
    if not teams:
        return []
    today = clock.today()
    involved = Involvement.objects.filter(
        person_id=OuterRef("person_id"), team_id__in=[t.pk for t in teams]
    ).filter(selectors._current_involvement(today))
    qs = access.restrict_people(
        viewer,
        Alert.objects.filter(status__in=selectors.ACTIVE).filter(Exists(involved)),
        field="person_id",
    )
    return _items(_ordered(qs))
