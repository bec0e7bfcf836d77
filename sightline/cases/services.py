"""The cases app owns involvements: which agency, team and practitioner is working with a
person, since when. They drive "who else knows this child" and push access grants: each
involvement gives one grant (governance.access.InvolvementGrant), from the day it starts to the
day it ends, which follows the involvement when it is re-sent (ended, re-opened, moved).

Involvements arrive from agency feeds (`involvement` lines, through the ingest pipeline:
cases.ingest) and are written here in the import's transaction, audited by the import's own
event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.text import slugify

from sightline.agencies.models import Team
from sightline.cases.models import Involvement
from sightline.core.fastinsert import Adapter, FastTable
from sightline.governance import access, audit
from sightline.governance.audit import AuditAction

_IN_BATCH = 2000
COLUMNS = [
    "person_id",
    "agency_id",
    "team_id",
    "practitioner_name",
    "practitioner_role",
    "practitioner_email",
    "practitioner_phone",
    "is_lead",
    "started_on",
    "ended_on",
    "source_record_id",
]


@dataclass(slots=True)
class InvolvementValue:
    source_record_id: int
    previous_record_id: int | None  # the record version this one replaces
    person_id: int
    agency_id: int
    team_name: str
    practitioner_name: str
    practitioner_role: str
    practitioner_email: str
    practitioner_phone: str
    is_lead: bool
    started_on: dt.date
    ended_on: dt.date | None


def involvements_import(
    *,
    actor: Any,
    items: Sequence[InvolvementValue],
    team_scoped: bool,
    adapter: Adapter,
) -> None:
    """Write involvements from a feed: teams are found by name within their agency (created on
    first mention); a changed record updates the involvement its earlier version created. Each
    involvement grants access to the person while it lasts: to its team when the feed is
    team-scoped, else to its agency; a changed involvement changes its grant."""
    if actor is None:
        raise ValueError("involvements_import needs an actor")
    if not items:
        return
    teams = _teams({(i.agency_id, i.team_name) for i in items if i.team_name})
    rows = [
        (
            i.person_id,
            i.agency_id,
            teams.get((i.agency_id, i.team_name.casefold())) if i.team_name else None,
            i,
        )
        for i in items
    ]
    new = [r for r in rows if r[3].previous_record_id is None]
    changed = {r[3].previous_record_id: r for r in rows if r[3].previous_record_id is not None}
    updated: list[access.InvolvementGrant] = []
    previous_people: set[int] = set()
    if changed:
        existing = list(Involvement.objects.filter(source_record_id__in=list(changed)))
        for inv in existing:
            _, agency_id, team_id, item = changed.pop(inv.source_record_id)  # type: ignore[arg-type]
            previous_people.add(inv.person_id)
            inv.person_id = item.person_id
            inv.agency_id = agency_id
            inv.team_id = team_id
            inv.practitioner_name = item.practitioner_name
            inv.practitioner_role = item.practitioner_role
            inv.practitioner_email = item.practitioner_email
            inv.practitioner_phone = item.practitioner_phone
            inv.is_lead = item.is_lead
            inv.started_on = item.started_on
            inv.ended_on = item.ended_on
            inv.source_record_id = item.source_record_id
            updated.append(_grant(inv.pk, item.person_id, agency_id, team_id, item, team_scoped))
        Involvement.objects.bulk_update(existing, [c.removesuffix("_id") for c in COLUMNS])
        new += list(changed.values())  # an earlier version without an involvement row
    created: list[access.InvolvementGrant] = []
    if new:
        table = FastTable(Involvement, COLUMNS)
        ids = table.allocate(len(new))
        date = adapter.date
        table.insert(
            [
                (
                    pk,
                    person_id,
                    agency_id,
                    team_id,
                    i.practitioner_name,
                    i.practitioner_role,
                    i.practitioner_email,
                    i.practitioner_phone,
                    i.is_lead,
                    date(i.started_on),
                    date(i.ended_on),
                    i.source_record_id,
                )
                for pk, (person_id, agency_id, team_id, i) in zip(ids, new, strict=True)
            ]
        )
        created = [
            _grant(pk, person_id, agency_id, team_id, i, team_scoped)
            for pk, (person_id, agency_id, team_id, i) in zip(ids, new, strict=True)
        ]
    access.involvement_grants_write(created, new=True, adapter=adapter)
    access.involvement_grants_write(
        updated, new=False, previous_people=previous_people, adapter=adapter
    )


def involvement_start(
    *,
    actor: Any,
    person_id: int,
    agency_id: int,
    team_id: int | None,
    started_on: dt.date,
    practitioner: Any = None,
    why: str = "",
) -> tuple[Involvement, bool]:
    """An agency starts working with a child in Sightline (a referral allocated to one of its
    workers): its current involvement with the child, if it has one, else a new one from
    `started_on`, with the grant it gives to the agency (as a feed's involvement would).
    Returns (the involvement, whether it was created). The caller's transaction; audited."""
    current = (
        Involvement.objects.filter(person_id=person_id, agency_id=agency_id)
        .filter(models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=started_on))
        .filter(models.Q(started_on__isnull=True) | models.Q(started_on__lte=started_on))
        .order_by("team_id" if team_id is None else "-id")
    )
    found = next((i for i in current if i.team_id == team_id), None) or current.first()
    if found is not None:
        return found, False
    involvement = Involvement.objects.create(
        person_id=person_id,
        agency_id=agency_id,
        team_id=team_id,
        practitioner_name=(getattr(practitioner, "display_name", "") or "")[:200],
        practitioner_email=(getattr(practitioner, "email", "") or "")[:254],
        practitioner_role=_job_title(practitioner),
        started_on=started_on,
    )
    access.involvement_grants_write(
        [
            access.InvolvementGrant(
                key=involvement.pk,
                person_id=person_id,
                agency_id=agency_id,
                team_id=None,
                starts_on=started_on,
                ends_on=None,
            )
        ],
        new=True,
    )
    audit.record(
        actor,
        AuditAction.INVOLVEMENT_STARTED,
        object_type="involvement",
        object_id=involvement.pk,
        person_id=person_id,
        detail={"agency": agency_id, "team": team_id, "since": started_on.isoformat(), "why": why},
    )
    return involvement, True


def _job_title(user: Any) -> str:
    return str(getattr(user, "job_title", "") or "")[:200]


def _grant(
    involvement_id: int,
    person_id: int,
    agency_id: int,
    team_id: int | None,
    item: InvolvementValue,
    team_scoped: bool,
) -> access.InvolvementGrant:
    """The grant an involvement gives: to its team when the feed is team-scoped, else to its
    agency as a whole, for as long as the involvement lasts."""
    return access.InvolvementGrant(
        key=involvement_id,
        person_id=person_id,
        agency_id=agency_id,
        team_id=team_id if team_scoped else None,
        starts_on=item.started_on,
        ends_on=item.ended_on,
    )


def _teams(wanted: set[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """(agency id, team name folded) -> team id, creating the teams not yet known."""
    found: dict[tuple[int, str], int] = {}
    agencies = {agency_id for agency_id, _ in wanted}
    codes: dict[int, set[str]] = {}
    for team_id, agency_id, name, code in Team.objects.filter(agency_id__in=agencies).values_list(
        "id", "agency_id", "name", "code"
    ):
        found.setdefault((agency_id, name.casefold()), team_id)
        codes.setdefault(agency_id, set()).add(code)
    for agency_id, name in sorted(wanted):
        key = (agency_id, name.casefold())
        if key in found:
            continue
        taken = codes.setdefault(agency_id, set())
        base = slugify(name)[:70] or "team"
        code, n = base, 1
        while code in taken:
            n += 1
            code = f"{base}-{n}"
        taken.add(code)
        found[key] = Team.objects.create(agency_id=agency_id, code=code, name=name).pk
    return found
