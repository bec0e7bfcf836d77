"""Random sequences of sign-in attempts through the sign-in page: which browser (trusted for an
account once it has signed in to it), from which address, to which account (one without an
account among them), with the right or a wrong password, while the clock moves on. After every
step the throttle must agree with a plain model of ADR 10, and two invariants must hold on the
passwords the hasher was actually asked to check:

- never more wrong passwords checked per window per limit key than the limit (a key a success
  may clear counts from its last clearing);
- a trusted device is never refused while its own count is below its limit, whatever others do.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test

from sightline.accounts.models import User
from sightline.accounts.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ACCOUNTS = ["ana@example.org", "ben@example.org", "nobody@example.org"]
EXISTING = set(ACCOUNTS[:2])
# Address -> the caller it identifies (an IPv6 /64 is one caller).
ADDRESSES = {
    "192.0.2.1": "192.0.2.1",
    "192.0.2.2": "192.0.2.2",
    "198.51.100.7": "198.51.100.7",
    "2001:db8:0:1::1": "2001:db8:0:1::/64",
    "2001:db8:0:1::2": "2001:db8:0:1::/64",
}
BROWSERS = ["desk", "laptop", "attacker"]
WINDOW = dt.timedelta(minutes=10)
ACCOUNT_WINDOW = dt.timedelta(minutes=30)
LIMITS = {"pair": 3, "address": 6, "account": 9, "device": 3}
WINDOWS = {"pair": WINDOW, "address": WINDOW, "account": ACCOUNT_WINDOW, "device": WINDOW}
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

Key = tuple[str, ...]


class HasherCalls:
    """Every password the hasher is asked about: a check against a stored hash, or the dummy
    hash Django computes for an email address without an account."""

    def __init__(self) -> None:
        self.count = 0
        self._verifying = False

    def patches(self) -> list[Any]:
        verify, encode = MD5PasswordHasher.verify, MD5PasswordHasher.encode

        def counting_verify(hasher: Any, password: str, encoded: str) -> bool:
            self.count += 1
            self._verifying = True
            try:
                return verify(hasher, password, encoded)
            finally:
                self._verifying = False

        def counting_encode(hasher: Any, password: str, salt: str) -> str:
            if not self._verifying:  # MD5's verify encodes: one check, counted once
                self.count += 1
            return encode(hasher, password, salt)

        return [
            mock.patch.object(MD5PasswordHasher, "verify", counting_verify),
            mock.patch.object(MD5PasswordHasher, "encode", counting_encode),
        ]


class SignInThrottleMachine(RuleBasedStateMachine):
    hasher: HasherCalls

    def __init__(self) -> None:
        super().__init__()
        for model in apps.get_app_config("accounts").get_models():
            if model is not User:  # the throttle's tables start empty for each sequence
                model._default_manager.all().delete()
        self.traveller = time_machine.travel(T0, tick=False)
        self.clock = self.traveller.start()
        self.browsers = {name: Client() for name in BROWSERS}
        self.trusted: set[tuple[str, str]] = set()
        # The model: attempts each key counts now (a success takes its own back and clears).
        self.counted: dict[Key, list[dt.datetime]] = {}
        # What happened: wrong passwords the hasher checked per key since a success last
        # cleared the key.
        self.wrong_checks: dict[Key, list[dt.datetime]] = {}

    def teardown(self) -> None:
        self.traveller.stop()

    def _keys(self, browser: str, address: str, account: str) -> list[Key]:
        if (browser, account) in self.trusted:
            return [("device", account, browser)]
        caller = ADDRESSES[address]
        return [("pair", account, caller), ("address", caller), ("account", account)]

    def _within(self, key: Key, times: list[dt.datetime]) -> list[dt.datetime]:
        start = timezone.now() - WINDOWS[key[0]]
        return [t for t in times if t > start]

    @rule(
        browser=st.sampled_from(BROWSERS),
        address=st.sampled_from(sorted(ADDRESSES)),
        account=st.sampled_from(ACCOUNTS),
        right=st.booleans(),
    )
    def attempt(self, browser: str, address: str, account: str, right: bool) -> None:
        now = timezone.now()
        keys = self._keys(browser, address, account)
        expect_admitted = all(
            len(self._within(key, self.counted.get(key, []))) < LIMITS[key[0]] for key in keys
        )
        device_key = keys[0] if keys[0][0] == "device" else None
        device_below_limit = (
            device_key is not None
            and len(self._within(device_key, self.wrong_checks.get(device_key, [])))
            < LIMITS["device"]
        )

        before = self.hasher.count
        response = self.browsers[browser].post(
            "/sign-in",
            {"email": account, "password": PASSWORD if right else "a wrong password"},
            REMOTE_ADDR=address,
        )
        checked = self.hasher.count - before

        # A trusted device is never locked by anyone else's failures.
        if device_below_limit:
            assert response.status_code != 429, (browser, account)
        succeeded = right and account in EXISTING
        if expect_admitted:
            assert checked == 1
            assert response.status_code == (302 if succeeded else 200)
        else:
            assert checked == 0
            assert response.status_code == 429
            event(f"refused ({'trusted' if device_key else 'untrusted'})")
            return
        if succeeded:
            # Its own count is taken back, and its browser's count for the account cleared.
            self.counted[keys[0]] = []
            self.wrong_checks[keys[0]] = []
            self.trusted.add((browser, account))
            self.browsers[browser].post("/sign-out")
        else:
            for key in keys:
                self.counted.setdefault(key, []).append(now)
                self.wrong_checks.setdefault(key, []).append(now)
        # Never more wrong passwords checked per window per key than its limit.
        for key, times in self.wrong_checks.items():
            assert len(self._within(key, times)) <= LIMITS[key[0]], key

    @rule(
        browser=st.sampled_from(BROWSERS),
        address=st.sampled_from(sorted(ADDRESSES)),
        account=st.sampled_from(sorted(EXISTING)),
    )
    def sign_in(self, browser: str, address: str, account: str) -> None:
        """The practitioner signs in (their browser becomes a trusted device, if admitted)."""
        self.attempt(browser, address, account, right=True)

    @rule(
        browser=st.sampled_from(BROWSERS),
        address=st.sampled_from(sorted(ADDRESSES)),
        account=st.sampled_from(ACCOUNTS),
        times=st.integers(min_value=2, max_value=6),
    )
    def guess(self, browser: str, address: str, account: str, times: int) -> None:
        """Someone tries wrong password after wrong password."""
        for _ in range(times):
            self.attempt(browser, address, account, right=False)

    @rule(minutes=st.integers(min_value=1, max_value=40))
    def wait(self, minutes: int) -> None:
        self.clock.shift(dt.timedelta(minutes=minutes))


@pytest.fixture
def accounts(db: Any) -> None:
    for email in EXISTING:
        User.objects.create_user(username=email, email=email, password=PASSWORD)


def test_the_throttle_keeps_its_invariants_over_any_sequence_of_attempts(accounts, small_limits):
    hasher = HasherCalls()
    SignInThrottleMachine.hasher = hasher
    patches = hasher.patches()
    for patch in patches:
        patch.start()
    try:
        run_state_machine_as_test(
            SignInThrottleMachine,
            settings=settings(
                max_examples=25,
                stateful_step_count=30,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )
    finally:
        for patch in patches:
            patch.stop()


@pytest.fixture
def small_limits(settings: Any) -> Any:
    """Small limits, so short sequences reach every one of them."""
    settings.SIGN_IN_MAX_FAILURES = LIMITS["pair"]
    settings.SIGN_IN_ADDRESS_MAX_FAILURES = LIMITS["address"]
    settings.SIGN_IN_ACCOUNT_MAX_FAILURES = LIMITS["account"]
    settings.SIGN_IN_WINDOW_SECONDS = int(WINDOW.total_seconds())
    settings.SIGN_IN_ACCOUNT_WINDOW_SECONDS = int(ACCOUNT_WINDOW.total_seconds())
    return settings
