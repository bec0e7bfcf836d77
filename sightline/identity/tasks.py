"""Background work of the identity app, run by the task queue (core.queue) with the audited
system scope `sightline tick` opens for each task.

The handlers are named by their dotted paths: linking brings Splink and DuckDB, which are loaded
by the process that links, not by every process that starts (the server, an import)."""

from __future__ import annotations

import datetime as dt

from sightline.core import queue
from sightline.core.actors import LINKER
from sightline.core.models import Task

LINK = "identity.link"
LINK_PURPOSE = "link newly imported person records across feeds (identity resolution)"


def link_enqueue() -> Task:
    """Ask for the imported batches to be linked (identity.linking.link_imported). However
    many imports ask while it waits, one task links them all; asked for while it runs, it runs
    once more after."""
    return queue.enqueue(LINK, dedupe_key="pending")


def register() -> None:
    # A county's first link run takes minutes: the lease is kept alive while it runs.
    queue.register_task(
        LINK,
        "sightline.identity.linking.link_imported",
        purpose=LINK_PURPOSE,
        actor=LINKER,
        lease=dt.timedelta(minutes=5),
    )
