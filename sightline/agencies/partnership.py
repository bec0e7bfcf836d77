"""A partnership's agencies, teams and people from a YAML file (`sightline partnership apply`,
docs/workflow.md "Setting up a partnership").

    format: sightline-partnership/1
    agencies:
      - code: csc
        name: Shireford Children's Social Care
        kind: childrens_social_care
        teams:
          - {code: assessment, name: Assessment team}
    users:
      - email: alex.manager@csc.example.org
        given_name: Alex
        family_name: Manager
        agency: csc
        role: team_manager
        team: assessment
      - email: hos@csc.example.org
        given_name: Harper
        family_name: Head
        agency: csc
        role: head_of_service
        heads: [csc/assessment, mash/front-door]   # none: every team of their agency

The file is checked whole before anything is written (pydantic, extra="forbid": every problem
named by where it is, "users[2].role"), then applied in one transaction: what exists already is
kept or changed to match (a name, a role, a team), what is new is added, and nothing else is
touched. Applying the same file twice changes nothing the second time.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sightline.accounts.models import User
from sightline.accounts.services import normalise_username
from sightline.agencies.models import Agency, Membership, Role, Team
from sightline.agencies.services import (
    SLUG,
    agency_create,
    head_of_service_teams_set,
    membership_change,
    practitioner_create,
    team_create,
)
from sightline.agencies.vocabulary import agency_kinds
from sightline.core.errors import ValidationFailed

FORMAT = "sightline-partnership/1"
CODE_RULE = "Enter a code of lower-case letters, digits, hyphens and underscores, like csc"


class PartnershipFileError(ValueError):
    """A partnership file that cannot be applied: every problem, by where it is."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = problems or []
        super().__init__(message + ("".join(f"\n  {p}" for p in self.problems)))


_Text = Field(min_length=1, max_length=200)


class TeamSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(min_length=1, max_length=80)
    name: str = _Text
    phone: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=254)


class AgencySpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(min_length=1, max_length=60)
    name: str = _Text
    kind: str = Field(min_length=1, max_length=40)
    phone: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=254)
    teams: list[TeamSpec] = Field(default_factory=list)


class UserSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    email: str = Field(min_length=3, max_length=254)
    given_name: str = _Text
    family_name: str = _Text
    agency: str = Field(min_length=1, max_length=60)
    role: str = Field(min_length=1, max_length=40)
    team: str | None = Field(default=None, max_length=141)
    heads: list[str] = Field(default_factory=list)
    job_title: str = Field(default="", max_length=120)
    phone: str = Field(default="", max_length=40)


class PartnershipSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["sightline-partnership/1"]
    agencies: list[AgencySpec] = Field(default_factory=list)
    users: list[UserSpec] = Field(default_factory=list)


def _where(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(the file)"


def parse_partnership(data: Any) -> PartnershipSpec:
    """Check a partnership file's data: its shape (pydantic) and what refers to what (every
    agency kind known, every team and agency a user names in the file or already held).
    PartnershipFileError names every problem."""
    try:
        spec = PartnershipSpec.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            reason = str(error["msg"])
            if error["type"] == "extra_forbidden":
                reason = "not a field here (check its spelling)"
            elif error["type"] == "missing":
                reason = "missing"
            problems.append(f"{_where(tuple(error['loc']))}: {reason}")
        raise PartnershipFileError("The partnership file is not valid:", problems) from None
    problems = _reference_problems(spec)
    if problems:
        raise PartnershipFileError("The partnership file is not valid:", problems)
    return spec


def _reference_problems(spec: PartnershipSpec) -> list[str]:
    problems = []
    kinds = agency_kinds()
    agencies: dict[str, set[str]] = {}
    for a, agency in enumerate(spec.agencies):
        if not SLUG.match(agency.code):
            problems.append(f"agencies[{a}].code: {CODE_RULE}")
        if agency.code in agencies:
            problems.append(f"agencies[{a}].code: {agency.code} is given twice")
        if agency.kind not in kinds:
            problems.append(
                f"agencies[{a}].kind: {agency.kind!r} is not an agency kind "
                "(see `sightline sources kinds`)"
            )
        codes: set[str] = set()
        for t, team in enumerate(agency.teams):
            if not SLUG.match(team.code):
                problems.append(f"agencies[{a}].teams[{t}].code: {CODE_RULE}")
            if team.code in codes:
                problems.append(f"agencies[{a}].teams[{t}].code: {team.code} is given twice")
            codes.add(team.code)
        agencies[agency.code] = codes

    def agency_known(code: str) -> bool:
        return code in agencies or Agency.objects.filter(code=code).exists()

    def team_known(agency: str, code: str) -> bool:
        return (
            code in agencies.get(agency, set())
            or Team.objects.filter(agency__code=agency, code=code).exists()
        )

    emails: set[str] = set()
    for u, user in enumerate(spec.users):
        where = f"users[{u}]"
        email = normalise_username(user.email)
        try:
            validate_email(email)
        except DjangoValidationError:
            problems.append(
                f"{where}.email: Enter an email address in the correct format, like "
                "name@example.com"
            )
        if email in emails:
            problems.append(f"{where}.email: {email} is given twice")
        emails.add(email)
        if user.role not in Role.values:
            problems.append(
                f"{where}.role: {user.role!r} is not a role; the roles are "
                + ", ".join(Role.values)
            )
        if not agency_known(user.agency):
            problems.append(f"{where}.agency: no agency {user.agency} in the file or held")
        if user.team is not None:
            team_agency, team_code = _team_ref(user.team, user.agency)
            if team_agency != user.agency:
                problems.append(f"{where}.team: a user's team is one of their own agency's")
            elif agency_known(team_agency) and not team_known(team_agency, team_code):
                problems.append(f"{where}.team: {user.agency} has no team {team_code}")
        elif user.role == Role.TEAM_MANAGER:
            problems.append(f"{where}.team: a team manager manages a team: name it")
        if user.heads and user.role != Role.HEAD_OF_SERVICE:
            problems.append(f"{where}.heads: only a head of service heads teams")
        for h, ref in enumerate(user.heads):
            if "/" not in ref:
                problems.append(
                    f"{where}.heads[{h}]: name a team as AGENCY/TEAM, like csc/assessment"
                )
                continue
            head_agency, head_team = _team_ref(ref, user.agency)
            if not agency_known(head_agency):
                problems.append(f"{where}.heads[{h}]: no agency {head_agency} in the file or held")
            elif not team_known(head_agency, head_team):
                problems.append(f"{where}.heads[{h}]: {head_agency} has no team {head_team}")
    return problems


def _team_ref(ref: str, default_agency: str) -> tuple[str, str]:
    """ "csc/assessment" -> (csc, assessment); "assessment" -> (the user's agency, assessment)."""
    if "/" in ref:
        agency, _, team = ref.partition("/")
        return agency.strip(), team.strip()
    return default_agency, ref.strip()


def load_partnership(path: Path) -> PartnershipSpec:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PartnershipFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PartnershipFileError(f"{path}: cannot be read ({exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PartnershipFileError(f"{path}: not valid YAML ({exc})") from None
    return parse_partnership(data)


# --- applying it --------------------------------------------------------------------------------


@dataclass
class Applied:
    """What applying a file did, in words, and the passwords of the accounts it created."""

    lines: list[str] = field(default_factory=list)
    passwords: dict[str, str] = field(default_factory=dict)
    changed: int = 0


def new_password() -> str:
    """A one-off password for a new account (20 characters): given to its holder privately."""
    return secrets.token_urlsafe(15)


def _failed(where: str, exc: ValidationFailed) -> PartnershipFileError:
    details = [f"{where}.{name}: {reason}" for name, reason in exc.errors.items()]
    return PartnershipFileError(f"{where}: {exc.message}", details)


@transaction.atomic
def partnership_apply(
    *,
    actor: Any,
    spec: PartnershipSpec,
    password_for: Callable[[str], str] = lambda email: new_password(),
) -> Applied:
    """Make the partnership match the file (adding and changing; never removing), in one
    transaction: a problem part way leaves nothing changed."""
    done = Applied()
    agencies: dict[str, Agency] = {}
    for a, spec_agency in enumerate(spec.agencies):
        agencies[spec_agency.code] = _apply_agency(actor, f"agencies[{a}]", spec_agency, done)
    for u, spec_user in enumerate(spec.users):
        _apply_user(actor, f"users[{u}]", spec_user, done, password_for)
    return done


def _apply_agency(actor: Any, where: str, spec: AgencySpec, done: Applied) -> Agency:
    agency = Agency.objects.filter(code=spec.code).first()
    if agency is None:
        try:
            agency = agency_create(
                actor=actor,
                code=spec.code,
                name=spec.name,
                kind=spec.kind,
                phone=spec.phone,
                email=spec.email,
            )
        except ValidationFailed as exc:
            raise _failed(where, exc) from None
        done.lines.append(f"Added agency {agency.code} ({agency.name}).")
        done.changed += 1
    elif agency.kind != spec.kind:
        raise PartnershipFileError(
            f"{where}.kind: the agency {agency.code} is already held as {agency.kind}, not "
            f"{spec.kind}; an agency's kind is not changed by a file"
        )
    else:
        wanted = {"name": " ".join(spec.name.split()), "phone": spec.phone, "email": spec.email}
        changed = [k for k, v in wanted.items() if getattr(agency, k) != v]
        if changed:
            for k in changed:
                setattr(agency, k, wanted[k])
            agency.save(update_fields=changed)
            done.lines.append(f"Updated agency {agency.code}: {', '.join(changed)}.")
            done.changed += 1
    for t, spec_team in enumerate(spec.teams):
        _apply_team(actor, f"{where}.teams[{t}]", agency, spec_team, done)
    return agency


def _apply_team(actor: Any, where: str, agency: Agency, spec: TeamSpec, done: Applied) -> None:
    team = Team.objects.filter(agency=agency, code=spec.code).first()
    if team is None:
        try:
            team = team_create(
                actor=actor,
                agency=agency,
                code=spec.code,
                name=spec.name,
                phone=spec.phone,
                email=spec.email,
            )
        except ValidationFailed as exc:
            raise _failed(where, exc) from None
        done.lines.append(f"Added team {agency.code}/{team.code} ({team.name}).")
        done.changed += 1
        return
    wanted = {"name": " ".join(spec.name.split()), "phone": spec.phone, "email": spec.email}
    changed = [k for k, v in wanted.items() if getattr(team, k) != v]
    if changed:
        for k in changed:
            setattr(team, k, wanted[k])
        team.save(update_fields=changed)
        done.lines.append(f"Updated team {agency.code}/{team.code}: {', '.join(changed)}.")
        done.changed += 1


def _team(ref: str | None, default_agency: str) -> Team | None:
    if ref is None:
        return None
    agency, code = _team_ref(ref, default_agency)
    return Team.objects.select_related("agency").get(agency__code=agency, code=code)


def _apply_user(
    actor: Any, where: str, spec: UserSpec, done: Applied, password_for: Callable[[str], str]
) -> None:
    email = normalise_username(spec.email)
    agency = Agency.objects.get(code=spec.agency)
    team = _team(spec.team, spec.agency)
    heads = [t for t in (_team(ref, spec.agency) for ref in spec.heads) if t is not None]
    user = User.objects.filter(username=email).first()
    label = Role(spec.role).label
    try:
        if user is None:
            password = password_for(email)
            user = practitioner_create(
                actor=actor,
                email=email,
                given_name=spec.given_name,
                family_name=spec.family_name,
                password=password,
                agency=agency,
                role=spec.role,
                team=team,
                phone=spec.phone,
                job_title=spec.job_title,
            )
            done.passwords[email] = password
            done.lines.append(f"Added {email}: {label}, {_where_works(agency, team)}.")
            done.changed += 1
        else:
            membership = Membership.objects.filter(user=user).first()
            now = (
                (membership.role, membership.agency_id, membership.team_id) if membership else None
            )
            if now != (spec.role, agency.pk, team.pk if team else None):
                if membership is None:
                    from sightline.agencies.services import membership_create

                    membership_create(
                        actor=actor, user=user, agency=agency, role=spec.role, team=team
                    )
                else:
                    membership_change(
                        actor=actor, user=user, role=spec.role, agency=agency, team=team
                    )
                done.lines.append(f"Changed {email}: now {label}, {_where_works(agency, team)}.")
                done.changed += 1
        if spec.role == Role.HEAD_OF_SERVICE:
            membership = Membership.objects.get(user=user)
            held = set(membership.heads_teams.values_list("pk", flat=True))
            if held != {t.pk for t in heads}:
                head_of_service_teams_set(actor=actor, user=user, teams=heads)
                what = ", ".join(f"{t.agency.code}/{t.code}" for t in heads) or (
                    f"every team of {agency.code}"
                )
                done.lines.append(f"{email} heads {what}.")
                done.changed += 1
    except ValidationFailed as exc:
        raise _failed(where, exc) from None


def _where_works(agency: Agency, team: Team | None) -> str:
    return f"{agency.code}/{team.code}" if team else agency.code
