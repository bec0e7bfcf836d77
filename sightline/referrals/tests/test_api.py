"""The referrals API: the same services and rules as the pages, JSON errors, 409 for the
second of two decisions, "not found" for a referral the caller may not open."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from django.test import Client

from sightline.referrals.models import Referral
from sightline.referrals.tests.conftest import CONCERNS, World, refer

pytestmark = pytest.mark.django_db


def api(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, orjson.dumps(body), content_type="application/json")


BODY = {
    "service": "mash",
    "concerns": CONCERNS,
    "family_knows": "Mother knows.",
    "consent": "no",
    "consent_note": "She refused.",
    "risk": "significant_harm",
}


def test_make_list_and_read(world: World) -> None:
    client = api(world.dsl)
    made = post(client, "/api/referrals", {**BODY, "child": world.child.reference})
    assert made.status_code == 201, made.content
    data = made.json()
    assert data["status"] == "received"
    assert data["receiving_agency"] == "Sallowshire MASH"
    assert {c["clock"] for c in data["clocks"]} == {"acknowledgement", "decision"}
    assert data["events"][0]["kind"] == "made"
    mine = client.get("/api/referrals/mine").json()["referrals"]
    assert [r["id"] for r in mine] == [data["id"]]
    door = api(world.manager).get("/api/referrals/front-door").json()["referrals"]
    assert [r["id"] for r in door] == [data["id"]]
    assert door[0]["next_due"] is not None
    assert client.get(f"/api/referrals/{data['id']}").json()["concerns"] == CONCERNS


def test_bad_input_is_a_json_400_with_the_fields(world: World) -> None:
    client = api(world.dsl)
    response = post(client, "/api/referrals", {**BODY, "child": world.child.reference, "risk": ""})
    assert response.status_code == 400
    assert "risk" in response.json()["errors"]
    response = post(client, "/api/referrals", {"child": world.child.reference})
    assert response.status_code == 400
    assert response.json()["error"] == "Check the request"
    assert client.get("/api/referrals/mine?who=everyone").status_code == 400


def test_decide_and_the_second_decision_is_409(world: World) -> None:
    referral = refer(world)
    url = f"/api/referrals/{referral.pk}/decision"
    refused = post(
        api(world.manager),
        url,
        {
            "version": referral.version,
            "decision": "no_further_action",
            "reasons": ["lack_of_consent"],
            "text": "No.",
        },
    )
    assert refused.status_code == 400
    assert "consent is not needed" in refused.json()["errors"]["reasons"]
    body = {
        "version": referral.version,
        "decision": "accepted_for_assessment",
        "reasons": ["exploitation_risk"],
    }
    first = post(api(world.manager), url, body)
    assert first.status_code == 200
    assert first.json()["decision"] == "accepted_for_assessment"
    second = post(
        api(world.other_manager),
        url,
        {**body, "decision": "early_help", "reasons": ["other"], "text": "x"},
    )
    assert second.status_code == 409
    assert "Morgan Reid" in second.json()["error"]
    assert post(api(world.dsl), url, body).status_code in (403, 409)


def test_allocate_assess_ask_answer(world: World) -> None:
    referral = refer(world)
    manager = api(world.manager)
    decided = post(
        manager,
        f"/api/referrals/{referral.pk}/decision",
        {"decision": "accepted_for_assessment", "reasons": ["exploitation_risk"]},
    ).json()
    allocated = post(
        manager,
        f"/api/referrals/{referral.pk}/allocation",
        {"version": decided["version"], "worker_id": world.social_worker.pk},
    )
    assert allocated.status_code == 200
    assert allocated.json()["allocated_to"] == world.social_worker.display_name
    question = post(
        api(world.dsl), f"/api/referrals/{referral.pk}/questions", {"question": "When?"}
    )
    assert question.status_code == 201
    qid = question.json()["id"]
    answered = post(
        api(world.social_worker),
        f"/api/referrals/{referral.pk}/questions/{qid}/answer",
        {"answer": "Tomorrow."},
    )
    assert answered.status_code == 201
    assert answered.json()["reply_to"] == qid
    again = post(
        api(world.manager), f"/api/referrals/{referral.pk}/questions/{qid}/answer", {"answer": "x"}
    )
    assert again.status_code == 409
    done = post(
        api(world.social_worker),
        f"/api/referrals/{referral.pk}/assessment",
        {"version": allocated.json()["version"], "summary": "Plan agreed."},
    )
    assert done.status_code == 200
    assert done.json()["status"] == "closed"


def test_triage_and_acknowledge(world: World) -> None:
    referral = refer(world)
    worker = api(world.worker)
    ack = post(
        worker, f"/api/referrals/{referral.pk}/acknowledgement", {"version": referral.version}
    )
    assert ack.status_code == 200
    triaged = post(worker, f"/api/referrals/{referral.pk}/triage", {"rag": "green"})
    assert triaged.json()["rag"] == "green"
    assert post(worker, f"/api/referrals/{referral.pk}/triage", {"rag": "red"}).status_code == 400


def test_a_stranger_gets_the_same_not_found_as_for_nothing(world: World) -> None:
    referral = refer(world)
    client = api(world.stranger)
    for path, body in (
        (f"/api/referrals/{referral.pk}", None),
        (
            f"/api/referrals/{referral.pk}/decision",
            {"decision": "early_help", "reasons": ["other"]},
        ),
        (f"/api/referrals/{referral.pk}/questions", {"question": "Who is this?"}),
    ):
        response = client.get(path) if body is None else post(client, path, body)
        nowhere_path = path.replace(str(referral.pk), "987654321")
        nowhere = client.get(nowhere_path) if body is None else post(client, nowhere_path, body)
        assert response.status_code == nowhere.status_code == 404
        assert response.json() == nowhere.json()
    assert client.get("/api/referrals/front-door").json()["referrals"] == []
    made = post(client, "/api/referrals", {**BODY, "child": world.child.reference})
    assert made.status_code == 404
    assert Referral.objects.count() == 1
