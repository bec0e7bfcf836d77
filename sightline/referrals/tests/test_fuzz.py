"""Whatever a browser or a caller sends to the referral forms and the API is answered with a
page or a JSON error, never a 500: arbitrary text (control characters, NULs, very long, not
numbers where numbers are wanted), lists where one value is wanted, and unknown codes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sightline.referrals.tests.conftest import World, refer

pytestmark = pytest.mark.django_db
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "mash", "nrm", "0", "-1", "9" * 30, "\x00", "significant_harm", "red"]),
    st.integers(min_value=1, max_value=3).map(lambda n: "x" * (10_000 + n)),
)
form_values = st.one_of(text, st.lists(text, max_size=3))
REFERRAL_FIELDS = [
    "service",
    "kind",
    "concerns",
    "evidence",
    "risk",
    "risk_note",
    "fast_track",
    "child_words",
    "family_knows",
    "consent",
    "consent_note",
    "sensitivity",
]
DECISION_FIELDS = [
    "version",
    "decision",
    "reasons-no_further_action",
    "reasons-accepted_for_assessment",
    "text",
]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    # The test client cannot send a NUL in a form body's key; values may hold anything.
    return {k: v for k, v in data.items() if v is not None}


@FUZZ
@given(data=st.fixed_dictionaries({}, optional=dict.fromkeys(REFERRAL_FIELDS, form_values)))
def test_the_referral_form_never_fails(world: World, data: dict[str, Any]) -> None:
    response = _client(world.dsl).post(f"/referrals/new/{world.child.reference}/", _clean(data))
    assert response.status_code in (302, 400), response.status_code


@FUZZ
@given(data=st.fixed_dictionaries({}, optional=dict.fromkeys(DECISION_FIELDS, form_values)))
def test_the_decision_form_never_fails(world: World, data: dict[str, Any]) -> None:
    referral = refer(world)
    response = _client(world.manager).post(f"/referrals/{referral.pk}/decide", _clean(data))
    assert response.status_code in (302, 400, 409), response.status_code


@FUZZ
@given(
    rag=text,
    note=text,
    question=text,
    worker=text,
)
def test_the_other_forms_never_fail(
    world: World, rag: str, note: str, question: str, worker: str
) -> None:
    referral = refer(world)
    manager = _client(world.manager)
    for path, body in (
        (f"/referrals/{referral.pk}/triage", {"rag": rag, "rag_note": note, "version": worker}),
        (f"/referrals/{referral.pk}/ask", {"question": question}),
        (f"/referrals/{referral.pk}/allocate", {"worker": worker, "version": note}),
        (f"/referrals/{referral.pk}/acknowledge", {"version": worker}),
    ):
        response = manager.post(path, body)
        assert response.status_code in (302, 400, 409), (path, response.status_code)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), text),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
API_FIELDS = [
    "child",
    "service",
    "kind",
    "concerns",
    "family_knows",
    "consent",
    "consent_note",
    "risk",
    "fast_track",
    "child_words",
    "evidence",
    "sensitivity",
]


@FUZZ
@given(body=st.fixed_dictionaries({}, optional=dict.fromkeys(API_FIELDS, json_values)))
def test_the_api_never_fails(world: World, body: dict[str, Any]) -> None:
    if body.get("child") == "REAL":
        body["child"] = world.child.reference
    response = _client(world.dsl).post(
        "/api/referrals", json.dumps(body), content_type="application/json"
    )
    assert response.status_code in (201, 400, 404), response.status_code
    assert response["Content-Type"].startswith("application/json")


@FUZZ
@given(
    body=st.fixed_dictionaries(
        {},
        optional={
            "version": json_values,
            "decision": st.one_of(
                json_values, st.sampled_from(["no_further_action", "early_help"])
            ),
            "reasons": st.one_of(
                json_values, st.lists(st.sampled_from(["other", "lack_of_consent", "x"]))
            ),
            "text": json_values,
        },
    )
)
def test_the_decision_api_never_fails(world: World, body: dict[str, Any]) -> None:
    referral = refer(world)
    response = _client(world.manager).post(
        f"/api/referrals/{referral.pk}/decision",
        json.dumps(body),
        content_type="application/json",
    )
    assert response.status_code in (200, 400, 409), response.status_code


@FUZZ
@given(
    number=st.integers(min_value=2**62, max_value=2**70),
    question=st.integers(min_value=0, max_value=2**70),
)
def test_any_number_in_a_path_is_not_found(world: World, number: int, question: int) -> None:
    """Numbers no row has, up to past what SQLite can hold: "not found", never a 500."""
    client = _client(world.manager)
    assert client.get(f"/referrals/{number}/").status_code == 404
    assert client.get(f"/api/referrals/{number}").status_code == 404
    referral = refer(world)
    page = client.get(f"/referrals/{referral.pk}/questions/{question}/answer")
    assert page.status_code == 404
    answer = client.post(
        f"/api/referrals/{referral.pk}/questions/{question}/answer",
        json.dumps({"answer": "x"}),
        content_type="application/json",
    )
    assert answer.status_code == 404
