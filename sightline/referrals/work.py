"""The referrals' sections of "my work" (core.extensions.register_work_section): what waits on
the viewer, each with its deadline, read through the referral selectors (scoped to the viewer).

- "Referrals to decide and allocate": the front door's queue of the viewer's agency;
- "Referrals allocated to you": the ones the viewer works on (the assessment's deadline);
- "Referrals you made": the viewer's own, open or closed in the last 30 days, with their status
  (overdue when the receiving service is late: the referrer can ask about it);
- on a manager's team view, "Referrals to the team": the open referrals to the teams they manage
  or head, with who holds each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Q
from django.urls import reverse

from sightline.core import clock
from sightline.core.dates import LONDON
from sightline.core.extensions import WorkItem
from sightline.governance import access, audit
from sightline.governance.audit import AuditAction
from sightline.governance.policy import Capability
from sightline.referrals import selectors
from sightline.referrals.models import Referral
from sightline.referrals.presenters import allocated_text, decision_text
from sightline.referrals.vocabulary import service_label

RECENT = dt.timedelta(days=30)


def _due(referral: Referral) -> tuple[dt.date | None, bool]:
    due_at: dt.datetime | None = getattr(referral, "next_due", None)
    if due_at is None:
        return None, False
    day = (due_at - dt.timedelta(microseconds=1)).astimezone(LONDON).date()
    return day, clock.now() >= due_at


def _status(referral: Referral) -> str:
    status = Referral.Status(referral.status).label
    if referral.decision:
        status += f": {decision_text(referral).lower()}"
    allocated = allocated_text(referral)
    if allocated:
        status += f", allocated to {allocated}"
    if referral.fast_track and referral.status != Referral.Status.CLOSED:
        status += " (fast track)"
    return status


def _item(referral: Referral, title: str, *, owner: str | None = None) -> WorkItem:
    deadline, overdue = _due(referral)
    return WorkItem(
        title=title,
        url=reverse("referrals:detail", args=[referral.pk]),
        deadline=deadline,
        overdue=overdue,
        status=_status(referral),
        child_name=referral.person.full_name,
        kind="referral",
        owner=owner,
    )


def _audited(viewer: Any, section: str, items: list[WorkItem]) -> list[WorkItem]:
    """The section lists children's names: audited as the referral lists are."""
    if items:
        audit.record(
            viewer,
            AuditAction.REFERRAL_QUEUE_VIEWED,
            object_type="referral_list",
            detail={"page": f"my_work:{section}", "shown": len(items)},
        )
    return items


def _label(referral: Referral) -> str:
    return (
        f"{Referral.Kind(referral.kind).label} {referral.pk} to {service_label(referral.service)}"
    )


def to_decide(viewer: Any) -> list[WorkItem]:
    scope = access.scope_for(viewer)
    if not (scope.can(Capability.RECEIVE_REFERRALS) or scope.can(Capability.DECIDE_REFERRALS)):
        return []
    items = []
    for referral in selectors.front_door_for(viewer=viewer):
        step = "decide" if referral.status == Referral.Status.RECEIVED else "allocate"
        items.append(_item(referral, f"{_label(referral)}: {step}"))
    return _audited(viewer, "to_decide", items)


def allocated_to_me(viewer: Any) -> list[WorkItem]:
    pk = getattr(viewer, "pk", None)
    if pk is None:
        return []
    rows = selectors.referrals_visible_to(viewer).filter(
        allocated_to_id=pk, status=Referral.Status.ALLOCATED
    )
    return _audited(
        viewer,
        "allocated",
        [
            _item(
                r,
                f"{_label(r)}: complete the assessment"
                if r.decision == "accepted_for_assessment"
                else _label(r),
            )
            for r in selectors.with_queue_fields(rows)
        ],
    )


def made_by_me(viewer: Any) -> list[WorkItem]:
    since = clock.now() - RECENT
    items = [
        _item(r, _label(r))
        for r in selectors.referrals_made_for(viewer=viewer, mine_only=True)
        if r.status != Referral.Status.CLOSED or (r.closed_at and r.closed_at >= since)
    ]
    return _audited(viewer, "made", items)


def team_referrals(viewer: Any, teams: Sequence[Any]) -> list[WorkItem]:
    if not teams:
        return []
    team_ids = [t.pk for t in teams]
    agencies = sorted({t.agency_id for t in teams})
    rows = selectors.referrals_visible_to(viewer).filter(
        Q(receiving_team_id__in=team_ids)
        | Q(receiving_team__isnull=True, receiving_agency_id__in=agencies),
        status__in=[*selectors.OPEN_STATUSES, Referral.Status.ALLOCATED],
    )
    items = [
        _item(r, _label(r), owner=allocated_text(r) or None)
        for r in selectors.with_queue_fields(rows)
    ]
    return _audited(viewer, "team", items)


def register() -> None:
    from sightline.core import extensions

    extensions.register_work_section(
        "referrals_to_decide", "Referrals to decide and allocate", to_decide, order=10
    )
    extensions.register_work_section(
        "referrals_allocated", "Referrals allocated to you", allocated_to_me, order=15
    )
    extensions.register_work_section("referrals_made", "Referrals you made", made_by_me, order=20)
    extensions.register_team_work_section(
        "referrals_team", "Referrals to the team", team_referrals, order=10
    )
