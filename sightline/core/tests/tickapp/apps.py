from __future__ import annotations

import datetime as dt
import os
import time
from typing import Any

from django.apps import AppConfig

RECORD = "tickapp.record"
PERIODIC = "tickapp.hourly"


def _write(text: str) -> None:
    # One small O_APPEND write per line: whole lines, whichever process writes them.
    fd = os.open(os.environ["TICK_TEST_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, f"{text} {os.getpid()}\n".encode())
    finally:
        os.close(fd)


def record(*, scope: Any, n: int) -> None:
    time.sleep(0.1)  # long enough for the other worker to be claiming meanwhile
    _write(f"task {n}")


def hourly(*, scope: Any, slot: dt.datetime) -> None:
    _write(f"periodic {slot.isoformat()}")


class TickAppConfig(AppConfig):
    name = "sightline.core.tests.tickapp"
    label = "tickapp"

    def ready(self) -> None:
        from sightline.core import queue

        queue.register_task(RECORD, record, purpose="tests: record a run")
        queue.register_periodic(
            PERIODIC, hourly, every=dt.timedelta(hours=1), purpose="tests: an hourly job"
        )
