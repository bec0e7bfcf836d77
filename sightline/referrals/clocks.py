"""The clocks a referral runs on, and when each runs out.

Every deadline comes from the partnership's timescales (core.timescales: local, versioned data
with effective dates) and England's working-day calendar (core.workingdays). A clock keeps the
timescale key and version it started under, so a timescale changed later never moves a clock
already running (docs/workflow.md, "Referrals"):

| clock | starts | timescale | met when |
|---|---|---|---|
| acknowledgement | the referral is received | `referral.acknowledgement` | the receiving service acknowledges, triages or decides it |
| decision | the referral is received | `referral.decision` | it is decided |
| fast track | the referral is received, when the child has asked for help | `referral.fast_track` | it is allocated (stopped if it is closed) |
| allocation | it is decided for assessment or early help | the service's `allocation` key (`referral.allocation.<service>`) | it is allocated |
| assessment | the referral is received (Working Together: from the point of referral), once accepted for assessment | `referral.assessment` | the assessment is completed |

A clock that runs out tells the receiving team's managers; if it is still running a further
interval later (`referral.escalate_to_head_of_service`, from when they were told), the heads of
service over the team (referrals.services.referral_clocks_run)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sightline.core import timescales
from sightline.core.dates import LONDON
from sightline.core.workingdays import england
from sightline.referrals.models import ReferralClock

Clock = ReferralClock.Clock

ACKNOWLEDGEMENT_KEY = "referral.acknowledgement"
DECISION_KEY = "referral.decision"
FAST_TRACK_KEY = "referral.fast_track"
ASSESSMENT_KEY = "referral.assessment"
ESCALATE_KEY = "referral.escalate_to_head_of_service"


@dataclass(frozen=True)
class Due:
    """When something is due under one timescale: the last day (or moment) it may be done, and
    the instant it is overdue from."""

    key: str
    version: int
    due_on: dt.date
    due_at: dt.datetime


def due_for(key: str, start: dt.datetime) -> Due:
    """The deadline of the timescale `key` in force on the day `start` falls (in London), from
    `start`. A deadline in days is met by the end of its last day; one in hours at its moment."""
    local = start.astimezone(LONDON)
    timescale = timescales.timescale_for(key, on=local)
    deadline = timescale.deadline(local, england())
    passes = timescales.passes_at(deadline)
    if isinstance(deadline, dt.datetime):
        return Due(key, timescale.version, passes.astimezone(LONDON).date(), passes)
    return Due(key, timescale.version, deadline, passes)


def allocation_key(service: str) -> str | None:
    """The allocation timescale of a service, from the services list (its `allocation`); None
    for a service the partnership does not allocate (the NRM: the Home Office decides)."""
    from sightline.referrals.vocabulary import services

    found = services().by_code.get(service)
    return found.allocation if found else None


def required_keys() -> list[str]:
    """Every timescale key the referral clocks read (core.timescales.require_keys)."""
    from sightline.referrals.vocabulary import services

    keys = [ACKNOWLEDGEMENT_KEY, DECISION_KEY, FAST_TRACK_KEY, ASSESSMENT_KEY, ESCALATE_KEY]
    keys += [s.allocation for s in services().by_code.values() if s.allocation]
    return list(dict.fromkeys(keys))


@dataclass(frozen=True)
class ClockState:
    """A clock as a page says it."""

    clock: str
    label: str
    due_on: dt.date
    due_at: dt.datetime
    met_at: dt.datetime | None
    stopped: bool
    overdue: bool  # running and past its deadline
    late: bool  # met, after its deadline
    timescale_key: str
    timescale_version: int


def state_of(row: ReferralClock, now: dt.datetime) -> ClockState:
    running = row.met_at is None and row.stopped_at is None
    return ClockState(
        clock=row.clock,
        label=Clock(row.clock).label,
        due_on=row.due_on,
        due_at=row.due_at,
        met_at=row.met_at,
        stopped=row.stopped_at is not None,
        overdue=running and now >= row.due_at,
        late=row.met_at is not None and row.met_at >= row.due_at,
        timescale_key=row.timescale_key,
        timescale_version=row.timescale_version,
    )
