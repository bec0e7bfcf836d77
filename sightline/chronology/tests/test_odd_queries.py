"""Odd query values on the child's page, its exports and the API: a GOV.UK error message on the
page, a refusal page for an export (never a file filtered other than asked), the API's JSON error
shape; never a 500 (defect: ?to=9999-12-31, ?from=0001-01-01 and ?agency=99999999999999999999999
were 500s everywhere, the API's an HTML page)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from sightline.chronology.tests.factories import at, entry_for
from sightline.governance.models import AuditEvent

pytestmark = pytest.mark.django_db

ODD = [
    # (query, the box the error links to, the message)
    ("to=9999-12-31", "to-year", "Date to must be before 1 January 2100"),
    ("to-day=31&to-month=12&to-year=9999", "to-year", "Date to must be before 1 January 2100"),
    ("from=0001-01-01", "from-year", "Date from must be after 1900"),
    ("from=1899-12-31", "from-year", "Date from must be after 1900"),
    ("agency=99999999999999999999999", "agency", "Select an agency from the list"),
    ("agency=-1", "agency", "Select an agency from the list"),
    ("agency=%C2%B2", "agency", "Select an agency from the list"),  # "²" is a digit to Python
    ("from-day=%C2%B2&from-month=1&from-year=2019", "from-day", "Date from must be a real date"),
    (
        "from-year=" + "9" * 5000 + "&from-month=1&from-day=1",
        "from-year",
        "Year must include 4 numbers",
    ),
    ("as_known_on=0001-01-01", "as_known_on-year", "after 1900"),
    ("from=20190304", "from-day", "Date from must be a real date"),
    ("theme=bogus", "theme", "Select a theme from the list"),
    ("type=bogus", "type", "Select an entry type from the list"),
]


@pytest.fixture
def signed_in(client, social_worker, child, csc):
    entry_for(child, agency=csc, occurred_at=at(2019, 3, 4), summary="An entry.")
    client.force_login(social_worker)
    return client


def page_url(child: Any, query: str) -> str:
    return reverse("chronology:child", args=[child.reference]) + f"?{query}"


@pytest.mark.parametrize(("query", "box", "message"), ODD)
def test_the_page_shows_a_govuk_error(signed_in, child, query, box, message):
    response = signed_in.get(page_url(child, query))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in html
    assert f'<a href="#{box}">' in html
    assert message in html
    prefix = box.split("-")[0]
    assert f'id="{prefix}-error"' in html  # the message beside the box too
    assert f'id="{box}"' in html  # the box the summary links to exists


@pytest.mark.parametrize(("query", "box", "message"), ODD)
@pytest.mark.parametrize("name", ["chronology:export_csv", "chronology:export_pdf"])
def test_an_export_is_refused_with_the_errors(signed_in, child, name, query, box, message):
    response = signed_in.get(reverse(name, args=[child.reference]) + f"?{query}")
    html = response.content.decode()
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "The file could not be produced" in html
    assert message in html
    assert f"#{box}" in html
    assert not AuditEvent.objects.filter(action="story_exported").exists()


API_ODD = [
    ("to=9999-12-31", "to"),
    ("from=0001-01-01", "from"),
    ("agency=99999999999999999999999", "agency"),
    ("agency=abc", "agency"),
    ("page=abc", "page"),
    ("page=0", "page"),
    ("significant=perhaps", "significant"),
    ("theme=bogus", "theme"),
    ("type=bogus", "type"),
    ("as_known_on=9999-12-31", "as_known_on"),
]


@pytest.mark.parametrize(("query", "parameter"), API_ODD)
def test_the_api_answers_its_json_error_shape(signed_in, child, query, parameter):
    response = signed_in.get(f"/api/children/{child.reference}/story?{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "errors"}
    assert parameter in body["errors"]


def test_a_huge_page_number_is_the_last_page(signed_in, child):
    response = signed_in.get(page_url(child, "page=99999999999999999999999"))
    assert response.status_code == 200
    api = signed_in.get(f"/api/children/{child.reference}/story?page=99999999999999999999999")
    assert (api.status_code, api.json()["page"]) == (200, 1)


@pytest.mark.parametrize("purpose", ["Strategy\x00meeting", "Strategy\x1bmeeting", "x" * 5000])
def test_a_purpose_with_control_characters_is_kept_printable(signed_in, child, purpose):
    """PostgreSQL refuses a NUL in text: the audit row would fail and the page with it."""
    url = reverse("chronology:child", args=[child.reference])
    assert signed_in.get(url, {"purpose": purpose}).status_code == 200
    api = signed_in.get(f"/api/children/{child.reference}/story", {"purpose": purpose[:200]})
    assert api.status_code == 200
    for event in AuditEvent.objects.filter(action="story_viewed"):
        assert "\x00" not in event.purpose
        assert "\x1b" not in event.purpose
        assert len(event.purpose) <= 200


def test_an_api_failure_is_json(social_worker, child, monkeypatch):
    from django.test import Client

    from sightline.chronology import selectors

    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "story_for", broken)
    client = Client(raise_request_exception=False)
    client.force_login(social_worker)
    response = client.get(f"/api/children/{child.reference}/story")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "error": "Sorry, there is a problem with the service. Try again later."
    }
    assert b"boom" not in response.content
