""" "My work" through the pages: sections the apps register, overdue first, each item's deadline;
the page with nothing waiting; a manager's team view; the landing page after sign-in for each
role."""

import datetime as dt
import html
import re

import pytest
import time_machine
from django.urls import reverse

from sightline.accounts.tests.conftest import PASSWORD
from sightline.agencies.models import Role
from sightline.agencies.tests.factories import (
    AgencyFactory,
    MembershipFactory,
    TeamFactory,
    practitioner,
)
from sightline.core.tests.pages import page_text as text
from sightline.core.tests.work import example_section, item, work_sections

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 2)
NOON = dt.datetime(2026, 12, 2, 12, tzinfo=dt.UTC)


def rows(response) -> list[str]:
    return [
        text_of(r)
        for r in re.findall(
            r'<tr class="govuk-table__row[^"]*" data-kind.*?</tr>', response.content.decode(), re.S
        )
    ]


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))).strip()


@pytest.fixture
def worker(client):
    user = practitioner("social_worker")
    client.force_login(user)
    return user


def test_with_nothing_registered_the_page_says_nothing_is_waiting(client, worker):
    with work_sections():
        response = client.get(reverse("agencies:my_work"))
    assert response.status_code == 200
    page = text(response)
    assert "Nothing is waiting for you" in page
    assert 'href="/children/"' in response.content.decode()  # Find a child
    assert "Your notifications" in page


def test_sections_list_their_items_overdue_first_then_the_nearest_deadline(client, worker):
    items = [
        item("Later", deadline=dt.date(2026, 12, 9)),
        item("No deadline"),
        item("Overdue", deadline=dt.date(2026, 11, 30), overdue=True, child_name="Jordan Ellis"),
        item("Today", deadline=TODAY),
        item("In hours", deadline=dt.datetime(2026, 12, 3, 14, 30, tzinfo=dt.UTC)),
    ]
    provider = example_section(items)
    with (
        time_machine.travel(NOON, tick=False),
        work_sections(("referrals", "Referrals to decide", provider)),
    ):
        response = client.get(reverse("agencies:my_work"))
    assert provider.viewers == [worker]
    page = text(response)
    assert "5 things waiting on you, 1 overdue" in page
    assert "Referrals to decide 5 waiting, 1 overdue" in page
    found = rows(response)
    assert [r.split(" ")[0] for r in found] == ["Overdue", "Today", "In", "Later", "No"]
    assert found[0] == "Overdue Jordan Ellis Waiting Overdue Monday 30 November 2026"
    assert found[1].endswith("Due today Wednesday 2 December 2026")
    assert found[2].endswith("3 December 2026 at 2:30pm")
    assert found[4].endswith("No deadline")
    assert 'href="/example/overdue/"' in response.content.decode()


def test_sections_come_in_their_order_and_an_empty_one_says_so(client, worker):
    with work_sections(
        ("a_first", "Disagreements to answer", example_section([])),
        ("b_second", "Closures to respond to", example_section([item("Close")])),
    ):
        page = text(client.get(reverse("agencies:my_work")))
    assert page.index("Disagreements to answer") < page.index("Closures to respond to")
    assert "Disagreements to answer Nothing waiting." in page


def test_a_section_holding_something_overdue_comes_first(client, worker):
    with work_sections(
        ("a_first", "Referrals I made", example_section([item("Mine")])),
        ("b_second", "Alerts", example_section([item("Late", overdue=True)])),
    ):
        page = text(client.get(reverse("agencies:my_work")))
    assert page.index("Alerts") < page.index("Referrals I made")


def test_a_section_that_fails_does_not_take_the_page_down(client, worker, caplog):
    def broken(viewer):
        raise RuntimeError("boom")

    with work_sections(
        ("broken", "Alerts", broken), ("ok", "Referrals", example_section([item("Fine")]))
    ):
        response = client.get(reverse("agencies:my_work"))
    assert response.status_code == 200
    page = text(response)
    assert "Alerts This section could not be loaded just now" in page
    assert "Fine" in page
    assert "broken section could not be loaded" in caplog.text


def test_a_role_without_work_on_children_is_told_what_its_role_is_for(client):
    analyst = practitioner("analyst", agency=AgencyFactory.create(code="partnership", kind="other"))
    client.force_login(analyst)
    with work_sections():
        response = client.get(reverse("agencies:my_work"))
    page = text(response)
    assert "Nothing is waiting for you" in page
    assert "Your role (Partnership analyst) does not include work on children's records" in page
    assert 'href="/children/"' not in response.content.decode()


# --- the team's view ---------------------------------------------------------------------------


def _team_provider(seen):
    def provider(viewer, teams):
        seen.append((viewer, list(teams)))
        return [
            item("Unallocated", deadline=dt.date(2026, 12, 1), overdue=True),
            item("Allocated", deadline=dt.date(2026, 12, 4), owner="Sam Okafor"),
        ]

    return provider


def test_a_team_manager_sees_their_teams_work_with_who_holds_it(client):
    csc = AgencyFactory.create(code="csc", kind="childrens_social_care")
    team = TeamFactory.create(agency=csc, name="Assessment team")
    manager = MembershipFactory.create(role=Role.TEAM_MANAGER, agency=csc, team=team).user
    client.force_login(manager)
    seen: list = []
    with work_sections(
        team=(("team_referrals", "Referrals waiting on the team", _team_provider(seen)),)
    ):
        mine = client.get(reverse("agencies:my_work"))
        response = client.get(reverse("agencies:team_work"))
    assert "My team's work" in text(mine)  # the tab
    assert seen == [(manager, [team])]
    page = text(response)
    assert "What is waiting on Assessment team: 2 things, 1 overdue" in page
    found = rows(response)
    assert found[0].startswith("Unallocated Nobody yet")
    assert "Allocated Sam Okafor" in found[1]


def test_a_head_of_service_sees_every_team_they_head(client):
    csc = AgencyFactory.create(code="csc", kind="childrens_social_care")
    a, b = (
        TeamFactory.create(agency=csc, name="A team"),
        TeamFactory.create(agency=csc, name="B team"),
    )
    head = MembershipFactory.create(role=Role.HEAD_OF_SERVICE, agency=csc).user
    client.force_login(head)
    seen: list = []
    with work_sections(team=(("t", "Team work", _team_provider(seen)),)):
        page = text(client.get(reverse("agencies:team_work")))
    assert seen == [(head, [a, b])]
    assert "What is waiting on A team and B team" in page


def test_with_no_team_sections_the_team_view_says_nothing_is_waiting(client):
    csc = AgencyFactory.create(code="csc", kind="childrens_social_care")
    team = TeamFactory.create(agency=csc, name="Assessment team")
    client.force_login(MembershipFactory.create(role=Role.TEAM_MANAGER, agency=csc, team=team).user)
    with work_sections():
        page = text(client.get(reverse("agencies:team_work")))
    assert "Nothing is waiting on your team" in page


def test_a_practitioner_has_no_team_view(client, worker):
    response = client.get(reverse("agencies:team_work"))
    assert response.status_code == 403
    assert "for team managers and heads of service" in text(response)
    assert "My team's work" not in text(client.get(reverse("agencies:my_work")))


# --- where each role lands ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "kind", "lands"),
    [
        ("social_worker", "childrens_social_care", "agencies:my_work"),
        ("school_dsl", "school", "agencies:my_work"),
        ("police_officer", "police", "agencies:my_work"),
        ("health_nurse", "health_ae", "agencies:my_work"),
        ("early_help_worker", "early_help", "agencies:my_work"),
        ("youth_justice_worker", "youth_justice", "agencies:my_work"),
        ("team_manager", "childrens_social_care", "agencies:my_work"),
        ("head_of_service", "childrens_social_care", "agencies:my_work"),
        ("mash_manager", "mash", "agencies:my_work"),
        ("data_officer", "other", "identity:queue"),
        ("analyst", "other", "agencies:my_work"),
        ("sysadmin", "other", "administration:home"),
    ],
)
def test_every_role_signs_in_to_its_landing_page(client, role, kind, lands):
    agency = AgencyFactory.create(code=kind, kind=kind)
    team = TeamFactory.create(agency=agency) if role == "team_manager" else None
    user = practitioner(role, agency=agency, team=team)
    client.get(reverse("accounts:sign_in"))
    response = client.post(
        reverse("accounts:sign_in"), {"email": user.username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse(lands)
    assert response.status_code == 200


def test_a_user_without_a_role_lands_on_find_a_child_which_says_so(client):
    from sightline.agencies.tests.factories import UserFactory

    client.force_login(UserFactory.create())
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("people:search")
