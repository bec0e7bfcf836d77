"""The escalations app's block on the child's page: the disagreements about the child (open
first) and the way to raise one. Registered in EscalationsConfig.ready()."""

from __future__ import annotations

from typing import Any

from sightline.core.extensions import Panel
from sightline.escalations.presenters import present_escalation
from sightline.escalations.selectors import escalations_for_child
from sightline.governance import access
from sightline.governance.policy import Capability


def disagreements_panel(viewer: Any, person: Any) -> Panel | None:
    rows = [present_escalation(e) for e in escalations_for_child(viewer=viewer, person=person)]
    can_raise = access.scope_for(viewer).can(Capability.RECORD_ENTRIES)
    if not rows and not can_raise:
        return None
    return Panel(
        template="escalations/_panel.html",
        context={
            "open": [r for r in rows if r.status == "open"],
            "closed": [r for r in rows if r.status != "open"],
            "can_raise": can_raise,
        },
    )
