"""GOV.UK date inputs (day, month, year boxes) read and validated with the Design System's
error messages ("Date from must include a month", "Date from must be a real date").

Pure: works on a mapping of submitted values, returns a date or an error naming the box to
link to from the error summary."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

PARTS = ("day", "month", "year")
# YYYY-MM-DD only: date.fromisoformat also reads "20190304" and week dates ("2019-W10-1").
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

_MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}


@dataclass(frozen=True)
class DateError:
    message: str
    # Which box the error summary should link to, e.g. "from-month"; and which boxes to mark.
    field: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class DateResult:
    value: dt.date | None
    raw: dict[str, str]
    error: DateError | None = None


# ASCII digits only, and few of them: str.isdigit() also accepts "²" and "٣", which int()
# refuses or reads, and int() refuses a number of more than 4,300 digits.
_DIGITS = re.compile(r"[0-9]{1,4}")
EARLIEST = dt.date(1900, 1, 1)


def _number(text: str) -> int | None:
    text = text.strip()
    return int(text) if _DIGITS.fullmatch(text) else None


def _month(text: str) -> int | None:
    text = text.strip().lower()
    if _DIGITS.fullmatch(text):
        return int(text)
    return _MONTH_NAMES.get(text)


def _too_early(label: str, prefix: str) -> DateError:
    return DateError(f"{label} must be after 1900", f"{prefix}-year", ("year",))


def read_date(
    data: Mapping[str, str],
    prefix: str,
    label: str,
    *,
    required: bool = False,
    parts: tuple[str, ...] = PARTS,
) -> DateResult:
    """Read `<prefix>-day`, `<prefix>-month`, `<prefix>-year` (or an ISO `<prefix>` value).

    `label` starts the error messages ("Date from"). `parts` may omit "day" (a month and year) or
    "day" and "month" (a year only); the missing parts count as 1."""
    iso = (data.get(prefix) or "").strip()
    if iso and not any(data.get(f"{prefix}-{p}") for p in parts):
        try:
            value = dt.date.fromisoformat(iso) if _ISO_DATE.fullmatch(iso) else None
        except ValueError:
            value = None
        if value is None:
            return DateResult(
                None, {}, DateError(f"{label} must be a real date", f"{prefix}-{parts[0]}", parts)
            )
        raw = {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
        shown = {p: raw[p] for p in parts}
        if value < EARLIEST:
            return DateResult(None, shown, _too_early(label, prefix))
        return DateResult(value, shown)
    raw = {p: (data.get(f"{prefix}-{p}") or "").strip() for p in parts}
    missing = [p for p in parts if not raw[p]]
    if len(missing) == len(parts):
        if required:
            return DateResult(
                None, raw, DateError(f"Enter {label.lower()}", f"{prefix}-{parts[0]}", parts)
            )
        return DateResult(None, raw)
    if missing:
        words = " and ".join(f"a {p}" if p != "year" else "a year" for p in missing)
        return DateResult(
            None,
            raw,
            DateError(f"{label} must include {words}", f"{prefix}-{missing[0]}", tuple(missing)),
        )
    day = _number(raw["day"]) if "day" in parts else 1
    month = _month(raw["month"]) if "month" in parts else 1
    year = _number(raw["year"])
    if year is None or len(raw["year"]) != 4:
        return DateResult(
            None, raw, DateError("Year must include 4 numbers", f"{prefix}-year", ("year",))
        )
    try:
        if day is None or month is None:
            raise ValueError
        value = dt.date(year, month, day)
    except ValueError:
        return DateResult(
            None, raw, DateError(f"{label} must be a real date", f"{prefix}-{parts[0]}", parts)
        )
    if value < EARLIEST:
        return DateResult(None, raw, _too_early(label, prefix))
    return DateResult(value, raw)


def not_in_future(result: DateResult, prefix: str, label: str, today: dt.date) -> DateResult:
    if result.value is not None and result.value > today:
        parts = tuple(result.raw) or PARTS
        return DateResult(
            None,
            result.raw,
            DateError(f"{label} must be today or in the past", f"{prefix}-{parts[0]}", parts),
        )
    return result
