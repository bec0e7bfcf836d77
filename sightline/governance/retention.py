"""The retention schedule (vocabulary/retention.yaml) and the pure rule that applies it: from
plain facts about one person, the date until which their records are kept. No queries: the
deletion run (dataprotection.retention) gathers the facts and decides nothing else.
docs/information-governance.md, Retention."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ImproperlyConfigured

from sightline.agencies.vocabulary import agency_kinds
from sightline.governance.vocabulary import sensitivities

SCHEDULE_FILE = Path(__file__).parent / "vocabulary" / "retention.yaml"
_TERMS = frozenset({"birthday", "years_after_last_record"})
_MATCHERS = ("entry_types", "agency_kinds", "sensitivities", "grades")


@dataclass(frozen=True)
class RecordClass:
    code: str
    label: str
    keep_until: dict[str, int]
    entry_types: frozenset[str] = frozenset()
    agency_kinds: frozenset[str] = frozenset()
    sensitivities: frozenset[str] = frozenset()
    grades: frozenset[str] = frozenset()

    @property
    def matches_everyone(self) -> bool:
        return not (self.entry_types or self.agency_kinds or self.sensitivities or self.grades)


@dataclass(frozen=True)
class Schedule:
    version: str
    effective_from: dt.date
    classes: tuple[RecordClass, ...]


@dataclass(frozen=True)
class PersonFacts:
    """What the schedule needs to know about one person (and everyone merged into them)."""

    # The latest date the person can have been born on (a partial date of birth is read at its
    # end, so a birthday is never counted early); None when unknown.
    birth_latest: dt.date | None
    last_record_on: dt.date | None
    entry_types: frozenset[str] = frozenset()
    agency_kinds: frozenset[str] = frozenset()
    sensitivities: frozenset[str] = frozenset()
    grades: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Verdict:
    """Until when the person's records are kept (None: indefinitely, a date that cannot be
    worked out), and the class that gives that date."""

    keep_until: dt.date | None
    rule: str
    classes: tuple[str, ...] = field(default=())

    def passed(self, today: dt.date) -> bool:
        return self.keep_until is not None and self.keep_until < today


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ImproperlyConfigured(f"{SCHEDULE_FILE.name}: {where}: not a date") from None


def _codes(
    spec: dict[str, Any], key: str, known: Collection[str] | None, where: str
) -> frozenset[str]:
    values = spec.get(key) or []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ImproperlyConfigured(f"{SCHEDULE_FILE.name}: {where}.{key}: expected a list of codes")
    if known is not None:
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ImproperlyConfigured(f"{SCHEDULE_FILE.name}: {where}.{key}: unknown {unknown}")
    return frozenset(values)


def parse_schedules(data: Any) -> list[Schedule]:
    """Every version of the schedule, checked, in order of effect. Entry types are checked by
    the dataprotection app, which knows them (governance sits below the chronology)."""
    if not isinstance(data, dict) or not isinstance(data.get("versions"), list):
        raise ImproperlyConfigured(f"{SCHEDULE_FILE.name}: expected a list of versions")
    if data.get("audit_log") != "keep":
        raise ImproperlyConfigured(f"{SCHEDULE_FILE.name}: the audit log is always kept")
    schedules = []
    for spec in data["versions"]:
        version = str(spec.get("version", ""))
        where = f"version {version or '?'}"
        classes = []
        for code, cls in (spec.get("classes") or {}).items():
            at = f"{where}.{code}"
            keep = cls.get("keep_until") or {}
            if (
                not keep
                or set(keep) - _TERMS
                or not all(isinstance(v, int) and v >= 0 for v in keep.values())
            ):
                raise ImproperlyConfigured(
                    f"{SCHEDULE_FILE.name}: {at}.keep_until: give birthday and/or "
                    "years_after_last_record as whole numbers"
                )
            classes.append(
                RecordClass(
                    code=str(code),
                    label=str(cls.get("label", code)),
                    keep_until=dict(keep),
                    entry_types=_codes(cls, "entry_types", None, at),
                    agency_kinds=_codes(cls, "agency_kinds", agency_kinds(), at),
                    sensitivities=_codes(cls, "sensitivities", sensitivities(), at),
                    grades=_codes(
                        cls,
                        "grades",
                        ("fact", "professional_opinion", "reported", "intelligence"),
                        at,
                    ),
                )
            )
        if not version or not classes:
            raise ImproperlyConfigured(f"{SCHEDULE_FILE.name}: {where}: a version and classes")
        if not any(c.matches_everyone for c in classes):
            # Without a class for everyone, a person with none of the named records would have
            # no date and be kept for ever without anyone deciding so.
            raise ImproperlyConfigured(f"{SCHEDULE_FILE.name}: {where}: needs a class for everyone")
        schedules.append(
            Schedule(version, _date(spec.get("effective_from"), where), tuple(classes))
        )
    return sorted(schedules, key=lambda s: s.effective_from)


@cache
def schedules() -> list[Schedule]:
    with SCHEDULE_FILE.open(encoding="utf-8") as fh:
        return parse_schedules(yaml.safe_load(fh))


def schedule_on(on: dt.date, versions: list[Schedule] | None = None) -> Schedule:
    """The version in effect on a day (the latest to take effect by then)."""
    in_effect = [
        s for s in (schedules() if versions is None else versions) if s.effective_from <= on
    ]
    if not in_effect:
        raise ImproperlyConfigured(f"{SCHEDULE_FILE.name}: no version in effect on {on}")
    return in_effect[-1]


def birthday(birth: dt.date, years: int) -> dt.date:
    """The Nth birthday; a 29 February birthday falls on 28 February in other years."""
    year = birth.year + years
    day = min(birth.day, calendar.monthrange(year, birth.month)[1])
    return dt.date(year, birth.month, day)


def latest_birth(birth: dt.date | None, precision: str) -> dt.date | None:
    """The last day a partial date of birth can stand for."""
    if birth is None:
        return None
    if precision == "year":
        return dt.date(birth.year, 12, 31)
    if precision in ("month", "season"):
        month = birth.month if precision == "month" else min(12, birth.month + 2)
        return dt.date(birth.year, month, calendar.monthrange(birth.year, month)[1])
    return birth


def _applies(cls: RecordClass, facts: PersonFacts) -> bool:
    return (
        cls.matches_everyone
        or bool(cls.entry_types & facts.entry_types)
        or bool(cls.agency_kinds & facts.agency_kinds)
        or bool(cls.sensitivities & facts.sensitivities)
        or bool(cls.grades & facts.grades)
    )


def _term_date(term: str, n: int, facts: PersonFacts) -> dt.date | None:
    if term == "birthday":
        return None if facts.birth_latest is None else birthday(facts.birth_latest, n)
    if facts.last_record_on is None:
        return None
    return birthday(facts.last_record_on, n)  # the same calendar arithmetic


def verdict(schedule: Schedule, facts: PersonFacts) -> Verdict:
    """Until when this person's records are kept under this schedule: the latest date of every
    term of every class they fall in; None (indefinitely) when a term cannot be worked out."""
    applying = [c for c in schedule.classes if _applies(c, facts)]
    latest: dt.date | None = dt.date.min
    rule = ""
    for cls in applying:
        for term, n in sorted(cls.keep_until.items()):
            when = _term_date(term, n, facts)
            if when is None:
                return Verdict(None, f"{cls.code}: {term} unknown", tuple(c.code for c in applying))
            if latest is not None and when > latest:
                latest, rule = when, f"{cls.code}: {term} {n}"
    return Verdict(latest, rule, tuple(c.code for c in applying))
