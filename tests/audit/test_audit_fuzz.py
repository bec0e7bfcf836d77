"""The auditor's pages with arbitrary query strings and references, signed in as the auditor
(the site-wide fuzz, tests/test_query_fuzz.py, signs in as a MASH manager, whom these pages
refuse): never a 5xx, and a refused search records nothing."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sightline.agencies.tests.factories import AgencyFactory, practitioner
from sightline.core.actors import IMPORTER
from sightline.governance import audit
from sightline.governance.audit import AuditAction
from sightline.people.tests.factories import PersonFactory
from tests.test_query_fuzz import ODD_VALUES, text_values, values

pytestmark = pytest.mark.django_db

NAMES = [
    "child", "practitioner", "action", "page",
    "from-day", "from-month", "from-year", "to-day", "to-month", "to-year", "from", "to",
]  # fmt: skip
queries = st.lists(
    st.tuples(st.one_of(st.sampled_from(NAMES), text_values.filter(bool)), values), max_size=6
)
FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def auditor_client(db: Any) -> Client:
    child = PersonFactory.create(reference="SLT0000001")
    audit.record(IMPORTER, AuditAction.STORY_VIEWED, object_type="person", person_id=child.pk)
    client = Client(raise_request_exception=False)
    client.force_login(
        practitioner("auditor", agency=AgencyFactory.create(code="partnership", kind="other"))
    )
    return client


@pytest.mark.parametrize("path", ["/audit/", "/audit/flags/"])
@FUZZ
@given(query=queries)
@example(query=[("child", "SLT0000001"), ("page", "99999")])
@example(query=[("from-year", "9999"), ("from-month", "12"), ("from-day", "31")])
@example(query=[("to", "0001-01-01"), ("from", "2026-01-01")])
@example(query=[("practitioner", "%"), ("action", "\x00")])
def test_no_query_string_gives_a_server_error(
    auditor_client: Client, path: str, query: Any
) -> None:
    url = f"{path}?{urlencode(query)}" if query else path
    response = auditor_client.get(url)
    assert response.status_code < 500, f"GET {url} gave {response.status_code}"


@FUZZ
@given(reference=st.one_of(st.sampled_from(ODD_VALUES), text_values).filter(lambda r: "/" not in r))
@example(reference="SLT0000001")
def test_no_reference_gives_a_server_error(auditor_client: Client, reference: str) -> None:
    if not reference.strip():
        return
    response = auditor_client.get(f"/audit/children/{quote(reference, safe='')}/")
    assert response.status_code < 500, reference
