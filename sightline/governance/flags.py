"""Unusual access, flagged for the auditor from the audit log (docs/audit.md).

A flag is a pattern worth a look, never a finding: the auditor reads who, when and what, and
asks why. The rules are a short list that grows: an app registers its own with
`register_flag_rule`. Each rule reads the audit rows
of a period of days and returns its flags; the thresholds and working hours are settings
(README, Configuration).

Built in:
- `outside_relationship`: a person opened many children in a day whom neither their agency nor
  their team had a legitimate relationship with (a grant counting that day): the partnership-
  wide roles (MASH), and break-glass, can;
- `break_glass_repeated`: the same person used break-glass access several times in the period
  (counted from the break-glass uses, governance.models.BreakGlass);
- `refused_repeatedly`: a person was refused a child's record many times in a day (asking for
  references they have no relationship with);
- `out_of_hours`: a person looked at children's records outside working hours (evenings,
  weekends and England's bank holidays), unless their role works round the clock.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, ExtractMinute, TruncDate

from sightline.core.dates import LONDON
from sightline.core.workingdays import england
from sightline.governance import access
from sightline.governance.audit import AuditAction
from sightline.governance.models import AuditEvent, BreakGlass

# Looks at a child's record (the child's page, its story, an entry, an export, an identity pair).
VIEW_ACTIONS = (
    AuditAction.PERSON_VIEWED,
    AuditAction.STORY_VIEWED,
    AuditAction.STORY_EXPORTED,
    AuditAction.ENTRY_VIEWED,
    AuditAction.MATCH_VIEWED,
)


@dataclass(frozen=True)
class Period:
    """Days, in local time (Europe/London), first and last included."""

    first: dt.date
    last: dt.date

    def events(self) -> QuerySet[AuditEvent]:
        start = dt.datetime.combine(self.first, dt.time(), tzinfo=LONDON)
        end = dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(), tzinfo=LONDON)
        return AuditEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end)


@dataclass(frozen=True)
class Flag:
    rule: str
    actor_id: int | None
    actor_name: str
    count: int
    summary: str  # what was seen, in words: "Opened 14 children ..."
    day: dt.date | None = None  # the day, for a rule that counts by day
    first_at: dt.datetime | None = None
    last_at: dt.datetime | None = None
    # What the evidence is: the actions to search for (the auditor's search, filtered).
    actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class FlagRule:
    code: str
    title: str
    description: str  # what it flags and why, for the auditor's page
    find: Callable[[Period], list[Flag]] = field(compare=False)


_rules: dict[str, FlagRule] = {}


def register_flag_rule(rule: FlagRule) -> None:
    """Add a rule (or replace the rule with its code)."""
    _rules[rule.code] = rule


def flag_rules() -> list[FlagRule]:
    return list(_rules.values())


def flags_find(period: Period) -> list[Flag]:
    """Every rule's flags for the period: the busiest first."""
    found = [flag for rule in flag_rules() for flag in rule.find(period)]
    return sorted(found, key=lambda f: (-f.count, f.day or period.first, f.actor_name, f.rule))


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default) or default)


def _by_person_day(events: QuerySet[AuditEvent]) -> QuerySet[Any]:
    return events.filter(actor__isnull=False).annotate(day=TruncDate("occurred_at", tzinfo=LONDON))


# --- the built-in rules --------------------------------------------------------------------------


def _outside_relationship(period: Period) -> list[Flag]:
    threshold = _setting("AUDIT_FLAG_OUTSIDE_CHILDREN_PER_DAY", 10)
    rows = (
        _by_person_day(period.events().filter(action__in=VIEW_ACTIONS, person_id__isnull=False))
        .exclude(actor_agency_id__isnull=True)
        .values_list(
            "actor_id", "actor_name", "actor_agency_id", "actor_team_id", "day", "person_id"
        )
        .distinct()
    )
    opened: dict[tuple[int, str, int, int | None, dt.date], set[int]] = defaultdict(set)
    for actor_id, name, agency_id, team_id, day, person_id in rows.iterator(chunk_size=5000):
        opened[(actor_id, name, agency_id, team_id, day)].add(person_id)
    # Only those who opened enough children to matter are checked against the grants.
    flags = []
    for (actor_id, name, agency_id, team_id, day), people in opened.items():
        if len(people) < threshold:
            continue
        related: set[int] = set()
        ids = sorted(people)
        for start in range(0, len(ids), 2000):
            related.update(
                access.grants_counting(agency_id=agency_id, team_id=team_id, today=day)
                .filter(person_id__in=ids[start : start + 2000])
                .values_list("person_id", flat=True)
            )
        outside = len(people - related)
        if outside >= threshold:
            flags.append(
                Flag(
                    "outside_relationship",
                    actor_id,
                    name,
                    outside,
                    f"Opened {outside} children whom their agency and team had no "
                    f"relationship with (of {len(people)} opened that day)",
                    day=day,
                    actions=tuple(VIEW_ACTIONS),
                )
            )
    return flags


def _per_person_day(events: QuerySet[AuditEvent], threshold: int) -> Iterable[dict[str, Any]]:
    rows: Iterable[dict[str, Any]] = (
        _by_person_day(events)
        .values("actor_id", "actor_name", "day")
        .annotate(n=Count("id"), first_at=Min("occurred_at"), last_at=Max("occurred_at"))
        .filter(n__gte=threshold)
        .order_by()
    )
    return rows


def _refused_repeatedly(period: Period) -> list[Flag]:
    threshold = _setting("AUDIT_FLAG_REFUSED_PER_DAY", 5)
    events = period.events().filter(action=AuditAction.ACCESS_REFUSED)
    return [
        Flag(
            "refused_repeatedly",
            row["actor_id"],
            row["actor_name"],
            row["n"],
            f"Was refused a child's record {row['n']} times",
            day=row["day"],
            first_at=row["first_at"],
            last_at=row["last_at"],
            actions=(AuditAction.ACCESS_REFUSED,),
        )
        for row in _per_person_day(events, threshold)
    ]


def _break_glass_repeated(period: Period) -> list[Flag]:
    """Read from the break-glass uses themselves (governance.models.BreakGlass): each use is
    one row there, however many pages were seen under it."""
    threshold = _setting("AUDIT_FLAG_BREAK_GLASS_COUNT", 3)
    start = dt.datetime.combine(period.first, dt.time(), tzinfo=LONDON)
    end = dt.datetime.combine(period.last + dt.timedelta(days=1), dt.time(), tzinfo=LONDON)
    rows = (
        BreakGlass.objects.filter(started_at__gte=start, started_at__lt=end)
        .values("user_id", "user__username")
        .annotate(n=Count("id"), first_at=Min("started_at"), last_at=Max("started_at"))
        .filter(n__gte=threshold)
        .order_by()
    )
    # Named by username, as the audit rows name them, so the evidence link searches for them.
    return [
        Flag(
            "break_glass_repeated",
            row["user_id"],
            row["user__username"],
            row["n"],
            f"Used break-glass access {row['n']} times in the period",
            first_at=row["first_at"],
            last_at=row["last_at"],
            actions=(AuditAction.BREAK_GLASS,),
        )
        for row in rows
    ]


def working_hours() -> tuple[int, int] | None:
    """AUDIT_WORKING_HOURS ("08:00-18:00") as minutes of the day, or None (the rule is off)."""
    text = str(getattr(settings, "AUDIT_WORKING_HOURS", "08:00-18:00") or "").strip()
    if not text:
        return None
    start, end = (part.strip() for part in text.split("-", 1))
    minutes = [int(h) * 60 + int(m) for h, m in (start.split(":"), end.split(":"))]
    return minutes[0], minutes[1]


def _out_of_hours(period: Period) -> list[Flag]:
    hours = working_hours()
    if hours is None:
        return []
    start, end = hours
    threshold = _setting("AUDIT_FLAG_OUT_OF_HOURS_VIEWS", 1)
    exempt = [
        r.strip()
        for r in str(getattr(settings, "AUDIT_OUT_OF_HOURS_ROLES", "") or "").split(",")
        if r.strip()
    ]
    calendar = england()
    holidays = [day for day in calendar.holidays if period.first <= day <= period.last]
    events = (
        period.events()
        .filter(action__in=VIEW_ACTIONS, actor__isnull=False)
        .exclude(actor_role__in=exempt)
        .annotate(
            minute=ExtractHour("occurred_at", tzinfo=LONDON) * 60
            + ExtractMinute("occurred_at", tzinfo=LONDON),
            weekday=ExtractIsoWeekDay("occurred_at", tzinfo=LONDON),
            local_day=TruncDate("occurred_at", tzinfo=LONDON),
        )
        .filter(
            Q(minute__lt=start) | Q(minute__gte=end) | Q(weekday__gte=6) | Q(local_day__in=holidays)
        )
    )
    return [
        Flag(
            "out_of_hours",
            row["actor_id"],
            row["actor_name"],
            row["n"],
            f"Looked at children's records {row['n']} "
            f"{'time' if row['n'] == 1 else 'times'} outside working hours",
            day=row["day"],
            first_at=row["first_at"],
            last_at=row["last_at"],
            actions=tuple(VIEW_ACTIONS),
        )
        for row in _per_person_day(events, threshold)
    ]


register_flag_rule(
    FlagRule(
        "outside_relationship",
        "Many children outside their relationships",
        "A person opened, in one day, at least AUDIT_FLAG_OUTSIDE_CHILDREN_PER_DAY children "
        "whom neither their agency nor their team had a legitimate relationship with.",
        _outside_relationship,
    )
)
register_flag_rule(
    FlagRule(
        "break_glass_repeated",
        "Break-glass used repeatedly",
        "The same person used break-glass access at least AUDIT_FLAG_BREAK_GLASS_COUNT times "
        "in the period.",
        _break_glass_repeated,
    )
)
register_flag_rule(
    FlagRule(
        "refused_repeatedly",
        "Refused many times",
        "A person was refused a child's record at least AUDIT_FLAG_REFUSED_PER_DAY times in "
        "one day.",
        _refused_repeatedly,
    )
)
register_flag_rule(
    FlagRule(
        "out_of_hours",
        "Out of hours",
        "A person looked at children's records outside AUDIT_WORKING_HOURS, at a weekend or on "
        "a bank holiday (roles in AUDIT_OUT_OF_HOURS_ROLES are not flagged).",
        _out_of_hours,
    )
)
