import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from sightline.accounts.models import SignInAttempt
from sightline.accounts.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

SIGN_IN = "/sign-in"


def post_sign_in(client, email, password, **extra):
    return client.post(SIGN_IN, {"email": email, "password": password, **extra})


def test_sign_in_url_name():
    assert reverse("accounts:sign_in") == SIGN_IN


def test_sign_in_page_shows_the_form(client):
    response = client.get(SIGN_IN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Sign in \u2013 Sightline</title>" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'autocomplete="current-password"' in html
    assert "There is a problem" not in html


def test_empty_sign_in_shows_error_summary_and_inline_errors(client):
    response = post_sign_in(client, "", "")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Sign in \u2013 Sightline</title>" in html
    assert "govuk-error-summary" in html
    assert 'href="#email"' in html
    assert 'href="#password"' in html
    assert html.count("Enter your email address") == 2  # summary and inline
    assert html.count("Enter your password") == 2


@pytest.mark.parametrize("email", ["sam.patel@example.org", "nobody@example.org"])
def test_wrong_details_give_one_message_that_reveals_nothing(client, user, announced, email):
    response = post_sign_in(client, email, "wrong password entirely")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your email address or password is incorrect" in html
    assert "_auth_user_id" not in client.session
    # Counted the same way whether or not the account exists: for the account from this
    # address, for the address, and for the account from anywhere.
    assert SignInAttempt.objects.count() == 3
    [(name, args)] = announced
    assert name == "sign_in_refused"
    assert (args["username"], args["reason"]) == (email, "incorrect")


def test_sign_in_succeeds_rotates_the_session_and_is_announced(client, user, announced):
    client.get(SIGN_IN)
    before = client.session.session_key
    response = post_sign_in(client, "Sam.Patel@Example.org ", PASSWORD)
    assert response.status_code == 302
    # Home, which sends each viewer to their landing page (core.extensions.register_landing).
    assert response["Location"] == reverse("ui:home")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session.session_key != before
    assert [(name, args["user"]) for name, args in announced] == [("signed_in", user)]


# Anything but a page of this site goes home ("/"), which sends each viewer to their landing page.
@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/children/?x=1", "/children/?x=1"),
        ("https://evil.example/", "/"),
        ("//evil.example/path", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/sign-out", "/"),
        ("", "/"),
    ],
)
def test_next_redirect_is_same_site_only(client, user, next_url, expected):
    response = post_sign_in(client, user.username, PASSWORD, next=next_url)
    assert response.status_code == 302
    assert response["Location"] == expected


def test_next_is_carried_through_the_form(client):
    html = client.get(SIGN_IN, {"next": "/children/"}).content.decode()
    assert 'name="next" value="/children/"' in html


def test_a_signed_in_user_is_sent_on_from_the_sign_in_page(client, user):
    client.force_login(user)
    response = client.get(SIGN_IN)
    assert response.status_code == 302
    assert response["Location"] == "/"  # home: their landing page


def test_sign_out_is_post_only(client, user):
    client.force_login(user)
    assert client.get("/sign-out").status_code == 405
    assert client.session["_auth_user_id"] == str(user.pk)


def test_sign_out_signs_out_and_is_announced(client, user, announced):
    client.force_login(user)
    response = client.post(reverse("accounts:sign_out"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signed_out")
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "You have signed out" in page.content.decode()
    assert [(n, a["user"], a["reason"]) for n, a in announced] == [
        ("signed_out", user, "signed_out")
    ]


def test_keep_alive_returns_204_and_extends_the_session(client, user):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    idle = settings.SESSION_IDLE_SECONDS
    with time_machine.travel(start, tick=False):
        client.force_login(user)
        client.get("/children/")
    with time_machine.travel(start + dt.timedelta(seconds=idle - 60), tick=False):
        assert client.post(reverse("accounts:keep_alive")).status_code == 204
    with time_machine.travel(start + dt.timedelta(seconds=2 * idle - 120), tick=False):
        assert client.get("/children/").status_code == 200


def test_keep_alive_answers_401_when_signed_out(client):
    assert client.post(reverse("accounts:keep_alive")).status_code == 401


def test_idle_session_ends_and_sign_in_page_says_why(client, user, announced):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        client.force_login(user)
        assert client.get("/children/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=31), tick=False):
        response = client.get("/children/")
        assert response.status_code == 302
        assert response["Location"] == "/sign-in?next=%2Fchildren%2F"
        assert "_auth_user_id" not in client.session
        html = client.get(response["Location"]).content.decode()
    assert "You were signed out because you were inactive for 30 minutes" in html
    assert [(n, a["user"], a["reason"]) for n, a in announced] == [
        ("signed_out", user, "timed_out")
    ]
    # The message is shown once.
    assert "inactive for 30 minutes" not in client.get(SIGN_IN).content.decode()


def test_browser_timeout_redirect_signs_out_at_the_limit(client, user):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        client.force_login(user)
        client.get("/children/")
    with time_machine.travel(start + dt.timedelta(minutes=30), tick=False):
        html = client.get(SIGN_IN, {"timed_out": "1"}).content.decode()
        assert "_auth_user_id" not in client.session
    assert "inactive for 30 minutes" in html


def test_browser_timeout_redirect_keeps_a_session_used_in_another_tab(client, user):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        client.force_login(user)
        client.get("/children/")
    with time_machine.travel(start + dt.timedelta(minutes=10), tick=False):
        response = client.get(SIGN_IN, {"timed_out": "1"})
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(user.pk)


def test_timed_out_query_flag_shows_the_message(client):
    html = client.get(SIGN_IN, {"timed_out": "1"}).content.decode()
    assert "inactive for 30 minutes" in html


def test_anonymous_page_request_goes_to_sign_in_with_next(client):
    response = client.get("/children/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in?next=%2Fchildren%2F"


def test_htmx_request_when_signed_out_redirects_the_whole_page(client):
    response = client.get("/children/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/sign-in")


def test_csrf_is_enforced_on_sign_in(user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(SIGN_IN, {"email": user.username, "password": PASSWORD})
    assert response.status_code == 403
