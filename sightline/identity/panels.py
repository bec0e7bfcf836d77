"""The identity app's block on the child's page: how the child's records were linked, each in a
sentence ("linked on NHS number"; "linked by name, date of birth and postcode (weight 14.2),
confirmed by J. Smith on 3 March 2026"). Registered in IdentityConfig.ready()."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from sightline.core.extensions import Panel
from sightline.governance import access
from sightline.governance.policy import Capability
from sightline.identity.presenters import link_sentence
from sightline.identity.selectors import links_for


def links_panel(viewer: Any, person: Any) -> Panel | None:
    found = links_for(viewer=viewer, person=person)
    if not found:
        return None
    scope = access.scope_for(viewer)
    items = [
        {
            "agency": rl.record.source_system.agency.name,
            # A record's key is its agency's reference: shown as the identifier policy says.
            "source_id": rl.record.source_id
            if access.identifier_visible(
                scope, scheme="local_id", issuer_kind=rl.record.source_system.agency.kind
            )
            else "",
            "sentence": link_sentence(rl.link),
        }
        for rl in found
    ]
    agencies = sorted({i["agency"] for i in items})
    n = len(items)
    summary = (
        f"Sightline holds {n} {'record' if n == 1 else 'records'} of this child from "
        f"{len(agencies)} {'agency' if len(agencies) == 1 else 'agencies'}."
    )
    reviewer = scope.can(Capability.REVIEW_IDENTITY)
    return Panel(
        template="identity/_links_panel.html",
        context={
            "items": items,
            "summary": summary,
            "identity_url": reverse("identity:person", args=[person.reference]) if reviewer else "",
        },
    )
