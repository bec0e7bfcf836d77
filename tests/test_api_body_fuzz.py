"""Every API operation that takes a body, fuzzed from its own OpenAPI schema (/api/openapi.json)
with a signed-in session: bodies built from each operation's request schema, with hostile
values where the schema says a string or a number (NUL, huge numbers, very long text, far dates)
and, now and then, a value of the wrong type or a field left out. Never a 5xx; every answer is
JSON, and an error is in the API's error shape ({"error": ..., "errors"?: {...}}). Reads the
schema at run time, so a new endpoint is fuzzed without being listed here."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_query_fuzz import ODD_VALUES, world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

_PARAM = re.compile(r"\{(\w+)\}")
junk: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**30), 10**30) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
strings = st.one_of(
    st.sampled_from(ODD_VALUES),
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=60),
    st.just("x" * 20_000),
)
integers = st.one_of(
    st.integers(-(2**70), 2**70), st.sampled_from([0, -1, 1, 2**31, 2**63, -(2**63) - 1])
)


def _schema() -> dict[str, Any]:
    from sightline.api.router import api

    return api.get_openapi_schema()


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


def for_schema(
    schema: dict[str, Any], spec: dict[str, Any], depth: int = 0
) -> st.SearchStrategy[Any]:
    schema = _resolve(schema, spec)
    choices = schema.get("anyOf") or schema.get("oneOf")
    if choices:
        return st.one_of([for_schema(s, spec, depth + 1) for s in choices])
    kind = schema.get("type")
    typed: st.SearchStrategy[Any]
    if "enum" in schema:
        typed = st.one_of(st.sampled_from(schema["enum"]), strings)
    elif kind == "string":
        typed = strings
    elif kind in ("integer", "number"):
        typed = integers if kind == "integer" else st.one_of(integers, st.floats(allow_nan=False))
    elif kind == "boolean":
        typed = st.booleans()
    elif kind == "null":
        typed = st.none()
    elif kind == "array" and depth < 3:
        typed = st.lists(for_schema(schema.get("items", {}), spec, depth + 1), max_size=4)
    elif kind == "object" and depth < 3:
        props = schema.get("properties", {})
        typed = st.fixed_dictionaries(
            {}, optional={k: for_schema(v, spec, depth + 1) for k, v in props.items()}
        )
    else:
        typed = junk
    # Mostly what the schema says; now and then anything at all.
    return st.one_of(typed, typed, typed, junk)


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    spec = _schema()
    found = []
    for path, methods in sorted(spec["paths"].items()):
        for method, op in sorted(methods.items()):
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                found.append((method, path, body["schema"]))
    return found


SPEC = _schema()
OPERATIONS = _operations()


def test_the_schema_has_bodies_to_fuzz() -> None:
    paths = {path for _, path, _ in OPERATIONS}
    assert "/api/children/{reference}/entries" in paths
    assert "/api/referrals" in paths
    assert len(OPERATIONS) >= 20


@pytest.mark.parametrize(
    ("method", "path", "schema"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS]
)
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_body_gives_a_server_error(
    world: dict[str, Any],  # noqa: F811
    method: str,
    path: str,
    schema: dict[str, Any],
    data: Any,
) -> None:
    body = data.draw(for_schema(schema, SPEC), label="body")
    samples = world["samples"]
    url = _PARAM.sub(lambda m: samples.get(m[1], "1"), path)
    client: Client = world["client"]
    with transaction.atomic():
        # json, not orjson: a body may hold an integer wider than 64 bits.
        response = getattr(client, method)(url, json.dumps(body), content_type="application/json")
        transaction.set_rollback(True)
    assert response.status_code < 500, (
        f"{method.upper()} {url} {body!r:.300} gave {response.status_code}"
    )
    assert response["Content-Type"].startswith("application/json"), url
    if response.status_code >= 400:
        answer = response.json()
        assert isinstance(answer.get("error"), str), (url, answer)
        assert set(answer) <= {"error", "errors"}, (url, answer)
