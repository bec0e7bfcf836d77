"""Critical alerts tell the senior manager named for the team: each head of service over a team
working with the child (agencies.selectors.heads_of_service_for), and for an agency working with
the child without a named team, the heads of service of that whole agency; in the app and by
email (accounts.notification_send: its outbox is sent by `sightline tick` through Django's email
backend). The email names no child and says nothing of the record: it says a critical alert
is waiting and links to it, behind sign-in. Each raising (new, new evidence, reminder) tells
each manager once (the notification's key)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse

from sightline.accounts.services import notification_send
from sightline.agencies.models import Membership, Role
from sightline.agencies.selectors import heads_of_service_for
from sightline.alerts.models import Alert, AlertEvent
from sightline.cases.models import Involvement
from sightline.core import clock
from sightline.core.actors import actor_name


def senior_managers_for(person_id: int) -> list[Any]:
    """The heads of service over the teams (or agencies) working with the child today."""
    today = clock.today()
    involved = (
        Involvement.objects.filter(person_id=person_id)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .filter(Q(started_on__isnull=True) | Q(started_on__lte=today))
        .select_related("team")
    )
    found: dict[int, Any] = {}
    agencies_without_team: set[int] = set()
    for involvement in involved:
        if involvement.team is not None:
            for user in heads_of_service_for(involvement.team):
                found.setdefault(user.pk, user)
        else:
            agencies_without_team.add(involvement.agency_id)
    if agencies_without_team:
        for membership in (
            Membership.objects.filter(
                role=Role.HEAD_OF_SERVICE,
                agency_id__in=sorted(agencies_without_team),
                heads_teams__isnull=True,
                user__is_active=True,
            )
            .select_related("user")
            .order_by("user__last_name", "user__first_name")
        ):
            found.setdefault(membership.user.pk, membership.user)
    return list(found.values())


def critical_raised(alert: Alert, event: AlertEvent) -> None:
    """services' critical hook: tell the senior managers, and say so in the alert's history."""
    managers = senior_managers_for(alert.person_id)
    url = reverse("alerts:alert", args=[alert.pk])
    told = []
    for user in managers:
        sent = notification_send(
            recipient=user,
            key=f"alert:{alert.pk}:{event.pk}:hos:{user.pk}",
            subject="A critical alert is waiting in Sightline",
            body=(
                f"A critical alert ({alert.title}) was raised about a child a team you head "
                "works with. Sign in to Sightline to read it and to see who is acting on it."
            ),
            url=url,
        )
        if sent is not None:
            name = f"{user.first_name} {user.last_name}".strip() or user.get_username()
            told.append(name)
    AlertEvent.objects.create(
        alert=alert,
        kind=AlertEvent.Kind.NOTIFIED,
        at=clock.now(),
        on=event.on,
        actor_name=actor_name(event.actor) if event.actor else event.actor_name,
        note=(
            "Told " + ", ".join(told) + " (head of service)."
            if told
            else "No head of service is named for the teams working with this child: nobody "
            "was told."
        ),
        detail={"recipients": [u.pk for u in managers]},
    )
