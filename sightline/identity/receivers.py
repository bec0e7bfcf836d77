"""What the identity app does when a lower app announces something: only enqueue a task."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from sightline.identity import tasks


def batch_imported(sender: Any, batch_id: int, **kwargs: Any) -> None:
    """records.signals.batch_imported (sent after the import committed): queue the linking of
    what was imported (`sightline tick` runs it), unless settings.IDENTITY_LINK_ON_IMPORT is
    off; `sightline link` links what was not."""
    if settings.IDENTITY_LINK_ON_IMPORT:
        tasks.link_enqueue()
