"""The bitemporal rule of the child's story, as plain functions (no database).

An entry version is *known* at an instant when the partnership had recorded it by then and had
not yet replaced it with a correction. "As known on 4 August 2019" means at the end of that day
(Europe/London): every version recorded up to 23:59:59.999999 and not superseded by then.

The selectors express the same rule as a query (`known_at_q`); the tests check the two agree on
a table of cases. docs/adr/0003-bitemporal-chronology.md explains the model.

The rule shows at most one version of an entry at any instant only if each version was
recorded after the one it replaces and the replaced one is closed when its successor was
recorded: `version_recorded_at` is how every writer of a new version keeps that true
(docs/adr/0012-what-an-import-promises.md)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from sightline.core.dates import LONDON


def known_cutoff(on: dt.date) -> dt.datetime:
    """The first instant after the end of `on` in Europe/London.

    Comparing with the next midnight (recorded_at < cutoff, superseded_at >= cutoff) is the same
    as comparing with the last microsecond of the day, without the off-by-one risk."""
    next_day = on + dt.timedelta(days=1)
    return dt.datetime.combine(next_day, dt.time.min, tzinfo=LONDON)


def was_known(
    *, recorded_at: dt.datetime, superseded_at: dt.datetime | None, cutoff: dt.datetime | None
) -> bool:
    """Whether a version was part of the story at `cutoff` (None: now, the current story)."""
    if cutoff is None:
        return superseded_at is None
    return recorded_at < cutoff and (superseded_at is None or superseded_at >= cutoff)


def known_at_q(cutoff: dt.datetime | None, *, prefix: str = "") -> Q:
    """The same rule as `was_known`, as a query filter on ChronologyEntry (or, with
    prefix="entry__", on a model that points at one)."""
    if cutoff is None:
        return Q(**{f"{prefix}superseded_at__isnull": True})
    return Q(**{f"{prefix}recorded_at__lt": cutoff}) & (
        Q(**{f"{prefix}superseded_at__isnull": True}) | Q(**{f"{prefix}superseded_at__gte": cutoff})
    )


def version_recorded_at(
    *, claimed: dt.datetime, previous: dt.datetime, learned_at: dt.datetime
) -> dt.datetime:
    """When the partnership learned a new version of an entry whose current version was
    recorded at `previous`: the time its source gives (`claimed`), if that is later; otherwise
    when Sightline received it (`learned_at`). A feed that sends a change dated no later than
    what it replaces (a system that keeps the first time a record was made) cannot rewrite
    what was known in between: the change is known from when it arrived. Always after
    `previous`, so versions follow one another."""
    if claimed > previous:
        return claimed
    return max(learned_at, previous + dt.timedelta(microseconds=1))
