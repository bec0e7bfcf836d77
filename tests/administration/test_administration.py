"""The administration pages, as the system administrator uses them (docs/administration.md):
users and their roles, a new user's invitation and password, leavers, manual grants, and API
tokens used against the API. Only the `administer` capability reaches them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sightline.accounts.models import ApiToken, Notification, User
from sightline.agencies.models import Role
from sightline.agencies.tests.factories import AgencyFactory, TeamFactory, practitioner
from sightline.core import clock
from sightline.core.tests.pages import page_html
from sightline.governance import access, breakglass
from sightline.governance.audit import AuditAction
from sightline.governance.models import AccessGrant, AuditEvent, BreakGlass
from sightline.people.tests.factories import person_named
from tests.administration.forms import grant_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin() -> User:
    return practitioner(Role.SYSADMIN, agency_kind="other")


@pytest.fixture
def admin_client(admin: User) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def _events(action: AuditAction) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=str(action)).order_by("seq"))


@pytest.mark.parametrize("role", [r for r in Role.values if r not in (Role.SYSADMIN, Role.AUDITOR)])
def test_only_the_administrator_reaches_the_pages(role: str) -> None:
    # (The auditor, an agency's information governance lead: test_agency_administration.)
    client = Client()
    agency = AgencyFactory.create(code="other-agency", kind="other")
    team = TeamFactory.create(agency=agency) if role == Role.TEAM_MANAGER else None
    client.force_login(practitioner(role, agency=agency, team=team))
    for name in ("administration:home", "administration:users", "administration:grants",
                 "administration:tokens", "administration:user_new"):  # fmt: skip
        assert client.get(reverse(name)).status_code == 403, (role, name)


def test_the_administrator_lands_on_administration(admin_client: Client) -> None:
    response = admin_client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("administration:home")
    assert "Administration" in response.content.decode()


def test_users_are_listed_searched_and_the_viewing_audited(admin_client: Client) -> None:
    csc = AgencyFactory.create(code="csc", name="Children's social care")
    worker = practitioner(Role.SOCIAL_WORKER, agency=csc)
    worker.first_name, worker.last_name = "Priya", "Okafor"
    worker.save()
    page = admin_client.get(reverse("administration:users"), {"q": "okafor"}).content.decode()
    assert "Priya Okafor" in page
    assert "Social worker" in page
    assert "Not set up" in page  # two-factor
    none = admin_client.get(reverse("administration:users"), {"q": "nobody-like-this"})
    assert "No user matches" in none.content.decode()
    assert _events(AuditAction.ADMINISTRATION_VIEWED)[-1].detail["query"] == "nobody-like-this"


def test_a_new_user_is_invited_sets_their_password_once_and_signs_in(
    admin_client: Client,
) -> None:
    csc = AgencyFactory.create(code="csc")
    team = TeamFactory.create(agency=csc, code="east", name="East team")
    response = admin_client.post(
        reverse("administration:user_new"),
        {
            "email": " Sam.Berry@Example.org ",
            "given_name": "Sam",
            "family_name": "Berry",
            "agency": "csc",
            "team": str(team.pk),
            "role": Role.SOCIAL_WORKER,
        },
    )
    assert response.status_code == 200
    made = User.objects.get(username="sam.berry@example.org")
    assert not made.has_usable_password()
    assert made.membership.team == team
    link = re.search(r"http://testserver(/set-password/[^<\s]+)", response.content.decode())
    assert link is not None
    notice = Notification.objects.get(recipient=made)
    assert notice.url == link.group(1)
    assert _events(AuditAction.ACCOUNT_CREATED)[-1].detail["username"] == made.username

    newcomer = Client()
    assert newcomer.get(link.group(1)).status_code == 200
    weak = newcomer.post(link.group(1), {"password": "short", "password2": "short"})
    assert weak.status_code == 400
    assert "There is a problem" in weak.content.decode()
    mismatch = newcomer.post(
        link.group(1), {"password": "a long pass phrase 42", "password2": "another one 42!"}
    )
    assert "The passwords do not match" in mismatch.content.decode()
    done = newcomer.post(
        link.group(1), {"password": "a long pass phrase 42", "password2": "a long pass phrase 42"}
    )
    assert done.status_code == 302
    assert "password_set=1" in done["Location"]
    assert "Your password is set" in newcomer.get(done["Location"]).content.decode()
    assert _events(AuditAction.PASSWORD_SET)[-1].actor_id == made.pk
    # The link works once.
    again = newcomer.get(link.group(1))
    assert again.status_code == 404
    assert "This link does not work" in again.content.decode()
    signed_in = newcomer.post(
        reverse("accounts:sign_in"),
        {"email": "sam.berry@example.org", "password": "a long pass phrase 42"},
    )
    assert signed_in.status_code == 302


@pytest.mark.parametrize(
    "link", ["/set-password/x/y", "/set-password/MTIzNDU2Nzg5/abc-def", "/set-password/%00/%ff"]
)
def test_a_made_up_link_does_not_work(link: str) -> None:
    assert Client().get(link).status_code == 404


def test_adding_a_user_with_mistakes_shows_every_error_and_adds_nobody(
    admin_client: Client,
) -> None:
    other = AgencyFactory.create(code="police", kind="police")
    elsewhere = TeamFactory.create(agency=other)
    AgencyFactory.create(code="csc")
    before = User.objects.count()
    response = admin_client.post(
        reverse("administration:user_new"),
        {
            "email": "not-an-email",
            "given_name": "",
            "family_name": "",
            "agency": "csc",
            "team": str(elsewhere.pk),
            "role": "king",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    for message in (
        "Select a team of the agency, or none",
        "Select a role",
        "Enter an email address in the correct format",
        "Enter a first name",
        "Enter a last name",
    ):
        assert message in page
    assert User.objects.count() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("given_name", "A\x00B"), ("given_name", "x" * 151), ("email", "a@"), ("family_name", "a\nb")],
)
def test_a_name_or_email_that_cannot_be_stored_is_an_error_not_a_500(
    admin_client: Client, field: str, value: str
) -> None:
    AgencyFactory.create(code="csc")
    form = {"email": "ok@example.org", "given_name": "Sam", "family_name": "Berry",
            "agency": "csc", "role": Role.SOCIAL_WORKER, field: value}  # fmt: skip
    response = admin_client.post(reverse("administration:user_new"), form)
    assert response.status_code == 400
    assert not User.objects.filter(username="ok@example.org").exists()


def test_an_integrations_account_has_no_password_and_no_link(admin_client: Client) -> None:
    AgencyFactory.create(code="police", kind="police")
    response = admin_client.post(
        reverse("administration:user_new"),
        {
            "email": "feed@police.example.org",
            "given_name": "Police",
            "family_name": "Feed",
            "agency": "police",
            "role": Role.POLICE_OFFICER,
            "integration": "yes",
        },
        follow=True,
    )
    assert "a system integration&#39;s account" in response.content.decode()
    feed = User.objects.get(username="feed@police.example.org")
    assert feed.is_integration
    assert not feed.has_usable_password()
    assert not Notification.objects.filter(recipient=feed).exists()
    admin_client.post(reverse("administration:user_action", args=[feed.pk]), {"action": "link"})
    assert not Notification.objects.filter(recipient=feed).exists()


def test_a_role_change_changes_access_at_once(admin_client: Client) -> None:
    csc = AgencyFactory.create(code="csc")
    police = AgencyFactory.create(code="police", kind="police")
    worker = practitioner(Role.SOCIAL_WORKER, agency=csc)
    child = person_named("Ava", "Stone")
    access.grant(person_id=child.pk, agency_id=csc.pk, basis=AccessGrant.Basis.HOLDS_RECORDS)
    assert access.can_view_person(worker, child.pk)
    response = admin_client.post(
        reverse("administration:user_role", args=[worker.pk]),
        {"agency": "police", "team": "", "role": Role.POLICE_OFFICER},
    )
    assert response.status_code == 303
    worker = User.objects.get(pk=worker.pk)
    assert worker.membership.agency == police
    assert not access.can_view_person(worker, child.pk)
    assert (
        "agency, team and role are saved" in admin_client.get(response["Location"]).content.decode()
    )
    bad = admin_client.post(
        reverse("administration:user_role", args=[worker.pk]),
        {"agency": "police", "team": "", "role": Role.TEAM_MANAGER},
    )
    assert bad.status_code == 400
    assert "A team manager manages a team" in bad.content.decode()


def test_a_leaver_loses_every_access_the_same_moment(admin: User, admin_client: Client) -> None:
    csc = AgencyFactory.create(code="csc")
    worker = practitioner(Role.SOCIAL_WORKER, agency=csc)
    child = person_named("Leo", "Marsh")
    glass = breakglass.break_glass_open(
        actor=worker, person_id=child.pk, reason="immediate_risk", reason_text="A call at night"
    )
    session = Client()
    session.force_login(worker)
    assert session.get(reverse("agencies:my_work")).status_code == 200

    confirm = admin_client.get(reverse("administration:user_leave", args=[worker.pk]))
    assert "will lose all access now" in confirm.content.decode()
    done = admin_client.post(reverse("administration:user_leave", args=[worker.pk]))
    assert done.status_code == 303
    assert "has left" in admin_client.get(done["Location"]).content.decode()

    assert session.get(reverse("agencies:my_work")).status_code == 302  # to sign in
    assert BreakGlass.objects.get(pk=glass.pk).ended_at is not None
    left = _events(AuditAction.USER_LEFT)[-1]
    assert left.detail == {"user": worker.username, "break_glass_ended": 0 + 1, "tokens_revoked": 0}
    assert not User.objects.get(pk=worker.pk).has_usable_password()
    # Their account back, with an emailed link to set a new password (leaving took theirs).
    admin_client.post(reverse("administration:user_action", args=[worker.pk]), {"action": "return"})
    assert User.objects.get(pk=worker.pk).is_active
    assert Notification.objects.filter(recipient=worker, url__startswith="/set-password/").exists()


def test_an_integration_that_leaves_loses_its_tokens_for_good(admin: User) -> None:
    feed = integration(Role.POLICE_OFFICER)
    _, token = _token_for(admin, feed, ["read"])
    client = Client()
    client.force_login(admin)
    client.post(reverse("administration:user_leave", args=[feed.pk]))
    assert _api(token, "/api/notifications").status_code == 401
    assert _events(AuditAction.USER_LEFT)[-1].detail["tokens_revoked"] == 1
    client.post(reverse("administration:user_action", args=[feed.pk]), {"action": "return"})
    assert _api(token, "/api/notifications").status_code == 401


def test_a_token_is_only_for_an_integrations_account(admin: User, admin_client: Client) -> None:
    officer = practitioner(Role.POLICE_OFFICER, agency_kind="police")
    response = admin_client.post(
        reverse("administration:token_new"),
        {"user": officer.username, "name": "Mine", "scopes": ["read"], "days": "30"},
    )
    assert response.status_code == 400
    assert "This is a person&#39;s account" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_an_administrator_cannot_change_their_own_role(admin: User, admin_client: Client) -> None:
    AgencyFactory.create(code="csc")
    own = admin_client.post(
        reverse("administration:user_role", args=[admin.pk]),
        {"agency": "csc", "team": "", "role": Role.SOCIAL_WORKER},
    )
    assert own.status_code == 400
    assert "Ask another administrator" in own.content.decode()
    assert User.objects.get(pk=admin.pk).membership.role == Role.SYSADMIN
    # Another administrator may change it.
    other = practitioner(Role.SYSADMIN, agency=admin.membership.agency)
    client = Client()
    client.force_login(other)
    changed = client.post(
        reverse("administration:user_role", args=[admin.pk]),
        {"agency": "csc", "team": "", "role": Role.SOCIAL_WORKER},
    )
    assert changed.status_code == 303


def test_an_administrator_cannot_record_their_own_leaving(
    admin: User, admin_client: Client
) -> None:
    response = admin_client.post(reverse("administration:user_leave", args=[admin.pk]))
    assert response.status_code == 400
    assert User.objects.get(pk=admin.pk).is_active


def test_a_manual_grant_gives_access_until_ended(admin_client: Client) -> None:
    school = AgencyFactory.create(code="school", kind="school")
    dsl = practitioner(Role.SCHOOL_DSL, agency=school)
    child = person_named("Mia", "Reed")
    assert not access.can_view_person(dsl, child.pk)
    response = admin_client.post(
        reverse("administration:grant_new"), grant_form(reference=child.reference.lower())
    )
    assert response.status_code == 303
    row = AccessGrant.objects.get(person=child, basis=AccessGrant.Basis.MANUAL)
    assert row.reason.startswith("Joining")
    assert row.granted_by_name
    assert access.can_view_person(User.objects.get(pk=dsl.pk), child.pk)
    listing = page_html(admin_client.get(reverse("administration:grants")))
    assert child.reference in listing
    assert "Mia" not in listing
    given = _events(AuditAction.ACCESS_GRANTED)[-1]
    assert given.person_id == child.pk
    assert given.detail["agency"] == "school"

    ended = admin_client.post(reverse("administration:grant_end", args=[row.pk]))
    assert ended.status_code == 303
    assert not access.can_view_person(User.objects.get(pk=dsl.pk), child.pk)
    assert _events(AuditAction.ACCESS_GRANT_ENDED)[-1].person_id == child.pk
    assert (
        child.reference
        in admin_client.get(reverse("administration:grants"), {"state": "ended"}).content.decode()
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reference": "SLT9999999"}, "There is no child with that Sightline reference"),
        ({"agency": ""}, "Select the agency to give access to"),
        ({"reason": "  "}, "Enter why the access is needed"),
        ({"ends_on-day": "", "ends_on-month": "", "ends_on-year": ""}, "Enter the date"),
        ({"ends_on-day": "31", "ends_on-month": "2"}, "must be a real date"),
        ({"ends_on-year": "2020"}, "must be today or in the future"),
        ({"ends_on-year": "2099"}, "The access must end within a year (366 days)"),
    ],
)
def test_a_manual_grant_with_a_mistake_is_refused_and_gives_nothing(
    admin_client: Client, changes: dict[str, str], message: str
) -> None:
    AgencyFactory.create(code="school", kind="school")
    child = person_named("Mia", "Reed")
    form = grant_form(reference=child.reference)
    form.update(changes)
    response = admin_client.post(reverse("administration:grant_new"), form)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AccessGrant.objects.filter(basis=AccessGrant.Basis.MANUAL).exists()


# --- API tokens ----------------------------------------------------------------------------------


def integration(role: str, **kwargs: Any) -> User:
    """A system integration's account (an agency's feed): tokens only, no password."""
    account = practitioner(role, **kwargs)
    account.is_integration = True
    account.set_unusable_password()
    account.save()
    return account


def _token_for(admin: User, user: User, scopes: list[str], days: int = 30) -> tuple[int, str]:
    client = Client()
    client.force_login(admin)
    response = client.post(
        reverse("administration:token_new"),
        {"user": user.username, "name": "Police feed", "scopes": scopes, "days": str(days)},
        follow=True,
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    assert response.redirect_chain[-1][0] == reverse("administration:token_made")
    found = re.search(r"slt_[a-z0-9]+_[A-Za-z0-9_-]+", response.content.decode())
    assert found is not None
    row = ApiToken.objects.get(prefix=found.group(0).split("_")[1])
    return row.pk, found.group(0)


def _api(token: str, path: str, method: str = "get") -> Any:
    return getattr(Client(), method)(path, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_token_reads_as_its_user_is_audited_and_is_never_stored(admin: User) -> None:
    officer = integration(Role.POLICE_OFFICER, agency_kind="police")
    pk, token = _token_for(admin, officer, ["read"])
    row = ApiToken.objects.get(pk=pk)
    assert token not in str(list(ApiToken.objects.values()))  # only its digest
    response = _api(token, "/api/notifications")
    assert response.status_code == 200
    used = _events(AuditAction.API_TOKEN_USED)[-1]
    assert used.actor_id == officer.pk
    assert used.detail["prefix"] == row.prefix
    assert token not in str(used.detail)
    assert ApiToken.objects.get(pk=pk).last_used_at is not None
    # Read only: a write is refused, and the refusal audited.
    write = _api(token, "/api/notifications/read-all", "post")
    assert write.status_code == 403
    assert _events(AuditAction.API_TOKEN_REFUSED)[-1].detail["why"] == "no_write_scope"


def test_a_write_token_writes_without_a_form_token(admin: User) -> None:
    officer = integration(Role.POLICE_OFFICER, agency_kind="police")
    _, token = _token_for(admin, officer, ["read", "write"])
    response = _api(token, "/api/notifications/read-all", "post")
    assert response.status_code == 200


def test_revoked_expired_and_made_up_tokens_are_refused(admin: User) -> None:
    officer = integration(Role.POLICE_OFFICER, agency_kind="police")
    pk, token = _token_for(admin, officer, ["read"])
    prefix = ApiToken.objects.get(pk=pk).prefix
    for made_up in (token[:-2] + "xx", f"slt_{prefix}_", "slt__", "x" * 300, "slt_a_b_c", "🙂"):
        assert _api(made_up, "/api/notifications").status_code == 401
    ApiToken.objects.filter(pk=pk).update(expires_at=clock.now() - dt.timedelta(seconds=1))
    assert _api(token, "/api/notifications").status_code == 401
    assert _events(AuditAction.API_TOKEN_REFUSED)[-1].detail["why"] == "expired"
    ApiToken.objects.filter(pk=pk).update(expires_at=clock.now() + dt.timedelta(days=1))
    client = Client()
    client.force_login(admin)
    assert client.post(reverse("administration:token_revoke", args=[pk])).status_code == 303
    assert _api(token, "/api/notifications").status_code == 401
    assert "Revoked" in client.get(reverse("administration:tokens")).content.decode()


def test_a_token_sees_only_what_its_user_may(admin: User) -> None:
    school = AgencyFactory.create(code="school", kind="school")
    dsl = integration(Role.SCHOOL_DSL, agency=school)
    child = person_named("Noah", "Fern")
    _, token = _token_for(admin, dsl, ["read"])
    story = f"/api/children/{child.reference}/story"
    assert _api(token, story).status_code == 404
    access.grant(person_id=child.pk, agency_id=school.pk, basis=AccessGrant.Basis.HOLDS_RECORDS)
    assert _api(token, story).status_code == 200


def test_a_token_is_not_a_way_into_the_pages_or_the_api_documents(admin: User) -> None:
    officer = integration(Role.POLICE_OFFICER, agency_kind="police")
    _, token = _token_for(admin, officer, ["read"])
    page = Client().get(reverse("agencies:my_work"), HTTP_AUTHORIZATION=f"Bearer {token}")
    assert page.status_code == 302
    docs = Client().get("/api/openapi.json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert docs.status_code == 401


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"user": "nobody@example.org"}, "Enter the email address of a system integration"),
        ({"scopes": []}, "Select what the token may do"),
        ({"scopes": ["admin"]}, "Select what the token may do"),
        ({"days": "0"}, "from 1 to 366"),
        ({"days": "400"}, "from 1 to 366"),
        ({"days": "²"}, "from 1 to 366"),
        ({"name": ""}, "Enter a name for the token"),
    ],
)
def test_a_token_form_with_a_mistake_makes_nothing(
    admin_client: Client, form: dict[str, object], message: str
) -> None:
    officer = integration(Role.POLICE_OFFICER, agency_kind="police")
    data: dict[str, object] = {"user": officer.username, "name": "Feed", "scopes": ["read"],
                               "days": "30"}  # fmt: skip
    data.update(form)
    response = admin_client.post(reverse("administration:token_new"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_link_for_a_forgotten_password_works_once_and_is_audited(admin_client: Client) -> None:
    worker = practitioner(Role.SOCIAL_WORKER, agency_kind="childrens_social_care")
    worker.set_password("the old pass phrase 1")
    worker.save()
    response = admin_client.post(
        reverse("administration:user_action", args=[worker.pk]), {"action": "link"}, follow=True
    )
    page = response.content.decode()
    assert f"We have emailed {worker.username} a link" in page
    assert "/set-password/" not in page  # emailed to them only: no administrator sees it
    link = re.match(r"(/set-password/.+)", Notification.objects.get(recipient=worker).url)
    assert link is not None
    assert _events(AuditAction.PASSWORD_LINK_MADE)[-1].detail == {"user": worker.username}
    assert User.objects.get(pk=worker.pk).check_password("the old pass phrase 1")
    theirs = Client()
    form = {"password": "the new pass phrase 2", "password2": "the new pass phrase 2"}
    assert theirs.post(link.group(1), form).status_code == 302
    assert User.objects.get(pk=worker.pk).check_password("the new pass phrase 2")
    assert theirs.post(link.group(1), form).status_code == 404
