"""Step requests as the pages show them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from sightline.core.dates import MONTHS
from sightline.core.workingdays import england
from sightline.decisions.levels import levels_on
from sightline.decisions.models import StepRequest

STATUS_TAGS = {
    "waiting": "govuk-tag--yellow",
    "agreed": "govuk-tag--green",
    "refused": "govuk-tag--red",
    "withdrawn": "govuk-tag--grey",
}


def long_date(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def when(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{long_date(local.date())}, {local:%H:%M}"


@dataclass(frozen=True)
class StepRequestView:
    id: int
    url: str
    direction: str
    direction_text: str
    from_label: str
    to_label: str
    status: str
    status_text: str
    status_tag: str
    requested_by: str
    requesting_agency: str
    deciding_agency: str
    requested_when: str
    reason: str
    risk: str
    decided_by: str
    decided_when: str
    decision_reason: str
    participants: str
    discussed_on: str
    taken: str
    waiting: str
    child_reference: str
    child_name: str

    @property
    def title(self) -> str:
        return f"{self.direction_text} to {self.to_label}"


def present_request(request: StepRequest) -> StepRequestView:
    levels = levels_on(timezone.localdate(request.requested_at))
    from_level, to_level = levels.get(request.from_level), levels.get(request.to_level)
    taken = request.working_days_taken
    waiting = ""
    if request.status == StepRequest.Status.WAITING:
        days = england().working_days_between(
            timezone.localdate(request.requested_at), timezone.localdate()
        )
        waiting = f"{days} working {'day' if days == 1 else 'days'}"
    return StepRequestView(
        id=request.pk,
        url=reverse("decisions:request", args=[request.pk]),
        direction=request.direction,
        direction_text=request.get_direction_display(),
        from_label=from_level.label if from_level else request.from_level,
        to_label=to_level.label if to_level else request.to_level,
        status=request.status,
        status_text=request.get_status_display(),
        status_tag=STATUS_TAGS.get(request.status, "govuk-tag--grey"),
        requested_by=request.requested_by.display_name,
        requesting_agency=request.requesting_agency.name,
        deciding_agency=request.deciding_agency.name,
        requested_when=when(request.requested_at),
        reason=request.reason,
        risk=request.risk,
        decided_by=request.decided_by.display_name if request.decided_by else "",
        decided_when=when(request.decided_at) if request.decided_at else "",
        decision_reason=request.decision_reason,
        participants=request.participants,
        discussed_on=long_date(request.discussed_on) if request.discussed_on else "",
        taken=f"{taken} working {'day' if taken == 1 else 'days'}" if taken is not None else "",
        waiting=waiting,
        child_reference=request.person.reference,
        child_name=request.person.full_name,
    )
