"""Sharing decisions: every decision to share or not to share information about a child, with
what, with whom, why and the lawful basis (or the reason for not sharing), recorded whether or
not anything was shared (the DfE information-sharing advice). docs/information-governance.md.

A decision to share one entry with one agency is also the only way an entry with handling code
C (police intelligence whose conditions restrict onward sharing) is read outside the agency that
recorded it: `shared_lineages_for` gives the chronology selectors the entries shared with the
viewer's agency.

Who sees a decision on a child's page: the agency that made it; the agency it was shared with,
when it was shared (a decision not to share with an agency is not shown to that agency: the
reason is often an investigation it must not learn of); and the partnership-wide roles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from sightline.agencies.models import Agency
from sightline.core import clock
from sightline.core.actors import actor_user
from sightline.core.errors import AccessDenied, ValidationFailed
from sightline.core.text import CONTROL, CONTROL_MULTILINE
from sightline.governance import access, audit
from sightline.governance.audit import AuditAction
from sightline.governance.models import SharingDecision
from sightline.governance.policy import Capability
from sightline.governance.vocabulary import sharing_vocabulary

WHAT_MAX = 2000
TEXT_MAX = 4000


def lawful_bases() -> dict[str, dict[str, str]]:
    return sharing_vocabulary()["lawful_bases"]


def reasons_not_shared() -> dict[str, dict[str, str]]:
    return sharing_vocabulary()["reasons_not_shared"]


@dataclass(frozen=True)
class SharingFields:
    """What a person records of a decision, as typed (checked by `sharing_decision_record`)."""

    outcome: str
    what: str = ""
    recipient_agency_id: int | None = None
    recipient_other: str = ""
    purpose: str = ""
    lawful_basis: str = ""
    reason_not_shared: str = ""
    reason_text: str = ""


@dataclass(frozen=True)
class SharedEntry:
    """The entry a decision is about, as the caller found it through the chronology selectors
    (so the actor may read it): its lineage and the agency that recorded it."""

    lineage: int
    agency_id: int
    summary: str


def _errors(fields: SharingFields, entry: SharedEntry | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if fields.outcome not in SharingDecision.Outcome.values:
        errors["outcome"] = "Select whether the information was shared"
    if entry is None and not fields.what.strip():
        errors["what"] = "Enter what information the decision is about"
    elif len(fields.what) > WHAT_MAX:
        errors["what"] = f"What was shared must be {WHAT_MAX:,} characters or fewer"
    has_agency = fields.recipient_agency_id is not None
    other = fields.recipient_other.strip()
    if not has_agency and not other:
        errors["recipient_agency"] = "Select the agency, or name who else it is about sharing with"
    elif has_agency and other:
        errors["recipient_other"] = "Select an agency or name someone else, not both"
    elif len(other) > 200:
        errors["recipient_other"] = "The recipient's name must be 200 characters or fewer"
    elif fields.recipient_agency_id is not None and (
        not 0 < fields.recipient_agency_id < 2**63
        or not Agency.objects.filter(pk=fields.recipient_agency_id).exists()
    ):
        errors["recipient_agency"] = "Select an agency from the list"
    for name in ("purpose", "reason_text"):
        if len(getattr(fields, name)) > TEXT_MAX:
            errors[name] = f"This must be {TEXT_MAX:,} characters or fewer"
    # PostgreSQL refuses a NUL in text, and no control character belongs in a decision.
    for name, pattern in (
        ("what", CONTROL_MULTILINE),
        ("recipient_other", CONTROL),
        ("purpose", CONTROL_MULTILINE),
        ("reason_text", CONTROL_MULTILINE),
    ):
        if name not in errors and pattern.search(getattr(fields, name)):
            errors[name] = "This must not contain control characters"
    if fields.outcome == SharingDecision.Outcome.SHARED:
        if not fields.purpose.strip():
            errors.setdefault("purpose", "Enter why the information was shared")
        if fields.lawful_basis not in lawful_bases():
            errors["lawful_basis"] = "Select the lawful basis for sharing"
        if fields.reason_not_shared:
            errors["reason_not_shared"] = "A decision to share gives no reason for not sharing"
    elif fields.outcome == SharingDecision.Outcome.NOT_SHARED:
        if fields.reason_not_shared not in reasons_not_shared():
            errors["reason_not_shared"] = "Select the reason for not sharing"
        elif not fields.reason_text.strip():
            errors.setdefault("reason_text", "Explain the decision not to share")
        if fields.lawful_basis:
            errors["lawful_basis"] = "A decision not to share has no lawful basis for sharing"
    return errors


def sharing_decision_record(
    *,
    actor: Any,
    person_id: int,
    fields: SharingFields,
    entry: SharedEntry | None = None,
) -> SharingDecision:
    """Record a decision to share or not to share. The actor must be able to see the child and
    record entries; a decision about one entry is the recording agency's to make (a `C` code
    never leaves the police agency but by its own recorded decision). Audited."""
    scope = access.require(actor, Capability.RECORD_ENTRIES)
    access.require_person(actor, person_id)
    if entry is not None and entry.agency_id != scope.agency_id:
        raise AccessDenied(
            "Only the agency that recorded this entry can decide to share it. "
            "Ask them: their contact details are on the entry."
        )
    errors = _errors(fields, entry)
    if errors:
        raise ValidationFailed("There is a problem with the sharing decision", errors=errors)
    assert scope.agency_id is not None  # RECORD_ENTRIES is held only by an agency's members
    with transaction.atomic():
        decision = SharingDecision.objects.create(
            person_id=person_id,
            entry_lineage=entry.lineage if entry else None,
            what=fields.what.strip() or (entry.summary if entry else ""),
            recipient_agency_id=fields.recipient_agency_id,
            recipient_other=fields.recipient_other.strip(),
            outcome=fields.outcome,
            purpose=fields.purpose.strip(),
            lawful_basis=fields.lawful_basis,
            reason_not_shared=fields.reason_not_shared,
            reason_text=fields.reason_text.strip(),
            decided_by=actor_user(actor),
            decided_by_agency_id=scope.agency_id,
            decided_at=clock.now(),
        )
        audit.record(
            actor,
            AuditAction.SHARING_DECIDED,
            object_type="sharing_decision",
            object_id=decision.pk,
            person_id=person_id,
            purpose="record a sharing decision",
            detail={
                "outcome": decision.outcome,
                "entry_lineage": decision.entry_lineage,
                "recipient_agency_id": decision.recipient_agency_id,
                "lawful_basis": decision.lawful_basis,
                "reason_not_shared": decision.reason_not_shared,
            },
        )
    return decision


def _visible_q(scope: access.Scope) -> Q:
    if scope.can(Capability.VIEW_ALL_CHILDREN):
        return Q()
    if scope.agency_id is None:
        return Q(pk__in=[])
    return Q(decided_by_agency_id=scope.agency_id) | Q(
        recipient_agency_id=scope.agency_id, outcome=SharingDecision.Outcome.SHARED
    )


def sharing_decisions_for(*, viewer: Any, person_id: int) -> list[SharingDecision]:
    """The sharing decisions about a child that the viewer may see, newest first. Empty for a
    viewer who may not see the child (one query, the access check included)."""
    scope = access.scope_for(viewer)
    rows = access.restrict_people(
        viewer, SharingDecision.objects.filter(person_id=person_id), field="person_id"
    )
    return list(
        rows.filter(_visible_q(scope)).select_related(
            "recipient_agency", "decided_by_agency", "decided_by"
        )
    )


def shared_lineages_query(scope: access.Scope, person_id: int) -> QuerySet[Any]:
    """The entries (lineages) about this person shared with the viewer's agency by a recorded
    decision, as a query (a subquery of the story's): what lets a handling code C entry be read
    outside the police."""
    return SharingDecision.objects.filter(
        person_id=person_id,
        recipient_agency_id=scope.agency_id if scope.agency_id is not None else -1,
        outcome=SharingDecision.Outcome.SHARED,
        entry_lineage__isnull=False,
    ).values("entry_lineage")


def shared_lineages_for(scope: access.Scope, person_id: int) -> frozenset[int]:
    if scope.agency_id is None:
        return frozenset()
    return frozenset(row["entry_lineage"] for row in shared_lineages_query(scope, person_id))
