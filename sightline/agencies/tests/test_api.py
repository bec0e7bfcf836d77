"""Notifications and "my work" in the JSON API: the same rules as the pages."""

import datetime as dt

import pytest

from sightline.accounts.services import notification_send
from sightline.agencies.models import Role
from sightline.agencies.tests.factories import (
    AgencyFactory,
    MembershipFactory,
    TeamFactory,
    practitioner,
)
from sightline.core.tests.work import example_section, item, work_sections

pytestmark = pytest.mark.django_db


def tell(user, n):
    return notification_send(
        recipient=user, key=f"api:{user.pk}:{n}", subject=f"Notice {n}", body="", url="/my-work/"
    )


def test_notifications_are_listed_and_marked_read(client):
    user = practitioner("social_worker")
    client.force_login(user)
    first, _second = tell(user, 1), tell(user, 2)
    body = client.get("/api/notifications").json()
    assert [n["subject"] for n in body["results"]] == ["Notice 2", "Notice 1"]
    assert body["unread"] == 2
    marked = client.post(f"/api/notifications/{first.pk}/read").json()
    assert marked["read_at"] is not None
    assert client.get("/api/notifications?unread_only=true").json()["unread"] == 1
    assert client.post("/api/notifications/read-all").json() == {"marked": 1}


def test_another_users_notification_is_not_found(client):
    other = practitioner("police_officer", agency_kind="police")
    theirs = tell(other, 1)
    client.force_login(practitioner("social_worker"))
    response = client.post(f"/api/notifications/{theirs.pk}/read")
    assert response.status_code == 404
    assert response.json() == {"error": "No such notification."}
    assert client.get("/api/notifications").json()["results"] == []


def test_my_work_in_the_api(client):
    client.force_login(practitioner("social_worker"))
    items = [
        item("Later", deadline=dt.date(2030, 1, 1)),
        item("Late", deadline=dt.date(2020, 1, 1), overdue=True, child_name="Jordan Ellis"),
        item("Hours", deadline=dt.datetime(2030, 1, 1, 9, tzinfo=dt.UTC)),
    ]
    with work_sections(("referrals", "Referrals to decide", example_section(items))):
        body = client.get("/api/my-work").json()
    assert (body["waiting"], body["overdue"]) == (3, 1)
    [section] = body["sections"]
    # 9am on 1 January comes before the end of that day.
    assert [i["title"] for i in section["items"]] == ["Late", "Hours", "Later"]
    assert section["items"][0]["child_name"] == "Jordan Ellis"
    assert section["items"][1]["deadline"] is None
    assert section["items"][1]["deadline_at"].startswith("2030-01-01T09:00")
    assert section["items"][2]["deadline"] == "2030-01-01"


def test_the_team_view_in_the_api(client):
    csc = AgencyFactory.create(code="csc", kind="childrens_social_care")
    team = TeamFactory.create(agency=csc, code="assessment", name="Assessment team")
    client.force_login(MembershipFactory.create(role=Role.TEAM_MANAGER, agency=csc, team=team).user)
    with work_sections(team=(("t", "Team", lambda viewer, teams: [item("X", owner="Sam")]),)):
        body = client.get("/api/my-work/team").json()
    assert body["teams"] == [{"agency": "csc", "code": "assessment", "name": "Assessment team"}]
    assert body["sections"][0]["items"][0]["owner"] == "Sam"
    client.force_login(practitioner("school_dsl", agency_kind="school"))
    response = client.get("/api/my-work/team")
    assert response.status_code == 403
    assert "team managers and heads of service" in response.json()["error"]
