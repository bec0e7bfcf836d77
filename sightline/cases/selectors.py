"""Reads of involvements (who is working with a child), always for one viewer."""

from __future__ import annotations

from typing import Any

from sightline.cases.models import Involvement
from sightline.governance import access
from sightline.people.models import Person


def involvements_for(*, viewer: Any, person: Person) -> list[Involvement]:
    """Every involvement with this person, current and ended: lead practitioners first, then by
    agency. Empty for a viewer who may not see the person (one query, the access check included)."""
    rows = access.restrict_people(
        viewer, Involvement.objects.filter(person_id=person.pk), field="person_id"
    ).select_related("agency", "team")
    return sorted(
        rows,
        key=lambda i: (
            i.ended_on is not None,
            not i.is_lead,
            i.agency.name,
            i.team.name if i.team else "",
            i.practitioner_name,
        ),
    )
