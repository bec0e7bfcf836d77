"""Partial dates: a year, a year-month, a season or a full date, as agencies really record them.

A review says "summer 2018" or "March 2019"; showing "01/07/2018" would claim a precision nobody
had. Values are stored as the first instant of the period plus a precision, and shown at that
precision."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

_PATTERN = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})"
    r"(?:[T ](?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?(?P<tz>Z|[+-]\d{2}:?\d{2})?)?)?)?$"
)

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


class Precision(StrEnum):
    YEAR = "year"
    SEASON = "season"
    MONTH = "month"
    DAY = "day"


PRECISION_RANK = {Precision.YEAR: 0, Precision.SEASON: 1, Precision.MONTH: 2, Precision.DAY: 3}


@dataclass(frozen=True)
class PartialDate:
    """A parsed partial date: `start` is the first instant of the period (Europe/London)."""

    start: dt.datetime
    precision: Precision
    has_time: bool

    @property
    def iso(self) -> str:
        if self.precision is Precision.YEAR:
            return f"{self.start.year:04d}"
        if self.precision in (Precision.MONTH, Precision.SEASON):
            return f"{self.start.year:04d}-{self.start.month:02d}"
        if self.has_time:
            return self.start.strftime("%Y-%m-%dT%H:%M")
        return self.start.strftime("%Y-%m-%d")


class PartialDateError(ValueError):
    pass


def parse_partial(value: str, precision: str | None = None) -> PartialDate:
    """Parse "2019", "2019-03", "2019-03-04" or "2019-03-04T22:10".

    `precision` may lower what the text implies (a month given with precision "season") but
    never raise it: "2019" cannot be precise to the day."""
    match = _PATTERN.match(value.strip()) if isinstance(value, str) else None
    if not match:
        raise PartialDateError(
            "must be a year, year-month or date, like 2019, 2019-03 or 2019-03-04"
        )
    year = int(match["y"])
    month = int(match["m"] or 1)
    day = int(match["d"] or 1)
    hour, minute, second = int(match["H"] or 0), int(match["M"] or 0), int(match["S"] or 0)
    implied = Precision.DAY if match["d"] else Precision.MONTH if match["m"] else Precision.YEAR
    try:
        naive = dt.datetime(year, month, day, hour, minute, second)  # noqa: DTZ001
    except ValueError as exc:
        raise PartialDateError(f"is not a real date ({exc})") from exc
    if year < 1900:
        raise PartialDateError("is before 1900")
    tz = match["tz"]
    if tz:
        offset = dt.datetime.strptime(tz.replace("Z", "+0000").replace(":", ""), "%z").tzinfo
        try:
            start = naive.replace(tzinfo=offset).astimezone(LONDON)
        except OverflowError as exc:  # 9999-12-31T23:59-14:00 is in the year 10000 here
            raise PartialDateError("is not a real date (out of range)") from exc
    else:
        start = naive.replace(tzinfo=LONDON)
    chosen = implied
    if precision:
        try:
            chosen = Precision(precision)
        except ValueError as exc:
            raise PartialDateError("precision must be one of year, season, month, day") from exc
        if PRECISION_RANK[chosen] > PRECISION_RANK[implied]:
            raise PartialDateError(f"precision '{chosen}' is finer than the date given")
    return PartialDate(start=start, precision=chosen, has_time=bool(match["H"]))


def season_of(month: int) -> str:
    return {
        12: "winter",
        1: "winter",
        2: "winter",
        3: "spring",
        4: "spring",
        5: "spring",
        6: "summer",
        7: "summer",
        8: "summer",
    }.get(month, "autumn")


def format_partial(
    value: dt.datetime | dt.date | None, precision: str, *, with_time: bool = False
) -> str:
    """ "2019", "summer 2018", "March 2019", "4 March 2019" or "4 March 2019, 22:10"."""
    if value is None:
        return "Not known"
    if isinstance(value, dt.datetime):
        value = value.astimezone(LONDON) if value.tzinfo else value
    if precision == Precision.YEAR:
        return f"{value.year}"
    if precision == Precision.SEASON:
        year = value.year
        return f"{season_of(value.month)} {year}"
    if precision == Precision.MONTH:
        return f"{MONTHS[value.month - 1]} {value.year}"
    text = f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    if with_time and isinstance(value, dt.datetime) and (value.hour or value.minute):
        text += f", {value.hour:02d}:{value.minute:02d}"
    return text


def age_on(birth: dt.date, on: dt.date) -> int:
    years = on.year - birth.year
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return years


def period_end(start: dt.date, precision: str) -> dt.date:
    """The last day of the period a partial date names (its year, season or month)."""
    if precision == Precision.YEAR:
        return dt.date(start.year, 12, 31)
    months = 3 if precision == Precision.SEASON else 1 if precision == Precision.MONTH else 0
    if months == 0:
        return start
    month = start.month - 1 + months
    first_after = dt.date(start.year + month // 12, month % 12 + 1, 1)
    return first_after - dt.timedelta(days=1)


def age_text(birth: dt.date | None, precision: str, today: dt.date) -> str:
    """ "14", or "13 or 14" when the date of birth is not known to the day and the child may or
    may not have had this year's birthday. The one age every page shows (search, identity
    bar, exports)."""
    if birth is None:
        return ""
    oldest = age_on(birth, today)
    youngest = age_on(period_end(birth, precision), today)
    if oldest < 0:
        return "Not yet born"
    youngest = max(youngest, 0)
    if oldest == youngest:
        return f"{oldest}"
    return f"{youngest} or {oldest}"


def time_on_day_text(value: dt.datetime) -> str:
    """A moment as England reads it: "11:00 on 1 March 2027" (a break-glass access's end)."""
    local = value.astimezone(LONDON)
    return f"{local:%H:%M} on {local.day} {local:%B %Y}"
