"""Entries the system records when a clock completes a step that an agency began: a closure
taking effect when its objection window passes, a disagreement moving up a stage when its
deadline passes. Nobody typed them, so they have no author; they belong to the agency whose
step it was (its record, its contact details), and the audit row names the system actor.

People record entries through `services.entry_record`; only a system actor may use this."""

from __future__ import annotations

from django.db import transaction

from sightline.chronology.models import ChronologyEntry, EntrySubject
from sightline.chronology.services import (
    EntryFields,
    _announce,
    _entry_values,
    birth_date_of,
    validate_entry_fields,
)
from sightline.chronology.signals import StoryCause
from sightline.core import clock
from sightline.core.actors import SystemActor
from sightline.core.dates import LONDON, PartialDate, Precision
from sightline.core.errors import AccessDenied, ValidationFailed
from sightline.governance import audit
from sightline.governance.audit import AuditAction
from sightline.people.models import Person


def happened_now(type: str, summary: str, detail: str = "") -> EntryFields:
    """The fields of an entry about something that happened in Sightline just now (a
    disagreement raised, a closure proposed): dated to the minute, a fact."""
    now = clock.now().astimezone(LONDON).replace(second=0, microsecond=0)
    return EntryFields(
        type=type,
        occurred=PartialDate(now, Precision.DAY, True),
        summary=summary[:1000],
        detail=detail[:20000],
    )


def entry_record_by_system(
    *, actor: SystemActor, person: Person, agency_id: int, fields: EntryFields, why: str
) -> ChronologyEntry:
    """Record an entry in the child's story for `agency_id`, now, as the system (`why`: what
    completed, for the audit row). The same rules as an entry recorded by hand."""
    if not isinstance(actor, SystemActor):
        raise AccessDenied("Only the system records entries without an author.")
    now = clock.now()
    errors = validate_entry_fields(fields, now=now, born=birth_date_of(person))
    if errors:
        raise ValidationFailed("Check the entry", errors=errors)
    with transaction.atomic():
        entry = ChronologyEntry.objects.create(
            agency_id=agency_id, recorded_at=now, author=None, version=1, **_entry_values(fields)
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
            purpose=why[:200],
            detail={"type": entry.type, "lineage": entry.lineage, "version": 1},
        )
        _announce(entry.pk, [person.pk], cause=StoryCause.RECORDED)
    return entry
