"""What the escalations app does when a lower app announces something: only enqueue a task."""

from __future__ import annotations

from typing import Any

from sightline.core import queue
from sightline.escalations import tasks


def closure_objected(sender: Any, response_id: int, **kwargs: Any) -> None:
    """cases.signals.closure_objected (after commit): open the objection's disagreement."""
    queue.enqueue(
        tasks.OPEN_FOR_OBJECTION,
        args={"response_id": response_id},
        dedupe_key=f"objection:{response_id}",
    )
