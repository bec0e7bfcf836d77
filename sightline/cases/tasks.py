"""Background work of the cases app (core.queue): closures whose objection window passed with
no objection take effect, and the "last agency standing" sweep."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sightline.core import queue

CLOSURES = "cases.closures"
LAST_AGENCY = "cases.last_agency"


def take_effect(*, scope: Any, slot: str | None = None) -> None:
    from sightline.cases.closures import closures_take_effect

    closures_take_effect(scope=scope)


def last_agency(*, scope: Any, slot: str | None = None) -> None:
    from sightline.cases.closures import last_agency_check

    last_agency_check(scope=scope)


def closures_due(now: dt.datetime) -> bool:
    """Whether a closure's window has passed (else a tick takes no slot for the job)."""
    from django.utils import timezone

    from sightline.cases.models import ClosureProposal

    return ClosureProposal.objects.filter(
        status=ClosureProposal.Status.PROPOSED, window_ends_on__lt=timezone.localdate(now)
    ).exists()


def last_agency_due(now: dt.datetime) -> bool:
    """Whether the sweep has anything to look at: an app that holds open alerts (and can say
    which children have one), or a flag to clear."""
    from sightline.cases.models import LastAgencyFlag
    from sightline.core.extensions import open_item_kinds

    return (
        "alert" in open_item_kinds()
        or LastAgencyFlag.objects.filter(cleared_at__isnull=True).exists()
    )


def register() -> None:
    queue.register_periodic(
        CLOSURES,
        take_effect,
        every=dt.timedelta(minutes=5),
        purpose="end involvements whose closure's objection window passed with no objection",
        when=closures_due,
    )
    queue.register_periodic(
        LAST_AGENCY,
        last_agency,
        every=dt.timedelta(minutes=15),
        purpose="flag children with open alerts whom only one agency is still working with",
        when=last_agency_due,
    )
