"""Access ends when the involvement ends (docs/access.md, "When access ends").

Through the importer, as feeds send it, and checked where a practitioner meets it: the child's
page, the API and "Find a child"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client

from sightline.agencies.models import Agency, Team
from sightline.core.dates import LONDON
from sightline.governance import access
from sightline.people.models import Person
from sightline.records.tests.lines import entry, involvement, person
from tests.access.feeds import member, register

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 6, 1, 12, 0, tzinfo=LONDON)
LATER_ENTRY = "Found in a car with older males at 2am; said he was with friends."
NHS = "9434765919"


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


def pupil(feed: str, key: str = "S-1", **changes: Any) -> dict[str, Any]:
    return person(key, feed, given_names="Max", family_name="Robinson", **changes)


def schooling(feed: str, key: str, team: str, start: str, end: str | None) -> dict[str, Any]:
    return involvement(
        key,
        feed,
        "S-1",
        agency="school",
        team=team,
        practitioner={"name": "Priya Shah", "role": "DSL", "email": None, "phone": None},
        **{"from": start, "to": end},
    )


def police_entry_in_2026() -> list[dict[str, Any]]:
    return [
        pupil("police", "P-1", **{"identifiers.nhs_number": NHS}),
        entry(
            "E-1",
            "police",
            "P-1",
            occurred_at="2026-03-01T02:00",
            ended_at=None,
            recorded_at="2026-03-02T09:00",
            summary=LATER_ENTRY,
        ),
    ]


def page(client: Client, user: Any, child: Person) -> Any:
    client.force_login(user)
    return client.get(f"/children/{child.reference}/")


def api_story(client: Client, user: Any, child: Person) -> Any:
    client.force_login(user)
    return client.get(f"/api/children/{child.reference}/story")


def found_by_name(client: Client, user: Any, child: Person) -> bool:
    """Whether "Find a child" finds them, on the page and through the API."""
    client.force_login(user)
    html = client.post("/children/", {"name": "Max Robinson"}, follow=True).content.decode()
    api = client.get("/api/people/search", {"name": "Max Robinson"}).json()
    on_page = f"/children/{child.reference}/" in html
    assert on_page == any(hit["reference"] == child.reference for hit in api["results"])
    return on_page


@pytest.fixture
def moved_school(send: Callable[..., Any]) -> dict[str, Any]:
    """The issue's reproduction: a team-scoped school feed; Max left Old School on 20 July 2020
    and is on roll at New School; the police record something about him in 2026."""
    register("schools", "school", team_scoped=True)
    register("police", "police")
    send(
        [
            pupil("schools", **{"identifiers.nhs_number": NHS}),
            schooling("schools", "I-OLD", "Old School", "2015-09-01", "2020-07-20"),
            schooling("schools", "I-NEW", "New School", "2020-09-01", None),
        ]
    )
    send(police_entry_in_2026())
    child = Person.objects.get()
    schools = Agency.objects.get(code="school")
    return {
        "child": child,
        "old": member("school_dsl", schools, Team.objects.get(name="Old School")),
        "new": member("school_dsl", schools, Team.objects.get(name="New School")),
        "police": member("police_officer", Agency.objects.get(code="police")),
    }


def test_a_former_school_no_longer_finds_the_child(client: Client, moved_school) -> None:
    child, old = moved_school["child"], moved_school["old"]
    response = page(client, old, child)
    assert response.status_code == 404
    assert LATER_ENTRY not in response.content.decode()
    assert "Robinson" not in response.content.decode()
    response = api_story(client, old, child)
    assert response.status_code == 404
    assert response.json() == {"error": access.NOT_FOUND_MESSAGE}
    assert not found_by_name(client, old, child)


def test_the_current_school_and_the_police_still_see_the_whole_story(
    client: Client, moved_school
) -> None:
    child = moved_school["child"]
    for user in (moved_school["new"], moved_school["police"]):
        response = page(client, user, child)
        assert response.status_code == 200
        assert LATER_ENTRY in response.content.decode()
        story = api_story(client, user, child).json()
        assert [e["summary"] for e in story["entries"]] == [LATER_ENTRY]
        assert found_by_name(client, user, child)


def test_an_agency_scoped_school_loses_the_child_its_records_gave_it(
    client: Client, send: Callable[..., Any]
) -> None:
    """The trap: the feed that imported the pupil gave the school a holds_records grant that
    never ends. Once its involvements have all ended, those records no longer keep the child in
    view; an agency whose feed sends no involvements (the police) keeps its records' grant."""
    register("oldschool", "school", organisation="Old School")
    register("police", "police")
    send(
        [
            pupil("oldschool", **{"identifiers.nhs_number": NHS}),
            schooling("oldschool", "I-OLD", "Year 6", "2015-09-01", "2020-07-20"),
        ]
    )
    send(police_entry_in_2026())
    child = Person.objects.get()
    old = member("school_dsl", Agency.objects.get(name="Old School"))
    police = member("police_officer", Agency.objects.get(code="police"))
    assert page(client, old, child).status_code == 404
    assert api_story(client, old, child).status_code == 404
    assert not found_by_name(client, old, child)
    assert page(client, police, child).status_code == 200


def test_a_resent_involvement_ends_and_reopens_its_grant(
    client: Client, send: Callable[..., Any]
) -> None:
    register("oldschool", "school", organisation="Old School")
    send(
        [
            pupil("oldschool"),
            schooling("oldschool", "I-1", "Year 6", "2015-09-01", None),
        ]
    )
    child = Person.objects.get()
    dsl = member("school_dsl", Agency.objects.get(name="Old School"))
    assert page(client, dsl, child).status_code == 200

    send([schooling("oldschool", "I-1", "Year 6", "2015-09-01", "2020-07-20")])
    assert page(client, dsl, child).status_code == 404
    assert api_story(client, dsl, child).status_code == 404

    send([schooling("oldschool", "I-1", "Year 6", "2015-09-01", None)])  # back on roll
    assert page(client, dsl, child).status_code == 200


def test_a_resent_involvement_that_moves_team_moves_its_grant(
    client: Client, send: Callable[..., Any]
) -> None:
    register("schools", "school", team_scoped=True)
    send([pupil("schools"), schooling("schools", "I-1", "Old School", "2015-09-01", None)])
    send([schooling("schools", "I-1", "New School", "2015-09-01", None)])  # keyed wrongly
    child = Person.objects.get()
    schools = Agency.objects.get(code="school")
    old = member("school_dsl", schools, Team.objects.get(name="Old School"))
    new = member("school_dsl", schools, Team.objects.get(name="New School"))
    assert page(client, old, child).status_code == 404
    assert page(client, new, child).status_code == 200


@pytest.mark.parametrize(
    ("grace", "ended", "sees"),
    [
        (0, "2026-06-01", True),  # the involvement's last day
        (0, "2026-05-31", False),
        (30, "2026-05-02", True),  # the grace's last day
        (30, "2026-05-01", False),
    ],
)
def test_the_grace_period_is_a_setting(
    client: Client, send: Callable[..., Any], settings: Any, grace: int, ended: str, sees: bool
) -> None:
    settings.ACCESS_GRACE_DAYS = grace
    register("schools", "school", team_scoped=True)
    send([pupil("schools"), schooling("schools", "I-1", "Old School", "2015-09-01", ended)])
    child = Person.objects.get()
    dsl = member("school_dsl", Agency.objects.get(code="school"), Team.objects.get())
    assert page(client, dsl, child).status_code == (200 if sees else 404)


def test_an_involvement_not_yet_started_gives_no_access(
    client: Client, send: Callable[..., Any]
) -> None:
    register("schools", "school", team_scoped=True)
    send([pupil("schools"), schooling("schools", "I-1", "New School", "2026-09-01", None)])
    child = Person.objects.get()
    dsl = member("school_dsl", Agency.objects.get(code="school"), Team.objects.get())
    assert page(client, dsl, child).status_code == 404
    with time_machine.travel(dt.datetime(2026, 9, 1, 9, 0, tzinfo=LONDON), tick=False):
        assert page(client, dsl, child).status_code == 200
