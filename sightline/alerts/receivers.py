"""What the alerts app does when a lower app announces something: only enqueue a task."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from sightline.alerts import tasks


def story_changed(
    sender: Any,
    *,
    person_ids: tuple[int, ...] = (),
    batch_id: int | None = None,
    merge_id: int | None = None,
    **kwargs: Any,
) -> None:
    """chronology.signals.story_changed (after commit): evaluate the children it touched
    (`sightline tick` runs the task), unless settings.ALERTS_EVALUATE_ON_CHANGE is off; the
    daily sweep evaluates them anyway."""
    if getattr(settings, "ALERTS_EVALUATE_ON_CHANGE", True):
        tasks.evaluate_enqueue(
            person_ids, reason=str(kwargs.get("cause", "")), batch_id=batch_id, merge_id=merge_id
        )
