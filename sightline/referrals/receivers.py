"""What the referrals app does when a lower app announces something: only enqueue a task."""

from __future__ import annotations

from typing import Any

from sightline.chronology.signals import StoryCause
from sightline.referrals import tasks


def story_changed(sender: Any, cause: str, batch_id: int | None = None, **kwargs: Any) -> None:
    """chronology.signals.story_changed (after commit): an import batch may carry referral
    lines from a receiving agency's feed; the task reads them (referrals.feeds)."""
    if cause == StoryCause.IMPORTED and batch_id is not None:
        tasks.from_feed_enqueue(batch_id)
