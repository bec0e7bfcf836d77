"""Fixtures for the end-to-end tests: a small synthetic county, and Debian's Chromium driven by
Playwright against pytest-django's live server (docs/adr/0005-demo-and-test-harness.md).

Playwright's synchronous API runs an asyncio loop on the test thread while a browser is open, and
Django refuses ORM calls from a thread with a running loop. The browser is therefore opened per
module, and DJANGO_ALLOW_ASYNC_UNSAFE is set only while it is open: the tests' own database work
is synchronous and on one thread, which is all that check protects."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
JOURNEY_CHILDREN = 300
JOURNEY_SEED = 5


@pytest.fixture(scope="session")
def small_county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic county of 300 children (fixed seed), generated once per test process."""
    from sightline.synth.generator import generate_county

    out = tmp_path_factory.mktemp("county")
    generate_county(children=JOURNEY_CHILDREN, seed=JOURNEY_SEED, out=out)
    return out


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, never reaching for the network."""
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} not found: run `make system-deps` (apt-get install chromium)")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_page(chromium: Any, live_server: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) on the live server, failing the test on any
    JavaScript error the pages raise."""
    context = chromium.new_context(
        base_url=live_server.url,
        accept_downloads=True,
        bypass_csp=True,  # axe-core is injected as an inline script
        locale="en-GB",
        timezone_id="Europe/London",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the pages: {errors}"
