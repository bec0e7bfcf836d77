"""Governance's background work, run by `sightline tick` (core.queue): the audit chain's head,
exported on a schedule (AUDIT_HEAD_EXPORT_HOURS, daily by default) to AUDIT_HEAD_EXPORT_DIR,
so that a rewrite of the whole audit table is found (`sightline audit verify --against`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from sightline.core import queue
from sightline.core.actors import CLOCK
from sightline.governance import audit

HEAD_EXPORT = "governance.audit_head_export"
HEAD_EXPORT_PURPOSE = "export the audit chain's head, so that a rewritten audit log is found"


def head_export_every() -> dt.timedelta:
    hours = float(getattr(settings, "AUDIT_HEAD_EXPORT_HOURS", 24) or 24)
    return dt.timedelta(hours=max(hours, 1 / 60))


def head_export_job(*, scope: Any, slot: dt.datetime | None = None) -> None:
    """Reads no case data: the scope tick opens for every job is its audited reason to run."""
    audit.head_export(actor=CLOCK)


def register() -> None:
    queue.register_periodic(
        HEAD_EXPORT, head_export_job, every=head_export_every(), purpose=HEAD_EXPORT_PURPOSE
    )
