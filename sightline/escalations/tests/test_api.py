"""The disagreement API: the same rules as the pages, the API's JSON error shape, and nothing
of a child the caller may not see."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sightline.escalations.models import Escalation
from sightline.escalations.tests.helpers import raise_one

pytestmark = pytest.mark.django_db


def api(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, path: str, body: dict) -> Any:
    # json, not orjson: a caller may send integers beyond 64 bits.
    return client.post(path, json.dumps(body), content_type="application/json")


def test_raise_answer_escalate_resolve_over_the_api(world):
    school, csc = api(world.users["dsl"]), api(world.users["sw"])
    made = post(
        school,
        f"/api/children/{world.child.reference}/disagreements",
        {
            "subject": "other",
            "subject_label": "Referral closed with no further action",
            "about_agency": world.agencies["csc"].pk,
            "disagreement": "The risk was not assessed.",
            "outcome_sought": "Assess.",
        },
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["stage"], body["stage_due_on"], body["status"]) == (1, "2027-03-03", "open")
    pk = body["id"]
    refused = post(school, f"/api/disagreements/{pk}/respond", {"stage": 1, "response": "Self."})
    assert refused.status_code == 403
    assert "Only Children's social care" in refused.json()["error"]
    answered = post(csc, f"/api/disagreements/{pk}/respond", {"stage": 1, "response": "Agreed."})
    assert answered.json()["stages"][0]["answered"] is True
    escalated = post(
        school, f"/api/disagreements/{pk}/escalate", {"stage": 1, "reason": "Not enough."}
    )
    assert escalated.json()["stage"] == 2
    stale = post(
        school, f"/api/disagreements/{pk}/resolve", {"stage": 1, "outcome": "agreed", "text": "x"}
    )
    assert stale.status_code == 400
    assert "moved to stage 2" in stale.json()["error"]
    done = post(
        school, f"/api/disagreements/{pk}/resolve", {"stage": 2, "outcome": "agreed", "text": "x"}
    )
    assert done.json()["outcome"] == "agreed"
    listed = school.get(f"/api/children/{world.child.reference}/disagreements").json()
    assert [d["id"] for d in listed] == [pk]


def test_validation_errors_name_the_field(world):
    response = post(
        api(world.users["dsl"]), f"/api/children/{world.child.reference}/disagreements", {}
    )
    assert response.status_code == 400
    assert response.json()["errors"]["disagreement"] == "Enter what you disagree with"


def test_a_stranger_gets_the_same_not_found_as_for_nothing(world):
    escalation = raise_one(world)
    stranger = api(world.users["stranger"])
    for path in (f"/api/disagreements/{escalation.pk}", "/api/disagreements/987654321"):
        response = stranger.get(path)
        assert response.status_code == 404
    assert (
        stranger.get(f"/api/disagreements/{escalation.pk}").json()
        == stranger.get("/api/disagreements/987654321").json()
    )
    assert (
        post(stranger, f"/api/disagreements/{escalation.pk}/withdraw", {"reason": "x"}).status_code
        == 404
    )


def test_the_report_over_the_api(world):
    raise_one(world)
    assert api(world.users["dsl"]).get("/api/disagreements/report").status_code == 403
    report = api(world.users["analyst"]).get("/api/disagreements/report?from=2027-01-01").json()
    assert report["raised"] == 1
    assert report["by_raising_agency"] == [{"label": "Hallowford Academy", "count": 1}]
    bad = api(world.users["analyst"]).get("/api/disagreements/report?from=nope")
    assert bad.status_code == 400
    assert "from" in bad.json()["errors"]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.dictionaries(
        st.sampled_from(
            ["subject", "subject_label", "about_agency", "disagreement", "outcome_sought", "stage"]
        ),
        st.none() | st.integers() | st.text(max_size=100) | st.booleans(),
    )
)
def test_any_body_is_a_json_answer(world, body):
    school = api(world.users["dsl"])
    response = post(school, f"/api/children/{world.child.reference}/disagreements", body)
    assert response.status_code in (201, 400)
    assert response["Content-Type"].startswith("application/json")
    escalation = Escalation.objects.first()
    if escalation is not None:
        again = post(school, f"/api/disagreements/{escalation.pk}/escalate", body)
        assert again.status_code in (200, 400, 403)
