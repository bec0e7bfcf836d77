"""Raising a disagreement in tests, and what the tests look at afterwards."""

from __future__ import annotations

from typing import Any

from sightline.accounts.models import Notification
from sightline.chronology.models import ChronologyEntry, EntrySubject
from sightline.escalations.models import Escalation
from sightline.escalations.services import RaiseFields, escalation_raise


def raise_one(world: Any, *, by: str = "dsl", about: str = "csc", **fields: Any) -> Escalation:
    values = {
        "subject_kind": "other",
        "subject_id": None,
        "subject_label": "Referral to the front door: no further action",
        "about_agency_id": world.agencies[about].pk,
        "disagreement": "Riley disclosed that an older man collects him after school.",
        "outcome_sought": "Accept the referral for assessment.",
        **fields,
    }
    return escalation_raise(actor=world.users[by], person=world.child, fields=RaiseFields(**values))


def told(user: Any) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user).order_by("id").values_list("subject", flat=True)
    )


def story_of(person: Any, type: str = "professional_disagreement") -> list[ChronologyEntry]:
    ids = EntrySubject.objects.filter(person=person).values_list("entry_id", flat=True)
    return list(ChronologyEntry.objects.filter(pk__in=ids, type=type).order_by("id"))
