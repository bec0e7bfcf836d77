"""The referrals block on the child's page: the child's referrals the viewer may open (status,
decision, whom it is allocated to, the next deadline) and "Make a referral". Registered in
ReferralsConfig.ready() (referrals.wiring)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from sightline.core import clock
from sightline.core.extensions import Panel
from sightline.governance import access
from sightline.governance.policy import Capability
from sightline.referrals.presenters import present_row
from sightline.referrals.selectors import referrals_of_child_for


def referrals_panel(viewer: Any, person: Any) -> Panel | None:
    scope = access.scope_for(viewer)
    can_make = scope.can(Capability.MAKE_REFERRALS)
    now = clock.now()
    rows = [
        present_row(r, url=reverse("referrals:detail", args=[r.pk]), now=now)
        for r in referrals_of_child_for(viewer=viewer, person_id=person.pk)
    ]
    if not rows and not can_make:
        return None
    return Panel(
        template="referrals/_child_panel.html",
        context={
            "rows": rows,
            "can_make": can_make,
            "make_url": reverse("referrals:new", args=[person.reference]),
        },
    )
