"""Working days in England: weekends and the bank holidays kept as data.

The calendar is GOV.UK's ``bank-holidays.json`` shape (``{"england-and-wales": {"events": [{"date":
...}]}}``), shipped in ``core/data/bank-holidays.json`` and replaceable without code: the
``BANK_HOLIDAYS_FILE`` setting names another file (a partnership drops in GOV.UK's latest). Nothing
is fetched at run time.

Counting conventions (docs/workflow.md), because "within N working days" is read two ways:

- ``INCLUSIVE``: the start day is day 1 when it is a working day, so the deadline is the N-th
  working day counting the start. This is the DfE CIN census validator's convention (rule 8670Q's
  45 working days counts the referral day and the end date), so Sightline's overdue assessments are
  the ones the census return will show.
- ``AFTER``: the count starts on the next working day, so "within 1 working day" of a Monday
  referral means by the end of Tuesday (Working Together's decision on a referral).

A start day that is not a working day (a Saturday referral) counts from the next working day under
either convention.
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "bank-holidays.json"
DIVISION = "england-and-wales"


class CalendarError(ValueError):
    """The bank-holiday file is missing, malformed or does not cover the date asked about."""


class Counting(enum.StrEnum):
    INCLUSIVE = "inclusive"
    AFTER = "after"


@dataclass(frozen=True)
class Calendar:
    """Weekends plus a sorted tuple of bank holidays, known from ``first`` to ``last``."""

    holidays: tuple[dt.date, ...]
    first: dt.date
    last: dt.date

    @classmethod
    def of(cls, holidays: Iterable[dt.date], *, first: dt.date, last: dt.date) -> Calendar:
        return cls(tuple(sorted(set(holidays))), first, last)

    def is_working_day(self, day: dt.date) -> bool:
        if day.weekday() >= 5:
            return False
        i = bisect.bisect_left(self.holidays, day)
        return not (i < len(self.holidays) and self.holidays[i] == day)

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day on or after ``day``."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_working_days(
        self, start: dt.date, n: int, *, counting: Counting = Counting.INCLUSIVE
    ) -> dt.date:
        """The last day of a period of ``n`` working days from ``start`` (see the module doc)."""
        if n < 1:
            raise ValueError("a period of working days has at least one day")
        if counting is Counting.AFTER:
            start = start + dt.timedelta(days=1)
        day = self.next_working_day(start)
        remaining = n - 1
        while remaining:
            day = self.next_working_day(day + dt.timedelta(days=1))
            remaining -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days from ``start`` to ``end``, both counted (0 when ``end`` is before)."""
        count = 0
        day = start
        while day <= end:
            count += self.is_working_day(day)
            day += dt.timedelta(days=1)
        return count

    def covers(self, day: dt.date) -> bool:
        return self.first <= day <= self.last


def calendar_from_file(path: Path, division: str = DIVISION) -> Calendar:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        events = data[division]["events"]
        days = [dt.date.fromisoformat(e["date"]) for e in events]
    except FileNotFoundError as exc:
        raise CalendarError(f"{path}: no such bank-holiday file") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise CalendarError(
            f"{path}: not GOV.UK's bank-holidays.json shape "
            f'({{"{division}": {{"events": [{{"date": "YYYY-MM-DD"}}]}}}}): {exc}'
        ) from exc
    if not days:
        raise CalendarError(f"{path}: no bank holidays for {division}")
    return Calendar.of(
        days, first=dt.date(min(days).year, 1, 1), last=dt.date(max(days).year, 12, 31)
    )


@functools.cache
def _cached(path: str) -> Calendar:
    return calendar_from_file(Path(path))


def england() -> Calendar:
    """The partnership's calendar (the ``BANK_HOLIDAYS_FILE`` setting, or the shipped file)."""
    from django.conf import settings

    return _cached(str(getattr(settings, "BANK_HOLIDAYS_FILE", None) or DEFAULT_FILE))
