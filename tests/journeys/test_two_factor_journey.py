"""Two-factor sign-in in a real browser (Debian's Chromium via Playwright), with two-factor
required (OTP_REQUIRED, as in production): a social worker signs in with their password, is
sent to set up an authenticator app (the code computed from the secret the page shows, as the
app would), keeps the backup codes, signs out, and signs in again with a code. axe-core runs
on every page. A second browser, with the Content Security Policy enforced, shows that GOV.UK
Frontend's scripts still run and that nothing on the pages breaks the policy."""

from __future__ import annotations

import base64
import time
from typing import Any

import pytest
from django_otp.oath import totp

from tests.journeys.axe import assert_accessible
from tests.journeys.signing import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def code_from(secret: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for the secret typed from the page."""
    text = secret.replace(" ", "")
    key = base64.b32decode(text + "=" * (-len(text) % 8))
    return f"{totp(key, t0=-steps_ahead * 30):06d}"


@pytest.fixture
def worker(transactional_db: None, settings: Any) -> Any:
    from sightline.agencies.tests.factories import practitioner

    settings.OTP_REQUIRED = True
    user = practitioner("social_worker")
    user.first_name, user.last_name = "Amara", "Okafor"
    user.set_password(PASSWORD)
    user.save()
    return user


def test_setting_up_two_factor_and_signing_in_with_a_code(worker: Any, browser_page: Any) -> None:
    page = browser_page
    sign_in(page, worker.email, wait=False)
    page.get_by_role("heading", name="Set up two-factor sign-in").wait_for()
    assert page.locator("svg.sl-qr").count() == 1
    assert_accessible(page, "set up two-factor sign-in")
    # Anything else sends them back here.
    page.goto("/children/")
    page.get_by_role("heading", name="Set up two-factor sign-in").wait_for()

    # A wrong code: the GOV.UK error summary.
    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Confirm and continue").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert_accessible(page, "set up two-factor sign-in, with an error")

    secret = page.locator("#secret").inner_text().strip()
    confirmed_step = int(time.time() // 30)  # the step whose code confirms the app
    page.get_by_label("Code from your authenticator app").fill(code_from(secret))
    page.get_by_role("button", name="Confirm and continue").click()
    page.get_by_role("heading", name="Your backup codes").wait_for()
    assert page.locator(".sl-backup-codes li").count() == 10
    assert_accessible(page, "the backup codes")
    page.get_by_role("link", name="I have kept my codes: continue").click()
    page.wait_for_url(lambda url: "/account" not in url)

    page.get_by_role("link", name="Your account").click()
    page.get_by_role("heading", name="Your account").wait_for()
    assert "backup codes left" in page.content()
    assert_accessible(page, "your account")
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.get_by_role("heading", name="You have signed out").wait_for()

    # Signing in again: the password, then the code (the next step's: this step's code was
    # used to confirm the app, and a code is never accepted twice).
    sign_in(page, worker.email, wait=False)
    page.get_by_label("Enter the code from your authenticator app").wait_for()
    assert_accessible(page, "enter your code")
    page.get_by_label("Enter the code from your authenticator app").fill("123")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert_accessible(page, "enter your code, with an error")
    # A later step's code than the one that confirmed the app: the next step's while still in
    # the same 30 seconds, else the current one's. (If the confirmation crossed a step boundary,
    # the device now allows for a clock a step behind, and the next step's code would be two
    # ahead of it.)
    still_same_step = int(time.time() // 30) == confirmed_step
    page.get_by_label("Enter the code from your authenticator app").fill(
        code_from(secret, steps_ahead=1 if still_same_step else 0)
    )
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: "/sign-in" not in url)
    page.goto("/children/")
    page.get_by_role("heading", name="Find a child").wait_for()

    # Sign out everywhere, from the account page.
    page.goto("/account/")
    page.get_by_role("button", name="Sign out everywhere").click()
    page.get_by_role("heading", name="You have signed out").wait_for()


def test_the_pages_work_with_the_policy_enforced(
    worker: Any, chromium: Any, live_server: Any
) -> None:
    context = chromium.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    refused: list[str] = []
    page.on(
        "console",
        lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    try:
        sign_in(page, worker.email, wait=False)
        page.get_by_role("heading", name="Set up two-factor sign-in").wait_for()
        # GOV.UK's inline script (with the nonce) and its modules ran.
        page.wait_for_function("() => document.body.classList.contains('govuk-frontend-supported')")
        page.wait_for_function(
            "() => document.querySelector('[data-module=\"govuk-button\"]') === null"
            " || document.querySelector('[data-govuk-button-init]') !== null"
        )
        page.goto("/account/two-factor")
        page.goto("/sign-in")
    finally:
        context.close()
    assert not refused, refused
