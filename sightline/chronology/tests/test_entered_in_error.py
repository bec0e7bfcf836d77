"""Marking an entry as entered in error: a new version that withdraws it, nothing deleted, by
whoever may correct it, with a reason, audited; the story shows it struck through with the
reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from sightline.chronology.models import ChronologyEntry
from sightline.chronology.services import entry_mark_entered_in_error, entry_record
from sightline.chronology.signals import story_changed
from sightline.chronology.tests.factories import entry_for, source_record_for
from sightline.chronology.tests.test_services import fields
from sightline.core.errors import AccessDenied, InvalidTransition, ValidationFailed
from sightline.core.tests.pages import page_text as text
from sightline.governance.models import AuditEvent

pytestmark = pytest.mark.django_db

RECORDED = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)
MARKED = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def recorded(social_worker, child):
    with time_machine.travel(RECORDED, tick=False):
        return entry_record(
            actor=social_worker,
            person=child,
            fields=fields(type="missing_episode", summary="Missing overnight.", detail="Found."),
        )


def mark(actor: Any, entry: ChronologyEntry, reason: str = "Recorded on the wrong child.") -> Any:
    with time_machine.travel(MARKED, tick=False):
        return entry_mark_entered_in_error(actor=actor, entry=entry, reason=reason)


def url(name: str, child: Any, entry_id: int) -> str:
    return reverse(name, args=[child.reference, entry_id])


# --- the service ----------------------------------------------------------------------------


def test_marking_adds_a_version_and_deletes_nothing(
    social_worker, child, recorded, django_capture_on_commit_callbacks
):
    seen = []

    def heard(**kwargs: Any) -> None:
        seen.extend(kwargs["entry_ids"])

    story_changed.connect(heard)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            withdrawn = mark(social_worker, recorded)
    finally:
        story_changed.disconnect(heard)
    recorded.refresh_from_db()
    assert ChronologyEntry.objects.count() == 2
    assert (withdrawn.lineage, withdrawn.version) == (recorded.pk, 2)
    assert withdrawn.entered_in_error
    assert withdrawn.correction_reason == "Recorded on the wrong child."
    assert (withdrawn.summary, withdrawn.detail, withdrawn.type) == (
        "Missing overnight.",
        "Found.",
        "missing_episode",
    )
    assert (recorded.superseded_by_id, recorded.superseded_at) == (withdrawn.pk, MARKED)
    assert not recorded.entered_in_error
    event = AuditEvent.objects.get(action="entry_marked_in_error")
    assert (event.actor, event.person_id, event.object_id) == (
        social_worker,
        child.pk,
        str(withdrawn.pk),
    )
    assert event.detail == {"lineage": recorded.pk, "version": 2, "replaces": recorded.pk}
    assert seen == [withdrawn.pk]


@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001])
def test_a_reason_is_required(social_worker, recorded, reason):
    with pytest.raises(ValidationFailed) as refused:
        mark(social_worker, recorded, reason)
    assert "reason" in refused.value.errors
    assert ChronologyEntry.objects.count() == 1


def test_only_the_recording_agency_may(officer, recorded):
    with pytest.raises(AccessDenied, match="Only Children's social care can mark this entry"):
        mark(officer, recorded)
    assert not AuditEvent.objects.filter(action="entry_marked_in_error").exists()


def test_an_imported_entry_is_withdrawn_by_its_feed(officer, child, police):
    imported = entry_for(child, agency=police, source_record=source_record_for(police))
    with pytest.raises(InvalidTransition, match="imported"):
        mark(officer, imported)


def test_a_withdrawn_entry_cannot_be_marked_or_corrected_again(social_worker, recorded):
    withdrawn = mark(social_worker, recorded)
    with pytest.raises(InvalidTransition):
        mark(social_worker, withdrawn)
    with pytest.raises(InvalidTransition):
        mark(social_worker, recorded)  # the replaced version


# --- the pages ------------------------------------------------------------------------------


def test_the_form_explains_warns_and_is_audited(client, social_worker, child, recorded):
    client.force_login(social_worker)
    response = client.get(url("chronology:entry_entered_in_error", child, recorded.pk))
    assert response.status_code == 200
    page = text(response)
    assert "Mark this entry as entered in error" in page
    assert "Nothing is deleted" in page
    assert "You cannot undo this" in page
    assert 'class="govuk-button govuk-button--warning"' in response.content.decode()
    event = AuditEvent.objects.get(action="entry_viewed")
    assert event.detail == {"page": "entry_entered_in_error", "method": "GET"}


def test_no_reason_is_a_govuk_error(client, social_worker, child, recorded):
    client.force_login(social_worker)
    response = client.post(
        url("chronology:entry_entered_in_error", child, recorded.pk), {"reason": " "}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error:" in html
    assert '<a href="#reason">Enter why this entry was entered in error</a>' in html
    assert 'id="reason-error"' in html
    assert ChronologyEntry.objects.count() == 1


def test_the_story_shows_it_struck_through_with_the_reason(client, social_worker, child, recorded):
    client.force_login(social_worker)
    response = client.post(
        url("chronology:entry_entered_in_error", child, recorded.pk),
        {"reason": "Recorded on the wrong child."},
    )
    withdrawn = ChronologyEntry.objects.get(version=2)
    story_url = reverse("chronology:child", args=[child.reference])
    assert response.status_code == 302
    assert response["Location"] == f"{story_url}#entry-{withdrawn.pk}"
    story = client.get(story_url)
    html = story.content.decode()
    assert "Entry marked as entered in error" in text(story)
    assert "Entered in error. Recorded on the wrong child." in text(story)
    assert "<s>Missing overnight.</s>" in html
    assert "sl-entry--significant" not in html  # a withdrawn missing episode is not highlighted
    assert "sl-entry--in-error" in html
    assert ">Correct<" not in html  # nothing more to change
    # Significant only: withdrawn, it is no longer significant.
    assert "Missing overnight." not in text(client.get(story_url + "?significant=1"))
    # As known before it was withdrawn: the entry as it was.
    before = client.get(story_url + "?as_known_on=2026-11-22")
    assert "Missing overnight." in text(before)
    assert "<s>" not in before.content.decode()
    history = text(client.get(url("chronology:entry_history", child, recorded.pk)))
    assert "Marked as entered in error" in history
    assert "Why it was entered in error Recorded on the wrong child." in history


def test_exports_and_api_say_it_was_entered_in_error(client, social_worker, child, recorded):
    mark(social_worker, recorded)
    client.force_login(social_worker)
    body = client.get(reverse("chronology:export_csv", args=[child.reference])).content
    assert "[Entered in error: Recorded on the wrong child.] Missing overnight." in body.decode()
    (entry,) = client.get(f"/api/children/{child.reference}/story").json()["entries"]
    assert (entry["entered_in_error"], entry["significant"], entry["version"]) == (True, False, 2)


def test_the_story_links_to_it_for_the_recording_agency_only(
    client, social_worker, officer, child, recorded
):
    link = url("chronology:entry_entered_in_error", child, recorded.pk)
    story_url = reverse("chronology:child", args=[child.reference])
    client.force_login(social_worker)
    assert link in client.get(story_url).content.decode()
    client.force_login(officer)
    assert link not in client.get(story_url).content.decode()
    refused = client.get(link)
    assert "You cannot mark this entry as entered in error here" in text(refused)
    assert client.post(link, {"reason": "x"}).status_code == 409
    assert ChronologyEntry.objects.count() == 1
