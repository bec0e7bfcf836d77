"""Administration (docs/administration.md): the system administrator's users, their roles and
teams, leavers, manual access grants with their expiry, and API tokens (governance.tokens).
For the `administer` capability (the whole partnership) and `administer_agency` (the agency's
information governance lead: their own agency's users and manual grants, only the roles that
neither administer nor audit, no integrations and no API tokens). None of it shows case
content: a child appears by their Sightline reference only. Every page shown and every change
is audited.

A leaver loses access the moment they are recorded as having left: the account is made
inactive (no session or token of theirs is answered again), their break-glass accesses and API
tokens end. Their audit rows, and what they recorded, stay."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.tokens import default_token_generator
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from sightline.accounts import twofactor
from sightline.accounts.models import User
from sightline.accounts.services import (
    notification_send,
    otp_reset_for_user,
    user_fields_errors,
    user_sessions_end_for_user,
)
from sightline.agencies.models import MANAGING_ROLES, Agency, Membership, Role, Team
from sightline.agencies.services import membership_change, practitioner_create
from sightline.core import clock
from sightline.core.actors import actor_name
from sightline.core.errors import AccessDenied, NotFound, ValidationFailed
from sightline.core.text import CONTROL, CONTROL_MULTILINE
from sightline.governance import access, audit, tokens
from sightline.governance.audit import AuditAction
from sightline.governance.models import AccessGrant, BreakGlass
from sightline.governance.policy import Capability, capabilities_of

_M = TypeVar("_M", bound=models.Model)

PAGE_SIZE = 50
GRANT_DAYS_MAX = 366  # a manual grant always ends, within a year
REASON_MAX = 1000
QUERY_MAX = 100


# What a role an information governance lead may give holds none of: an agency's lead
# administers its practice, never the roles that administer, audit or see every child.
_NOT_GIVABLE_BY_AGENCY = frozenset(
    {
        Capability.ADMINISTER,
        Capability.ADMINISTER_AGENCY,
        Capability.AUDIT_ACCESS,
        Capability.HANDLE_SUBJECT_ACCESS,
        Capability.VIEW_ALL_CHILDREN,
        Capability.REVIEW_IDENTITY,
        Capability.VIEW_INSIGHT,
    }
)


@dataclass(frozen=True)
class AdminScope:
    """Whose users and grants the viewer administers: every agency's (agency_id None), or one's."""

    agency_id: int | None
    agency_code: str = ""
    agency_name: str = ""

    @property
    def partnership(self) -> bool:
        return self.agency_id is None

    def limit(self, rows: QuerySet[_M], field: str = "agency_id") -> QuerySet[_M]:
        """The rows of the scope's agency (every row for the partnership)."""
        return rows if self.agency_id is None else rows.filter(**{field: self.agency_id})

    def roles(self) -> list[tuple[str, str]]:
        """The roles this viewer may give (and change, and record the leaving of)."""
        return [(code, label) for code, label in Role.choices if self.may_give(code)]

    def may_give(self, role: str | None) -> bool:
        if self.partnership:
            return True
        return role in Role.values and not (capabilities_of(str(role)) & _NOT_GIVABLE_BY_AGENCY)


def admin_scope_for(viewer: Any) -> AdminScope:
    """The viewer's administration scope; AccessDenied for a role with neither capability."""
    scope = access.scope_for(viewer)
    if scope.can(Capability.ADMINISTER):
        return AdminScope(None)
    if scope.can(Capability.ADMINISTER_AGENCY) and scope.agency_id is not None:
        agency = Agency.objects.get(pk=scope.agency_id)
        return AdminScope(agency.pk, agency.code, agency.name)
    raise AccessDenied("You do not have permission to do that.")


def _require(viewer: Any) -> AdminScope:
    return admin_scope_for(viewer)


def _may_change(scope: AdminScope, user: User, errors: dict[str, str]) -> None:
    """An agency's lead changes only the users whose role they could give, whose reach stays
    in the agency (a head of service named for another agency's teams does not), and no
    system integration."""
    if scope.partnership:
        return
    membership = getattr(user, "membership", None)
    role = getattr(membership, "role", None)
    if (
        not scope.may_give(role)
        or user.is_integration
        or (
            membership is not None
            and membership.heads_teams.exclude(agency_id=scope.agency_id).exists()
        )
    ):
        errors["user"] = "Only a system administrator can change this user"


def _viewed(viewer: Any, what: str, **detail: Any) -> None:
    audit.record(
        viewer,
        AuditAction.ADMINISTRATION_VIEWED,
        object_type="administration",
        object_id=what,
        purpose="administration",
        detail=detail,
    )


# --- users ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserRow:
    pk: int
    name: str
    email: str
    job_title: str
    agency: str
    agency_code: str
    team: str
    role: str
    role_code: str
    two_factor: bool
    last_sign_in: str
    active: bool
    integration: bool


def _when(value: dt.datetime | None) -> str:
    return tokens._when(value)


def _row(user: User) -> UserRow:
    membership: Membership | None = getattr(user, "membership", None)
    return UserRow(
        pk=user.pk,
        name=user.get_full_name() or user.username,
        email=user.username,
        job_title=user.job_title,
        agency=membership.agency.name if membership else "",
        agency_code=membership.agency.code if membership else "",
        team=membership.team.name if membership and membership.team else "",
        role=membership.get_role_display() if membership else "No role",
        role_code=membership.role if membership else "",
        two_factor=twofactor.has_two_factor(user),
        last_sign_in=_when(user.last_login),
        active=user.is_active,
        integration=user.is_integration,
    )


@dataclass(frozen=True)
class UsersPage:
    rows: list[UserRow]
    total: int
    page: int
    pages: int


def users_for(
    *, viewer: Any, query: str = "", agency: str = "", state: str = "active", page: int = 1
) -> UsersPage:
    """Users matching a name or email (part of either), of an agency (its code), current
    (`active`), left (`left`) or either (`all`), PAGE_SIZE to a page."""
    scope = _require(viewer)
    query = " ".join(query.split())[:QUERY_MAX]
    users: QuerySet[User] = User.objects.select_related("membership__agency", "membership__team")
    users = scope.limit(users, "membership__agency_id")
    for word in query.split():
        users = users.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
        )
    if agency and scope.partnership:  # an agency's lead has their own agency only
        users = users.filter(membership__agency__code=agency)
    if state == "active":
        users = users.filter(is_active=True)
    elif state == "left":
        users = users.filter(is_active=False)
    total = users.count()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    chosen = users.order_by("last_name", "first_name", "username")[
        (page - 1) * PAGE_SIZE : page * PAGE_SIZE
    ]
    _viewed(viewer, "users", query=query, agency=agency, state=state, page=page)
    return UsersPage([_row(u) for u in chosen], total, page, pages)


def _user(user_id: int, scope: AdminScope, *, lock: bool = False) -> User:
    """The user, when the scope holds them: another agency's user is not found, as if none.
    `lock`: their row locked first (inside a transaction), so what is checked is what is
    changed."""
    if lock and transaction.get_connection().in_atomic_block:
        User.objects.select_for_update().filter(pk=user_id).first()
    users = User.objects.select_related("membership__agency", "membership__team").filter(pk=user_id)
    users = scope.limit(users, "membership__agency_id")
    user = users.first()
    if user is None:
        raise NotFound("No such user.")
    return user


@dataclass(frozen=True)
class UserDetail:
    row: UserRow
    user: User
    tokens: list[tokens.TokenRow]
    break_glass_open: int
    joined: str
    changeable: bool  # by this viewer (an agency's lead: only the roles they may give)
    manages: str = ""  # the team they manage, or "" (the clocks tell its manager)
    heads: bool = False  # a head of service (the clocks' last step)


def user_get_for(*, viewer: Any, user_id: int) -> UserDetail:
    scope = _require(viewer)
    user = _user(user_id, scope)
    now = clock.now()
    open_now = BreakGlass.objects.filter(user=user).filter(access.break_glass_current_q(now))
    membership: Membership | None = getattr(user, "membership", None)
    _viewed(viewer, "user", user=user.username)
    return UserDetail(
        row=_row(user),
        user=user,
        tokens=tokens.api_tokens_for(viewer=viewer, user=user) if scope.partnership else [],
        break_glass_open=open_now.count(),
        joined=_when(user.date_joined),
        changeable=not _change_errors(scope, user),
        manages=(
            membership.team.name
            if membership is not None and membership.role in MANAGING_ROLES and membership.team
            else ""
        ),
        heads=membership is not None and membership.role == Role.HEAD_OF_SERVICE,
    )


def _change_errors(scope: AdminScope, user: User) -> dict[str, str]:
    errors: dict[str, str] = {}
    _may_change(scope, user, errors)
    return errors


def _changeable(actor: Any, user: User, title: str) -> tuple[AdminScope, User]:
    """The actor's scope and the user as they are now (locked, inside a transaction), when the
    scope holds them and may change them: another agency's user is not found; a user the actor
    could not change is refused, saying who can. The checks read the locked row, so a change
    made meanwhile by an administrator is seen."""
    scope = _require(actor)
    fresh = _user(user.pk, scope, lock=True)
    errors = _change_errors(scope, fresh)
    if errors:
        raise ValidationFailed(title, errors=errors)
    return scope, fresh


def user_to_change_for(*, viewer: Any, user_id: int) -> User:
    """The user a button acts on, when the viewer's scope holds them (NotFound otherwise);
    not a page seen, so not audited as one: the act is."""
    return _user(user_id, _require(viewer))


def set_password_path(user: User) -> str:
    """The one-time link a user sets their password with (accounts:set_password); it stops
    working once the password changes (set, or made unusable by leaving), and after
    PASSWORD_RESET_TIMEOUT."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("accounts:set_password", args=[uid, default_token_generator.make_token(user)])


def _send_link(actor: Any, user: User, *, why: str) -> str:
    path = set_password_path(user)
    body = {
        "invited": f"{actor_name(actor)} has given you a Sightline account. Set your password "
        "with this link; it works once, for three days. Then sign in with your work email address.",
        "asked": f"{actor_name(actor)} has sent you a link to set a new Sightline password. It "
        "works once, for three days; your password keeps working until you use it. If you did "
        "not ask for it, tell your agency's Sightline administrator.",
    }[why]
    notification_send(
        recipient=user,
        # A new key each time: every link sent is an email of its own.
        key=f"account:{user.pk}:password-link:{secrets.token_hex(6)}",
        subject="Sightline: set your password",
        body=body,
        url=path,
        actor=actor,
    )
    return path


def password_link_send(*, actor: Any, user: User) -> None:
    """Email a user a new link to set their password (a lost invitation, a forgotten password).
    It goes to them only, never shown to the administrator: an administrator must not be able
    to take over an account. Their password keeps working until they use it. Audited."""
    _, user = _changeable(actor, user, "No link was sent")
    if not user.is_active or user.is_integration:
        raise ValidationFailed(
            "No link was sent",
            errors={"user": "Only a current user who signs in to the pages has a password"},
        )
    _send_link(actor, user, why="asked")
    audit.record(
        actor,
        AuditAction.PASSWORD_LINK_MADE,
        object_type="user",
        object_id=user.pk,
        detail={"user": user.username},
    )


def _team_of(agency: Agency | None, team_text: str, errors: dict[str, str]) -> Team | None:
    """The team chosen on a form (its id as sent), when it is one of the agency's; else an
    error added, and None."""
    if not team_text:
        return None
    pk = (
        int(team_text) if team_text.isascii() and team_text.isdigit() and len(team_text) < 10 else 0
    )
    team = Team.objects.filter(pk=pk).first() if pk else None
    if team is None or agency is None or team.agency_id != agency.pk:
        errors["team"] = "Select a team of the agency, or none"
        return None
    return team


def _agency_team_role(
    agency_code: str, team_text: str, role: str, errors: dict[str, str], scope: AdminScope
) -> tuple[Agency | None, Team | None]:
    """The agency, team and role chosen on a form (codes and ids as sent), errors added."""
    agency = Agency.objects.filter(code=agency_code).first() if agency_code else None
    if agency is None:
        errors["agency"] = "Select an agency"
    elif not scope.partnership and agency.pk != scope.agency_id:
        errors["agency"] = f"Select {scope.agency_name}: you administer your own agency only"
        agency = None
    team = _team_of(agency, team_text, errors)
    if role not in Role.values:
        errors["role"] = "Select a role"
    elif not scope.may_give(role):
        errors["role"] = "Only a system administrator can give this role"
    elif role == Role.TEAM_MANAGER and team is None and "team" not in errors:
        errors["team"] = "A team manager manages a team: select it"
    return agency, team


@transaction.atomic
def user_invite(
    *,
    actor: Any,
    email: str,
    given_name: str,
    family_name: str,
    agency: str,
    role: str,
    team: str = "",
    job_title: str = "",
    phone: str = "",
    integration: bool = False,
) -> tuple[User, str]:
    """Add a user with their role (the agency's code, the team's id, as a form sends them),
    every mistake reported at once. A person is emailed a link to set their password; the link's
    path is returned too, shown once to the administrator in case the email does not arrive
    (the account has no history yet to take over). A system integration's account gets no
    password and no link: it calls the API with tokens only (path ""). An agency's information
    governance lead adds people to their own agency only, in the roles they may give."""
    scope = _require(actor)
    errors = user_fields_errors(email=email, given_name=given_name, family_name=family_name)
    chosen_agency, chosen_team = _agency_team_role(agency, team, role, errors, scope)
    if integration and not scope.partnership:
        errors["integration"] = "Only a system administrator can add a system integration"
    if "already exists" in errors.get("email", "") and not scope.partnership:
        # An agency's lead learns no more of another agency's users than that the address is
        # taken (usernames are unique): not whose, nor whether they left.
        errors["email"] = "This email address cannot be used: ask a system administrator"
    for value, field in ((job_title, "job_title"), (phone, "phone")):
        if len(value) > 120 or CONTROL.search(value):
            errors[field] = "Enter at most 120 characters on one line"
    if errors:
        raise ValidationFailed("The user could not be added", errors=errors)
    assert chosen_agency is not None
    # No password until they choose one: a random one nobody knows, then none at all.
    user = practitioner_create(
        actor=actor,
        email=email,
        given_name=given_name,
        family_name=family_name,
        password=secrets.token_urlsafe(32),
        agency=chosen_agency,
        role=role,
        team=chosen_team,
        job_title=job_title,
        phone=phone,
    )
    user.set_unusable_password()
    user.is_integration = integration
    user.save(update_fields=["password", "is_integration"])
    if integration:
        return user, ""
    return user, _send_link(actor, user, why="invited")


def _administrators_left(excluding: User) -> int:
    return (
        User.objects.filter(is_active=True, membership__role=Role.SYSADMIN)
        .exclude(pk=excluding.pk)
        .count()
    )


@transaction.atomic
def user_role_change(
    *, actor: Any, user: User, agency: str, role: str, team: str = ""
) -> Membership:
    """Change a user's agency, team and role (the agency's code, the team's id), every mistake
    at once; their access changes at their next page. An administrator cannot change their own
    role (another must), and the last administrator stays one. An agency's information
    governance lead changes their own agency's users, within the roles they may give."""
    scope = _require(actor)
    user = _user(user.pk, scope, lock=True)
    errors: dict[str, str] = {}
    chosen_agency, chosen_team = _agency_team_role(agency, team, role, errors, scope)
    _may_change(scope, user, errors)
    if getattr(actor, "pk", None) == user.pk:
        errors["role"] = "Ask another administrator to change your own role"
    elif (
        getattr(getattr(user, "membership", None), "role", None) == Role.SYSADMIN
        and role != Role.SYSADMIN
        and not _administrators_left(excluding=user)
    ):
        errors["role"] = "This is the last system administrator: make another one first"
    if not hasattr(user, "membership"):
        errors["role"] = "This user has no role to change"
    if errors:
        raise ValidationFailed("The role could not be changed", errors=errors)
    membership = membership_change(
        actor=actor, user=user, role=role, agency=chosen_agency, team=chosen_team
    )
    access.forget_cached(user)
    return membership


@dataclass(frozen=True)
class Leaving:
    break_glass_ended: int
    tokens_revoked: int


@transaction.atomic
def user_leave(*, actor: Any, user: User) -> Leaving:
    """Record that a user has left: from now on they can sign in to nothing and see nothing.
    Their sessions end, their break-glass accesses and API tokens stop, and their password goes
    (with it every link to set one). An administrator cannot record their own leaving (another
    must, so the system always has one)."""
    _, user = _changeable(actor, user, "The leaving could not be recorded")
    if getattr(actor, "pk", None) == user.pk:
        raise ValidationFailed(
            "You cannot record your own leaving",
            errors={"user": "Ask another administrator to record that you have left"},
        )
    if not user.is_active:
        return Leaving(0, 0)
    now = clock.now()
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["is_active", "password"])
    ended = BreakGlass.objects.filter(user=user).filter(access.break_glass_current_q(now))
    ended_count = ended.update(ended_at=now, ended_by_id=getattr(actor, "pk", None))
    revoked = tokens.api_tokens_revoke_for(actor=actor, user=user)
    user_sessions_end_for_user(actor=actor, user=user)
    audit.record(
        actor,
        AuditAction.USER_LEFT,
        object_type="user",
        object_id=user.pk,
        detail={
            "user": user.username,
            "break_glass_ended": ended_count,
            "tokens_revoked": revoked,
        },
    )
    return Leaving(ended_count, revoked)


@transaction.atomic
def user_return(*, actor: Any, user: User) -> User:
    """Give a user recorded as having left their account back (a mistake, or they came back).
    Their role is as it was: check it. Their tokens stay revoked; a person is emailed a link to
    set a new password (leaving took theirs)."""
    _, user = _changeable(actor, user, "The account could not be given back")
    if user.is_active:
        return user
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit.record(
        actor,
        AuditAction.USER_RETURNED,
        object_type="user",
        object_id=user.pk,
        detail={"user": user.username},
    )
    if not user.is_integration:
        _send_link(actor, user, why="asked")
    return user


# --- manual grants -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GrantRow:
    pk: int
    reference: str
    holder: str  # the agency, and the team when the grant is a team's
    starts: str
    ends: str
    granted: str
    granted_by: str
    reason: str
    current: bool


def _date(value: dt.date | None) -> str:
    return value.strftime("%-d %b %Y") if value else ""


def manual_grants_for(*, viewer: Any, state: str = "current") -> list[GrantRow]:
    """Manual grants, newest first: `current` (counting today or later), `ended`, or `all`;
    an agency's information governance lead sees their agency's only."""
    scope = _require(viewer)
    today = clock.today()
    rows = AccessGrant.objects.filter(basis=AccessGrant.Basis.MANUAL).select_related(
        "person", "agency", "team"
    )
    rows = scope.limit(rows)
    counting = access.current_q(today) | Q(starts_on__gt=today)
    if state == "current":
        rows = rows.filter(counting)
    elif state == "ended":
        rows = rows.exclude(counting)
    out = []
    for row in rows.order_by("-granted_at")[:500]:
        current = row.ends_on is None or row.ends_on >= today
        out.append(
            GrantRow(
                pk=row.pk,
                reference=row.person.reference,
                holder=row.agency.name + (f", {row.team.name}" if row.team else ""),
                starts=_date(row.starts_on) or _date(row.granted_at.date()),
                ends=_date(row.ends_on) or "No end date",
                granted=_when(row.granted_at),
                granted_by=row.granted_by_name,
                reason=row.reason,
                current=current,
            )
        )
    _viewed(viewer, "grants", state=state)
    return out


def _person_model() -> Any:
    # People sit above governance in the layer order: reached through the grant's relation.
    return AccessGrant._meta.get_field("person").related_model


@transaction.atomic
def manual_grant_give(
    *,
    actor: Any,
    reference: str,
    agency: str,
    team: str,
    ends_on: dt.date | None,
    reason: str,
    errors: dict[str, str] | None = None,
) -> AccessGrant:
    """Give an agency (or one of its teams) access to a child until a date, for a reason: a
    practitioner joining the work before an involvement reaches Sightline, a conference chair.
    `agency` and `team`: the agency's code and the team's id, as a form sends them; `errors`:
    what the form found already (a date it could not read), reported with the rest. A grant the
    holder already has is replaced (its dates and reason). An agency's information governance
    lead gives access to their own agency (or its teams) only."""
    scope = _require(actor)
    errors = dict(errors or {})
    holder = Agency.objects.filter(code=agency).first() if agency else None
    holder_team = _team_of(holder, team, errors)
    reference = reference.strip().upper()
    person = None
    if not reference:
        errors["reference"] = "Enter the child's Sightline reference, like SL4K7Q2M9X"
    else:
        person = (
            _person_model()
            .objects.filter(reference=reference, merged_into__isnull=True)
            .only("pk", "reference")
            .first()
        )
        if person is None:
            errors["reference"] = "There is no child with that Sightline reference"
    if holder is None:
        errors["agency"] = "Select the agency to give access to"
    elif not scope.partnership and holder.pk != scope.agency_id:
        errors["agency"] = f"Select {scope.agency_name}: you administer your own agency only"
    today = clock.today()
    if "ends_on" in errors:  # the form's own message stands
        pass
    elif ends_on is None:
        errors["ends_on"] = "Enter the date the access ends"
    elif ends_on < today:
        errors["ends_on"] = "The date the access ends must be today or in the future"
    elif ends_on > today + dt.timedelta(days=GRANT_DAYS_MAX):
        errors["ends_on"] = f"The access must end within a year ({GRANT_DAYS_MAX} days)"
    reason = reason.strip()
    if not reason:
        errors["reason"] = "Enter why the access is needed"
    elif len(reason) > REASON_MAX or CONTROL_MULTILINE.search(reason):
        errors["reason"] = f"Enter the reason in at most {REASON_MAX} characters"
    if errors:  # in the form's order, as its error summary lists them
        order = ("reference", "agency", "team", "ends_on", "reason")
        raise ValidationFailed(
            "The access could not be given",
            errors={f: errors[f] for f in (*order, *errors) if f in errors},
        )
    assert person is not None
    assert holder is not None
    assert ends_on is not None
    row, created = AccessGrant.objects.select_for_update().get_or_create(
        person_id=person.pk,
        agency_id=holder.pk,
        team_id=holder_team.pk if holder_team else None,
        basis=AccessGrant.Basis.MANUAL,
        basis_key=0,
        defaults={
            "granted_at": clock.now(),
            "ends_on": ends_on,
            "granted_by_name": actor_name(actor),
            "reason": reason,
        },
    )
    if not created:
        row.granted_at, row.starts_on, row.ends_on = clock.now(), None, ends_on
        row.granted_by_name, row.reason = actor_name(actor), reason
        row.save(update_fields=["granted_at", "starts_on", "ends_on", "granted_by_name", "reason"])
    audit.record(
        actor,
        AuditAction.ACCESS_GRANTED,
        object_type="access_grant",
        object_id=row.pk,
        person_id=person.pk,
        purpose="administration",
        detail={
            "basis": "manual",
            "agency": holder.code,
            "team": holder_team.code if holder_team else None,
            "ends_on": ends_on.isoformat(),
            "reason": reason,
            "replaced": not created,
        },
    )
    return row


@transaction.atomic
def manual_grant_end(*, actor: Any, grant_id: int) -> AccessGrant:
    """End a manual grant now (it counted until yesterday). Ending an ended one changes nothing.
    Another agency's grant is not found by an agency's information governance lead."""
    scope = _require(actor)
    row = scope.limit(
        AccessGrant.objects.select_for_update().filter(pk=grant_id, basis=AccessGrant.Basis.MANUAL)
    ).first()
    if row is None:
        raise NotFound("No such grant.")
    yesterday = clock.today() - dt.timedelta(days=1)
    if row.ends_on is not None and row.ends_on <= yesterday:
        return row
    row.ends_on = yesterday
    if row.starts_on is not None and row.starts_on > yesterday:
        row.starts_on = yesterday
    row.save(update_fields=["ends_on", "starts_on"])
    audit.record(
        actor,
        AuditAction.ACCESS_GRANT_ENDED,
        object_type="access_grant",
        object_id=row.pk,
        person_id=row.person_id,
        purpose="administration",
        detail={"basis": "manual", "agency_id": row.agency_id, "team_id": row.team_id},
    )
    return row


def integration_accounts() -> list[User]:
    """The system integrations' current accounts, for the token form."""
    return list(
        User.objects.filter(is_integration=True, is_active=True).order_by("first_name", "last_name")
    )


def agencies_and_teams(scope: AdminScope) -> tuple[list[Agency], list[Team]]:
    """The agencies and teams the scope may choose on a form."""
    agencies = scope.limit(Agency.objects.order_by("name"), "pk")
    teams = scope.limit(Team.objects.select_related("agency").order_by("agency__name", "name"))
    return list(agencies), list(teams)


@transaction.atomic
def user_two_factor_reset(*, actor: Any, user: User) -> int:
    """Reset a user's two-factor sign-in (accounts.services.otp_reset), within the scope."""
    _, user = _changeable(actor, user, "Two-factor sign-in could not be reset")
    return otp_reset_for_user(actor=actor, user=user)


@transaction.atomic
def user_sign_out(*, actor: Any, user: User) -> None:
    """Sign a user out everywhere (accounts.services.user_sessions_end), within the scope."""
    _, user = _changeable(actor, user, "They could not be signed out")
    user_sessions_end_for_user(actor=actor, user=user)
