"""The alerts' answers to the lower apps' questions, through their extension points (the
alerts app sits above them, so they cannot import it): what is still open for a child (a step
down and a closure show it; "last agency standing" asks whether there is any), and the flags on
the front door's rows. Each answer is scoped to its viewer like the alerts' own pages."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from sightline.alerts.models import SEVERITY_RANK, Alert
from sightline.alerts.selectors import ACTIVE
from sightline.core.extensions import OpenItem
from sightline.governance import access
from sightline.people.models import Person
from sightline.referrals.extensions import Flag


def open_alert_items(viewer: Any, person: Any) -> list[OpenItem]:
    """The child's open and acknowledged alerts, for a viewer who may see the child."""
    if person is None or not access.can_view_person(viewer, person.pk):
        return []
    rows = Alert.objects.filter(person_id=person.pk, status__in=ACTIVE).order_by("raised_at", "id")
    return [
        OpenItem(
            kind="alert",
            title=f"{alert.title} ({alert.get_severity_display().lower()})",
            url=reverse("alerts:alert", args=[alert.pk]),
            status=alert.get_status_display(),
            since=alert.first_held_on,
        )
        for alert in rows
    ]


def people_with_open_alerts(scope: Any) -> set[int]:
    """Everyone with an open or acknowledged alert (for the system's sweeps)."""
    access.require_system(scope)
    return set(
        Alert.objects.filter(status__in=ACTIVE).values_list("person_id", flat=True).distinct()
    )


def front_door_flags(viewer: Any, person_ids: Iterable[int]) -> dict[int, list[Flag]]:
    """ "2 open alerts" on each front-door row whose child the viewer may see: red when one is
    high or critical."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    visible = access.restrict_people(viewer, Person.objects.filter(pk__in=ids))
    rows = Alert.objects.filter(person__in=visible, status__in=ACTIVE).values_list(
        "person_id", "severity"
    )
    counts: Counter[int] = Counter()
    worst: dict[int, int] = {}
    for person_id, severity in rows:
        counts[person_id] += 1
        rank = SEVERITY_RANK.get(severity, 9)
        worst[person_id] = min(worst.get(person_id, 9), rank)
    high = SEVERITY_RANK["high"]  # high or critical: red
    return {
        person_id: [
            Flag(
                f"{n} open alert{'s' if n != 1 else ''}",
                "govuk-tag--red" if worst[person_id] <= high else "govuk-tag--orange",
            )
        ]
        for person_id, n in counts.items()
    }
