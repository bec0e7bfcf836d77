"""Closure proposals as the pages show them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone

from sightline.cases.closures import long_date, window_open
from sightline.cases.models import ClosureProposal

STATUS_TAGS = {
    "proposed": "govuk-tag--yellow",
    "blocked": "govuk-tag--red",
    "closed": "govuk-tag--grey",
    "withdrawn": "govuk-tag--grey",
}


def when(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{long_date(local.date())}, {local:%H:%M}"


@dataclass(frozen=True)
class ClosureView:
    id: int
    url: str
    agency: str
    team: str
    proposed_by: str
    proposed_when: str
    status: str
    status_text: str
    status_tag: str
    reason: str
    reason_text: str
    remaining_risks: str
    open_items: list[dict[str, Any]]
    next_step: str
    window_ends: str
    window_open: bool
    timescale: str
    discussion: str
    closed_when: str
    child_reference: str
    child_name: str


def present_closure(proposal: ClosureProposal) -> ClosureView:
    next_step = proposal.get_next_step_display()
    if proposal.next_step_detail:
        next_step += f" ({proposal.next_step_detail})"
    entry = proposal.discussion_entry
    discussion = ""
    if entry is not None:
        local = timezone.localtime(entry.occurred_at)
        discussion = f"{long_date(local.date())}: {entry.summary}"
    return ClosureView(
        id=proposal.pk,
        url=reverse("cases:closure", args=[proposal.pk]),
        agency=proposal.agency.name,
        team=proposal.team.name if proposal.team else "",
        proposed_by=proposal.proposed_by.display_name,
        proposed_when=when(proposal.proposed_at),
        status=proposal.status,
        status_text=proposal.get_status_display(),
        status_tag=STATUS_TAGS.get(proposal.status, "govuk-tag--grey"),
        reason=proposal.get_reason_display(),
        reason_text=proposal.reason_text,
        remaining_risks=proposal.remaining_risks,
        open_items=list(proposal.open_items or []),
        next_step=next_step,
        window_ends=long_date(proposal.window_ends_on),
        window_open=window_open(proposal),
        timescale=f"{proposal.timescale_key}, version {proposal.timescale_version}",
        discussion=discussion,
        closed_when=when(proposal.closed_at) if proposal.closed_at else "",
        child_reference=proposal.person.reference,
        child_name=proposal.person.full_name,
    )
