"""System checks: a broken levels-of-need file is refused at start-up (`manage.py check`)."""

from __future__ import annotations

from typing import Any

from django.core import checks

from sightline.decisions.levels import LevelsError, levels_on


@checks.register()
def levels_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    import datetime as dt

    try:
        levels_on(dt.date.max)
    except LevelsError as exc:
        return [
            checks.Error(
                str(exc), hint="docs/workflow.md, Step up and step down", id="decisions.E001"
            )
        ]
    return []
