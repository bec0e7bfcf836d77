"""Fixtures of the closure tests: a frozen Monday, the partnership around one child, and a
stand-in for the alerts app's open alerts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from sightline.cases.tests.world import World, build_world
from sightline.core import extensions
from sightline.core.dates import LONDON

MONDAY = dt.datetime(2027, 3, 1, 10, 0, tzinfo=LONDON)


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(db: None, clock: Any) -> World:
    return build_world()


@pytest.fixture
def alerts(world: World) -> Iterator[list[extensions.OpenItem]]:
    """An alerts app stand-in: the open alerts it holds for the child."""
    held: list[extensions.OpenItem] = []
    child_id = world.child.pk
    extensions.register_open_items(
        "test_alerts",
        "alert",
        lambda viewer, person: [i for i in held if person is not None and person.pk == child_id],
        people=lambda scope: {child_id} if held else set(),
    )
    try:
        yield held
    finally:
        extensions._open_items.pop("test_alerts", None)
