"""Replay a child's history day by day: every alert as it would have been raised, each day
evaluated as known on that day (docs/alerts.md, Lifecycle).

Day by day in meaning, not in work: within a stretch of days over which nothing a rule reads was
recorded or corrected, the days on which the rule holds are already known exactly (evaluate's
sets of days), so only the days where those sets or their evidence change, and the lifecycle's
own days (a decision, the end of a suppression window), are looked at.

The lifecycle, per (child, rule): one open alert at a time; while open, new evidence is added to
it. Nobody decides anything in a replay, so each alert is taken as decided on the day its
suppression window (the rule's suppress_days from raising) ends. After a decision it re-raises
at once when new evidence arrives, and otherwise, as a reminder, once the window after the
decision has passed and the condition still holds."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from sightline.alerts.engine.evaluate import Ctx, Index, Truth, finding_at, rule_truth
from sightline.alerts.engine.intervals import HI
from sightline.alerts.engine.loader import Rule, RuleSet
from sightline.alerts.engine.model import Finding, History, Raised, Update
from sightline.alerts.engine.schema import Match, RelatedSpec, SingleAgencySpec
from sightline.core.workingdays import Calendar

HORIZON_STEP = 64
NEW = "new"
NEW_EVIDENCE = "new_evidence"
REMINDER = "reminder"


def _nodes(node: Any) -> Iterator[Any]:
    if isinstance(node, BaseModel):
        yield node
        for name in type(node).model_fields:
            yield from _nodes(getattr(node, name))
    elif isinstance(node, list):
        for item in node:
            yield from _nodes(item)


def knowledge_days(rules: Iterable[Rule], index: Index) -> set[int]:
    """The days on which what these rules read may change: a version of an entry they select
    recorded or superseded (every entry's, for a rule reading every entry; every related
    person's, for a rule about related people)."""
    days: set[int] = set()
    for rule in rules:
        nodes = list(_nodes(rule.spec.when)) + list(_nodes(rule.spec.applies_to))
        if any(isinstance(n, SingleAgencySpec) for n in nodes):
            days |= {r.rec for r in index.recs} | {r.sup for r in index.recs if r.sup <= HI}
        if any(isinstance(n, RelatedSpec) for n in nodes):
            for i in range(len(index.history.related)):
                days |= index.related(i).recording_days()
        for n in nodes:
            if isinstance(n, Match):
                for r in index.versions(n).recs:
                    days.add(r.rec)
                    if r.sup <= HI:
                        days.add(r.sup)
    return days


@dataclass
class _Open:
    rule: Rule
    raised_on: int
    reason: str
    finding: Finding
    new_evidence: tuple[str, ...]
    decided_on: int
    evidence: dict[str, None]
    updates: list[Update] = field(default_factory=list)

    def done(self) -> Raised:
        return Raised(
            rule=self.rule.id,
            version=self.rule.version,
            severity=self.rule.severity,
            raised_on=dt.date.fromordinal(self.raised_on),
            reason=self.reason,
            finding=self.finding,
            new_evidence=self.new_evidence,
            decided_on=dt.date.fromordinal(self.decided_on),
            updates=tuple(self.updates),
        )


class _Lifecycle:
    """One rule's alerts for one child, as the days pass."""

    def __init__(self) -> None:
        self.open: _Open | None = None
        self.decided_on: int | None = None
        self.decided_evidence: set[str] = set()
        self.remind_from: int | None = None
        self.raised: list[Raised] = []

    def next_day(self) -> int | None:
        if self.open is not None:
            return self.open.decided_on
        return self.remind_from

    def close_if_due(self, day: int) -> None:
        if self.open is not None and day >= self.open.decided_on:
            alert = self.open
            self.raised.append(alert.done())
            self.decided_on = alert.decided_on
            self.decided_evidence |= set(alert.evidence)
            self.remind_from = alert.decided_on + alert.rule.spec.suppress_days
            self.open = None

    def see(self, rule: Rule, day: int, finding: Finding | None, exact: _Exact) -> None:
        self.close_if_due(day)
        if finding is None:
            return
        if self.open is not None:
            added = tuple(k for k in finding.evidence if k not in self.open.evidence)
            if added:
                full = exact.at(day, finding)
                self.open.updates.append(Update(dt.date.fromordinal(day), added, full))
                self.open.evidence.update(dict.fromkeys(added))
            return
        if self.decided_on is None:
            self._raise(rule, day, NEW, exact.at(day, finding), finding.evidence)
            return
        new = tuple(k for k in finding.evidence if k not in self.decided_evidence)
        if new:
            self._raise(rule, day, NEW_EVIDENCE, exact.at(day, finding), new)
        elif self.remind_from is not None and day >= self.remind_from:
            self._raise(rule, day, REMINDER, exact.at(day, finding), ())

    def _raise(
        self, rule: Rule, day: int, reason: str, finding: Finding, new: tuple[str, ...]
    ) -> None:
        self.open = _Open(
            rule=rule,
            raised_on=day,
            reason=reason,
            finding=finding,
            new_evidence=new,
            decided_on=day + rule.spec.suppress_days,
            evidence=dict.fromkeys(finding.evidence),
        )

    def finish(self) -> list[Raised]:
        if self.open is not None:
            self.raised.append(self.open.done())
            self.open = None
        return self.raised


def replay_rule(
    versions: list[Rule], index: Index, *, start: dt.date, end: dt.date, calendar: Calendar
) -> list[Raised]:
    """One rule (all its versions) over one child's history."""
    first, last = start.toordinal(), end.toordinal()
    bounds = {first}
    for version in versions:
        bounds.add(version.spec.effective_from.toordinal())
        if version.spec.effective_to is not None:
            bounds.add(version.spec.effective_to.toordinal() + 1)
    bounds |= knowledge_days(versions, index)
    segments = sorted(b for b in bounds if first <= b <= last)
    life = _Lifecycle()
    memo: dict[int, Any] = {}
    for i, seg_start in enumerate(segments):
        seg_end = segments[i + 1] - 1 if i + 1 < len(segments) else last
        on = dt.date.fromordinal(seg_start)
        rule = next((r for r in versions if r.effective_on(on)), None)
        if rule is None:
            # No version in force: nothing raises, but an open alert is still decided.
            due = life.next_day()
            while due is not None and due <= seg_end and life.open is not None:
                life.close_if_due(due)
                due = life.next_day()
            continue
        # The horizon moves in steps, so conditions whose entries did not change keep their
        # truth from one stretch to the next (memo); days from the horizon on are exact.
        ctx = Ctx(index, seg_start, calendar, horizon=seg_start - seg_start % HORIZON_STEP)
        ctx.memo = memo
        truth = rule_truth(rule, ctx)
        events = sorted(e for e in truth.events if seg_start < e <= seg_end)
        exact = _Exact(rule, index, seg_start, calendar, ctx.horizon or seg_start)
        day = seg_start
        while day <= seg_end:
            life.see(rule, day, _finding(rule, ctx, truth, day), exact)
            day = _next(events, day, life.next_day(), seg_end)
    return life.finish()


class _Exact:
    """A finding's first day, exact. With a horizon H the days from H on are exact, so a run
    that starts after H is exact too; only a run reaching back to H is worked out again, first
    with a horizon two years earlier, then with none."""

    LOOK_BACK = 730

    def __init__(self, rule: Rule, index: Index, k: int, calendar: Calendar, horizon: int) -> None:
        self.rule, self.index, self.k, self.calendar = rule, index, k, calendar
        self.horizon = horizon
        self._views: dict[int | None, tuple[Ctx, Truth]] = {}

    def _view(self, horizon: int | None) -> tuple[Ctx, Truth]:
        if horizon not in self._views:
            ctx = Ctx(self.index, self.k, self.calendar, horizon=horizon)
            self._views[horizon] = (ctx, rule_truth(self.rule, ctx))
        return self._views[horizon]

    def at(self, day: int, fallback: Finding) -> Finding:
        if fallback.first_held_on.toordinal() > self.horizon:
            return fallback
        earlier = self.horizon - self.LOOK_BACK
        ctx, truth = self._view(earlier)
        found = finding_at(self.rule, ctx, truth, day)
        if found is not None and found.first_held_on.toordinal() > earlier:
            return found
        ctx, truth = self._view(None)
        return finding_at(self.rule, ctx, truth, day) or fallback


def _finding(rule: Rule, ctx: Ctx, truth: Truth, day: int) -> Finding | None:
    if truth.at(day) is None:
        return None
    return finding_at(rule, ctx, truth, day)


def _next(events: list[int], day: int, lifecycle: int | None, seg_end: int) -> int:
    i = bisect.bisect_right(events, day)
    candidates = [events[i]] if i < len(events) else []
    if lifecycle is not None and lifecycle > day:
        candidates.append(lifecycle)
    return min(candidates) if candidates else seg_end + 1


def replay(
    rule_set: RuleSet | Iterable[Rule],
    history: History | Index,
    *,
    start: dt.date,
    end: dt.date,
    calendar: Calendar,
) -> list[Raised]:
    """Every alert raised for the child between `start` and `end` (both included), each day
    as known on that day, in the order raised."""
    rules = rule_set.rules if isinstance(rule_set, RuleSet) else tuple(rule_set)
    index = history if isinstance(history, Index) else Index(history)
    by_id: dict[str, list[Rule]] = {}
    for rule in rules:
        by_id.setdefault(rule.id, []).append(rule)
    raised: list[Raised] = []
    for versions in by_id.values():
        raised += replay_rule(versions, index, start=start, end=end, calendar=calendar)
    return sorted(raised, key=lambda r: (r.raised_on, r.rule, r.version))
