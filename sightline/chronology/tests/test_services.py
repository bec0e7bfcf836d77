"""Recording and correcting entries: every rule, every refusal, and the audit row written in the
same transaction as the change."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from sightline.chronology import services
from sightline.chronology.models import ChronologyEntry, EntrySubject
from sightline.chronology.services import EntryFields, entry_correct, entry_record
from sightline.chronology.signals import story_changed
from sightline.chronology.tests.factories import at, entry_for, new_person, source_record_for
from sightline.core.dates import PartialDate, Precision
from sightline.core.errors import AccessDenied, InvalidTransition, NotFound, ValidationFailed
from sightline.governance.models import AuditEvent

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


def fields(**overrides: Any) -> EntryFields:
    values: dict[str, Any] = {
        "type": "home_visit",
        "occurred": PartialDate(at(2026, 11, 20, 15, 30), Precision.DAY, True),
        "summary": "Home visit. Jordan seen alone.",
    }
    values.update(overrides)
    return EntryFields(**values)


INTEL = {"source": "2", "assessment": "B", "handling": "P"}


# --- recording ---------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_record_adds_an_entry_for_the_actors_agency_now(child, social_worker, csc):
    entry = entry_record(actor=social_worker, person=child, fields=fields())
    assert (entry.agency, entry.author, entry.recorded_at) == (csc, social_worker, NOW)
    assert (entry.lineage, entry.version) == (entry.pk, 1)
    assert (entry.precision, entry.has_time) == ("day", True)
    subject = EntrySubject.objects.get(entry=entry)
    assert (subject.person, subject.role, subject.occurred_at) == (
        child,
        "subject",
        entry.occurred_at,
    )
    event = AuditEvent.objects.get(action="entry_recorded")
    assert (event.actor, event.person_id, event.object_id) == (
        social_worker,
        child.pk,
        str(entry.pk),
    )


def test_record_keeps_an_imprecise_date_imprecise(child, social_worker):
    entry = entry_record(
        actor=social_worker,
        person=child,
        fields=fields(occurred=PartialDate(at(2018, 6, 1), Precision.SEASON, False)),
    )
    assert (entry.precision, entry.occurred_at) == ("season", at(2018, 6, 1))


def test_record_intelligence_keeps_its_grade(child, officer):
    entry = entry_record(
        actor=officer,
        person=child,
        fields=fields(
            type="intelligence_received",
            grade="intelligence",
            sensitivity="police_intelligence",
            intelligence_grade={**INTEL, "handling": "C", "conditions": "Not to the family"},
        ),
    )
    assert entry.intelligence_grade == {
        "system": "3x5x2",
        "source": "2",
        "assessment": "B",
        "handling": "C",
        "conditions": "Not to the family",
    }


def test_grade_other_than_intelligence_drops_stray_intelligence_fields(child, social_worker):
    entry = entry_record(
        actor=social_worker, person=child, fields=fields(grade="fact", intelligence_grade=INTEL)
    )
    assert entry.intelligence_grade is None


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"type": "made_up"}, {"type": "Select what happened"}),
        ({"summary": "  "}, {"summary": "Enter a summary of what happened"}),
        ({"summary": "x" * 1001}, {"summary": "Summary must be 1,000 characters or fewer"}),
        ({"grade": "rumour"}, {"grade": "Select what kind of information this is"}),
        ({"sensitivity": "secret"}, {"sensitivity": "Select who may read this entry"}),
        (
            {"grade": "intelligence"},
            {
                "intelligence_source": "Select the source evaluation (1, 2 or 3)",
                "intelligence_assessment": "Select the intelligence assessment (A to E)",
                "intelligence_handling": "Select the handling code (P or C)",
            },
        ),
        (
            {"grade": "intelligence", "intelligence_grade": {**INTEL, "handling": "C"}},
            {"intelligence_conditions": "Enter the conditions for sharing (handling code C)"},
        ),
        (
            {"occurred": PartialDate(at(2030, 1, 1), Precision.DAY, False)},
            {"occurred": "The date it happened must be today or in the past"},
        ),
    ],
)
def test_record_refuses_invalid_entries(child, social_worker, overrides, errors):
    with pytest.raises(ValidationFailed) as refused:
        entry_record(actor=social_worker, person=child, fields=fields(**overrides))
    assert refused.value.errors == errors
    assert not ChronologyEntry.objects.exists()


def test_record_needs_a_relationship_with_the_child(child, stranger):
    with pytest.raises(NotFound):
        entry_record(actor=stranger, person=child, fields=fields())
    assert not ChronologyEntry.objects.exists()


def test_record_needs_a_role_that_records(child, analyst):
    with pytest.raises(AccessDenied):
        entry_record(actor=analyst, person=child, fields=fields())


def test_mash_may_record_for_any_child(mash_manager):
    anyone = new_person()
    entry = entry_record(actor=mash_manager, person=anyone, fields=fields())
    assert entry.agency.kind == "mash"


def test_nothing_is_saved_when_the_audit_cannot_be_written(child, social_worker, monkeypatch):
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services.audit, "record", broken)
    with pytest.raises(RuntimeError):
        entry_record(actor=social_worker, person=child, fields=fields())
    assert not ChronologyEntry.objects.exists()
    assert not EntrySubject.objects.exists()


def test_recording_announces_the_entry_after_commit(
    child, social_worker, django_capture_on_commit_callbacks
):
    heard: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        heard.append(kwargs)

    story_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            entry = entry_record(actor=social_worker, person=child, fields=fields())
            assert heard == []
    finally:
        story_changed.disconnect(receiver)
    assert len(heard) == 1
    assert heard[0]["cause"] == "recorded"
    assert heard[0]["entry_ids"] == (entry.pk,)
    assert heard[0]["person_ids"] == (child.pk,)


# --- correcting --------------------------------------------------------------------------------


@pytest.fixture
def recorded(child, social_worker) -> ChronologyEntry:
    with time_machine.travel(NOW - dt.timedelta(days=2), tick=False):
        return entry_record(actor=social_worker, person=child, fields=fields())


@time_machine.travel(NOW, tick=False)
def test_correct_adds_a_version_and_closes_the_old_one(child, social_worker, recorded):
    new = entry_correct(
        actor=social_worker,
        entry=recorded,
        reason="Wrong day",
        fields=fields(occurred=PartialDate(at(2026, 11, 21, 15, 30), Precision.DAY, True)),
        person=child,
    )
    recorded.refresh_from_db()
    assert (new.lineage, new.version, new.recorded_at) == (recorded.pk, 2, NOW)
    assert new.correction_reason == "Wrong day"
    assert (recorded.superseded_at, recorded.superseded_by) == (NOW, new)
    assert recorded.summary == "Home visit. Jordan seen alone."  # nothing overwritten
    subject = EntrySubject.objects.get(entry=new)
    assert (subject.person, subject.occurred_at) == (child, at(2026, 11, 21, 15, 30))
    event = AuditEvent.objects.get(action="entry_corrected")
    assert event.detail == {
        "lineage": recorded.pk,
        "version": 2,
        "replaces": recorded.pk,
        "changed": ["occurred_at"],
    }


def test_correct_needs_a_reason(social_worker, recorded):
    with pytest.raises(ValidationFailed) as refused:
        entry_correct(actor=social_worker, entry=recorded, reason=" ", fields=fields(summary="New"))
    assert refused.value.errors == {"reason": "Enter why you are correcting this entry"}


def test_correct_must_change_something(social_worker, recorded):
    with pytest.raises(ValidationFailed) as refused:
        entry_correct(actor=social_worker, entry=recorded, reason="No change", fields=fields())
    assert "summary" in refused.value.errors


def test_only_the_recording_agency_may_correct(officer, recorded):
    with pytest.raises(AccessDenied, match="Only Children's social care can correct"):
        entry_correct(actor=officer, entry=recorded, reason="Wrong", fields=fields(summary="x"))
    assert ChronologyEntry.objects.count() == 1


def test_imported_entries_are_corrected_by_their_feed(child, officer, police):
    imported = entry_for(child, agency=police, source_record=source_record_for(police))
    with pytest.raises(InvalidTransition, match="imported from Hallowford Police's records"):
        entry_correct(actor=officer, entry=imported, reason="Wrong", fields=fields(summary="x"))


def test_an_old_version_cannot_be_corrected_again(social_worker, recorded):
    entry_correct(actor=social_worker, entry=recorded, reason="One", fields=fields(summary="Two"))
    with pytest.raises(InvalidTransition, match="already been corrected"):
        entry_correct(
            actor=social_worker, entry=recorded, reason="Again", fields=fields(summary="3")
        )
    assert ChronologyEntry.objects.filter(lineage=recorded.pk).count() == 2


def test_correcting_twice_builds_the_lineage(social_worker, recorded):
    second = entry_correct(
        actor=social_worker, entry=recorded, reason="1", fields=fields(summary="2")
    )
    third = entry_correct(actor=social_worker, entry=second, reason="2", fields=fields(summary="3"))
    assert [
        (e.version, e.summary)
        for e in ChronologyEntry.objects.filter(lineage=recorded.pk).order_by("version")
    ] == [(1, "Home visit. Jordan seen alone."), (2, "2"), (3, "3")]
    assert third.lineage == recorded.pk


def test_correct_needs_access_to_the_child(stranger, recorded):
    with pytest.raises(NotFound):
        entry_correct(actor=stranger, entry=recorded, reason="x", fields=fields(summary="y"))


def test_nothing_changes_when_the_correction_cannot_be_audited(
    social_worker, recorded, monkeypatch
):
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services.audit, "record", broken)
    with pytest.raises(RuntimeError):
        entry_correct(actor=social_worker, entry=recorded, reason="x", fields=fields(summary="y"))
    recorded.refresh_from_db()
    assert recorded.superseded_at is None
    assert ChronologyEntry.objects.count() == 1
