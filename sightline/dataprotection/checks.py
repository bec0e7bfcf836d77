"""The retention schedule names entry types the chronology defines (governance, which reads
the schedule, sits below the chronology and cannot check them itself)."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from sightline.chronology.vocabulary import entry_types
from sightline.governance import retention


def schedule_problems() -> list[str]:
    try:
        versions = retention.schedules()
    except ImproperlyConfigured as exc:
        return [str(exc)]
    known = set(entry_types())
    return [
        f"{retention.SCHEDULE_FILE.name}: version {s.version}.{c.code} names unknown entry "
        f"types {sorted(c.entry_types - known)}"
        for s in versions
        for c in s.classes
        if c.entry_types - known
    ]


@checks.register()
def retention_schedule(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    return [checks.Error(p, id="dataprotection.E001") for p in schedule_problems()]
