"""The manual grant form as the administration tests send it."""

from __future__ import annotations

import datetime as dt

from sightline.core import clock


def grant_form(**changes: str) -> dict[str, str]:
    ends = clock.today() + dt.timedelta(days=30)
    form = {
        "reference": "",
        "agency": "school",
        "team": "",
        "reason": "Joining the child protection conference on 4 January",
        "ends_on-day": str(ends.day),
        "ends_on-month": str(ends.month),
        "ends_on-year": str(ends.year),
    }
    form.update(changes)
    return form
