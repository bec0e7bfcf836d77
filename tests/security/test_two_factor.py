"""Two-factor sign-in through the pages a user touches: setting it up (QR code as inline SVG,
the secret as text, a code to confirm, ten backup codes shown once and stored as digests), the
code asked for after the password, backup codes, the throttle, enforcement for the roles that
see case data (OTP_REQUIRED), recovery by an administrator, and sign out everywhere."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from sightline.accounts import twofactor
from sightline.accounts.services import otp_reset, user_sessions_end
from sightline.core.errors import AccessDenied
from sightline.governance.audit import AuditAction
from sightline.governance.models import AuditEvent
from tests.security.conftest import PASSWORD, app_code, enrol, sign_in, signed_up

pytestmark = pytest.mark.django_db

CODE_PAGE = "/sign-in/code"
SETUP = "/account/two-factor"


def signed_in_client(user) -> Client:
    client = Client()
    response = sign_in(client, user)
    assert response.status_code == 302
    return client


def actions(user) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="user", object_id=str(user.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


# --- Setting it up ------------------------------------------------------------------------------


def test_the_setup_page_shows_an_inline_svg_qr_code_and_the_secret(practitioner_user):
    client = signed_in_client(practitioner_user)
    response = client.get(SETUP)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<svg role="img"' in html
    assert "QR code for your authenticator app" in html
    assert "<img" not in html  # nothing fetched: the QR code is in the page
    device = TOTPDevice.objects.get(user=practitioner_user, confirmed=False)
    assert twofactor.secret_text(device) in html
    # The same secret on a second visit (the app may already hold it).
    assert twofactor.secret_text(device) in client.get(SETUP).content.decode()


def test_a_wrong_code_at_setup_is_a_gov_uk_error(practitioner_user):
    client = signed_in_client(practitioner_user)
    client.get(SETUP)
    for typed, message in (
        ("", "Enter the code from your authenticator app, or a backup code"),
        ("12ab", "Enter the 6-digit code from your authenticator app"),
        ("000000", "The code is not right"),
    ):
        response = client.post(SETUP, {"code": typed})
        html = response.content.decode()
        assert response.status_code == 200
        assert "govuk-error-summary" in html
        assert 'href="#code"' in html
        assert message in html
        assert html.startswith("<!DOCTYPE html>")
        assert "<title>Error: " in html
    assert not twofactor.has_two_factor(practitioner_user)


def test_confirming_shows_ten_backup_codes_once_and_stores_only_digests(practitioner_user):
    client = signed_in_client(practitioner_user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=practitioner_user, confirmed=False)
    response = client.post(SETUP, {"code": app_code(device)})
    assert response.status_code == 302
    assert response["Location"] == "/account/backup-codes"
    html = client.get("/account/backup-codes").content.decode()
    codes = re.findall(r"<code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code>", html)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    # Shown once: the page does not show them again.
    assert client.get("/account/backup-codes")["Location"] == "/account/"
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert len(stored) == 10
    assert not stored & {c for code in codes for c in (code, code.replace("-", ""))}
    assert stored == {twofactor.backup_code_digest(c) for c in codes}
    assert twofactor.has_two_factor(practitioner_user)
    assert AuditAction.TWO_FACTOR_ENROLLED in actions(practitioner_user)
    # This session goes on, verified by the code it typed.
    assert client.get("/account/").status_code == 200


def test_setting_it_up_ends_the_users_other_sessions(practitioner_user):
    other = signed_in_client(practitioner_user)
    client = signed_in_client(practitioner_user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=practitioner_user, confirmed=False)
    client.post(SETUP, {"code": app_code(device)})
    assert client.get("/account/").status_code == 200
    assert other.get("/account/")["Location"].startswith("/sign-in")


# --- Signing in with a code ---------------------------------------------------------------------


def test_sign_in_asks_for_the_code_after_the_password(practitioner_user):
    device, _ = enrol(practitioner_user)
    client = Client()
    response = sign_in(client, practitioner_user)
    assert response["Location"] == CODE_PAGE
    assert "_auth_user_id" not in client.session  # not signed in until the code
    assert client.get("/account/")["Location"].startswith("/sign-in")
    page = client.get(CODE_PAGE)
    assert page.status_code == 200
    assert "Enter the code from your authenticator app" in page.content.decode()
    response = client.post(CODE_PAGE, {"code": app_code(device, steps_ahead=1)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(practitioner_user.pk)
    assert client.get("/account/").status_code == 200
    event = AuditEvent.objects.filter(action=AuditAction.SIGNED_IN).latest("seq")
    assert event.detail == {"two_factor": "authenticator"}


def test_a_wrong_code_is_refused_and_audited(practitioner_user, no_otp_backoff):
    device, _ = enrol(practitioner_user)
    client = Client()
    sign_in(client, practitioner_user)
    response = client.post(CODE_PAGE, {"code": "000000"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "The code is not right" in html
    assert "_auth_user_id" not in client.session
    refused = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED).latest("seq")
    assert refused.detail["reason"] == "incorrect_code"
    assert refused.detail["stage"] == "code"
    assert client.post(CODE_PAGE, {"code": app_code(device, 1)}).status_code == 302


def test_a_code_cannot_be_used_twice(practitioner_user, no_otp_backoff):
    device, _ = enrol(practitioner_user)
    code = app_code(device, steps_ahead=1)
    first = Client()
    sign_in(first, practitioner_user)
    assert first.post(CODE_PAGE, {"code": code}).status_code == 302
    second = Client()
    sign_in(second, practitioner_user)
    assert second.post(CODE_PAGE, {"code": code}).status_code == 200
    assert "_auth_user_id" not in second.session


def test_a_backup_code_signs_in_once(practitioner_user):
    _, codes = enrol(practitioner_user)
    client = Client()
    sign_in(client, practitioner_user)
    assert client.post(CODE_PAGE, {"code": codes[3].upper()}).status_code == 302
    assert twofactor.backup_codes_left(practitioner_user) == 9
    event = AuditEvent.objects.filter(action=AuditAction.SIGNED_IN).latest("seq")
    assert event.detail == {"two_factor": "backup_code"}
    again = Client()
    sign_in(again, practitioner_user)
    assert again.post(CODE_PAGE, {"code": codes[3]}).status_code == 200


def test_new_backup_codes_replace_the_old(practitioner_user):
    _, old = enrol(practitioner_user)
    client = Client()
    sign_in(client, practitioner_user)
    client.post(CODE_PAGE, {"code": old[0]})
    assert client.post("/account/backup-codes")["Location"] == "/account/backup-codes"
    html = client.get("/account/backup-codes").content.decode()
    new = re.findall(r"<code>([a-z0-9-]{14})</code>", html)
    assert len(new) == 10
    assert not set(new) & set(old)
    assert twofactor.check_code(practitioner_user, old[1]) is None
    assert AuditAction.TWO_FACTOR_BACKUP_CODES_REPLACED in actions(practitioner_user)


def test_code_attempts_are_throttled_like_passwords(practitioner_user, no_otp_backoff):
    device, _ = enrol(practitioner_user)
    client = Client()
    sign_in(client, practitioner_user)
    for _ in range(5):
        assert client.post(CODE_PAGE, {"code": "000000"}).status_code == 200
    response = client.post(CODE_PAGE, {"code": app_code(device, 1)})
    assert response.status_code == 429
    assert "Too many codes tried" in response.content.decode()
    assert "_auth_user_id" not in client.session
    refused = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED).latest("seq")
    assert refused.detail["reason"] == "throttled"
    assert refused.detail["stage"] == "code"


def test_the_code_page_lets_go_after_five_minutes(practitioner_user):
    device, _ = enrol(practitioner_user)
    client = Client()
    with time_machine.travel(dt.datetime.now(tz=dt.UTC), tick=False) as traveller:
        sign_in(client, practitioner_user)
        traveller.shift(dt.timedelta(minutes=6))
        response = client.post(CODE_PAGE, {"code": app_code(device)})
    assert response["Location"] == "/sign-in"
    assert "_auth_user_id" not in client.session


def test_the_code_page_without_a_password_first_goes_to_sign_in(db):
    assert Client().get(CODE_PAGE)["Location"] == "/sign-in"
    assert Client().post(CODE_PAGE, {"code": "123456"})["Location"] == "/sign-in"


# --- Enforcement (OTP_REQUIRED) -----------------------------------------------------------------


@pytest.fixture
def required(settings):
    settings.OTP_REQUIRED = True


@pytest.mark.parametrize(
    "role", ["social_worker", "police_officer", "mash_manager", "data_officer", "auditor"]
)
def test_a_role_that_sees_case_data_must_set_it_up_before_anything_else(required, role):
    user = signed_up(role)
    client = Client()
    assert sign_in(client, user).status_code == 302
    for path in ("/", "/children/", "/my-work/", "/audit/", "/notifications/", "/account/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == SETUP, path
    api = client.get("/api/people/search?name=x")
    assert api.status_code == 403
    assert "Two-factor" in api.json()["error"]
    assert client.get(SETUP).status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    client.post(SETUP, {"code": app_code(device)})
    assert client.get("/account/").status_code == 200


def test_an_analyst_who_sees_only_aggregates_is_not_made_to(required):
    analyst = signed_up("analyst")
    client = signed_in_client(analyst)
    assert client.get("/account/").status_code == 200


def test_a_session_without_the_code_it_now_needs_signs_in_again(required, practitioner_user):
    stale = Client()
    stale.force_login(practitioner_user)
    TOTPDevice.objects.create(user=practitioner_user, name="Authenticator app", confirmed=True)
    response = stale.get("/children/")
    assert response["Location"].startswith("/sign-in")
    assert "_auth_user_id" not in stale.session


def test_off_by_default_so_a_password_alone_signs_in(practitioner_user):
    client = signed_in_client(practitioner_user)
    assert client.get("/account/").status_code == 200


# --- Recovery and sign out everywhere -----------------------------------------------------------


def test_an_administrator_resets_two_factor_and_the_users_sessions_end(practitioner_user):
    enrol(practitioner_user)
    admin = signed_up("sysadmin", agency_kind="other")
    session = Client()
    session.force_login(practitioner_user)
    assert otp_reset(actor=admin, user=practitioner_user) == 2  # the app and the backup codes
    assert not twofactor.has_two_factor(practitioner_user)
    assert session.get("/account/")["Location"].startswith("/sign-in")
    reset = AuditEvent.objects.get(action=AuditAction.TWO_FACTOR_RESET)
    assert reset.actor_id == admin.pk
    assert reset.detail["devices_removed"] == 2
    assert AuditEvent.objects.filter(action=AuditAction.SESSIONS_ENDED).exists()
    # Now the password alone signs in, and (when required) they set it up again.
    assert sign_in(Client(), practitioner_user)["Location"] != CODE_PAGE


def test_only_an_administrator_may_reset(practitioner_user):
    enrol(practitioner_user)
    colleague = signed_up("police_officer", agency_kind="police")
    with pytest.raises(AccessDenied):
        otp_reset(actor=colleague, user=practitioner_user)
    assert twofactor.has_two_factor(practitioner_user)


def test_the_reset_command(practitioner_user, capsys):
    enrol(practitioner_user)
    call_command("accounts", "reset-2fa", practitioner_user.username.upper())
    assert "Reset two-factor sign-in" in capsys.readouterr().out
    assert not twofactor.has_two_factor(practitioner_user)
    assert AuditEvent.objects.get(action=AuditAction.TWO_FACTOR_RESET).actor_name == (
        "system:accounts"
    )
    with pytest.raises(CommandError, match="No account"):
        call_command("accounts", "reset-2fa", "nobody@example.org")
    colleague = signed_up("police_officer", agency_kind="police")
    with pytest.raises(CommandError, match="Only an administrator"):
        call_command("accounts", "reset-2fa", practitioner_user.username, user=colleague.username)


def test_sign_out_everywhere_ends_every_session(practitioner_user):
    laptop, phone = signed_in_client(practitioner_user), signed_in_client(practitioner_user)
    page = laptop.get("/account/").content.decode()
    assert "Sign out everywhere" in page
    response = laptop.post("/account/sign-out-everywhere")
    assert response["Location"] == "/signed-out"
    for client in (laptop, phone):
        assert client.get("/children/")["Location"].startswith("/sign-in")
    ended = AuditEvent.objects.get(action=AuditAction.SESSIONS_ENDED)
    assert ended.actor_id == practitioner_user.pk
    assert ended.detail["reason"] == "signed_out_everywhere"
    # A new sign-in works.
    assert signed_in_client(practitioner_user).get("/account/").status_code == 200


def test_the_sign_out_everywhere_command(practitioner_user):
    client = signed_in_client(practitioner_user)
    call_command("accounts", "sign-out-everywhere", practitioner_user.username)
    assert client.get("/account/")["Location"].startswith("/sign-in")


def test_only_the_user_or_an_administrator_signs_them_out_everywhere(practitioner_user):
    with pytest.raises(AccessDenied):
        user_sessions_end(
            actor=signed_up("police_officer", agency_kind="police"), user=practitioner_user
        )


def test_a_session_made_before_the_version_existed_still_works(practitioner_user):
    # sessions_version 0 hashes as Django does: nobody is signed out by the upgrade.
    from django.contrib.auth.base_user import AbstractBaseUser

    assert practitioner_user.sessions_version == 0
    expected = AbstractBaseUser._get_session_auth_hash(practitioner_user)  # type: ignore[attr-defined]
    assert practitioner_user.get_session_auth_hash() == expected


# --- No 500 on any input ------------------------------------------------------------------------

_typed = st.text(max_size=80) | st.from_regex(r"[0-9 -]{0,12}", fullmatch=True)


@hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(code=_typed)
def test_any_code_at_sign_in_is_a_page_never_a_500(practitioner_user, code):
    enrol_once(practitioner_user)
    client = Client()
    sign_in(client, practitioner_user)
    response = client.post(CODE_PAGE, {"code": code})
    assert response.status_code in (200, 302, 429)
    if response.status_code == 200:
        assert "govuk-error-summary" in response.content.decode()


@hsettings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(code=_typed)
def test_any_code_at_setup_is_a_page_never_a_500(practitioner_user, code):
    client = Client()
    client.force_login(practitioner_user)
    response = client.post(SETUP, {"code": code})
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert "govuk-error-summary" in response.content.decode()


def enrol_once(user) -> None:
    if not twofactor.has_two_factor(user):
        enrol(user)


def test_the_password_is_checked_before_the_code_page(practitioner_user):
    enrol(practitioner_user)
    client = Client()
    response = sign_in(client, practitioner_user, password="not the password at all")
    assert response.status_code == 200
    assert client.get(CODE_PAGE)["Location"] == "/sign-in"
    assert PASSWORD  # the fixture's password is the right one
