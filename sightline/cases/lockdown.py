"""The lock-down view and break-glass for a child outside the viewer's relationships
(docs/access.md, The lock-down view; docs/adr/0022-break-glass.md).

"The way to the right person, never the content": a practitioner with `view_lockdown` who finds
a child their agency and team do not work with sees that the child is known, which agencies
work with or hold records on them, and whom to contact there (the lead practitioner first, the
named practitioners, each agency's and team's own contact details). Nothing of the child's
record: no entries, no address, no identifiers, no date of birth. Every look is audited
(`lockdown_viewed`). Anyone else, and any reference that names nobody, gets "not found" exactly
as before (audited `access_refused`).

With `break_glass` they may then open the child for a reason from the list and their own words
(governance.breakglass); the child's lead practitioners and the information governance leads
are told (accounts' notifications)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from sightline.accounts.services import notification_send
from sightline.agencies.models import Agency, Membership, Role
from sightline.cases.models import Involvement
from sightline.core import clock
from sightline.core.dates import time_on_day_text
from sightline.core.errors import NotFound
from sightline.governance import access, audit, breakglass
from sightline.governance.audit import AuditAction
from sightline.governance.models import AccessGrant, BreakGlass
from sightline.governance.policy import Capability
from sightline.governance.vocabulary import break_glass_reasons
from sightline.people.models import Person

_MAX_MERGE_HOPS = 10
User = get_user_model()


@dataclass(frozen=True)
class Contact:
    """Someone to ask about the child: a named practitioner, or an agency's or team's own
    contact details when no one is named."""

    agency: str
    team: str
    name: str
    role: str
    email: str
    phone: str
    is_lead: bool


@dataclass(frozen=True)
class LockdownSummary:
    person: Person  # for the name and the reference in the URL only: nothing else is shown
    contacts: list[Contact]
    agencies: list[str]  # every agency working with or holding records on the child
    mash: list[Contact]  # the partnership's front door, which sees every child
    can_break_glass: bool


def person_by_reference(reference: str) -> Person | None:
    """The person a reference names, following merges to the survivor (None: nobody)."""
    person = Person.objects.filter(reference=reference[:40]).first()
    hops = 0
    while person is not None and person.merged_into_id is not None and hops < _MAX_MERGE_HOPS:
        person = Person.objects.filter(pk=person.merged_into_id).first()
        hops += 1
    return person if person is not None and person.merged_into_id is None else None


class AlreadyVisible(Exception):
    """The viewer may open the child's page: no lock-down view (the page is theirs to see)."""


def lockdown_person_for(*, viewer: Any, reference: str) -> Person:
    """The child a lock-down page is about. NotFound (audited, as every refused look is) for a
    role without `view_lockdown` or a reference that names nobody; AlreadyVisible when the
    viewer may already open the child."""
    person = person_by_reference(reference)
    if person is not None and access.can_view_person(viewer, person.pk):
        raise AlreadyVisible(person.reference)
    if person is None or not access.can_see_lockdown(viewer):
        access.require_person(
            viewer, person.pk if person else None, detail={"reference": reference[:40]}
        )
        raise NotFound(access.NOT_FOUND_MESSAGE)  # pragma: no cover - require_person raised
    return person


def _contacts(person: Person) -> tuple[list[Contact], list[str]]:
    today = clock.today()
    involvements = (
        Involvement.objects.filter(person_id=person.pk)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .filter(Q(started_on__isnull=True) | Q(started_on__lte=today))
        .select_related("agency", "team")
    )
    contacts = []
    for inv in involvements:
        named = bool(inv.practitioner_name)
        holder = inv.team if inv.team is not None else inv.agency
        contacts.append(
            Contact(
                agency=inv.agency.name,
                team=inv.team.name if inv.team else "",
                name=inv.practitioner_name,
                role=inv.practitioner_role,
                email=inv.practitioner_email if named else holder.email,
                phone=inv.practitioner_phone if named else holder.phone,
                is_lead=inv.is_lead,
            )
        )
    # Agencies holding records with no involvement: their own contact details.
    involved = {c.agency for c in contacts}
    holding = (
        AccessGrant.objects.filter(person_id=person.pk)
        .filter(access.current_q(today))
        .values_list("agency_id", flat=True)
        .distinct()
    )
    agencies = Agency.objects.filter(pk__in=list(holding)).order_by("name")
    contacts.extend(
        Contact(agency.name, "", "", "", agency.email, agency.phone, False)
        for agency in agencies
        if agency.name not in involved
    )
    contacts.sort(key=lambda c: (not c.is_lead, c.agency, c.team, c.name))
    names = sorted({c.agency for c in contacts})
    return contacts, names


def _mash() -> list[Contact]:
    return [
        Contact(a.name, "", "", "", a.email, a.phone, False)
        for a in Agency.objects.filter(kind="mash").order_by("name")
    ]


def lockdown_summary_for(*, viewer: Any, person: Person) -> LockdownSummary:
    """Whom to contact about a child found outside the viewer's relationships (from
    `lockdown_person_for`). Audited: `lockdown_viewed`."""
    if not access.can_see_lockdown(viewer) or access.can_view_person(viewer, person.pk):
        raise NotFound(access.NOT_FOUND_MESSAGE)
    contacts, agencies = _contacts(person)
    audit.record(
        viewer,
        AuditAction.LOCKDOWN_VIEWED,
        object_type="person",
        object_id=person.reference,
        person_id=person.pk,
        purpose=access.PURPOSE_LOCKDOWN,
        detail={"agencies": len(agencies), "contacts": len(contacts)},
    )
    return LockdownSummary(
        person=person,
        contacts=contacts,
        agencies=agencies,
        mash=_mash(),
        can_break_glass=access.scope_for(viewer).can(Capability.BREAK_GLASS),
    )


# --- break-glass, with its notifications -----------------------------------------------------------


def _lead_practitioners(person: Person) -> list[Any]:
    """The users named as the child's lead practitioner on a current involvement (by their
    work email address, as the feeds send it)."""
    today = clock.today()
    emails = {
        e.strip().lower()
        for e in Involvement.objects.filter(person_id=person.pk, is_lead=True)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .values_list("practitioner_email", flat=True)
        if e and e.strip()
    }
    if not emails:
        return []
    q = Q()
    for email in sorted(emails):
        q |= Q(email__iexact=email)
    return list(User.objects.filter(q, is_active=True).order_by("pk"))


def governance_leads(agency_id: int | None) -> list[Any]:
    """The information governance leads told of a break-glass use: the auditors of the
    practitioner's agency, or, when it has none, every auditor of the partnership."""
    auditors = Membership.objects.filter(role=Role.AUDITOR, user__is_active=True)
    mine = auditors.filter(agency_id=agency_id) if agency_id else auditors.none()
    chosen = mine if mine.exists() else auditors
    return [m.user for m in chosen.select_related("user").order_by("user_id")]


def break_glass_open_for(
    *, actor: Any, person: Person, reason: str, reason_text: str
) -> BreakGlass:
    """Open break-glass access to the child (governance.breakglass.break_glass_open: its
    checks and its audit), and tell the child's lead practitioners and the information
    governance leads, in the same transaction. The notifications name no child and repeat
    none of the practitioner's words: the pages they link to show them, after sign-in."""
    with transaction.atomic():
        row = breakglass.break_glass_open(
            actor=actor, person_id=person.pk, reason=reason, reason_text=reason_text
        )
        scope = access.scope_for(actor)
        agency = Agency.objects.filter(pk=scope.agency_id or 0).first()
        who = str(getattr(actor, "display_name", "") or actor.get_username())
        role = dict(Role.choices).get(scope.role or "", scope.role or "")
        where = f"{role} at {agency.name}" if agency else role
        label = break_glass_reasons().get(row.reason, row.reason)
        until = time_on_day_text(row.ends_at)
        for lead in _lead_practitioners(person):
            if lead.pk == actor.pk:
                continue
            notification_send(
                recipient=lead,
                key=f"break-glass:{row.pk}:lead:{lead.pk}",
                subject="Break-glass access to a child you are lead practitioner for",
                body=(
                    f"{who} ({where}) opened the record of a child you are lead practitioner "
                    f"for, outside their agency's relationships, until {until}. "
                    f"The reason they chose: {label}."
                ),
                url=reverse("chronology:child", args=[person.reference]),
                actor=actor,
            )
        for lead in governance_leads(scope.agency_id):
            notification_send(
                recipient=lead,
                key=f"break-glass:{row.pk}:ig:{lead.pk}",
                subject="Break-glass access to review",
                body=(
                    f"{who} ({where}) used break-glass access to a child's record, until "
                    f"{until}. The reason they chose: {label}. Review it."
                ),
                url=reverse("audit:break_glass", args=[row.pk]),
                actor=actor,
            )
    return row
