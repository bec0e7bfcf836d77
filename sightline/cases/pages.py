"""What the workflow pages about one child share (closures here; step decisions and
disagreements above): the child's identity bar, the GOV.UK error summary from a service's
field errors, and the audit of a page that shows a child's record."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.http import HttpRequest

from sightline.chronology import selectors
from sightline.chronology.presenters import IdentityView, present_identity
from sightline.core import clock
from sightline.governance import audit
from sightline.governance.audit import AuditAction
from sightline.people.models import Person


def identity_for(request: HttpRequest, child: selectors.Child) -> IdentityView:
    """The child's identity bar, as the child's page shows it to this viewer."""
    found = selectors.child_identity_for(viewer=request.user, child=child)
    return present_identity(
        found.person,
        identifiers=found.identifiers,
        address=found.address,
        other_names=found.other_names,
        today=clock.today(),
        recorded=found.recorded,
        issuer_names=selectors.identifier_issuers_for(viewer=request.user, child=child),
    )


def child_of(request: HttpRequest, person: Person) -> selectors.Child:
    """The child a record is about, checked for this viewer (NotFound, and audited, if they
    may not see them)."""
    return selectors.child_get_for(viewer=request.user, reference=person.reference)


def error_list(
    errors: Mapping[str, str], order: Sequence[str], anchors: Mapping[str, str] | None = None
) -> list[dict[str, str]]:
    """GOV.UK error summary items, in the order the fields appear on the page, each linking
    to its field (`anchors` maps a field to another element's id)."""
    anchors = anchors or {}
    ranked = sorted(
        errors.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)
    )
    return [{"text": text, "href": f"#{anchors.get(name, name)}"} for name, text in ranked]


def audit_page(
    request: HttpRequest,
    action: AuditAction,
    *,
    object_type: str,
    object_id: int | str,
    person: Person,
    **detail: Any,
) -> None:
    """A page showing a workflow record about a child (and its identity bar) is a read."""
    audit.record(
        request.user,
        action,
        object_type=object_type,
        object_id=object_id,
        person_id=person.pk,
        detail={"method": request.method, **detail},
    )
