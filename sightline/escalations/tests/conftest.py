from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from sightline.cases.tests.world import World, build_world
from sightline.core.dates import LONDON

# Monday 1 March 2027, 10:00 in England.
MONDAY = dt.datetime(2027, 3, 1, 10, 0, tzinfo=LONDON)


@pytest.fixture
def monday() -> Iterator[Any]:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(db: None, monday: Any) -> World:
    return build_world()


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)
