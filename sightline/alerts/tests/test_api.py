"""The alerts API: a child's alerts, the inbox, one alert with its history, acknowledge, action
and dismiss; the same access rules as the pages; errors in the API's JSON shape."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
import pytest
from django.test import Client

from sightline.alerts import services
from sightline.alerts.models import Alert
from sightline.alerts.tasks import EVALUATOR
from sightline.alerts.tests.conftest import facts, finding, key

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, orjson.dumps(body), content_type="application/json")


@pytest.fixture
def alert(child: Any, entries: Any) -> Alert:
    keys = tuple(key(entries[m]) for m in ("m1", "m2", "m3"))
    services.alerts_apply(
        actor=EVALUATOR, person_id=child.pk,
        findings={"missing-escalating": (facts(), finding(*keys))}, on=dt.date(2026, 11, 10),
    )  # fmt: skip
    return Alert.objects.get()


def test_a_childs_alerts(alert: Alert, child: Any, social_worker: Any, entries: Any) -> None:
    body = client_for(social_worker).get(f"/api/children/{child.reference}/alerts").json()
    assert body["child"]["reference"] == child.reference
    [found] = body["alerts"]
    assert (found["id"], found["rule"], found["severity"], found["status"]) == (
        alert.pk, "missing-escalating", "high", "open")  # fmt: skip
    assert found["parts"][0]["shown"]
    assert found["parts"][0]["text"] == "3 missing episodes"
    assert [e["entry_id"] for e in found["evidence"]] == [entries[m].pk for m in ("m1", "m2", "m3")]
    assert found["actions"] == ["Strategy discussion held", "Referral to the exploitation team"]
    assert found["reference"][0]["id"] == "QS-LP12"


def test_the_inbox(alert: Alert, social_worker: Any) -> None:
    client = client_for(social_worker)
    body = client.get("/api/alerts?show=all").json()
    assert body["total"] == 1
    assert body["counts"] == {"high": 1}
    assert body["alerts"][0]["child"]["name"] == "Jordan Ellis"
    assert client.get("/api/alerts?show=all&theme=education").json()["total"] == 0
    bad = client.get("/api/alerts?rule=nope")
    assert bad.status_code == 400
    assert bad.json()["errors"] == {"rule": "Select a rule from the list"}


def test_acknowledge_action_dismiss(alert: Alert, social_worker: Any) -> None:
    client = client_for(social_worker)
    body = post(client, f"/api/alerts/{alert.pk}/acknowledge", {"note": "Seen."}).json()
    assert body["status"] == "acknowledged"
    assert client.get("/api/alerts?show=all").json()["total"] == 0  # it left the inbox
    again = post(client, f"/api/alerts/{alert.pk}/acknowledge", {})
    assert again.status_code == 400
    assert "already been acknowledged" in again.json()["error"]
    body = post(
        client, f"/api/alerts/{alert.pk}/action", {"action": "Strategy discussion held"}
    ).json()
    assert body["status"] == "actioned"
    assert [h["kind"] for h in body["history"]] == ["raised", "acknowledged", "actioned"]
    assert body["history"][2]["action"] == "Strategy discussion held"
    assert body["history"][1]["by"].startswith("Alex Smith")
    missing = post(client, f"/api/alerts/{alert.pk}/dismiss", {})
    assert missing.status_code == 400
    assert missing.json()["errors"] == {"reason": "Enter why you are dismissing this alert"}
    body = post(client, f"/api/alerts/{alert.pk}/dismiss", {"reason": "Managed now."}).json()
    assert body["status"] == "dismissed"
    assert body["history"][-1]["note"] == "Managed now."


def test_the_unrelated_get_the_same_not_found_as_for_nothing(
    alert: Alert, child: Any, stranger: Any
) -> None:
    client = client_for(stranger)
    for path, nowhere in (
        (f"/api/alerts/{alert.pk}", "/api/alerts/987654"),
        (f"/api/children/{child.reference}/alerts", "/api/children/SLT0000000/alerts"),
    ):
        response, none = client.get(path), client.get(nowhere)
        assert response.status_code == none.status_code == 404
        assert response.json() == none.json()
    for form in ("acknowledge", "action", "dismiss"):
        response = post(client, f"/api/alerts/{alert.pk}/{form}", {"reason": "x", "action": "x"})
        assert response.status_code == 404
    assert client.get("/api/alerts?show=all").json()["total"] == 0
    alert.refresh_from_db()
    assert alert.status == "open"


def test_signed_out_is_401(alert: Alert) -> None:
    assert Client().get("/api/alerts").status_code == 401
