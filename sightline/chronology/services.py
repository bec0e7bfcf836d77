"""Writes to the child's story: recording an entry by hand and correcting one.

The chronology owns ChronologyEntry and EntrySubject. Entries are append-only (DESIGN.md
principle 2): a correction adds a new version of the same lineage and closes the old one, so the
story "as known on" any date stays exactly reproducible. Every write is checked against the
actor's role and relationship with the child and audited in the same transaction. Imported
entries are written by `chronology.bulk` and corrected only by their source feed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from sightline.chronology.models import ChronologyEntry, EntrySubject
from sightline.chronology.signals import StoryCause, announce_story_changed
from sightline.chronology.vocabulary import entry_types
from sightline.core import clock
from sightline.core.dates import LONDON, PartialDate, Precision, format_partial
from sightline.core.errors import (
    AccessDenied,
    DomainError,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)
from sightline.core.text import CONTROL_MULTILINE
from sightline.governance import access, audit
from sightline.governance.audit import AuditAction
from sightline.governance.policy import Capability
from sightline.governance.vocabulary import sensitivities
from sightline.people.models import Person

SUMMARY_MAX = 1000
DETAIL_MAX = 20000
REASON_MAX = 2000
SOURCE_GRADES = ("1", "2", "3")
ASSESSMENT_GRADES = ("A", "B", "C", "D", "E")
HANDLING_CODES = ("P", "C")


@dataclass(frozen=True)
class EntryFields:
    """What a person records about an event. `occurred` carries the date's precision."""

    type: str
    occurred: PartialDate
    summary: str
    detail: str = ""
    grade: str = ChronologyEntry.Grade.FACT
    sensitivity: str = ChronologyEntry.Sensitivity.STANDARD
    intelligence_grade: Mapping[str, str] | None = None
    is_significant: bool = False
    ended_at: dt.datetime | None = None
    location_postcode: str = ""
    location_label: str = ""


def _validate_intelligence(grade: Mapping[str, str] | None, errors: dict[str, str]) -> None:
    grade = grade or {}
    if grade.get("source") not in SOURCE_GRADES:
        errors["intelligence_source"] = "Select the source evaluation (1, 2 or 3)"
    if grade.get("assessment") not in ASSESSMENT_GRADES:
        errors["intelligence_assessment"] = "Select the intelligence assessment (A to E)"
    if grade.get("handling") not in HANDLING_CODES:
        errors["intelligence_handling"] = "Select the handling code (P or C)"
    elif grade.get("handling") == "C" and not (grade.get("conditions") or "").strip():
        errors["intelligence_conditions"] = "Enter the conditions for sharing (handling code C)"


@dataclass(frozen=True)
class BirthDate:
    """A child's date of birth at its precision: `start` is the first day it may have been."""

    start: dt.date
    precision: str

    @property
    def text(self) -> str:
        return format_partial(self.start, self.precision)


def birth_date_of(person: Person | None) -> BirthDate | None:
    if person is None or person.birth_date is None:
        return None
    return BirthDate(person.birth_date, person.birth_date_precision or Precision.DAY)


def _period_end(occurred: PartialDate) -> dt.datetime:
    """The first instant after the period an entry's date stands for."""
    start = occurred.start.astimezone(LONDON)
    if occurred.precision == Precision.YEAR:
        return start.replace(year=start.year + 1, month=1, day=1)
    months = {Precision.SEASON: 3, Precision.MONTH: 1}.get(occurred.precision)
    if months is None:
        day = start.date() + dt.timedelta(days=1)
        return dt.datetime.combine(day, dt.time.min, tzinfo=LONDON)
    month = start.month - 1 + months
    return start.replace(year=start.year + month // 12, month=month % 12 + 1, day=1)


def _has_control(text: str) -> bool:
    """Control characters other than line breaks and tabs (core.text: the importer's rule)."""
    return CONTROL_MULTILINE.search(text) is not None


def validate_entry_fields(
    fields: EntryFields, *, now: dt.datetime, born: BirthDate | None = None
) -> dict[str, str]:
    """Every rule an entry must meet, as field -> GOV.UK error message. Pure.

    `born`: the child's date of birth. An entry may not be dated wholly before it: "2009" is
    refused for a child born in 2010, "May 2010" accepted for a child born on 17 May 2010 (a
    birth known only as "2010" accepts anything in 2010). Concerns before a birth belong in the
    parent's story."""
    errors: dict[str, str] = {}
    if fields.type not in entry_types():
        errors["type"] = "Select what happened"
    if not fields.summary.strip():
        errors["summary"] = "Enter a summary of what happened"
    elif len(fields.summary) > SUMMARY_MAX:
        errors["summary"] = f"Summary must be {SUMMARY_MAX:,} characters or fewer"
    elif _has_control(fields.summary):
        errors["summary"] = "Summary must not contain control characters"
    if len(fields.detail) > DETAIL_MAX:
        errors["detail"] = f"Detail must be {DETAIL_MAX:,} characters or fewer"
    elif _has_control(fields.detail):
        errors["detail"] = "Detail must not contain control characters"
    if fields.grade not in ChronologyEntry.Grade.values:
        errors["grade"] = "Select what kind of information this is"
    elif fields.grade == ChronologyEntry.Grade.INTELLIGENCE:
        _validate_intelligence(fields.intelligence_grade, errors)
    if fields.sensitivity not in sensitivities():
        errors["sensitivity"] = "Select who may read this entry"
    if fields.occurred.start > now:
        errors["occurred"] = "The date it happened must be today or in the past"
    elif born is not None and _period_end(fields.occurred) <= dt.datetime.combine(
        born.start, dt.time.min, tzinfo=LONDON
    ):
        errors["occurred"] = (
            f"The date it happened must be on or after the child's date of birth ({born.text})"
        )
    if fields.ended_at is not None and fields.ended_at < fields.occurred.start:
        errors["ended"] = "The end must be after the start"
    return errors


def _intelligence_value(fields: EntryFields) -> dict[str, str] | None:
    if fields.grade != ChronologyEntry.Grade.INTELLIGENCE or not fields.intelligence_grade:
        return None
    value = {
        "system": "3x5x2",
        "source": fields.intelligence_grade["source"],
        "assessment": fields.intelligence_grade["assessment"],
        "handling": fields.intelligence_grade["handling"],
    }
    if value["handling"] == "C":
        value["conditions"] = (fields.intelligence_grade.get("conditions") or "").strip()
    return value


def _entry_values(fields: EntryFields) -> dict[str, Any]:
    return {
        "type": fields.type,
        "occurred_at": fields.occurred.start,
        "precision": str(fields.occurred.precision),
        "has_time": fields.occurred.has_time,
        "ended_at": fields.ended_at,
        "summary": fields.summary.strip(),
        "detail": fields.detail.strip(),
        "grade": fields.grade,
        "sensitivity": fields.sensitivity,
        "intelligence_grade": _intelligence_value(fields),
        "is_significant": fields.is_significant,
        "location_postcode": fields.location_postcode.strip().upper(),
        "location_label": fields.location_label.strip(),
    }


def _announce(entry_id: int, person_ids: list[int], *, cause: StoryCause) -> None:
    announce_story_changed(cause, entry_ids=[entry_id], person_ids=person_ids)


def entry_record(*, actor: Any, person: Person, fields: EntryFields) -> ChronologyEntry:
    """Record what the actor's agency knows about the child, now, in the child's story.

    Only roles that record entries (governance.policy) may, and only for a child they have a
    legitimate relationship with. The entry belongs to the actor's agency: it is that agency's
    to correct, and its content is always readable by that agency."""
    scope = access.require(actor, Capability.RECORD_ENTRIES)
    access.require_person(actor, person.pk)
    if scope.agency_id is None:  # pragma: no cover - a recording role always has an agency
        raise AccessDenied("You need to belong to an agency to record an entry.")
    now = clock.now()
    errors = validate_entry_fields(fields, now=now, born=birth_date_of(person))
    if errors:
        raise ValidationFailed("Check the entry", errors=errors)
    with transaction.atomic():
        entry = ChronologyEntry.objects.create(
            agency_id=scope.agency_id,
            recorded_at=now,
            author=actor,
            version=1,
            **_entry_values(fields),
        )
        entry.lineage = entry.pk
        entry.save(update_fields=["lineage"])
        EntrySubject.objects.create(
            entry=entry,
            person=person,
            role=EntrySubject.Role.SUBJECT,
            occurred_at=entry.occurred_at,
        )
        audit.record(
            actor,
            AuditAction.ENTRY_RECORDED,
            object_type="chronology_entry",
            object_id=entry.pk,
            person_id=person.pk,
            detail={"type": entry.type, "lineage": entry.lineage, "version": 1},
        )
        _announce(entry.pk, [person.pk], cause=StoryCause.RECORDED)
    return entry


def _changed(old: ChronologyEntry, values: Mapping[str, Any]) -> list[str]:
    return [name for name, value in values.items() if getattr(old, name) != value]


def correction_refusal(
    entry: ChronologyEntry, scope: access.Scope, *, action: str = "correct this entry"
) -> DomainError | None:
    """Why this viewer may not change this entry version (`action`: "correct this entry", or
    "mark this entry as entered in error"), or None if they may. The pages use it to explain
    before the user types anything."""
    if entry.source_record_id is not None:
        return InvalidTransition(
            f"This entry was imported from {entry.agency.name}'s records, so it can only be "
            "corrected there: ask them to correct it and the next import will update Sightline."
        )
    if entry.agency_id != scope.agency_id:
        return AccessDenied(
            f"Only {entry.agency.name} can {action}, because they recorded it. "
            "Contact them if you think it is wrong."
        )
    if entry.entered_in_error:
        return InvalidTransition(
            "This entry was marked as entered in error, so it cannot be changed. Record a new "
            "entry if something needs adding."
        )
    if entry.superseded_at is not None:
        return InvalidTransition(
            "This entry has already been corrected. Open its latest version to correct it again."
        )
    return None


def _check_reason(reason: str, errors: dict[str, str], *, missing: str) -> str:
    reason = reason.strip()
    if not reason:
        errors["reason"] = missing
    elif len(reason) > REASON_MAX:
        errors["reason"] = f"The reason must be {REASON_MAX:,} characters or fewer"
    elif _has_control(reason):
        errors["reason"] = "The reason must not contain control characters"
    return reason


def _lock_for_change(
    actor: Any, entry: ChronologyEntry, person: Person | None
) -> tuple[ChronologyEntry, list[EntrySubject], list[EntrySubject]]:
    """The entry version, locked, with its subjects and those the actor may see. Inside a
    transaction."""
    old = (
        ChronologyEntry.objects.select_for_update()
        .select_related("agency")
        .filter(pk=entry.pk)
        .first()
    )
    if old is None:
        raise NotFound("No entry found with that number.")
    subjects = list(EntrySubject.objects.filter(entry_id=old.pk))
    visible = [s for s in subjects if access.can_view_person(actor, s.person_id)]
    if not visible or (person is not None and person.pk not in {s.person_id for s in visible}):
        raise NotFound("No entry found in this child's story with that number.")
    return old, subjects, visible


def _add_version(
    *,
    actor: Any,
    old: ChronologyEntry,
    subjects: list[EntrySubject],
    values: Mapping[str, Any],
    reason: str,
    now: dt.datetime,
) -> ChronologyEntry:
    """Version + 1 of the lineage with these values, and the old version closed."""
    lineage = old.lineage or old.pk
    new = ChronologyEntry.objects.create(
        lineage=lineage,
        version=old.version + 1,
        agency_id=old.agency_id,
        recorded_at=now,
        author=actor,
        source_record=None,
        correction_reason=reason,
        **values,
    )
    EntrySubject.objects.bulk_create(
        EntrySubject(entry=new, person_id=s.person_id, role=s.role, occurred_at=new.occurred_at)
        for s in subjects
    )
    old.lineage = lineage
    old.superseded_at = now
    old.superseded_by = new
    old.save(update_fields=["lineage", "superseded_at", "superseded_by"])
    return new


def _story_person(person: Person | None, subjects: list[EntrySubject]) -> Person | None:
    """The child whose date of birth bounds the entry: the page's child, else its subject."""
    if person is not None:
        return person
    subject = next((s for s in subjects if s.role == EntrySubject.Role.SUBJECT), None)
    return Person.objects.filter(pk=subject.person_id).first() if subject else None


def entry_correct(
    *,
    actor: Any,
    entry: ChronologyEntry,
    reason: str,
    fields: EntryFields,
    person: Person | None = None,
) -> ChronologyEntry:
    """Correct an entry by adding a new version; the old version stays, closed.

    Only the agency that recorded an entry by hand may correct it (it holds the record); an
    imported entry is corrected by its source feed, or the next import would undo the fix. The
    reason is required and kept with the new version, for the entry's history."""
    scope = access.require(actor, Capability.RECORD_ENTRIES)
    with transaction.atomic():
        old, subjects, visible = _lock_for_change(actor, entry, person)
        refusal = correction_refusal(old, scope)
        if refusal is not None:
            raise refusal
        now = clock.now()
        errors = validate_entry_fields(
            fields, now=now, born=birth_date_of(_story_person(person, subjects))
        )
        reason = _check_reason(reason, errors, missing="Enter why you are correcting this entry")
        values = _entry_values(fields)
        changed = _changed(old, values)
        if not errors and not changed:
            errors["summary"] = "Change at least one detail of the entry, or cancel the correction"
        if errors:
            raise ValidationFailed("Check the correction", errors=errors)
        new = _add_version(
            actor=actor, old=old, subjects=subjects, values=values, reason=reason, now=now
        )
        audit.record(
            actor,
            AuditAction.ENTRY_CORRECTED,
            object_type="chronology_entry",
            object_id=new.pk,
            person_id=person.pk if person is not None else visible[0].person_id,
            detail={
                "lineage": new.lineage,
                "version": new.version,
                "replaces": old.pk,
                "changed": changed,
            },
        )
        _announce(new.pk, [s.person_id for s in subjects], cause=StoryCause.CORRECTED)
    return new


# Everything an entry says, copied unchanged into the version that withdraws it.
_CONTENT_FIELDS = (
    "type",
    "occurred_at",
    "precision",
    "has_time",
    "ended_at",
    "summary",
    "detail",
    "grade",
    "sensitivity",
    "intelligence_grade",
    "is_significant",
    "location_postcode",
    "location_label",
)


def entry_mark_entered_in_error(
    *, actor: Any, entry: ChronologyEntry, reason: str, person: Person | None = None
) -> ChronologyEntry:
    """Withdraw an entry recorded by mistake (the wrong child, a duplicate), with the reason.

    Nothing is deleted: a new version, the same content marked `entered_in_error`, replaces the
    current one, so the story "as known on" an earlier date still shows the entry as it was, and
    its history says who withdrew it, when and why. The story shows it struck through with the
    reason. Who may: whoever may correct it (the agency that recorded it by hand); an imported
    entry is withdrawn by its source feed."""
    scope = access.require(actor, Capability.RECORD_ENTRIES)
    with transaction.atomic():
        old, subjects, visible = _lock_for_change(actor, entry, person)
        refusal = correction_refusal(old, scope, action="mark this entry as entered in error")
        if refusal is not None:
            raise refusal
        errors: dict[str, str] = {}
        reason = _check_reason(reason, errors, missing="Enter why this entry was entered in error")
        if errors:
            raise ValidationFailed("Check the reason", errors=errors)
        values = {name: getattr(old, name) for name in _CONTENT_FIELDS}
        values["entered_in_error"] = True
        new = _add_version(
            actor=actor, old=old, subjects=subjects, values=values, reason=reason, now=clock.now()
        )
        audit.record(
            actor,
            AuditAction.ENTRY_MARKED_IN_ERROR,
            object_type="chronology_entry",
            object_id=new.pk,
            person_id=person.pk if person is not None else visible[0].person_id,
            detail={"lineage": new.lineage, "version": new.version, "replaces": old.pk},
        )
        _announce(new.pk, [s.person_id for s in subjects], cause=StoryCause.CORRECTED)
    return new
