"""Who is told what about a referral: the in-app notification and its email (accounts'
notifications, one per key, so telling twice tells once) and the managers a clock escalates to
(agencies' selectors). Every key names the referral, the event and the recipient."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from sightline.accounts.services import notification_send
from sightline.agencies.models import Team
from sightline.agencies.selectors import heads_of_service_for, team_managers_for
from sightline.referrals.models import Referral


def referral_url(referral: Referral) -> str:
    return reverse("referrals:detail", args=[referral.pk])


def receiving_teams(referral: Referral) -> list[Team]:
    """The team a referral's clocks escalate through: the receiving team, or, when none was
    named, every team of the receiving agency."""
    if referral.receiving_team_id is not None:
        team = Team.objects.filter(pk=referral.receiving_team_id).first()
        return [team] if team else []
    return list(Team.objects.filter(agency_id=referral.receiving_agency_id).order_by("name"))


def team_managers_of(referral: Referral) -> list[Any]:
    seen: dict[int, Any] = {}
    for team in receiving_teams(referral):
        for user in team_managers_for(team):
            seen.setdefault(user.pk, user)
    return list(seen.values())


def heads_of_service_of(referral: Referral) -> list[Any]:
    seen: dict[int, Any] = {}
    for team in receiving_teams(referral):
        for user in heads_of_service_for(team):
            seen.setdefault(user.pk, user)
    return list(seen.values())


def tell(
    recipients: list[Any],
    *,
    referral: Referral,
    event: str,
    subject: str,
    body: str,
    actor: Any = None,
) -> list[int]:
    """Notify each recipient once for this referral and event (the key is unique); the ids of
    those told (now or before)."""
    url = referral_url(referral)
    told = []
    for user in recipients:
        if user is None or not getattr(user, "is_active", False):
            continue
        notification_send(
            recipient=user,
            key=f"referral:{referral.pk}:{event}:{user.pk}",
            subject=subject,
            body=body,
            url=url,
            actor=actor,
        )
        told.append(user.pk)
    return told
