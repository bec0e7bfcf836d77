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


def register() -> None:
    queue.register_periodic(
        CLOSURES,
        take_effect,
        every=dt.timedelta(minutes=5),
        purpose="end involvements whose closure's objection window passed with no objection",
    )
    queue.register_periodic(
        LAST_AGENCY,
        last_agency,
        every=dt.timedelta(minutes=15),
        purpose="flag children with open alerts whom only one agency is still working with",
    )
