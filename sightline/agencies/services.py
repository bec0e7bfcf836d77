"""The agencies app owns agencies, their teams and memberships: the role a user holds within an
agency, which decides what the access module lets them see (governance.policy).

Changes are announced with accounts.signals.account_changed and audited by the governance app in
the same transaction (agencies sits below governance in the layer order)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from sightline.accounts.models import User
from sightline.accounts.services import user_create
from sightline.accounts.signals import account_changed
from sightline.agencies.models import Agency, Membership, Team
from sightline.core.errors import ValidationFailed


@transaction.atomic
def membership_create(
    *, actor: Any, user: User, agency: Agency, role: str, team: Team | None = None
) -> Membership:
    """Give a user their one role in an agency (and optionally a team of that agency)."""
    if actor is None:
        raise ValueError("membership_create needs an actor")
    errors: dict[str, str] = {}
    if role not in Membership.Role.values:
        errors["role"] = "Select a role"
    if team is not None and team.agency_id != agency.pk:
        errors["team"] = "The team must belong to the agency"
    if Membership.objects.filter(user=user).exists():
        errors["user"] = "This user already has a role in an agency"
    if errors:
        raise ValidationFailed("The role could not be given", errors=errors)
    membership = Membership.objects.create(user=user, agency=agency, team=team, role=role)
    account_changed.send(
        sender=Membership,
        actor=actor,
        user=user,
        change="membership_created",
        detail={
            "agency": agency.code,
            "team": team.code if team else None,
            "role": role,
        },
    )
    return membership


@transaction.atomic
def practitioner_create(
    *,
    actor: Any,
    email: str,
    given_name: str,
    family_name: str,
    password: str,
    agency: Agency,
    role: str,
    team: Team | None = None,
    phone: str = "",
    job_title: str = "",
) -> User:
    """Create a user and their role in an agency, together or not at all (the demo set-up and
    the administrators' screens use this)."""
    user = user_create(
        actor=actor,
        email=email,
        given_name=given_name,
        family_name=family_name,
        password=password,
        phone=phone,
        job_title=job_title,
    )
    membership_create(actor=actor, user=user, agency=agency, role=role, team=team)
    return user
