"""Each app declares its own parts in its AppConfig.ready(): its items of the service
navigation (with the capability that shows them) and its foreign keys to a person (for merges,
sightline/identity/tests/test_merging.py). ui/base.html renders the navigation the apps
registered, for the signed-in user's role."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sightline.agencies.tests.factories import AgencyFactory, TeamFactory, practitioner
from sightline.core import extensions
from sightline.governance.policy import Capability

pytestmark = pytest.mark.django_db


def navigation(client: Client, user: Any) -> list[tuple[str, bool]]:
    """(text, current) of each item of the service navigation on the search page."""
    client.force_login(user)
    page = client.get(reverse("people:search")).content.decode()
    nav = re.search(r'<ul class="govuk-service-navigation__list".*?</ul>', page, re.S)
    if nav is None:
        return []
    items = re.findall(
        r'<li class="govuk-service-navigation__item([^"]*)">(.*?)</li>', nav[0], re.S
    )
    return [
        (html.unescape(re.sub(r"<[^>]+>|\s+", " ", body)).strip(), "--active" in classes)
        for classes, body in items
    ]


# Referrals: those a practitioner made, and the front door of the service they work in.
REFERRALS = [("Your referrals", False), ("Front door", False)]
ALERTS = ("Alerts", False)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("social_worker", [("My work", False), ("Find a child", True), *REFERRALS, ALERTS]),
        ("team_manager", [("My work", False), ("Find a child", True), *REFERRALS, ALERTS]),
        ("head_of_service", [("My work", False), ("Find a child", True), *REFERRALS, ALERTS]),
        (
            "mash_manager",
            [
                ("My work", False),
                ("Find a child", True),
                *REFERRALS,
                ALERTS,
                ("Review matches", False),
                ("Escalation report", False),
            ],
        ),
        # The data officer's own lookup; not offered to those who can open children's pages.
        (
            "data_officer",
            [("My work", False), ("Review matches", False), ("Find a person's records", False)],
        ),
        # "My work" is everyone's: what the partnership asks of them, and their notifications.
        # The partnership's report on escalation: aggregates only (view_insight).
        ("analyst", [("My work", False), ("Escalation report", False)]),
        # The system administrator's users, grants and tokens; no child's record.
        ("sysadmin", [("My work", False), ("Administration", False)]),
        (
            "auditor",
            [
                ("My work", False),
                ("Audit log", False),
                ("Unusual access", False),
                ("Break-glass uses", False),
                # The auditor is the partnership's information governance officer.
                ("Subject access", False),
                # And administers their own agency's users and manual grants.
                ("Administration", False),
            ],
        ),
    ],
)
def test_each_role_is_offered_the_items_its_capabilities_show(
    client: Client, role: str, expected: list[tuple[str, bool]]
) -> None:
    agency = AgencyFactory.create(code="mash", kind="mash")
    team = TeamFactory.create(agency=agency) if role == "team_manager" else None
    assert navigation(client, practitioner(role, agency=agency, team=team)) == expected


def test_every_registered_item_names_real_capabilities_and_pages() -> None:
    items = extensions.nav_items()
    assert [item.name for item in items] == [
        "my_work",
        "search",
        "referrals_mine",
        "referrals_front_door",
        "alerts",
        "review",
        "identity_find",
        "audit",
        "audit_flags",
        "break_glass",
        "subject_access",
        "administration",
        "disagreement_report",
    ]
    for item in items:
        for capability in (*item.capabilities, *item.unless):
            Capability(capability)  # an unknown name is an error, not a hidden item
        reverse(item.url_name)


@pytest.fixture
def extra_item() -> Iterator[None]:
    extensions.register_nav_item(
        "extra", "Referrals", "ui:home", capabilities=["view_all_children"], order=15
    )
    try:
        yield
    finally:
        extensions._nav.pop("extra")


def test_an_app_adds_its_item_without_touching_the_layout(client: Client, extra_item) -> None:
    agency = AgencyFactory.create(code="mash", kind="mash")
    manager = practitioner("mash_manager", agency=agency)
    assert [text for text, _ in navigation(client, manager)] == [
        "My work",
        "Find a child",
        "Your referrals",
        "Front door",
        "Alerts",
        "Referrals",
        "Review matches",
        "Escalation report",
    ]
    worker = practitioner("social_worker", agency=agency)
    assert [text for text, _ in navigation(client, worker)] == [
        "My work",
        "Find a child",
        "Your referrals",
        "Front door",
        "Alerts",
    ]


@pytest.fixture
def no_my_work() -> Iterator[None]:
    # The administrator's items all gone: "My work", and their own pages.
    items = {name: extensions._nav.pop(name) for name in ("my_work", "administration")}
    try:
        yield
    finally:
        extensions._nav.update(items)


def test_a_role_with_no_item_gets_no_empty_navigation_band(client: Client, no_my_work) -> None:
    admin = practitioner("sysadmin", agency=AgencyFactory.create(code="partnership"))
    client.force_login(admin)
    html = client.get(reverse("people:search")).content.decode()
    assert "govuk-service-navigation" not in html
    assert "Sign out" in html
