"""The alerts app's block on the child's page, above the story: each open or acknowledged
alert with its title, severity, explanation (part by part, as the viewer may read it), the
prompt, the learning it comes from and links to its evidence. Registered in AlertsConfig."""

from __future__ import annotations

from typing import Any

from sightline.alerts import selectors
from sightline.alerts.models import Alert
from sightline.alerts.presenters import AlertView, Reader, contacts_for, present_alert
from sightline.cases.selectors import involvements_for
from sightline.chronology.selectors import Child
from sightline.core import clock
from sightline.core.extensions import Panel
from sightline.governance import access
from sightline.people.models import Person


def reader_for(viewer: Any, child: Child, alerts: list[Any]) -> Reader:
    evidence = selectors.evidence_rows_for(viewer=viewer, child=child, alerts=alerts)
    restricted = any(not row.readable for row in evidence.rows.values())
    # Whom to contact is needed only when something is withheld (a query saved otherwise).
    contacts = (
        contacts_for(involvements_for(viewer=viewer, person=child.person), clock.today())
        if restricted
        else {}
    )
    return Reader(child.person.reference, evidence.rows, contacts, evidence.references)


def present_for_child(viewer: Any, child: Child, alerts: list[Any]) -> list[AlertView]:
    if not alerts:
        return []
    reader = reader_for(viewer, child, alerts)
    return [present_alert(a, reader) for a in alerts]


def alerts_panel(viewer: Any, person: Person) -> Panel | None:
    """One query when the child has no alerts: the access check is part of it (the child's page
    has already let the viewer see the child; a provider checks again, as every read does, and a
    viewer who may not see the child finds no alerts)."""
    found = list(
        access.restrict_people(
            viewer,
            Alert.objects.filter(person_id=person.pk).exclude(status=Alert.Status.COMBINED),
            field="person_id",
        )
        .select_related("decided_by")
        .annotate(rank=selectors._severity_order())
        .order_by("rank", "raised_at", "id")
    )
    active = [a for a in found if a.is_active]
    child = Child(
        person=person, scope=access.scope_for(viewer), requested_reference=person.reference
    )
    return Panel(
        template="alerts/_panel.html",
        context={
            "alert_views": present_for_child(viewer, child, active),
            "alerts_reference": person.reference,
            "alerts_has_past": len(found) > len(active),
        },
    )
