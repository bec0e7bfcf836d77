"""Signing in, as every journey does it: the sign-in page, the email address and password, the
button. PASSWORD is the one the journeys' accounts are made with."""

from __future__ import annotations

from typing import Any

PASSWORD = "journey-password-1"


def sign_in(page: Any, email: str, password: str = PASSWORD, *, wait: bool = True) -> None:
    """Sign in on `page`; with `wait`, until the browser has left the sign-in page (a step that
    asks for more, such as two-factor set-up, passes `wait=False` and waits for its own)."""
    page.context.clear_cookies()  # a fresh sign-in, whoever was signed in before
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    if wait:
        page.wait_for_url(lambda url: "/sign-in" not in url)
