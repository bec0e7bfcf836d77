"""Background work of the identity app: handlers the task queue runs (core.queue), each with
the audited system scope `sightline tick` opened for it."""

from __future__ import annotations

import datetime as dt

from sightline.core import queue
from sightline.core.actors import LINKER
from sightline.core.models import Task
from sightline.governance.access import SystemScope

LINK = "identity.link"
LINK_PURPOSE = "link newly imported person records across feeds (identity resolution)"


def link_imported(*, scope: SystemScope) -> None:
    """Link every imported batch not linked yet against everyone known (the first time ever:
    everyone, in one run). Never trains a model (that is `sightline link`'s job, on everyone
    held): without one the task fails for good and says so, and `sightline link` links the
    batches. Safe to run again: a linked batch is not linked twice."""
    # Linking brings Splink and DuckDB: loaded when a link runs, not when the app starts.
    from sightline.identity.linking import LinkError, link_pending

    try:
        link_pending(actor=LINKER, scope=scope, train=False)
    except LinkError as exc:
        raise queue.Permanent(str(exc)) from exc


def link_enqueue() -> Task:
    """Ask for the imported batches to be linked. However many imports ask while it waits,
    one task links them all; asked for while it runs, it runs once more after."""
    return queue.enqueue(LINK, dedupe_key="pending")


def register() -> None:
    # A county's first link run takes minutes: the lease is kept alive while it runs.
    queue.register_task(
        LINK, link_imported, purpose=LINK_PURPOSE, actor=LINKER, lease=dt.timedelta(minutes=5)
    )
