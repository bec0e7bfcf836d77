"""The story over JSON: same scoping, filters, restrictions and audit as the page."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sightline.chronology.models import ChronologyEntry
from sightline.chronology.tests.factories import at, entry_for
from sightline.governance.models import AuditEvent

pytestmark = pytest.mark.django_db


def story_url(person: Any, query: str = "") -> str:
    return f"/api/children/{person.reference}/story" + (f"?{query}" if query else "")


def test_story(client, social_worker, child, csc, police):
    entry_for(
        child,
        agency=csc,
        type="missing_episode",
        occurred_at=at(2018, 6, 1),
        precision="season",
        summary="Missing.",
    )
    entry_for(child, agency=police, police_intelligence=True, occurred_at=at(2019, 8, 20))
    client.force_login(social_worker)
    response = client.get(story_url(child, "purpose=review"))
    assert response.status_code == 200
    body = response.json()
    assert body["child"] == {"reference": child.reference, "name": "Jordan Ellis"}
    assert (body["total"], body["page"], body["pages"], body["per_page"]) == (2, 1, 1, 50)
    restricted, missing = body["entries"]
    assert restricted["restricted"] is True
    assert restricted["summary"] is None
    assert restricted["grade"] is None
    assert restricted["intelligence_grade"] is None
    assert restricted["restricted_message"].startswith(
        "Restricted: you are not cleared to read this entry. Contact Hallowford Police"
    )
    assert missing["occurred"] == "2018"
    assert missing["occurred_text"] == "summer 2018"
    assert missing["summary"] == "Missing."
    assert missing["significant"] is True
    event = AuditEvent.objects.get(action="story_viewed")
    assert (event.purpose, event.detail["via"]) == ("review", "api")


def test_story_filters_and_as_known_on(client, officer, child, police):
    entry_for(
        child, agency=police, type="arrest", summary="Old arrest.", recorded_at=at(2019, 1, 1)
    )
    entry_for(
        child, agency=police, type="arrest", summary="New arrest.", recorded_at=at(2020, 1, 1)
    )
    entry_for(child, agency=police, type="home_visit", summary="Visit.", recorded_at=at(2019, 1, 1))
    client.force_login(officer)
    body = client.get(
        story_url(child, f"theme=police&agency={police.pk}&as_known_on=2019-06-01")
    ).json()
    assert [e["summary"] for e in body["entries"]] == ["Old arrest."]
    assert body["as_known_on"] == "2019-06-01"


def test_bad_filter_dates_are_a_clear_400(client, officer, child):
    client.force_login(officer)
    response = client.get(story_url(child, "as_known_on=2999-01-01&from=2019-02-31"))
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "from": "Date from must be a real date",
        "as_known_on": "The \u2018as known on\u2019 date must be today or in the past",
    }


def test_unrelated_caller_gets_404(client, stranger, child):
    client.force_login(stranger)
    response = client.get(story_url(child))
    assert response.status_code == 404
    assert response.json() == {
        "error": "No child found with that reference, or you do not have access to them."
    }


def test_anonymous_caller_is_refused(client, child):
    assert client.get(story_url(child)).status_code == 401


def entries_url(person: Any) -> str:
    return f"/api/children/{person.reference}/entries"


def test_record_an_entry(client, officer, child, police):
    client.force_login(officer)
    response = client.post(
        entries_url(child),
        json.dumps(
            {
                "type": "intelligence_received",
                "occurred_at": "2026-11-20T22:10",
                "summary": "Seen with older males.",
                "grade": "intelligence",
                "sensitivity": "police_intelligence",
                "intelligence_grade": {"source": "2", "assessment": "B", "handling": "P"},
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["occurred_text"] == "20 November 2026, 22:10"
    assert body["grade_text"] == "Intelligence 2B P"
    entry = ChronologyEntry.objects.get()
    assert entry.agency == police
    assert AuditEvent.objects.filter(action="entry_recorded", object_id=str(entry.pk)).exists()


def test_record_refusals_are_explained(client, officer, child):
    client.force_login(officer)
    response = client.post(
        entries_url(child),
        json.dumps(
            {"type": "nonsense", "occurred_at": "2019-02", "precision": "day", "summary": "x"}
        ),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "occurred_at": "occurred_at precision 'day' is finer than the date given"
    }
    response = client.post(
        entries_url(child),
        json.dumps({"type": "nonsense", "occurred_at": "2019-02", "summary": ""}),
        content_type="application/json",
    )
    assert response.json()["errors"] == {
        "type": "Select what happened",
        "summary": "Enter a summary of what happened",
    }
    assert not ChronologyEntry.objects.exists()


def test_record_needs_a_relationship(client, stranger, child):
    client.force_login(stranger)
    response = client.post(
        entries_url(child),
        json.dumps({"type": "home_visit", "occurred_at": "2019-02-01", "summary": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "occurred_at", ["9999-12-31T23:59-14:00", "0001-01-01", "2019-02-31", "9999-12-31"]
)
def test_recording_an_odd_date_is_a_json_400(client, social_worker, child, occurred_at):
    client.force_login(social_worker)
    response = client.post(
        f"/api/children/{child.reference}/entries",
        data=json.dumps({"type": "home_visit", "occurred_at": occurred_at, "summary": "Visit."}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) & {"occurred_at", "occurred"}
    assert not ChronologyEntry.objects.exists()


@pytest.mark.parametrize("summary", ["a\x00b", "bell\x07", "esc\x1b[31m", "del\x7f"])
def test_control_characters_are_refused_not_stored(client, officer, child, summary):
    """A NUL cannot be stored in PostgreSQL's text (a 500 there), and no control character
    belongs in what a practitioner reads: refused as the importer refuses them."""
    client.force_login(officer)
    response = client.post(
        entries_url(child),
        json.dumps({"type": "home_visit", "occurred_at": "2026-11-20", "summary": summary}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"summary": "Summary must not contain control characters"}
    assert not ChronologyEntry.objects.exists()
