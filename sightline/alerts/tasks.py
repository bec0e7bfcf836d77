"""Background work of the alerts app, run by `sightline tick` (core.queue) with an audited
system scope for each run (ADR 9).

- `alerts.evaluate`: the children a story change touched. The receiver of `story_changed` only
  enqueues it; one task per change (an import batch, a merge) or per child (an entry recorded
  or corrected), so repeated edits of one child while it waits are one evaluation.
- `alerts.sweep`: everyone, once a day."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

from sightline.core import queue
from sightline.core.actors import SystemActor
from sightline.core.models import Task

# The alerts engine acts as itself in the audit log and in each alert's history.
EVALUATOR = SystemActor("alerts")

EVALUATE = "alerts.evaluate"
SWEEP = "alerts.sweep"
EVALUATE_PURPOSE = "evaluate the alert rules for children whose story changed"
SWEEP_PURPOSE = "evaluate the alert rules for every child (the daily sweep)"


def evaluate_enqueue(
    person_ids: Sequence[int],
    *,
    reason: str = "",
    batch_id: int | None = None,
    merge_id: int | None = None,
) -> Task | None:
    """Ask for these people to be evaluated. The dedupe key names the change (its batch or
    merge) or the people, so the same request waiting twice is one task."""
    ids = sorted({int(p) for p in person_ids})
    if not ids:
        return None
    if batch_id is not None:
        key = f"batch:{batch_id}"
    elif merge_id is not None:
        key = f"merge:{merge_id}"
    elif len(ids) == 1:
        key = f"person:{ids[0]}"
    else:
        digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:24]
        key = f"people:{digest}"
    return queue.enqueue(EVALUATE, args={"person_ids": ids, "reason": reason}, dedupe_key=key)


def evaluate_task(*, scope: Any, person_ids: list[int], reason: str = "") -> None:
    from sightline.alerts.evaluation import evaluate_people

    evaluate_people(scope=scope, actor=EVALUATOR, person_ids=person_ids)


def sweep_task(*, scope: Any, slot: dt.datetime | None = None) -> None:
    from sightline.alerts.evaluation import sweep

    sweep(scope=scope, actor=EVALUATOR)


def register() -> None:
    # An import of a whole county asks for everyone at once: the lease is kept alive meanwhile.
    queue.register_task(
        EVALUATE,
        evaluate_task,
        purpose=EVALUATE_PURPOSE,
        actor=EVALUATOR,
        lease=dt.timedelta(minutes=5),
    )
    queue.register_periodic(
        SWEEP,
        sweep_task,
        every=dt.timedelta(days=1),
        purpose=SWEEP_PURPOSE,
        actor=EVALUATOR,
        lease=dt.timedelta(minutes=10),
    )
