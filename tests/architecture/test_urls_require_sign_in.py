"""Every page needs sign-in. Walks the whole URLconf (every app's pages and every API endpoint)
and checks what an anonymous visitor gets: the sign-in page (pages), or 401 (API endpoints and
the keep-alive), never the page itself. A new public page must be added to PUBLIC_URL_NAMES in
accounts.middleware, and to EXPECTED_PUBLIC here, on purpose."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from sightline.accounts.middleware import PUBLIC_URL_NAMES, UNAUTHORISED_URL_NAMES

pytestmark = pytest.mark.django_db

EXPECTED_PUBLIC = {
    "accounts:sign_in",
    "accounts:two_factor",
    "accounts:sign_out",
    "accounts:signed_out",
    "accounts:set_password",  # a new user's one-time link: the link is the credential
    "api:health",
}
SAMPLES = {
    "int": "1",
    "str": "SLT0000001",
    "slug": "sample",
    "uuid": "00000000-0000-0000-0000-000000000001",
    "path": "sample/path",
}
_CONVERTER = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


def _walk(
    resolver: URLResolver, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, prefix + _route(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or ""
            yield prefix + _route(entry.pattern), name


def _route(pattern: object) -> str:
    if isinstance(pattern, RoutePattern):
        return str(pattern)  # RoutePattern.__str__ is the route
    text = str(pattern)
    if text in ("", "^"):
        return ""
    raise AssertionError(f"Regex URL pattern {text!r}: teach this test to build a sample URL")


def _sample(route: str) -> str:
    return "/" + _CONVERTER.sub(lambda m: SAMPLES[m["conv"] or "str"], route)


ROUTES = sorted(set(_walk(get_resolver())))
PRIVATE_ROUTES = [(route, name) for route, name in ROUTES if name not in PUBLIC_URL_NAMES]


def test_the_urlconf_is_walked():
    names = {name for _, name in ROUTES}
    assert {"people:search", "accounts:sign_in", "api:health"} <= names
    assert any(path.startswith("api/people") for path, _ in ROUTES)


def test_public_pages_are_exactly_the_expected_few():
    assert set(PUBLIC_URL_NAMES) == EXPECTED_PUBLIC


@pytest.mark.parametrize(
    ("route", "name"), PRIVATE_ROUTES, ids=[f"{n or r}" for r, n in PRIVATE_ROUTES]
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_sign_in(route, name, method):
    path = _sample(route)
    response = getattr(Client(), method)(path)
    if name in UNAUTHORISED_URL_NAMES or (path.startswith("/api/") and name != "api:openapi-view"):
        assert response.status_code == 401, f"{method.upper()} {path} gave {response.status_code}"
    else:
        assert response.status_code == 302, f"{method.upper()} {path} gave {response.status_code}"
        assert response["Location"].startswith("/sign-in"), response["Location"]


def test_sign_in_redirect_keeps_where_the_visitor_was_going():
    response = Client().get("/children/")
    assert response["Location"] == "/sign-in?next=%2Fchildren%2F"


def test_static_files_and_health_are_public():
    client = Client()
    assert client.get("/api/health").status_code == 200
    assert client.get("/static/sightline/sightline.css").status_code == 200
