"""The lock-down view and break-glass over JSON: the same rules as the pages (cases.lockdown,
governance.breakglass), audited. Mounted by sightline.api.router at /api/. A role without the
lock-down view, and a reference that names nobody, get "not found", as for every child."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from sightline.cases import lockdown
from sightline.core.errors import AccessDenied, ValidationFailed
from sightline.governance import access, breakglass
from sightline.governance.models import BreakGlass
from sightline.governance.policy import Capability
from sightline.governance.vocabulary import break_glass_reasons

router = Router(tags=["Lock-down view and break-glass"])


class ContactOut(Schema):
    agency: str
    team: str
    name: str
    role: str
    email: str
    phone: str
    is_lead: bool


class LockdownOut(Schema):
    reference: str
    name: str
    agencies: list[str] = Field(description="Agencies working with or holding records on them")
    contacts: list[ContactOut]
    mash: list[ContactOut]
    can_break_glass: bool
    break_glass_minutes: int
    break_glass_reasons: dict[str, str] = Field(description="code -> what it means")


class BreakGlassIn(Schema):
    reason: str = Field("", description="A code of break_glass_reasons")
    reason_text: str = Field("", description="Why the record is needed now, in your words")


class BreakGlassOut(Schema):
    id: int
    reference: str
    reason: str
    reason_text: str
    started_at: dt.datetime
    until: dt.datetime


def _contact(c: lockdown.Contact) -> ContactOut:
    return ContactOut(
        agency=c.agency, team=c.team, name=c.name, role=c.role, email=c.email, phone=c.phone,
        is_lead=c.is_lead,
    )  # fmt: skip


def _person(request: HttpRequest, reference: str) -> lockdown.Person:
    try:
        return lockdown.lockdown_person_for(viewer=request.user, reference=reference)
    except lockdown.AlreadyVisible:
        raise ValidationFailed(
            "You can already open this child's record: no lock-down view or break-glass needed",
            errors={"reference": "You already work with this child"},
        ) from None


def _bg_out(row: BreakGlass, reference: str) -> BreakGlassOut:
    return BreakGlassOut(
        id=row.pk,
        reference=reference,
        reason=row.reason,
        reason_text=row.reason_text,
        started_at=row.started_at,
        until=row.until,
    )


@router.get(
    "/children/{reference}/lock-down",
    response=LockdownOut,
    url_name="lockdown",
    summary="Whom to contact about a child outside your relationships",
    description="That the child is known, which agencies work with them and whom to contact: "
    "never their record. For a role with the lock-down view; audited (lockdown_viewed).",
)
def lockdown_summary(request: HttpRequest, reference: str) -> LockdownOut:
    person = _person(request, reference)
    summary = lockdown.lockdown_summary_for(viewer=request.user, person=person)
    return LockdownOut(
        reference=person.reference,
        name=person.full_name,
        agencies=summary.agencies,
        contacts=[_contact(c) for c in summary.contacts],
        mash=[_contact(c) for c in summary.mash],
        can_break_glass=summary.can_break_glass,
        break_glass_minutes=breakglass.minutes(),
        break_glass_reasons=break_glass_reasons(),
    )


@router.post(
    "/children/{reference}/break-glass",
    response={201: BreakGlassOut},
    url_name="break_glass",
    summary="Open a child's record outside your relationships, for a reason",
    description="For a role with break_glass: access for BREAK_GLASS_MINUTES, for you alone; "
    "the child's lead practitioner and the information governance lead are told; every read "
    "under it is audited with the reason. Sent again while it lasts, returns the same access.",
)
def break_glass_open(
    request: HttpRequest, reference: str, payload: BreakGlassIn
) -> Status[BreakGlassOut]:
    person = _person(request, reference)
    if not access.scope_for(request.user).can(Capability.BREAK_GLASS):
        raise AccessDenied("Your role cannot open a child's record outside your relationships.")
    row = lockdown.break_glass_open_for(
        actor=request.user, person=person, reason=payload.reason, reason_text=payload.reason_text
    )
    return Status(201, _bg_out(row, person.reference))


@router.post(
    "/break-glass/{access_id}/end",
    response=BreakGlassOut,
    url_name="break_glass_end",
    summary="End your break-glass access now",
)
def break_glass_end(request: HttpRequest, access_id: int) -> BreakGlassOut:
    row = breakglass.break_glass_end(actor=request.user, access_id=access_id)
    return _bg_out(row, row.person.reference)
