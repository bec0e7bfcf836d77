"""The agencies app owns agencies, their teams and memberships: the role a user holds within an
agency, which decides what the access module lets them see (governance.policy).

Changes are announced with accounts.signals.account_changed and audited by the governance app in
the same transaction (agencies sits below governance in the layer order)."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction

from sightline.accounts.models import User
from sightline.accounts.services import user_create
from sightline.accounts.signals import account_changed
from sightline.agencies.models import Agency, Membership, Role, Team
from sightline.agencies.signals import organisation_changed
from sightline.agencies.vocabulary import agency_kinds
from sightline.core.errors import ValidationFailed
from sightline.core.text import CONTROL

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@transaction.atomic
def membership_create(
    *, actor: Any, user: User, agency: Agency, role: str, team: Team | None = None
) -> Membership:
    """Give a user their one role in an agency (and optionally a team of that agency)."""
    if actor is None:
        raise ValueError("membership_create needs an actor")
    errors = _role_errors(role, agency, team)
    if "role" in errors:
        errors["role"] = "Select a role"
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


# --- Setting up a partnership: agencies, teams, roles (`sightline partnership`) ---------------


def _announce(actor: Any, change: str, detail: dict[str, Any]) -> None:
    organisation_changed.send(sender=Agency, actor=actor, change=change, detail=detail)


def _contact_errors(phone: str, email: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if len(phone) > 40 or CONTROL.search(phone):
        errors["phone"] = "Enter a phone number of at most 40 characters"
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            errors["email"] = "Enter an email address in the correct format, like name@example.com"
    return errors


@transaction.atomic
def agency_create(
    *, actor: Any, code: str, name: str, kind: str, phone: str = "", email: str = ""
) -> Agency:
    """Add an agency (an organisation of the partnership) of a controlled kind."""
    if actor is None:
        raise ValueError("agency_create needs an actor")
    code, name, phone, email = code.strip(), " ".join(name.split()), phone.strip(), email.strip()
    errors = _contact_errors(phone, email)
    if not SLUG.match(code) or len(code) > 60:
        errors["code"] = (
            "Enter a code of lower-case letters, digits, hyphens and underscores (at most 60)"
        )
    elif Agency.objects.filter(code=code).exists():
        errors["code"] = f"An agency with the code {code} already exists"
    if not name or len(name) > 200 or CONTROL.search(name):
        errors["name"] = "Enter the agency's name (at most 200 characters)"
    if kind not in agency_kinds():
        errors["kind"] = "Choose one of the agency kinds: " + ", ".join(agency_kinds())
    if errors:
        raise ValidationFailed("The agency could not be added", errors=errors)
    agency = Agency.objects.create(code=code, name=name, kind=kind, phone=phone, email=email)
    _announce(actor, "agency_created", {"agency": code, "kind": kind, "name": name})
    return agency


@transaction.atomic
def team_create(
    *, actor: Any, agency: Agency, code: str, name: str, phone: str = "", email: str = ""
) -> Team:
    """Add a team to an agency (its code is unique within the agency)."""
    if actor is None:
        raise ValueError("team_create needs an actor")
    code, name, phone, email = code.strip(), " ".join(name.split()), phone.strip(), email.strip()
    errors = _contact_errors(phone, email)
    if not SLUG.match(code) or len(code) > 80:
        errors["code"] = (
            "Enter a code of lower-case letters, digits, hyphens and underscores (at most 80)"
        )
    elif Team.objects.filter(agency=agency, code=code).exists():
        errors["code"] = f"{agency.name} already has a team with the code {code}"
    if not name or len(name) > 200 or CONTROL.search(name):
        errors["name"] = "Enter the team's name (at most 200 characters)"
    if errors:
        raise ValidationFailed("The team could not be added", errors=errors)
    team = Team.objects.create(agency=agency, code=code, name=name, phone=phone, email=email)
    _announce(actor, "team_created", {"agency": agency.code, "team": code, "name": name})
    return team


def _role_errors(role: str, agency: Agency, team: Team | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if role not in Membership.Role.values:
        errors["role"] = "Choose one of the roles: " + ", ".join(Membership.Role.values)
    if team is not None and team.agency_id != agency.pk:
        errors["team"] = "The team must belong to the agency"
    if role == Role.TEAM_MANAGER and team is None:
        errors["team"] = "A team manager manages a team: name it"
    return errors


@transaction.atomic
def membership_change(
    *, actor: Any, user: User, role: str, agency: Agency | None = None, team: Team | None = None
) -> Membership:
    """Change a user's role (and agency and team): a practitioner named team manager, a
    manager moved to another team. Teams named for a head of service are cleared when they
    stop being one."""
    if actor is None:
        raise ValueError("membership_change needs an actor")
    membership = Membership.objects.select_for_update().filter(user=user).first()
    if membership is None:
        raise ValidationFailed(
            "The role could not be changed", errors={"user": "This user has no role yet"}
        )
    agency = agency or membership.agency
    errors = _role_errors(role, agency, team)
    if errors:
        raise ValidationFailed("The role could not be changed", errors=errors)
    before = {
        "agency": membership.agency.code,
        "team": membership.team.code if membership.team else None,
        "role": membership.role,
    }
    membership.role, membership.agency, membership.team = role, agency, team
    membership.save(update_fields=["role", "agency", "team"])
    if role != Role.HEAD_OF_SERVICE:
        membership.heads_teams.clear()
    user.__dict__.pop("_sightline_scope", None)
    account_changed.send(
        sender=Membership,
        actor=actor,
        user=user,
        change="membership_changed",
        detail={
            "agency": agency.code,
            "team": team.code if team else None,
            "role": role,
            "before": before,
        },
    )
    return membership


@transaction.atomic
def head_of_service_teams_set(*, actor: Any, user: User, teams: list[Team]) -> Membership:
    """Name the teams a head of service heads (any of the partnership's); none: every team of
    their own agency."""
    if actor is None:
        raise ValueError("head_of_service_teams_set needs an actor")
    membership = Membership.objects.select_for_update().filter(user=user).first()
    if membership is None or membership.role != Role.HEAD_OF_SERVICE:
        raise ValidationFailed(
            "The teams could not be named",
            errors={"user": "Only a head of service heads teams: give them that role first"},
        )
    membership.heads_teams.set(teams)
    user.__dict__.pop("_sightline_scope", None)
    account_changed.send(
        sender=Membership,
        actor=actor,
        user=user,
        change="heads_teams_set",
        detail={
            "agency": membership.agency.code,
            "role": membership.role,
            "heads_teams": sorted(f"{t.agency.code}/{t.code}" for t in teams),
        },
    )
    return membership
