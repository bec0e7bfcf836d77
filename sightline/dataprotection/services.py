"""Writes for subject access requests (dataprotection.subject_access builds the pack): open a
request, export its pack, sign it off. Atomic and audited; only a person holding
`handle_subject_access` may do any of them."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.db import transaction

from sightline.core import clock
from sightline.core.actors import actor_name, actor_user
from sightline.core.errors import NotFound
from sightline.dataprotection import subject_access
from sightline.governance import access, audit
from sightline.governance.audit import AuditAction
from sightline.governance.models import SubjectAccessRequest
from sightline.governance.policy import Capability
from sightline.people.models import Person

SAR = SubjectAccessRequest
_MAX_MERGE_HOPS = 10


class SubjectAccessError(ValueError):
    """A request that cannot be made or moved on: the message says why, for the page or CLI."""


def one_calendar_month(received: dt.date) -> dt.date:
    """The statutory deadline (UK GDPR Article 12(3)): the same day of the next month, or that
    month's last day when it has no such day (the ICO's reading)."""
    year, month = (
        (received.year + 1, 1) if received.month == 12 else (received.year, received.month + 1)
    )
    return dt.date(year, month, min(received.day, calendar.monthrange(year, month)[1]))


def person_by_reference(reference: str) -> Person:
    """The person a Sightline reference names, following merges to the survivor."""
    person = Person.objects.filter(reference=reference.strip()).first()
    hops = 0
    while person is not None and person.merged_into_id is not None and hops < _MAX_MERGE_HOPS:
        person = Person.objects.filter(pk=person.merged_into_id).first()
        hops += 1
    if person is None or person.merged_into_id is not None:
        raise NotFound("No person with that Sightline reference.")
    return person


def _officer(actor: Any) -> None:
    access.require(actor, Capability.HANDLE_SUBJECT_ACCESS)


def subject_access_open(
    *,
    actor: Any,
    person_reference: str,
    reference: str,
    requested_on: dt.date,
    received_on: dt.date,
) -> SubjectAccessRequest:
    _officer(actor)
    reference = " ".join(reference.split())
    if not reference:
        raise SubjectAccessError("Enter the request's reference")
    if received_on < requested_on:
        raise SubjectAccessError(
            "The date received must be the same as or after the date requested"
        )
    if received_on > clock.today():
        raise SubjectAccessError("The date received must be today or in the past")
    person = person_by_reference(person_reference)
    with transaction.atomic():
        if SAR.objects.filter(reference=reference).exists():
            raise SubjectAccessError("A request with that reference already exists")
        sar = SAR.objects.create(
            person=person,
            reference=reference,
            requested_on=requested_on,
            received_on=received_on,
            due_on=one_calendar_month(received_on),
            opened_by=actor_user(actor),
            opened_at=clock.now(),
        )
        audit.record(
            actor,
            AuditAction.SUBJECT_ACCESS_OPENED,
            object_type="subject_access_request",
            object_id=sar.pk,
            person_id=person.pk,
            purpose=f"subject access request {reference}",
            detail={"reference": reference, "due_on": sar.due_on.isoformat()},
        )
    return sar


def subject_access_export(*, actor: Any, sar: SubjectAccessRequest) -> subject_access.Pack:
    """Build the pack in a system scope opened for this request, keep its three files with the
    request, and record what was withheld (counts and rules; never content)."""
    _officer(actor)
    with transaction.atomic():
        sar = SAR.objects.select_for_update().get(pk=sar.pk)
        if sar.status == SAR.Status.SIGNED_OFF:
            raise SubjectAccessError("This request has been signed off: its pack cannot change")
        purpose = f"subject access request {sar.reference}"
        scope = access.system_scope(
            actor=subject_access.READER,
            purpose=purpose,
            detail={"request": sar.pk, "by": actor_name(actor)},
        )
        now = clock.now()
        pack = subject_access.pack_build(scope=scope, person=sar.person, reference=sar.reference)
        files = subject_access.files_build(pack, produced_at=now, produced_by=actor_name(actor))
        sar.pack_pdf, sar.pack_json, sar.withheld_log = files.pdf, files.json, files.withheld_log
        sar.digests = files.digests()
        sar.status = SAR.Status.EXPORTED
        sar.exported_at, sar.exported_by = now, actor_user(actor)
        sar.save()
        counts: dict[str, int] = {}
        for line in pack.log:
            key = f"{line.action}:{line.rule}"
            counts[key] = counts.get(key, 0) + 1
        audit.record(
            actor,
            AuditAction.SUBJECT_ACCESS_EXPORTED,
            object_type="subject_access_request",
            object_id=sar.pk,
            person_id=sar.person_id,
            purpose=purpose,
            detail={
                "entries": len(pack.entries),
                "involvements": len(pack.involvements),
                "referrals": len(pack.referrals),
                "log": counts,
                "digests": sar.digests,
                "system_scope": scope.audit_event_id,
            },
        )
    return pack


def subject_access_sign_off(*, actor: Any, sar: SubjectAccessRequest) -> SubjectAccessRequest:
    _officer(actor)
    with transaction.atomic():
        sar = SAR.objects.select_for_update().get(pk=sar.pk)
        if sar.status != SAR.Status.EXPORTED:
            raise SubjectAccessError(
                "Export the pack before signing it off"
                if sar.status == SAR.Status.IN_PROGRESS
                else "This request has already been signed off"
            )
        sar.status = SAR.Status.SIGNED_OFF
        sar.signed_off_at, sar.signed_off_by = clock.now(), actor_user(actor)
        sar.save(update_fields=["status", "signed_off_at", "signed_off_by"])
        audit.record(
            actor,
            AuditAction.SUBJECT_ACCESS_SIGNED_OFF,
            object_type="subject_access_request",
            object_id=sar.pk,
            person_id=sar.person_id,
            purpose=f"subject access request {sar.reference}",
            detail={"digests": sar.digests},
        )
    return sar
