"""The identity app's blocks on the child's page: how the child's records were linked, each in a
sentence ("linked on NHS number"; "linked by name, date of birth and postcode (weight 14.2),
confirmed by J. Smith on 3 March 2026"), and a warning while a possible match for the child
waits for review. Registered in IdentityConfig.ready()."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from sightline.core.extensions import Panel
from sightline.governance import access
from sightline.governance.policy import Capability
from sightline.identity.models import CandidateLink
from sightline.identity.presenters import link_sentence
from sightline.identity.selectors import links_for, pending_matches_for


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


def pending_match_panel(viewer: Any, person: Any) -> Panel | None:
    """A warning on the child's page while a possible match waits for a decision: practitioners
    may be reading only part of the child's story. Nothing of the other record is shown to a
    viewer who may not see that person; reviewers get the pair."""
    found = pending_matches_for(viewer=viewer, person=person)
    if not found:
        return None
    reviewer = access.scope_for(viewer).can(Capability.REVIEW_IDENTITY)
    waiting = [m for m in found if m.candidate.status == CandidateLink.Status.PENDING]
    if waiting:
        n = len(waiting)
        text = (
            "A possible match for this child is waiting for review by the data officer"
            if n == 1
            else f"{n} possible matches for this child are waiting for review by the data officer"
        )
    else:
        text = (
            "A possible match for this child is waiting: the data officer has asked the source "
            "agency to check it"
        )
    items = [
        {
            "other": (
                {
                    "name": m.other.full_name,
                    "reference": m.other.reference,
                    "href": reverse("chronology:child", args=[m.other.reference]),
                }
                if m.other_visible
                else None
            ),
            "pair_url": reverse("identity:pair", args=[m.candidate.pk]) if reviewer else "",
            "asked": m.candidate.status == CandidateLink.Status.ASK_SOURCE,
        }
        for m in found
    ]
    return Panel(
        template="identity/_pending_match_panel.html",
        context={"text": text, "items": [i for i in items if i["other"] or i["pair_url"]]},
    )
