"""A team manager's day in a real browser (Debian's Chromium via Playwright): sign in and land on
"my work" (an overdue item first), open the notifications from the header, open one, mark the
rest read, then the team's view; on a wide and a narrow screen. axe-core runs on every page: no
moderate, serious or critical accessibility violation is allowed. SIGHTLINE_SCREENSHOTS keeps a
screenshot of each page."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

from sightline.accounts.services import notification_send
from sightline.agencies.models import Role
from sightline.agencies.tests.factories import AgencyFactory, MembershipFactory, TeamFactory
from sightline.core import clock
from sightline.core.tests.work import example_section, item, work_sections
from tests.conftest import browser_page, chromium  # noqa: F401 - fixtures
from tests.journeys.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "correct horse battery staple"  # the factories' password


def shot(page: Any, name: str) -> None:
    folder = os.environ.get("SIGHTLINE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def manager(transactional_db: None) -> Any:
    csc = AgencyFactory.create(
        code="csc", kind="childrens_social_care", name="Children's Social Care"
    )
    team = TeamFactory.create(agency=csc, name="Assessment and Intervention Team (Hallowford)")
    user = MembershipFactory.create(role=Role.TEAM_MANAGER, agency=csc, team=team).user
    user.first_name, user.last_name = "Jo", "Marsh"
    user.save()
    for n, subject in enumerate(
        ["A referral is waiting for a decision", "A decision is overdue on your team"], start=1
    ):
        notification_send(
            recipient=user,
            key=f"journey:{n}",
            subject=subject,
            body="The decision was due by the end of yesterday.",
            url="/my-work/team",
        )
    return user


def _sections() -> Any:
    today = clock.today()
    mine = [
        item("Referral from Hallowford Academy", deadline=today + dt.timedelta(days=3),
             child_name="Robin Marsh", status="Waiting for your decision", kind="referral"),
        item("Disagreement raised by the police", deadline=today - dt.timedelta(days=1),
             overdue=True, child_name="Jordan Ellis", status="Stage 2: managers", kind="disagreement"),
        item("Proposed closure by early help, a long title that has to wrap on a narrow screen",
             deadline=today, child_name="Alex Taylor-Whitmore", status="Objection window open",
             kind="closure"),
    ]  # fmt: skip
    team = [
        item("Referral from the hospital", deadline=today - dt.timedelta(days=2), overdue=True,
             child_name="Sam Lee", status="Not allocated", kind="referral"),
        item("Assessment", deadline=today + dt.timedelta(days=30), child_name="Kai Brown",
             status="Assessment under way", owner="Sam Okafor", kind="referral"),
    ]  # fmt: skip
    return work_sections(
        ("to_decide", "Referrals to decide", example_section(mine[:1])),
        ("disagreements", "Disagreements to answer", example_section(mine[1:2])),
        ("closures", "Closures to respond to", example_section(mine[2:])),
        ("alerts", "Alerts", example_section([])),
        team=(("team_referrals", "Referrals waiting on the team", lambda viewer, teams: team),),
    )


def _no_overflow(page: Any) -> None:
    widths = page.evaluate(
        "() => ({page: document.documentElement.scrollWidth, window: window.innerWidth})"
    )
    assert widths["page"] <= widths["window"], widths


@pytest.mark.parametrize("width", [1280, 375])
def test_a_team_managers_work_notifications_and_team(
    manager: Any,
    browser_page: Any,  # noqa: F811
    width: int,
) -> None:
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    with _sections():
        page.goto("/")
        page.get_by_label("Email address").fill(manager.username)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()

        page.get_by_role("heading", name="My work", exact=True).wait_for()
        assert "3 things waiting on you, 1 overdue" in page.locator("main").inner_text()
        # The section with something overdue comes first.
        first_row = page.locator("tr[data-kind]").first
        assert "Disagreement raised by the police" in first_row.inner_text()
        overdue = page.locator("section[data-section='disagreements'] tr[data-kind]").first
        assert "Overdue" in overdue.inner_text()
        assert_accessible(page, f"my work ({width}px)")
        _no_overflow(page)
        shot(page, f"my-work-{width}")

        # The header's count, then the notifications.
        link = page.locator("a.sl-header__link", has_text="Notifications")
        assert link.inner_text().replace("\n", " ").startswith("Notifications 2")
        link.click()
        page.get_by_role("heading", name="Notifications").wait_for()
        assert_accessible(page, f"the notifications ({width}px)")
        shot(page, f"notifications-{width}")
        page.get_by_role("link", name="A decision is overdue on your team").click()
        page.get_by_role("heading", name="My team's work").wait_for()
        assert "Referral from the hospital" in page.locator("main").inner_text()
        assert "Nobody yet" in page.locator("main").inner_text()
        assert_accessible(page, f"the team's work ({width}px)")
        shot(page, f"team-work-{width}")
        assert (
            page.locator("a.sl-header__link", has_text="Notifications")
            .inner_text()
            .replace("\n", " ")
            .startswith("Notifications 1")
        )

        page.goto("/notifications/")
        page.get_by_role("button", name="Mark all as read").click()
        page.get_by_text("Every notification is marked as read.").wait_for()
        assert_accessible(page, f"the notifications, all read ({width}px)")
        assert page.locator(".sl-count").count() == 0
