"""The alerts app's block on the child's page, above the story: each open or acknowledged
alert with its title, severity, explanation (part by part, as the viewer may read it), the
prompt, the learning it comes from and links to its evidence. Registered in AlertsConfig."""

from __future__ import annotations

from typing import Any

from sightline.alerts import selectors
from sightline.alerts.presenters import AlertView, Reader, contacts_for, present_alert
from sightline.cases.selectors import involvements_for
from sightline.chronology.selectors import Child
from sightline.core import clock
from sightline.core.extensions import Panel
from sightline.governance import access
from sightline.people.models import Person


def reader_for(viewer: Any, child: Child, alerts: list[Any]) -> Reader:
    evidence = selectors.evidence_rows_for(viewer=viewer, child=child, alerts=alerts)
    contacts = contacts_for(involvements_for(viewer=viewer, person=child.person), clock.today())
    return Reader(child.person.reference, evidence.rows, contacts, evidence.references)


def present_for_child(viewer: Any, child: Child, alerts: list[Any]) -> list[AlertView]:
    reader = reader_for(viewer, child, alerts)
    return [present_alert(a, reader) for a in alerts]


def alerts_panel(viewer: Any, person: Person) -> Panel | None:
    # The child's page has already let the viewer see the child (chronology.child_get_for).
    if not access.can_view_person(viewer, person.pk):
        return None
    child = Child(person=person, scope=access.scope_for(viewer), requested_reference=person.reference)
    alerts = selectors.alerts_for_child(viewer=viewer, child=child)
    has_past = (
        not alerts
        and selectors.Alert.objects.filter(person_id=person.pk)
        .exclude(status__in=[*selectors.ACTIVE, selectors.Alert.Status.COMBINED])
        .exists()
    )
    return Panel(
        template="alerts/_panel.html",
        context={
            "alert_views": present_for_child(viewer, child, alerts),
            "alerts_reference": person.reference,
            "alerts_has_past": has_past,
        },
    )
