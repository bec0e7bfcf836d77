"""Every page and API endpoint of the site, signed in as someone who may see the test child,
with arbitrary query parameters (names and values: text, huge numbers, far dates, unicode,
NUL): never a 5xx, and every API answer is JSON, an error in the API's error shape
({"error": ..., "errors"?: {...}}). Walks the whole URLconf, so a new page is fuzzed without
being listed here."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

# Pages that are not fuzzed with a signed-in session, and why.
SKIP = {
    "api:openapi-view": "the Swagger page: static HTML around /api/openapi.json (fuzzed)",
}
_CONVERTER = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


def _walk(resolver: URLResolver, prefix: str = "", ns: str = "") -> Iterator[tuple[str, str]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{ns}:{entry.namespace}" if ns and entry.namespace else entry.namespace or ns
            yield from _walk(entry, prefix + _route(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{ns}:{entry.name}" if ns and entry.name else entry.name or ""
            yield prefix + _route(entry.pattern), name


def _route(pattern: object) -> str:
    if isinstance(pattern, RoutePattern):
        return str(pattern)
    text = str(pattern)
    if text in ("", "^"):
        return ""
    raise AssertionError(f"Regex URL pattern {text!r}: teach this test to build a sample URL")


ROUTES = sorted({(route, name) for route, name in _walk(get_resolver()) if name not in SKIP})

# Parameter names the pages and endpoints read, and any other text.
KNOWN_NAMES = [
    "agency", "theme", "type", "from", "to", "significant", "as_known_on", "page", "purpose",
    "from-day", "from-month", "from-year", "to-day", "to-month", "to-year",
    "as_known_on-day", "as_known_on-month", "as_known_on-year",
    "name", "birth_date", "birth_date-day", "birth_date-month", "birth_date-year",
    "dob-day", "dob-month", "dob-year", "identifier", "results", "new", "status", "next",
    "q", "sort", "decision", "reason", "candidate", "format",
]  # fmt: skip
ODD_VALUES = [
    "", " ", "0", "-1", "1e309", "NaN", "true", "[]", "{}", "\x00", "a\x00b", "²", "٣", "⁹",
    "9999-12-31", "0001-01-01", "10000-01-01", "2019-02-31", "2019-W10-1", "20190304",
    "99999999999999999999999", "-99999999999999999999999", "9" * 5000, "%", "%00", "../",
    "<script>", "' OR 1=1 --", "Zoë", "Ⅻ", "🙂", "\u202e", "\ufeff",
]  # fmt: skip
text_values = st.text(
    alphabet=st.characters(exclude_categories=["Cs"]), max_size=40
)  # no lone surrogates: they cannot be sent in a URL
values = st.one_of(
    st.sampled_from(ODD_VALUES),
    text_values,
    st.integers(-(10**30), 10**30).map(str),
    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(dt.date.isoformat),
    st.integers(0, 10**6).map(str),
)
# Mostly the names the pages read (where a value is parsed), sometimes anything.
names = st.one_of(
    st.sampled_from(KNOWN_NAMES),
    st.sampled_from(KNOWN_NAMES),
    st.sampled_from(KNOWN_NAMES),
    text_values.filter(bool),
)
queries = st.lists(st.tuples(names, values), max_size=6)


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    """A child with entries of every kind the pages show, a pair waiting for review, a merge,
    and a MASH manager (who may see every child and settle identity questions)."""
    from sightline.agencies.tests.factories import AgencyFactory, practitioner
    from sightline.chronology.models import ChronologyEntry, EntrySubject
    from sightline.core.actors import LINKER
    from sightline.identity.merging import MergeEvidence, person_merge
    from sightline.identity.review import PairEvidence, candidate_link_create
    from sightline.identity.tests.factories import feed, person_line, record_for

    police = feed("police", kind="police", name="Hallowford Police")
    health = feed("health", kind="health_gp", name="Hallowford GP practices")
    a = record_for(police, person_line("police", "P-1", given="Jordan"))
    b = record_for(health, person_line("health", "H-1", given="Jordy", birth_date="2012-04-03"))
    survivor = record_for(police, person_line("police", "P-20", given="Max"))
    merged = record_for(police, person_line("police", "P-21", given="Max"))
    for record in (a, b, survivor, merged):
        assert record.person is not None
    assert a.person is not None
    assert b.person is not None
    assert survivor.person is not None
    assert merged.person is not None
    child = a.person
    entry = ChronologyEntry.objects.create(
        agency=police.agency,
        type="missing_episode",
        occurred_at=timezone.now() - dt.timedelta(days=3),
        recorded_at=timezone.now(),
        summary="Missing overnight.",
        detail="Found at a friend's house.",
    )
    entry.lineage = entry.pk
    entry.save()
    EntrySubject.objects.create(entry=entry, person=child, occurred_at=entry.occurred_at)
    candidate = candidate_link_create(
        actor=LINKER,
        evidence=PairEvidence(
            record_l=a.pk,
            record_r=b.pk,
            match_weight=7.4,
            match_probability=0.99,
            reason="grey_zone",
            model_version="3",
            waterfall={"steps": []},
        ),
    )
    assert candidate is not None
    merge = person_merge(
        actor=LINKER,
        survivor=survivor.person,
        merged=merged.person,
        evidence=MergeEvidence(method="probabilistic", match_weight=14.2, explanation={}),
    )
    mash = AgencyFactory.create(code="mash", kind="mash", name="MASH")
    manager = practitioner("mash_manager", agency=mash)
    client = Client(raise_request_exception=False)
    client.force_login(manager)
    samples = {
        "reference": child.reference,
        "entry_id": str(entry.pk),
        "lineage": str(entry.pk),
        "candidate_id": str(candidate.pk),
        "merge_id": str(merge.pk),
    }
    return {"client": client, "samples": samples}


def _path(route: str, samples: dict[str, str]) -> str:
    return "/" + _CONVERTER.sub(lambda m: samples.get(m["name"], "sample"), route)


@pytest.mark.parametrize(("route", "name"), ROUTES, ids=[n or r for r, n in ROUTES])
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=queries)
# The walkthrough's and the review's 500s, always tried.
@example(query=[("to", "9999-12-31")])
@example(query=[("from", "0001-01-01")])
@example(query=[("agency", "99999999999999999999999")])
@example(query=[("page", "²"), ("purpose", "a\x00b")])
def test_no_query_string_gives_a_server_error(world, route, name, query):
    path = _path(route, world["samples"])
    url = f"{path}?{urlencode(query)}" if query else path
    response = world["client"].get(url)
    assert response.status_code < 500, f"GET {url} gave {response.status_code}"
    if path.startswith("/api/"):
        assert response["Content-Type"].startswith("application/json"), url
        if response.status_code >= 400:
            body = response.json()
            assert isinstance(body.get("error"), str), (url, body)
            assert set(body) <= {"error", "errors"}, (url, body)


def test_every_route_is_fuzzed():
    names = {name for _, name in ROUTES}
    assert {"chronology:child", "chronology:export_pdf", "api:story", "people:search"} <= names
    assert {"identity:queue", "identity:pair", "identity:person", "identity:split"} <= names
