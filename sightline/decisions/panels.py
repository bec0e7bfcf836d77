"""The decisions app's block on the child's page: step up and step down requests and how to
ask for one. Registered in DecisionsConfig.ready()."""

from __future__ import annotations

from typing import Any

from sightline.core.extensions import Panel
from sightline.decisions.presenters import present_request
from sightline.decisions.selectors import step_requests_for_child
from sightline.governance import access
from sightline.governance.policy import Capability


def steps_panel(viewer: Any, person: Any) -> Panel | None:
    rows = [present_request(r) for r in step_requests_for_child(viewer=viewer, person=person)]
    can_ask = access.scope_for(viewer).can(Capability.RECORD_ENTRIES)
    if not rows and not can_ask:
        return None
    return Panel(template="decisions/_panel.html", context={"rows": rows[:10], "can_ask": can_ask})
