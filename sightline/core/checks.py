"""System checks for core's data files (`python manage.py check`, run before every command and
by the server): a broken timescales file is refused at start-up, naming the key and the field,
rather than found when a clock runs."""

from __future__ import annotations

from typing import Any

from django.core import checks

from sightline.core import timescales


@checks.register()
def timescales_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The timescales file (TIMESCALES_FILE, or the shipped one) is valid and holds every key
    an installed app's clocks read."""
    path = timescales.timescales_file()
    try:
        loaded = timescales.load_timescales(path)
    except timescales.TimescaleError as exc:
        if not exc.problems:
            return [checks.Error(str(exc), hint="docs/workflow.md, Timescales", id="core.E001")]
        return [
            checks.Error(f"{path}: {problem}", hint="docs/workflow.md, Timescales", id="core.E001")
            for problem in exc.problems
        ]
    missing = {
        key: app for key, app in timescales.required_keys().items() if key not in loaded.versions
    }
    return [
        checks.Error(
            f"{path}: no timescale {key!r}, which the {app} app's clocks read",
            hint="Add it (with a version in force today); docs/workflow.md, Timescales",
            id="core.E002",
        )
        for key, app in sorted(missing.items())
    ]
