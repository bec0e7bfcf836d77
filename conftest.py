"""Project-wide pytest configuration. App-specific factories live in each app's tests/factories.py."""

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def run_tasks(db: Any) -> Callable[..., list[Any]]:
    """run_tasks(names=None) -> the outcomes: drain the task queue, as `sightline tick` would
    (without queuing the periodic jobs). The tests queue work as production does and nothing
    runs it until a test asks (docs/background-work.md)."""
    from sightline.core import queue

    def run(**options: Any) -> list[Any]:
        return queue.run_pending(worker=queue.worker_name("tests"), **options)

    return run
