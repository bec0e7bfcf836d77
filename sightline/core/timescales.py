"""Timescales as local, versioned data: how long each clock runs (docs/workflow.md).

Every clock a record runs on ("decide a referral within 1 working day", "answer a stage 2
disagreement within 5 working days") is a key in a YAML file, with versions that each apply from
an effective date. The shipped file is ``core/data/timescales.yaml``; the ``TIMESCALES_FILE``
setting names a partnership's own. A record that starts a clock stores the key and the version it
started under, and its deadline is computed from that version ever after (``timescale_version``),
so a later change of the partnership's timescale does not move a deadline already running.

    ts = timescale_for("referral.decision", on=referral.received_at)
    referral.decision_timescale = f"{ts.key}@{ts.version}"
    referral.decision_due = ts.deadline(referral.received_at, workingdays.england())

Units: ``working_days`` (counted with ``core.workingdays``, under the version's counting
convention), ``days`` (calendar days, the same two conventions) and ``hours`` (elapsed time).
A deadline in days is a date (the last day allowed, due by the end of it); in hours, an instant.

The file is validated strictly (pydantic, ``extra="forbid"``): an unknown field, a missing one,
overlapping or gapped versions are refused with the key and the field named, and ``python
manage.py check`` (``core.E001``) refuses to start with a broken file.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import yaml
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, field_validator

from sightline.core.workingdays import Calendar, Counting

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "timescales.yaml"
FORMAT = "sightline-timescales/1"
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


class Unit(StrEnum):
    WORKING_DAYS = "working_days"
    DAYS = "days"
    HOURS = "hours"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a timescales file: which key (and version), which field, why."""

    key: str
    field: str
    reason: str
    version: int | None = None

    def __str__(self) -> str:
        where = self.key or "(the file)"
        if self.version is not None:
            where += f", version {self.version}"
        if self.field:
            where += f", {self.field}"
        return f"{where}: {self.reason}"


class TimescaleError(ValueError):
    """A timescales file that cannot be used, or a key or date it does not cover."""

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        self.problems = list(problems)
        if self.problems:
            message += ": " + "; ".join(str(p) for p in self.problems)
        super().__init__(message)


@dataclass(frozen=True)
class Timescale:
    """One version of one timescale: `amount` `unit`s, counted under `counting`, in force from
    `effective_from` to `effective_to` (the last day it applies; None: still in force)."""

    key: str
    version: int
    amount: int
    unit: Unit
    counting: Counting
    effective_from: dt.date
    effective_to: dt.date | None
    source: str
    title: str = ""

    @property
    def label(self) -> str:
        """How a record stores which timescale it ran under: "referral.decision@2"."""
        return f"{self.key}@{self.version}"

    def describe(self) -> str:
        """In words: "1 working day (counted from the next working day)"."""
        unit = {Unit.WORKING_DAYS: "working day", Unit.DAYS: "day", Unit.HOURS: "hour"}[self.unit]
        text = f"{self.amount} {unit}{'' if self.amount == 1 else 's'}"
        if self.unit is Unit.HOURS:
            return text
        if self.counting is Counting.INCLUSIVE:
            return f"{text} (the start day counts as day 1)"
        return f"{text} (counted from the next day)"

    def applies_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def deadline(
        self, start: dt.datetime | dt.date, calendar: Calendar | None = None
    ) -> dt.date | dt.datetime:
        """When a clock that started at `start` runs out under this version.

        Working days and days: the last day allowed (a date; due by the end of that day in
        England), counted from the day `start` falls on in England. Working days need the
        `calendar` (``core.workingdays.england()`` for the partnership's own). Hours: the instant
        `amount` hours after `start` (a date starts at midnight in England)."""
        if self.unit is Unit.HOURS:
            return _aware(start) + dt.timedelta(hours=self.amount)
        day = _local_date(start)
        if self.unit is Unit.DAYS:
            offset = self.amount - 1 if self.counting is Counting.INCLUSIVE else self.amount
            return day + dt.timedelta(days=offset)
        if calendar is None:
            raise ValueError(f"{self.label}: a deadline in working days needs a calendar")
        return calendar.add_working_days(day, self.amount, counting=self.counting)


def passes_at(deadline: dt.date | dt.datetime) -> dt.datetime:
    """The instant a deadline has passed: for a day, the start of the next day in England; for
    an instant, itself. A clock job compares `clock.now()` with this."""
    if isinstance(deadline, dt.datetime):
        return _aware(deadline)
    following = deadline + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(following, dt.time()), _london())


def is_overdue(deadline: dt.date | dt.datetime | None, now: dt.datetime | None = None) -> bool:
    """Whether the deadline has passed at `now` (default: the clock's now)."""
    if deadline is None:
        return False
    from sightline.core import clock

    return (now or clock.now()) >= passes_at(deadline)


def _london() -> dt.tzinfo:
    return timezone.get_default_timezone()


def _aware(value: dt.datetime | dt.date) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        return timezone.make_aware(dt.datetime.combine(value, dt.time()), _london())
    if timezone.is_naive(value):
        return timezone.make_aware(value, _london())
    return value


def _local_date(value: dt.datetime | dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(_aware(value), _london()).date()
    return value


# --- the file -----------------------------------------------------------------------------------


class _Version(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: StrictInt = Field(ge=1)
    amount: StrictInt = Field(ge=1, le=10_000)
    unit: Unit
    counting: Counting | None = None
    effective_from: dt.date
    effective_to: dt.date | None = None
    source: str = Field(min_length=1, max_length=2000)
    note: str = Field(default="", max_length=2000)

    @field_validator("effective_from", "effective_to", mode="before")
    @classmethod
    def _a_day(cls, value: Any) -> Any:
        # YAML reads 2024-01-01 as a date; a timestamp would silently lose its time.
        if isinstance(value, dt.datetime):
            raise ValueError("give a date (YYYY-MM-DD), not a date and time")
        return value


class _Key(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1, max_length=200)
    versions: list[_Version] = Field(min_length=1)


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["sightline-timescales/1"]
    timescales: dict[str, _Key]


@dataclass(frozen=True)
class TimescaleSet:
    """Every version of every key of one file, checked."""

    path: str
    versions: Mapping[str, tuple[Timescale, ...]]

    @property
    def keys(self) -> list[str]:
        return sorted(self.versions)

    def on(self, key: str, day: dt.date) -> Timescale:
        for version in self._of(key):
            if version.applies_on(day):
                return version
        raise TimescaleError(
            f"{self.path}: no version of the timescale {key!r} is in force on {day.isoformat()}"
        )

    def version(self, key: str, version: int) -> Timescale:
        for found in self._of(key):
            if found.version == version:
                return found
        raise TimescaleError(f"{self.path}: the timescale {key!r} has no version {version}")

    def _of(self, key: str) -> tuple[Timescale, ...]:
        try:
            return self.versions[key]
        except KeyError:
            raise TimescaleError(
                f"{self.path}: no timescale {key!r} (the keys are: {', '.join(self.keys)})"
            ) from None


def _problems_from(exc: ValidationError, data: Any) -> list[Problem]:
    problems = []
    for error in exc.errors():
        loc = list(error["loc"])
        key, version, field = "", None, ".".join(str(p) for p in loc)
        if len(loc) >= 2 and loc[0] == "timescales":
            key = str(loc[1])
            rest = loc[2:]
            if len(rest) >= 2 and rest[0] == "versions" and isinstance(rest[1], int):
                version = _version_number(data, key, rest[1])
                rest = rest[2:]
                if version is None:
                    rest = [f"versions[{loc[3]}]", *rest]
            field = ".".join(str(p) for p in rest)
        reason = str(error["msg"])
        if error["type"] == "extra_forbidden":
            reason = "not a field of a timescale (check its spelling)"
        elif error["type"] == "missing":
            reason = "missing"
        problems.append(Problem(key, field, reason, version))
    return problems


def _version_number(data: Any, key: str, index: int) -> int | None:
    try:
        number = data["timescales"][key]["versions"][index]["version"]
    except (KeyError, IndexError, TypeError):
        return None
    return number if isinstance(number, int) and not isinstance(number, bool) else None


def parse_timescales(data: Any, *, path: str = "timescales.yaml") -> TimescaleSet:
    """Check a timescales file's data and build its set; TimescaleError names every problem."""
    try:
        parsed = _File.model_validate(data)
    except ValidationError as exc:
        raise TimescaleError(
            f"{path} is not a valid timescales file", _problems_from(exc, data)
        ) from None
    problems: list[Problem] = []
    versions: dict[str, tuple[Timescale, ...]] = {}
    for key, entry in parsed.timescales.items():
        if not KEY_PATTERN.match(key):
            problems.append(
                Problem(key, "", "a key is lower-case words joined by dots, like referral.decision")
            )
        built = []
        for v in entry.versions:
            counting = v.counting
            if v.unit is Unit.HOURS:
                if counting is Counting.INCLUSIVE:
                    problems.append(
                        Problem(key, "counting", "hours are elapsed time: leave it out", v.version)
                    )
                counting = Counting.AFTER
            elif counting is None:
                problems.append(
                    Problem(
                        key, "counting", "say how days are counted: inclusive or after", v.version
                    )
                )
                counting = Counting.AFTER
            if v.effective_to is not None and v.effective_to < v.effective_from:
                problems.append(Problem(key, "effective_to", "is before effective_from", v.version))
            built.append(
                Timescale(
                    key=key,
                    version=v.version,
                    amount=v.amount,
                    unit=v.unit,
                    counting=counting,
                    effective_from=v.effective_from,
                    effective_to=v.effective_to,
                    source=v.source.strip(),
                    title=entry.title.strip(),
                )
            )
        problems += _sequence_problems(key, built)
        versions[key] = tuple(built)
    if problems:
        raise TimescaleError(f"{path} is not a valid timescales file", problems)
    return TimescaleSet(path, versions)


def _sequence_problems(key: str, versions: list[Timescale]) -> list[Problem]:
    """Versions numbered upwards in date order, each taking over the day after the last ends."""
    problems = []
    for earlier, later in itertools.pairwise(versions):
        if later.version <= earlier.version:
            problems.append(
                Problem(key, "version", f"must be greater than {earlier.version}", later.version)
            )
        if earlier.effective_to is None:
            problems.append(
                Problem(
                    key,
                    "effective_to",
                    f"needed: version {later.version} follows from {later.effective_from}",
                    earlier.version,
                )
            )
            continue
        expected = earlier.effective_to + dt.timedelta(days=1)
        if later.effective_from != expected:
            what = "overlaps" if later.effective_from < expected else "leaves a gap after"
            problems.append(
                Problem(
                    key,
                    "effective_from",
                    f"{what} version {earlier.version} (which ends on "
                    f"{earlier.effective_to}): start it on {expected}",
                    later.version,
                )
            )
    return problems


def load_timescales(path: Path | str) -> TimescaleSet:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TimescaleError(f"{path}: no such timescales file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TimescaleError(f"{path}: cannot be read ({exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TimescaleError(f"{path}: not valid YAML ({exc})") from None
    return parse_timescales(data, path=str(path))


@functools.cache
def _cached(path: str) -> TimescaleSet:
    return load_timescales(path)


def timescales_file() -> Path:
    from django.conf import settings

    return Path(getattr(settings, "TIMESCALES_FILE", None) or DEFAULT_FILE)


def timescales() -> TimescaleSet:
    """The partnership's timescales (the TIMESCALES_FILE setting, or the shipped file)."""
    return _cached(str(timescales_file()))


def timescale_for(key: str, on: dt.date | dt.datetime) -> Timescale:
    """The version of `key` in force on `on` (a datetime: the day it falls on in England). A
    record that starts a clock keeps the `version` (or `label`) it was given."""
    return timescales().on(key, _local_date(on))


def timescale_version(key: str, version: int) -> Timescale:
    """A version by number: the one a record started under, whatever is in force now."""
    return timescales().version(key, version)


def timescale_by_label(label: str) -> Timescale:
    """A version from its stored label ("referral.decision@2")."""
    key, sep, number = label.rpartition("@")
    if not sep or not number.isdigit():
        raise TimescaleError(f"{label!r} is not a timescale label like referral.decision@1")
    return timescale_version(key, int(number))


# --- keys the apps need ---------------------------------------------------------------------------

_required: dict[str, str] = {}


def require_keys(app_label: str, *keys: str) -> None:
    """An app declares the keys its clocks read (in AppConfig.ready()), so `manage.py check`
    refuses a partnership's file that lacks one (core.E002) instead of a clock failing later."""
    for key in keys:
        _required[key] = app_label


def required_keys() -> dict[str, str]:
    return dict(_required)
