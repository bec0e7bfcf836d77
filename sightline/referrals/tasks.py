"""Background work of the referrals app (core.queue), run by `sightline tick` with the audited
system scope it opens for each task: the clocks, and the referrals that arrive in feeds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sightline.core import queue
from sightline.core.actors import CLOCK, IMPORTER
from sightline.core.models import Task

CLOCKS = "referrals.clocks"
CLOCKS_EVERY = dt.timedelta(minutes=5)
CLOCKS_PURPOSE = "escalate referrals whose clocks have run out to their managers"
FROM_FEED = "referrals.from_feed"
FROM_FEED_PURPOSE = "put the referrals an agency's feed sends on the referral clocks"


def check_clocks(*, scope: Any, slot: str = "") -> None:
    from sightline.referrals.services import referral_clocks_run

    referral_clocks_run(scope=scope)


def from_feed(*, scope: Any, batch_id: int) -> None:
    from sightline.referrals.feeds import referrals_from_batch

    referrals_from_batch(scope=scope, batch_id=int(batch_id))


def from_feed_enqueue(batch_id: int) -> Task:
    return queue.enqueue(FROM_FEED, args={"batch_id": batch_id}, dedupe_key=f"batch:{batch_id}")


def register() -> None:
    queue.register_periodic(
        CLOCKS, check_clocks, every=CLOCKS_EVERY, purpose=CLOCKS_PURPOSE, actor=CLOCK
    )
    queue.register_task(FROM_FEED, from_feed, purpose=FROM_FEED_PURPOSE, actor=IMPORTER)
