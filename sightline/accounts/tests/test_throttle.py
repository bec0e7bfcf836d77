"""The sign-in throttle, as the sign-in page shows it (ADR 10): limits per account and address,
per address across accounts, a ceiling per account, and trusted devices that nobody elsewhere
can lock out. Counting is atomic: concurrent wrong passwords are checked at most `limit` times.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection, connections
from django.test import Client

from sightline.accounts.models import User
from sightline.accounts.tests.conftest import PASSWORD

SIGN_IN = "/sign-in"
DEVICE_COOKIE = "sightline_device"
WRONG = "not the password at all"
VICTIM = "sam.patel@example.org"
ATTACKER = "203.0.113.66"
VICTIM_DESK = "198.51.100.10"
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
LOCKED_OUT = "Too many attempts to sign in. Wait 1 hour and try again."


def attempt(client: Client, email: str, password: str, address: str = "127.0.0.1") -> Any:
    return client.post(SIGN_IN, {"email": email, "password": password}, REMOTE_ADDR=address)


def addresses(n: int, prefix: str = "192.0.2.") -> list[str]:
    return [f"{prefix}{i}" for i in range(1, n + 1)]


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def checks() -> Iterator[list[str]]:
    """Each password checked against the hasher (the Argon2 check the throttle rations), as the
    hash's user; a check takes a little while, as a real one does."""
    seen: list[str] = []
    lock = threading.Lock()
    verify = MD5PasswordHasher.verify

    def counting(self: Any, password: str, encoded: str) -> bool:
        with lock:
            seen.append(encoded)
        threading.Event().wait(0.02)
        return verify(self, password, encoded)

    with mock.patch.object(MD5PasswordHasher, "verify", counting):
        yield seen


@pytest.fixture
def victim(db: Any) -> User:
    return User.objects.create_user(username=VICTIM, email=VICTIM, password=PASSWORD)


def trusted_browser(address: str = VICTIM_DESK) -> Client:
    """The victim's own browser: it has signed in before, and signed out."""
    browser = Client()
    assert attempt(browser, VICTIM, PASSWORD, address).status_code == 302
    browser.post("/sign-out")
    assert DEVICE_COOKIE in browser.cookies
    return browser


def refusals(announced: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, str]]:
    return [
        (args["reason"], args.get("limit", ""))
        for name, args in announced
        if name == "sign_in_refused"
    ]


def page_without_tokens(response: Any) -> str:
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    html = re.sub(r'nonce="[^"]*"', "", html)  # a fresh CSP nonce on every response
    return re.sub(r'name="email"([^>]*)value="[^"]*"', r'name="email"\1', html)


# --- One address, one account --------------------------------------------------------------


def test_wrong_passwords_from_one_address_are_refused_after_the_limit(
    client, victim, announced, clock
):
    for _ in range(5):
        assert attempt(client, VICTIM, WRONG).status_code == 200
    response = attempt(client, VICTIM, PASSWORD)
    assert response.status_code == 429
    assert LOCKED_OUT in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert refusals(announced) == [("incorrect", "")] * 5 + [("throttled", "account_address")]
    # Another account from the same address is not affected.
    User.objects.create_user(username="other@example.org", password=PASSWORD)
    assert attempt(Client(), "other@example.org", PASSWORD).status_code == 302
    # The window passes: the password is checked again.
    clock.shift(dt.timedelta(minutes=15, seconds=1))
    assert attempt(client, VICTIM, PASSWORD).status_code == 302


@pytest.mark.parametrize("email", [VICTIM, "nobody@example.org"])
def test_an_email_address_without_an_account_is_throttled_the_same_way(client, victim, email):
    statuses = [attempt(client, email, WRONG).status_code for _ in range(7)]
    assert statuses == [200] * 5 + [429] * 2


def test_a_refused_attempt_never_checks_the_password(client, victim, checks):
    for _ in range(12):
        attempt(client, VICTIM, WRONG)
    assert len(checks) == 5


# --- One address, many accounts (password spraying) -----------------------------------------


def test_one_address_trying_many_accounts_is_refused_after_the_address_limit(
    client, victim, announced
):
    emails = [f"person{i}@example.org" for i in range(19)] + [VICTIM]
    for email in emails:
        assert attempt(client, email, WRONG, ATTACKER).status_code == 200
    response = attempt(client, "person99@example.org", WRONG, ATTACKER)
    assert response.status_code == 429
    assert LOCKED_OUT in response.content.decode()
    assert refusals(announced)[-1] == ("throttled", "address")
    # Only that address: the victim at their own desk is not affected.
    assert attempt(Client(), VICTIM, PASSWORD, VICTIM_DESK).status_code == 302


# --- Many addresses, one account (distributed guessing) -------------------------------------


def test_many_addresses_against_one_account_meet_the_account_ceiling(victim, announced, checks):
    for address in addresses(10):
        for _ in range(5):
            assert attempt(Client(), VICTIM, WRONG, address).status_code == 200
    assert len(checks) == 50
    response = attempt(Client(), VICTIM, WRONG, "192.0.2.200")
    assert response.status_code == 429
    assert LOCKED_OUT in response.content.decode()
    assert refusals(announced)[-1] == ("throttled", "account")
    assert len(checks) == 50


def test_the_victims_own_browser_signs_in_while_the_attacker_is_throttled(
    victim, announced, checks, clock
):
    browser = trusted_browser()
    # The attacker exhausts every untrusted limit on the account: from one address, and from
    # many (the account's ceiling), including the victim's own office address.
    for address in [*addresses(9), VICTIM_DESK]:
        for _ in range(6):
            attempt(Client(), VICTIM, WRONG, address)
    assert attempt(Client(), VICTIM, PASSWORD, ATTACKER).status_code == 429
    assert attempt(Client(), VICTIM, PASSWORD, VICTIM_DESK).status_code == 429
    # The victim's own browser is not in that pool: from the office, or from anywhere else.
    assert attempt(browser, VICTIM, PASSWORD, VICTIM_DESK).status_code == 302
    browser.post("/sign-out")
    assert attempt(browser, VICTIM, PASSWORD, ATTACKER).status_code == 302
    assert refusals(announced).count(("throttled", "device")) == 0


def test_a_victim_without_a_device_cookie_after_a_distributed_attack(victim, clock):
    """What happens, documented in ADR 10: while an attack from many addresses holds the
    account's ceiling, a browser that has never signed in to the account is refused with the
    same message as anyone else, for any account, until the attempts have stopped for an hour.
    The practitioner can sign in from a browser they have used before."""
    own = trusted_browser()
    clock.shift(dt.timedelta(minutes=1))
    for address in addresses(10):
        for _ in range(5):
            attempt(Client(), VICTIM, WRONG, address)
    new_browser = Client()
    response = attempt(new_browser, VICTIM, PASSWORD, VICTIM_DESK)
    assert response.status_code == 429
    assert LOCKED_OUT in response.content.decode()
    assert attempt(own, VICTIM, PASSWORD, VICTIM_DESK).status_code == 302
    clock.shift(dt.timedelta(minutes=59))
    assert attempt(new_browser, VICTIM, PASSWORD, VICTIM_DESK).status_code == 429
    clock.shift(dt.timedelta(minutes=1, seconds=1))
    assert attempt(new_browser, VICTIM, PASSWORD, VICTIM_DESK).status_code == 302


# --- Trusted devices ----------------------------------------------------------------------


def test_a_trusted_device_has_its_own_limit(victim, announced, clock):
    browser = trusted_browser()
    for _ in range(5):
        assert attempt(browser, VICTIM, WRONG, VICTIM_DESK).status_code == 200
    assert attempt(browser, VICTIM, PASSWORD, VICTIM_DESK).status_code == 429
    assert refusals(announced)[-1] == ("throttled", "device")
    # Its failures are not the untrusted pool's: another browser at the same desk is admitted.
    assert attempt(Client(), VICTIM, PASSWORD, VICTIM_DESK).status_code == 302
    clock.shift(dt.timedelta(minutes=15, seconds=1))
    assert attempt(browser, VICTIM, PASSWORD, VICTIM_DESK).status_code == 302


def test_the_device_cookie_is_signed_httponly_strict_and_names_nobody(victim, settings):
    settings.SESSION_COOKIE_SECURE = True
    browser = Client()
    attempt(browser, VICTIM, PASSWORD)
    cookie = browser.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["secure"] is True
    assert cookie["path"] == SIGN_IN
    assert int(cookie["max-age"]) == 180 * 24 * 60 * 60
    assert "sam.patel" not in cookie.value
    assert "sam.patel" not in base64.urlsafe_b64decode(cookie.value.split(":")[0] + "==").decode(
        "latin-1"
    )


@pytest.mark.parametrize("kind", ["forged", "other account", "expired"])
def test_a_device_cookie_that_is_not_valid_for_the_account_is_not_trusted(victim, kind, clock):
    browser = trusted_browser()
    if kind == "forged":
        value = browser.cookies[DEVICE_COOKIE].value
        browser.cookies[DEVICE_COOKIE] = value[:-2] + ("AA" if value[-2:] != "AA" else "BB")
        email = VICTIM
    elif kind == "other account":
        User.objects.create_user(username="other@example.org", password=PASSWORD)
        email = "other@example.org"
    else:
        clock.shift(dt.timedelta(days=181))
        email = VICTIM
    for _ in range(5):
        attempt(Client(), email, WRONG, ATTACKER)
    # Untrusted, the browser shares the pool the attacker has filled from this address.
    assert attempt(browser, email, PASSWORD, ATTACKER).status_code == 429


def test_one_browser_is_trusted_for_each_account_signed_in_on_it(db, clock):
    browser = Client()
    for i in range(3):
        User.objects.create_user(username=f"desk{i}@example.org", password=PASSWORD)
        assert attempt(browser, f"desk{i}@example.org", PASSWORD).status_code == 302
        browser.post("/sign-out")
    for i in range(3):
        for _ in range(5):
            attempt(Client(), f"desk{i}@example.org", WRONG)
        assert attempt(browser, f"desk{i}@example.org", PASSWORD).status_code == 302
        browser.post("/sign-out")


# --- What a success clears -----------------------------------------------------------------


def test_a_success_clears_this_accounts_failures_from_this_address(victim):
    first = Client()
    for _ in range(4):
        attempt(first, VICTIM, WRONG)
    assert attempt(first, VICTIM, PASSWORD).status_code == 302
    # Another browser at the same address starts again from nothing for this account.
    second = Client()
    statuses = [attempt(second, VICTIM, WRONG).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]


def test_a_success_does_not_clear_the_address_or_the_account_counts(db):
    User.objects.create_user(username="mine@example.org", password=PASSWORD)
    for i in range(19):
        attempt(Client(), f"person{i}@example.org", WRONG, ATTACKER)
    # The attacker signs in to an account of their own, from the same address.
    assert attempt(Client(), "mine@example.org", PASSWORD, ATTACKER).status_code == 302
    assert attempt(Client(), "person50@example.org", WRONG, ATTACKER).status_code == 200
    assert attempt(Client(), "person51@example.org", WRONG, ATTACKER).status_code == 429


def test_an_ipv6_network_counts_as_one_address(victim):
    for i in range(5):
        assert attempt(Client(), VICTIM, WRONG, f"2001:db8:1:2::{i + 1:x}").status_code == 200
    assert attempt(Client(), VICTIM, WRONG, "2001:db8:1:2:ffff::9").status_code == 429
    assert attempt(Client(), VICTIM, WRONG, "2001:db8:1:3::1").status_code == 200


# --- What the page says and the audit log records ------------------------------------------


def test_the_page_is_the_same_whichever_limit_refused_the_attempt(db, clock):
    User.objects.create_user(username=VICTIM, password=PASSWORD)
    pages: dict[str, str] = {}
    # account from one address
    for _ in range(5):
        attempt(Client(), VICTIM, WRONG, "192.0.2.1")
    pages["account_address"] = page_without_tokens(attempt(Client(), VICTIM, WRONG, "192.0.2.1"))
    # no account from one address
    for _ in range(5):
        attempt(Client(), "nobody@example.org", WRONG, "192.0.2.2")
    pages["no account"] = page_without_tokens(
        attempt(Client(), "nobody@example.org", WRONG, "192.0.2.2")
    )
    # address across accounts
    for i in range(20):
        attempt(Client(), f"p{i}@example.org", WRONG, "192.0.2.3")
    pages["address"] = page_without_tokens(attempt(Client(), VICTIM, WRONG, "192.0.2.3"))
    # the account's ceiling
    for address in addresses(10, "198.51.100."):
        for _ in range(5):
            attempt(Client(), "ceiling@example.org", WRONG, address)
    pages["account"] = page_without_tokens(
        attempt(Client(), "ceiling@example.org", WRONG, "192.0.2.4")
    )
    # a trusted device
    browser = Client()
    attempt(browser, VICTIM, PASSWORD, "192.0.2.5")
    browser.post("/sign-out")
    for _ in range(5):
        attempt(browser, VICTIM, WRONG, "192.0.2.5")
    pages["device"] = page_without_tokens(attempt(browser, VICTIM, WRONG, "192.0.2.5"))
    assert all(LOCKED_OUT in page for page in pages.values())
    assert len(set(pages.values())) == 1, list(pages)
    for word in ("account_address", "ceiling", "trusted", "limit"):
        assert word not in pages["device"]


def test_a_throttled_attempt_is_audited_with_the_limit_that_refused_it(client, victim):
    audit_event = apps.get_model("governance", "AuditEvent")
    for _ in range(6):
        attempt(client, VICTIM, WRONG, ATTACKER)
    last = audit_event.objects.order_by("id").last()
    assert last.action == "sign_in_failed"
    assert last.detail == {
        "username": VICTIM,
        "reason": "throttled",
        "limit": "account_address",
    }
    assert last.client_address == ATTACKER
    assert list(audit_event.objects.order_by("id").values_list("detail__reason", flat=True)) == [
        "incorrect"
    ] * 5 + ["throttled"]


# --- Concurrency ---------------------------------------------------------------------------


@pytest.fixture
def database_as_deployed(tmp_path: Any) -> Iterator[None]:
    """On SQLite, the threads' connections open a copy of the test database in a file, as a
    deployment does (WAL, busy timeout, BEGIN IMMEDIATE: config/settings/base.py). The in-memory
    test database is shared-cache, where a writer that finds the database busy fails at once
    instead of waiting its turn, so it cannot show how concurrent sign-ins are counted.
    On PostgreSQL the threads use the test database itself."""
    if connection.vendor != "sqlite":
        yield
        return
    path = tmp_path / "sightline.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    connection.connection.backup(copy)
    copy.close()
    settings_dict = connection.settings_dict  # shared by every thread's connection
    memory = settings_dict["NAME"]
    settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        settings_dict["NAME"] = memory


def _concurrently(requests: list[tuple[str, str]]) -> list[int | str]:
    """Send the (email, address) sign-ins at the same moment, each on its own thread with its
    own database connection; their status codes (or the error a thread met)."""
    start = threading.Barrier(len(requests))
    outcomes: list[int | str] = []
    lock = threading.Lock()

    def send(email: str, address: str) -> None:
        try:
            start.wait()
            status: int | str = attempt(Client(), email, WRONG, address).status_code
        except Exception as exc:  # a thread's failure must show in the test, not vanish
            status = f"{type(exc).__name__}: {exc}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(status)

    threads = [threading.Thread(target=send, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


@pytest.fixture
def victim_committed(transactional_db: Any) -> User:
    return User.objects.create_user(username=VICTIM, password=PASSWORD)


def test_concurrent_wrong_passwords_are_checked_at_most_limit_times(
    victim_committed, database_as_deployed, checks
):
    outcomes = _concurrently([(VICTIM, ATTACKER)] * 15)
    assert Counter(outcomes) == {200: 5, 429: 10}, outcomes
    assert len(checks) == 5


def test_concurrent_wrong_passwords_from_many_addresses_meet_the_ceiling(
    victim_committed, database_as_deployed, checks, settings
):
    settings.SIGN_IN_ACCOUNT_MAX_FAILURES = 6
    outcomes = _concurrently([(VICTIM, address) for address in addresses(14)])
    assert Counter(outcomes) == {200: 6, 429: 8}, outcomes
    assert len(checks) == 6


# --- Other places a password could be checked ----------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/people/search?name=Sam"),
        ("get", "/api/children/P-0000001/story"),
        ("post", "/api/children/P-0000001/entries"),
    ],
)
@pytest.mark.parametrize("scheme", ["Basic", "Bearer"])
def test_the_api_never_checks_a_password(client, victim, checks, method, path, scheme):
    """The API authenticates with the session or an integration's API token (governance.tokens):
    a password in a header is never checked, so it is no way round the sign-in throttle."""
    token = base64.b64encode(f"{VICTIM}:{PASSWORD}".encode()).decode()
    response = getattr(client, method)(path, headers={"Authorization": f"{scheme} {token}"})
    assert response.status_code == 401
    assert response.json() == {"error": "Sign in to use the API."}
    assert checks == []
