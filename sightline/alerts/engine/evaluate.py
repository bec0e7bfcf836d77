"""Evaluate a rule over a child's history: pure, temporal and exact.

For a fixed "as known on" day K, every condition is worked out as two sets of days: the days on
which it definitely holds, and the days on which it possibly holds (when imprecise dates could
fall either way; definite ⊆ possible). `not` swaps them, `all` intersects, `any` unites. So the
first day of the run that contains the evaluation day is exact (an absence rule holds from its
deadline, not from the next evaluation), and `replay` need only look at the days where some set
begins or ends. docs/alerts.md documents each primitive's treatment of partial dates.

Entries are pre-indexed by type and theme once per history (`Index`); a Match reads only the
entries of its types, and a rule whose required entries are absent is rejected before any work.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel

from sightline.alerts.engine import intervals as iv
from sightline.alerts.engine.intervals import HI, LO, Days
from sightline.alerts.engine.loader import Rule
from sightline.alerts.engine.model import DEFINITE, POSSIBLE, Entry, Finding, History, Part
from sightline.alerts.engine.schema import (
    AbsentWhile,
    AbsentWhileSpec,
    AgeRange,
    AllOf,
    AnyOf,
    Child,
    Count,
    Every,
    FollowedBy,
    InvolvementCond,
    Match,
    NoFollowUp,
    Not,
    OpenInvolvements,
    RelatedCond,
    SingleAgency,
    State,
    StateSpec,
    Within,
)
from sightline.core.workingdays import Calendar, Counting

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
CLOSURE_TYPES = frozenset({"case_closed"})


# ---- entries, indexed ------------------------------------------------------------------------


class Rec:
    """An entry version with its days as ordinals (the engine's working form)."""

    __slots__ = ("agency", "e", "err", "key", "last", "order", "rec", "s", "sup", "t", "version")

    def __init__(self, e: Entry) -> None:
        self.e = e
        self.key = e.key
        self.version = e.version
        self.agency = e.agency
        self.s = e.start.toordinal()
        self.t = max(e.end.toordinal(), self.s)
        # The last day it may bear on a window: its end, or when it ended (a missing episode).
        self.last = max(self.t, e.ended_at.date().toordinal()) if e.ended_at else self.t
        self.rec = e.recorded_at.date().toordinal()
        self.sup = e.superseded_at.date().toordinal() if e.superseded_at else HI + 1
        self.err = e.entered_in_error
        self.order = (self.s, self.t, self.key, self.version)


def matches(m: Match, e: Entry) -> bool:
    return (
        (not m.types or e.type in m.types)
        and (not m.themes or e.theme in m.themes)
        and (not m.agency_kinds or e.agency_kind in m.agency_kinds)
        and e.agency_kind not in m.not_agency_kinds
        and e.type not in m.not_types
        and (not m.grades or e.grade in m.grades)
        and (not m.sensitivities or e.sensitivity in m.sensitivities)
    )


class Index:
    """A history's entry versions, grouped by type and by theme; build it once and evaluate
    every rule against it (`evaluate_rules`), at as many days as needed (`replay`)."""

    def __init__(self, history: History) -> None:
        self.history = history
        self.recs = sorted((Rec(e) for e in history.entries), key=_ORDER)
        # Most histories have no corrections: then "as known on" is only "recorded by then".
        self.simple = len({r.key for r in self.recs}) == len(self.recs) and not any(
            r.err or r.sup <= HI for r in self.recs
        )
        self.by_type: dict[str, list[Rec]] = defaultdict(list)
        self.by_theme: dict[str, list[Rec]] = defaultdict(list)
        for r in self.recs:
            self.by_type[r.e.type].append(r)
            self.by_theme[r.e.theme].append(r)
        self._versions: dict[int, Versions] = {}
        self._by_match: dict[tuple[Any, ...], Versions] = {}
        self._typed: dict[int, Versions] = {}
        self._every: Versions | None = None
        self._related: dict[int, Index] = {}
        last = history.birth_end or history.birth_start
        self.birth = (
            history.birth_start.toordinal() if history.birth_start else None,
            last.toordinal() if last else None,
        )

    def versions(self, m: Match) -> Versions:
        """Every version of every entry the Match selects (whatever was known when)."""
        found = self._versions.get(id(m))
        if found is None:
            if m.types:
                pool: Iterable[Rec] = (r for t in m.types for r in self.by_type.get(t, ()))
            elif m.themes:
                pool = (r for t in m.themes for r in self.by_theme.get(t, ()))
            else:
                pool = self.recs
            key = match_key(m)
            found = self._by_match.get(key)
            if found is None:
                found = Versions(
                    sorted((r for r in pool if matches(m, r.e)), key=_ORDER), self.simple
                )
                self._by_match[key] = found
            self._versions[id(m)] = found
        return found

    def every(self) -> Versions:
        if self._every is None:
            self._every = Versions(self.recs, self.simple)
        return self._every

    def of_types(self, types: frozenset[str]) -> Versions:
        key = hash(types)
        if key not in self._typed:
            found = sorted((r for t in types for r in self.by_type.get(t, ())), key=_ORDER)
            self._typed[key] = Versions(found, self.simple)
        return self._typed[key]

    def related(self, i: int) -> Index:
        if i not in self._related:
            self._related[i] = Index(self.history.related[i].history)
        return self._related[i]

    def recording_days(self) -> set[int]:
        """The days on which what is known changes (a version recorded or superseded)."""
        days = {r.rec for r in self.recs} | {r.sup for r in self.recs if r.sup <= HI}
        for i in range(len(self.history.related)):
            days |= self.related(i).recording_days()
        return days


class Versions:
    """Entry versions sorted by their first day, so the ones that can still bear on days from
    a horizon on are found by bisection."""

    def __init__(self, recs: list[Rec], simple: bool) -> None:
        self.recs = recs  # sorted by _ORDER
        self.starts = [r.s for r in recs]
        self.span = max((r.last - r.s for r in recs), default=0)
        self.simple = simple

    def __len__(self) -> int:
        return len(self.recs)

    def known(self, k: int, oldest: int | None = None) -> list[Rec]:
        """As known on day k; with `oldest`, only the entries whose last day is on or after it."""
        recs: Sequence[Rec] = self.recs
        if oldest is not None:
            recs = recs[bisect.bisect_left(self.starts, oldest - self.span) :]
        if self.simple:
            if oldest is None:
                return [r for r in recs if r.rec <= k]
            return [r for r in recs if r.rec <= k and r.last >= oldest]
        found = known(recs, k)
        return found if oldest is None else [r for r in found if r.last >= oldest]


_ORDER = operator.attrgetter("order")
_MATCH_KEYS: dict[int, tuple[Match, tuple[Any, ...]]] = {}


def match_key(m: Match) -> tuple[Any, ...]:
    """A Match's content, so equal Matches in different rules share their entries."""
    held = _MATCH_KEYS.get(id(m))
    if held is None or held[0] is not m:
        key = tuple(tuple(getattr(m, name)) for name in type(m).model_fields)
        held = (m, key)
        _MATCH_KEYS[id(m)] = held
    return held[1]


def known(recs: Sequence[Rec], k: int) -> list[Rec]:
    """As known on day k: each entry's version recorded by then and not superseded by then,
    without the entries entered in error. Keeps the versions' order."""
    valid = [r for r in recs if r.rec <= k < r.sup]
    best: dict[str, Rec] = {}
    for r in valid:
        held = best.get(r.key)
        if held is None or r.version > held.version:
            best[r.key] = r
    return [r for r in valid if best[r.key] is r and not r.err]


# ---- truth: the days a condition holds -------------------------------------------------------


class Truth:
    """The days a condition holds definitely, and possibly (definite within possible). Its
    `events`, the days its evidence may change (for replay), are worked out only when asked."""

    __slots__ = ("_events", "_sources", "definite", "possible")

    def __init__(
        self, definite: Days, possible: Days, sources: Iterable[set[int] | Truth] = ()
    ) -> None:
        self.definite = definite
        self.possible = possible
        self._sources = tuple(sources)
        self._events: set[int] | None = None

    @property
    def events(self) -> set[int]:
        if self._events is None:
            found = iv.bounds(self.definite) | iv.bounds(self.possible)
            for source in self._sources:
                found |= source.events if isinstance(source, Truth) else source
            self._events = found
        return self._events

    def at(self, day: int) -> str | None:
        if iv.contains(self.definite, day):
            return DEFINITE
        if iv.contains(self.possible, day):
            return POSSIBLE
        return None


def _truth(
    definite: Iterable[iv.Interval],
    possible: Iterable[iv.Interval],
    events: set[int] | Truth | None = None,
) -> Truth:
    d = iv.normal(definite)
    p = iv.union(iv.normal(possible), d)
    return Truth(d, p, (events,) if events else ())


NEVER = Truth([], [])


class Ctx:
    """One history as known on day k: truth and explanations of a rule's conditions.

    With a `horizon` (a replay's), only days from the horizon on are asked about, so entries
    that can no longer bear on those days (older than a window, a lookback) are left out; the
    days before the horizon are then not exact (replay recomputes a finding's first day
    without one)."""

    def __init__(
        self, index: Index, k: int, calendar: Calendar, horizon: int | None = None
    ) -> None:
        self.index = index
        self.k = k
        self.calendar = calendar
        self.horizon = horizon
        self._known: dict[int, list[Rec]] = {}
        self._truth: dict[int, Truth] = {}
        self._sub: dict[int, Ctx] = {}
        self.dated: dict[str, Rec] = {}
        # Truths kept across a replay's successive days of knowledge (replay passes one).
        self.memo: dict[int, tuple[tuple[Any, ...], Truth]] | None = None

    def entries(self, m: Match, memory: int | None = None) -> list[Rec]:
        """The entries `m` selects, as known on k. `memory`: how many days after its last day an
        entry can still matter to the condition using `m` (None: always)."""
        found = self._known.get(id(m))
        if found is None:
            oldest = self.horizon - memory if self.horizon is not None and memory else None
            found = self.index.versions(m).known(self.k, oldest)
            self._known[id(m)] = found
            for r in found:
                self.dated.setdefault(r.key, r)
        return found

    def all_entries(self, memory: int | None = None) -> list[Rec]:
        """Every entry as known on k (with `memory`, as for `entries`)."""
        key = -1 - (memory or 0)
        found = self._known.get(key)
        if found is None:
            oldest = self.horizon - memory if self.horizon is not None and memory else None
            found = self.index.every().known(self.k, oldest)
            self._known[key] = found
            for r in found:
                self.dated.setdefault(r.key, r)
        return found

    def closures(self) -> list[Rec]:
        found = self._known.get(-(10**9))
        if found is None:
            found = self.index.of_types(CLOSURE_TYPES).known(self.k)
            self._known[-(10**9)] = found
            for r in found:
                self.dated.setdefault(r.key, r)
        return found

    def state_truth(self, spec: StateSpec) -> Truth:
        found = self._truth.get(id(spec))
        if found is None:
            found = STATE.state_truth(spec, self)
            self._truth[id(spec)] = found
        return found

    def sub(self, i: int) -> Ctx:
        if i not in self._sub:
            self._sub[i] = Ctx(self.index.related(i), self.k, self.calendar)
        return self._sub[i]

    def truth(self, node: Any) -> Truth:
        found = self._truth.get(id(node))
        if found is None:
            memo = self.memo
            signature = self.signature(node) if memo is not None else None
            if signature is not None and memo is not None:
                held = memo.get(id(node))
                if held is not None and held[0] == signature:
                    found = held[1]
            if found is None:
                found = PRIMITIVES[type(node)].truth(node, self)
                if signature is not None and memo is not None:
                    memo[id(node)] = (signature, found)
            self._truth[id(node)] = found
        return found

    def signature(self, node: Any) -> tuple[Any, ...] | None:
        """What a node's truth depends on, beyond the fixed facts (birth, involvements): the
        entries its Matches select as known now, and the horizon. None: not kept (a node that
        reads every entry or related people's)."""
        matches = reads(node)
        if matches is None:
            return None
        return (
            self.horizon,
            *(tuple(id(r) for r in self.index.versions(m).known(self.k)) for m in matches),
        )

    def explain(self, node: Any, day: int) -> list[Part]:
        status = self.truth(node).at(day)
        if status is None:
            return []
        return PRIMITIVES[type(node)].explain(node, self, day, status == DEFINITE)

    def may_hold(self, node: Any) -> bool:
        return PRIMITIVES[type(node)].may_hold(node, self)


_READS: dict[int, tuple[Any, list[Match] | None]] = {}


def reads(node: Any) -> list[Match] | None:
    """The Matches in a condition, or None when it also reads every entry or related people."""
    held = _READS.get(id(node))
    if held is None or held[0] is not node:
        found: list[Match] | None = []
        for sub in _walk(node):
            if isinstance(sub, SingleAgency | RelatedCond):
                found = None
                break
            if isinstance(sub, Match) and found is not None:
                found.append(sub)
        held = (node, found)
        _READS[id(node)] = held
    return held[1]


def _walk(node: Any) -> Iterable[Any]:
    yield node
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _walk(getattr(node, name))
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


# ---- words -----------------------------------------------------------------------------------


def day_text(day: int | dt.date) -> str:
    d = dt.date.fromordinal(day) if isinstance(day, int) else day
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def _season(month: int) -> str:
    return {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring"}.get(
        month, "summer" if month in (6, 7, 8) else "autumn"
    )


def when_text(r: Rec) -> str:
    e = r.e
    if e.precision == "year":
        return f"{e.start.year}"
    if e.precision == "season":
        return f"{_season(e.start.month)} {e.start.year}"
    if e.precision == "month":
        return f"{MONTHS[e.start.month - 1]} {e.start.year}"
    return day_text(e.start)


def is_imprecise(r: Rec) -> bool:
    return r.s != r.t


def words(code: str) -> str:
    return code.replace("_", " ")


def noun(label: str | None, default_codes: Sequence[str], n: int) -> str:
    """`label` is "plural" or "singular|plural"; without one, the Match's type or theme names."""
    if label is None:
        base = " or ".join(words(c) for c in default_codes) or "entry"
        singular, plural = base, (base[:-1] + "ies" if base.endswith("y") else base + "s")
    elif "|" in label:
        singular, plural = (x.strip() for x in label.split("|", 1))
    else:
        plural = label
        singular = label[:-1] if label.endswith("s") and not label.endswith("ss") else label
    return singular if n == 1 else plural


def _codes(m: Match) -> list[str]:
    return m.types or m.themes


def _by_agency(recs: Iterable[Rec]) -> dict[str, list[Rec]]:
    groups: dict[str, list[Rec]] = {}
    for r in sorted(recs, key=lambda r: (r.s, r.t, r.key)):
        groups.setdefault(r.e.agency_name, []).append(r)
    return groups


def _dates(recs: Sequence[Rec]) -> str:
    return ", ".join(when_text(r) for r in recs)


def _described(recs: Sequence[Rec], typed: bool) -> str:
    """ "2 Aug 2019, 19 Aug 2019", or with each entry's type when a Match has several."""
    if not typed:
        return _dates(recs)
    return ", ".join(f"{words(r.e.type)} {when_text(r)}" for r in recs)


def _keys(recs: Iterable[Rec]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(r.key for r in sorted(recs, key=lambda r: (r.s, r.t, r.key))))


def period_text(within: Within | Every) -> str:
    if within.working_days is not None:
        n = within.working_days
        return f"{n} working day{'s' if n != 1 else ''}"
    if isinstance(within, Within) and within.hours is not None:
        n = within.hours
        return f"{n} hour{'s' if n != 1 else ''}"
    if isinstance(within, Every) and within.months is not None:
        n = within.months
        return f"{n} month{'s' if n != 1 else ''}"
    n = within.days or 0
    return f"{n} day{'s' if n != 1 else ''}"


# ---- the primitives --------------------------------------------------------------------------


class Primitive:
    def truth(self, node: Any, ctx: Ctx) -> Truth:
        raise NotImplementedError

    def explain(self, node: Any, ctx: Ctx, day: int, definite: bool) -> list[Part]:
        raise NotImplementedError

    def may_hold(self, node: Any, ctx: Ctx) -> bool:
        return True

    def negate(self, node: Any, ctx: Ctx, day: int) -> list[Part]:
        """Words for `not: <this>` holding."""
        return []


def _threshold(
    spans: list[tuple[int, int, str]], at_least: int, agencies: int
) -> tuple[Days, set[int]]:
    """The days on which at least `at_least` spans, from `agencies` distinct agencies, overlap."""
    if agencies <= 1:
        return _threshold_simple(spans, at_least)
    events: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for a, b, agency in spans:
        if a <= b:
            events[a].append((1, agency))
            events[b + 1].append((-1, agency))
    out: list[iv.Interval] = []
    total = 0
    per: dict[str, int] = defaultdict(int)
    days = sorted(events)
    for i, day in enumerate(days):
        for delta, agency in events[day]:
            total += delta
            per[agency] += delta
            if per[agency] == 0:
                del per[agency]
        if total >= at_least and len(per) >= agencies and i + 1 < len(days):
            out.append((day, days[i + 1] - 1))
    return iv.normal(out), set(days)


def _threshold_simple(spans: list[tuple[int, int, str]], at_least: int) -> tuple[Days, set[int]]:
    """_threshold without the agencies: a sweep over +1 / -1 events."""
    changes: dict[int, int] = {}
    for a, b, _ in spans:
        if a <= b:
            changes[a] = changes.get(a, 0) + 1
            changes[b + 1] = changes.get(b + 1, 0) - 1
    days = sorted(changes)
    out: list[iv.Interval] = []
    total = 0
    start: int | None = None
    for day in days:
        total += changes[day]
        if total >= at_least:
            if start is None:
                start = day
        elif start is not None:
            out.append((start, day - 1))
            start = None
    if start is not None:
        out.append((start, HI))
    return out, set(days)


class CountP(Primitive):
    def spans(
        self, node: Count, ctx: Ctx
    ) -> tuple[list[tuple[Rec, int, int]], list[tuple[Rec, int, int]]]:
        w = node.count.within_days
        recs = ctx.entries(node.count.match, w)
        certain, maybe = recs, recs
        if node.count.during is not None:
            # Definitely during the state: its whole date range inside a definitely-open run;
            # possibly: its range touches a day the state was possibly open.
            state = ctx.state_truth(node.count.during)
            certain = [
                r for r in recs if (run := iv.run_containing(state.definite, r.s)) and r.t <= run[1]
            ]
            maybe = [r for r in recs if iv.intersect(state.possible, [(r.s, r.t)])]
        if w is None:
            return [(r, r.t, HI) for r in certain], [(r, r.s, HI) for r in maybe]
        return (
            [(r, r.t, r.s + w - 1) for r in certain],
            [(r, r.s, r.t + w - 1) for r in maybe],
        )

    def truth(self, node: Count, ctx: Ctx) -> Truth:
        spec = node.count
        definite, possible = self.spans(node, ctx)
        d, ev1 = _threshold(
            [(a, b, r.agency) for r, a, b in definite], spec.at_least, spec.agencies_at_least
        )
        p, ev2 = _threshold(
            [(a, b, r.agency) for r, a, b in possible], spec.at_least, spec.agencies_at_least
        )
        return _truth(d, p, ev1 | ev2)

    def may_hold(self, node: Count, ctx: Ctx) -> bool:
        return len(ctx.entries(node.count.match, node.count.within_days)) >= node.count.at_least

    def in_window(self, node: Count, ctx: Ctx, day: int, definite: bool) -> list[Rec]:
        definite_spans, possible_spans = self.spans(node, ctx)
        spans = definite_spans if definite else possible_spans
        return [r for r, a, b in spans if a <= day <= b]

    def explain(self, node: Count, ctx: Ctx, day: int, definite: bool) -> list[Part]:
        spec = node.count
        recs = self.in_window(node, ctx, day, definite)
        window = f" in {spec.within_days} days" if spec.within_days else ""
        groups = _by_agency(recs)
        certainty = DEFINITE if definite else POSSIBLE
        typed = len(spec.match.types) != 1
        codes = _codes(spec.match)
        if len(groups) == 1:
            ((agency, items),) = groups.items()
            text = (
                f"{len(items)} {noun(spec.label, codes, len(items))}{window} "
                f"({agency}: {_described(items, typed)})"
            )
            return [Part(text, _keys(items), certainty)]
        head = (
            f"{len(recs)} {noun(spec.label, codes, len(recs))} from {len(groups)} agencies{window}"
        )
        parts = [Part(head, (), certainty)]
        parts += [
            Part(f"{agency}: {_described(items, typed)}", _keys(items), certainty, detail=True)
            for agency, items in groups.items()
        ]
        return parts

    def negate(self, node: Count, ctx: Ctx, day: int) -> list[Part]:
        spec = node.count
        window = f" in the last {spec.within_days} days" if spec.within_days else ""
        if spec.at_least == 1:
            text = f"no {noun(spec.label, _codes(spec.match), 1)}{window}"
        else:
            text = f"fewer than {spec.at_least} {noun(spec.label, _codes(spec.match), 2)}{window}"
        return [Part(text, (), DEFINITE, negative=True)]


def _deadline_days(within: Within, day: int, calendar: Calendar) -> int:
    if within.working_days is not None:
        return calendar.add_working_days(
            dt.date.fromordinal(day), within.working_days, counting=Counting.AFTER
        ).toordinal()
    return day + (within.days or 0)


def _suffix_min(values: list[int]) -> list[int]:
    out = list(values)
    for i in range(len(out) - 2, -1, -1):
        out[i] = min(out[i], out[i + 1])
    return out


class Followups:
    """Queries over `expect` entries: the first day one possibly (or definitely) occurred on or
    after a day."""

    def __init__(self, expects: list[Rec]) -> None:
        by_t = sorted(expects, key=lambda r: r.t)
        self.t_keys = [r.t for r in by_t]
        self.s_min_by_t = _suffix_min([r.s for r in by_t])
        by_s = sorted(expects, key=lambda r: r.s)
        self.s_keys = [r.s for r in by_s]
        self.t_min_by_s = _suffix_min([r.t for r in by_s])
        self.expects = expects

    def possibly_from(self, day: int) -> int:
        """min start of the expects that may have occurred on or after `day`."""
        i = bisect.bisect_left(self.t_keys, day)
        return self.s_min_by_t[i] if i < len(self.t_keys) else HI + 1

    def definitely_from(self, day: int) -> int:
        """min end of the expects that certainly occurred on or after `day`."""
        i = bisect.bisect_left(self.s_keys, day)
        return self.t_min_by_s[i] if i < len(self.s_keys) else HI + 1


class NoFollowUpP(Primitive):
    def overdue(self, node: NoFollowUp, ctx: Ctx) -> list[tuple[Rec, iv.Interval, iv.Interval]]:
        spec = node.no_follow_up
        afters = ctx.entries(spec.after, spec.lookback_days)
        if not afters:
            return []
        follow = Followups(ctx.entries(spec.expect))
        out = []
        for a in afters:
            e = a.e
            instant: dt.datetime | None = None
            if spec.anchor == "end" and e.ended_at is not None:
                lo = hi = e.ended_at.date().toordinal()
                instant = e.ended_at
            else:
                lo, hi = a.s, a.t
                if e.occurred_at is not None and not is_imprecise(a):
                    instant = e.occurred_at
            hours = spec.within.hours
            if hours is not None:
                if instant is not None:
                    d_lo = d_hi = (instant + dt.timedelta(hours=hours)).date().toordinal()
                else:
                    d_lo, d_hi = lo + hours // 24, hi + math.ceil(hours / 24)
            else:
                d_lo = _deadline_days(spec.within, lo, ctx.calendar)
                d_hi = _deadline_days(spec.within, hi, ctx.calendar)
            definite = (d_hi, min(lo + spec.lookback_days, follow.possibly_from(lo) - 1))
            possible = (d_lo, min(hi + spec.lookback_days, follow.definitely_from(hi) - 1))
            out.append((a, definite, possible))
        return out

    def truth(self, node: NoFollowUp, ctx: Ctx) -> Truth:
        items = self.overdue(node, ctx)
        events: set[int] = set()
        for _, d, p in items:
            events |= {d[0], d[1] + 1, p[0], p[1] + 1}
        return _truth((d for _, d, _ in items), (p for _, _, p in items), events)

    def may_hold(self, node: NoFollowUp, ctx: Ctx) -> bool:
        spec = node.no_follow_up
        return bool(ctx.entries(spec.after, spec.lookback_days))

    def explain(self, node: NoFollowUp, ctx: Ctx, day: int, definite: bool) -> list[Part]:
        spec = node.no_follow_up
        held = [
            a
            for a, d, p in self.overdue(node, ctx)
            if (d if definite else p)[0] <= day <= (d if definite else p)[1]
        ]
        expect = noun(spec.expect_label, _codes(spec.expect), 1)
        ending = " ending" if spec.anchor == "end" else ""
        parts = []
        for agency, items in _by_agency(held).items():
            n = len(items)
            after = noun(spec.after_label, _codes(spec.after), n)
            of = f"the {after}" if n == 1 else f"{n} {after}"
            text = f"no {expect} within {period_text(spec.within)} of {of}{ending} ({agency}: {_dates(items)})"
            parts.append(
                Part(text, _keys(items), DEFINITE if definite else POSSIBLE, negative=True)
            )
        return parts


class FollowedByP(Primitive):
    def pairs(self, node: FollowedBy, ctx: Ctx) -> list[tuple[Rec, Rec, iv.Interval, iv.Interval]]:
        spec = node.followed_by
        firsts = ctx.entries(spec.first)
        thens = ctx.entries(spec.then, spec.lookback_days)
        if not firsts or not thens:
            return []
        starts = [a.s for a in firsts]
        span = max(a.t - a.s for a in firsts)
        n, lookback = spec.within_days, spec.lookback_days
        out = []
        for b in thens:
            lo = bisect.bisect_left(starts, b.s - n - span)
            hi = bisect.bisect_right(starts, b.t)
            for a in firsts[lo:hi]:
                if a.key == b.key or not (b.t >= a.s and b.s <= a.t + n):
                    continue
                certain = a.t <= b.s and b.t <= a.s + n
                definite = (b.t, b.s + lookback) if certain else (1, 0)
                # Possibly from when both may have happened (b cannot come before a).
                out.append((a, b, definite, (max(b.s, a.s), b.t + lookback)))
        return out

    def truth(self, node: FollowedBy, ctx: Ctx) -> Truth:
        items = self.pairs(node, ctx)
        events: set[int] = set()
        for *_, d, p in items:
            events |= {d[0], d[1] + 1, p[0], p[1] + 1}
        return _truth((d for *_, d, _ in items), (p for *_, p in items), events)

    def may_hold(self, node: FollowedBy, ctx: Ctx) -> bool:
        spec = node.followed_by
        return bool(ctx.entries(spec.first)) and bool(ctx.entries(spec.then, spec.lookback_days))

    def explain(self, node: FollowedBy, ctx: Ctx, day: int, definite: bool) -> list[Part]:
        spec = node.followed_by
        firsts: dict[str, Rec] = {}
        thens: dict[str, Rec] = {}
        for a, b, d, p in self.pairs(node, ctx):
            span = d if definite else p
            if span[0] <= day <= span[1]:
                firsts[a.key], thens[b.key] = a, b
        certainty = DEFINITE if definite else POSSIBLE
        parts = []
        for agency, items in _by_agency(firsts.values()).items():
            text = f"{noun(spec.first_label, _codes(spec.first), len(items))} ({agency}: {_dates(items)})"
            parts.append(Part(text, _keys(items), certainty))
        for agency, items in _by_agency(thens.values()).items():
            text = (
                f"then, within {spec.within_days} days, "
                f"{noun(spec.then_label, _codes(spec.then), len(items))} ({agency}: {_dates(items)})"
            )
            parts.append(Part(text, _keys(items), certainty))
        return parts


class StateP(Primitive):
    def spans(self, spec: StateSpec, ctx: Ctx) -> list[tuple[Rec, iv.Interval, iv.Interval]]:
        openers = ctx.entries(spec.opened_by)
        if spec.closed_by is None:
            return [(o, (o.t, HI), (o.s, HI)) for o in openers]
        closers = ctx.entries(spec.closed_by)
        by_t = sorted(closers, key=lambda c: c.t)
        t_keys = [c.t for c in by_t]
        s_min = _suffix_min([c.s for c in by_t])
        by_s = sorted(closers, key=lambda c: c.s)
        s_keys = [c.s for c in by_s]
        t_min = _suffix_min([c.t for c in by_s])
        out = []
        for o in openers:
            # Definitely open until a closer that may have come after it; possibly open until
            # one that certainly did. A closer on the opener's own day does not close it.
            i = bisect.bisect_right(t_keys, o.s)
            first_possible = s_min[i] if i < len(t_keys) else HI + 1
            j = bisect.bisect_right(s_keys, o.t)
            first_certain = t_min[j] if j < len(s_keys) else HI + 1
            out.append((o, (o.t, first_possible - 1), (o.s, first_certain - 1)))
        return out

    def open_runs(self, spec: StateSpec, ctx: Ctx) -> Truth:
        items = self.spans(spec, ctx)
        events: set[int] = set()
        for _, d, p in items:
            events |= {d[0], d[1] + 1, p[0], p[1] + 1}
        return _truth((d for _, d, _ in items), (p for *_, p in items), events)

    def state_truth(self, spec: StateSpec, ctx: Ctx) -> Truth:
        base = self.open_runs(spec, ctx)
        n = spec.open_for_days
        if n is None:
            return base
        return _truth(
            ((a + n, b) for a, b in base.definite),
            ((a + n, b) for a, b in base.possible),
            base,
        )

    def truth(self, node: State, ctx: Ctx) -> Truth:
        return self.state_truth(node.state, ctx)

    def may_hold(self, node: State, ctx: Ctx) -> bool:
        return bool(ctx.entries(node.state.opened_by))

    def state_parts(self, spec: StateSpec, ctx: Ctx, day: int, definite: bool) -> list[Part]:
        held = [
            o
            for o, d, p in self.spans(spec, ctx)
            if (d if definite else p)[0] <= day <= (d if definite else p)[1]
        ]
        runs = self.open_runs(spec, ctx)
        run = iv.run_containing(runs.definite if definite else runs.possible, day)
        certainty = DEFINITE if definite else POSSIBLE
        parts = []
        for agency, items in _by_agency(held).items():
            if spec.label:
                since = f" since {day_text(run[0])}" if run else ""
                exact = run and len(items) == 1 and items[0].s == items[0].t == run[0]
                where = agency if exact else f"{agency}: {_dates(items)}"
                text = f"{spec.label}{since} ({where})"
            else:
                text = (
                    f"{noun(None, _codes(spec.opened_by), len(items))} ({agency}: {_dates(items)})"
                )
            parts.append(Part(text, _keys(items), certainty))
        return parts

    def explain(self, node: State, ctx: Ctx, day: int, definite: bool) -> list[Part]:
        return self.state_parts(node.state, ctx, day, definite)

    def negate(self, node: State, ctx: Ctx, day: int) -> list[Part]:
        label = node.state.label or noun(None, _codes(node.state.opened_by), 1)
        return [Part(f"not {label}", (), DEFINITE, negative=True)]


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _every_deadline(every: Every, day: int, calendar: Calendar) -> int:
    if day > HI - 400:
        return HI + 1
    if every.months is not None:
        return add_months(dt.date.fromordinal(day), every.months).toordinal()
    if every.working_days is not None:
        return calendar.add_working_days(
            dt.date.fromordinal(day), every.working_days, counting=Counting.AFTER
        ).toordinal()
    return day + (every.days or 0)


STATE = StateP()


class AbsentWhileP(Primitive):
    state = STATE

    def _holding(
        self, runs: Days, resets: list[tuple[int, int]], deadline: Callable[[int], int]
    ) -> Days:
        """Within each run, the days at least a period after the later of the run's start and
        the last reset. `resets` are (known from, reset day), sorted."""
        out: list[iv.Interval] = []
        for a, b in runs:
            ref = a
            i = 0
            while i < len(resets) and resets[i][0] < a:
                ref = max(ref, resets[i][1])
                i += 1
            cur = a
            while i < len(resets) and resets[i][0] <= b:
                eff, reset = resets[i]
                out.append((max(cur, deadline(ref)), eff - 1))
                ref = max(ref, reset)
                cur = eff
                i += 1
            out.append((max(cur, deadline(ref)), b))
        return iv.normal(out)

    def truth(self, node: AbsentWhile, ctx: Ctx) -> Truth:
        spec: AbsentWhileSpec = node.absent_while
        base = self.state.open_runs(spec.state, ctx)
        state = self.state.state_truth(spec.state, ctx)
        expects = ctx.entries(spec.expect)

        def deadline(day: int) -> int:
            return _every_deadline(spec.every, day, ctx.calendar)

        definite = self._holding(base.definite, sorted((e.s, e.t) for e in expects), deadline)
        possible = self._holding(base.possible, sorted((e.t, e.s) for e in expects), deadline)
        days = {e.s for e in expects} | {e.t for e in expects}
        return Truth(
            iv.intersect(definite, state.definite),
            iv.intersect(possible, state.possible),
            (base, days),
        )

    def may_hold(self, node: AbsentWhile, ctx: Ctx) -> bool:
        return bool(ctx.entries(node.absent_while.state.opened_by))

    def explain(self, node: AbsentWhile, ctx: Ctx, day: int, definite: bool) -> list[Part]:
        spec = node.absent_while
        parts = self.state.state_parts(spec.state, ctx, day, definite)
        before = [e for e in ctx.entries(spec.expect) if e.s <= day]
        expect = noun(spec.expect_label, _codes(spec.expect), 1)
        certainty = DEFINITE if definite else POSSIBLE
        if before:
            last = max(before, key=lambda e: (e.t, e.s, e.key))
            text = (
                f"no {expect} for more than {period_text(spec.every)} "
                f"(the last: {last.e.agency_name}, {when_text(last)})"
            )
            parts.append(Part(text, (last.key,), certainty, negative=True))
        else:
            parts.append(
                Part(
                    f"no {expect} for more than {period_text(spec.every)}",
                    (),
                    certainty,
                    negative=True,
                )
            )
        return parts


def birthday(birth: int, years: int) -> int:
    d = dt.date.fromordinal(birth)
    if d.year + years > 9998:
        return HI
    try:
        return d.replace(year=d.year + years).toordinal()
    except ValueError:  # born on 29 February: in England the birthday is 1 March
        return dt.date(d.year + years, 3, 1).toordinal()


def age_truth(age: AgeRange, birth: tuple[int | None, int | None], *, unknown: str) -> Truth:
    bs, be = birth
    if bs is None or be is None:
        return Truth(list(iv.ALL), list(iv.ALL)) if unknown == DEFINITE else Truth([], list(iv.ALL))
    d_lo, p_lo, d_hi, p_hi = LO, LO, HI, HI
    if age.at_least is not None:
        d_lo, p_lo = birthday(be, age.at_least), birthday(bs, age.at_least)
    if age.under is not None:
        d_hi, p_hi = birthday(bs, age.under) - 1, birthday(be, age.under) - 1
    return _truth([(d_lo, d_hi)], [(p_lo, p_hi)])


def _age_on(birth: int, day: int) -> int:
    b, d = dt.date.fromordinal(birth), dt.date.fromordinal(day)
    return d.year - b.year - ((d.month, d.day) < (b.month, b.day))


class ChildP(Primitive):
    def truth(self, node: Child, ctx: Ctx) -> Truth:
        return age_truth(node.child.age, ctx.index.birth, unknown=POSSIBLE)

    def explain(self, node: Child, ctx: Ctx, day: int, definite: bool) -> list[Part]:
        bs, be = ctx.index.birth
        if bs is None or be is None:
            return [Part("date of birth not known", (), POSSIBLE)]
        old, young = _age_on(bs, day), _age_on(be, day)
        text = f"aged {old}" if old == young else f"aged {young} or {old}"
        return [Part(text, (), DEFINITE if definite else POSSIBLE)]


class InvolvementP(Primitive):
    def involvements(self, node: InvolvementCond, ctx: Ctx) -> list[Any]:
        kinds = node.involvement.agency_kinds
        return [i for i in ctx.index.history.involvements if not kinds or i.agency_kind in kinds]

    @staticmethod
    def span(inv: Any) -> iv.Interval:
        return (
            inv.started_on.toordinal() if inv.started_on else LO,
            inv.ended_on.toordinal() if inv.ended_on else HI,
        )

    def truth(self, node: InvolvementCond, ctx: Ctx) -> Truth:
        invs = self.involvements(node, ctx)
        open_days = iv.normal(self.span(i) for i in invs)
        if node.involvement.open:
            return _truth(open_days, open_days)
        ended = [i.ended_on.toordinal() for i in invs if i.ended_on]
        if not ended:
            return NEVER
        closed = iv.intersect(iv.complement(open_days), [(min(ended) + 1, HI)])
        return _truth(closed, closed)

    def explain(self, node: InvolvementCond, ctx: Ctx, day: int, definite: bool) -> list[Part]:
        invs = self.involvements(node, ctx)
        if node.involvement.open:
            held = [i for i in invs if self.span(i)[0] <= day <= self.span(i)[1]]
            text = "open to " + ", ".join(
                i.agency_name + (f" (since {day_text(i.started_on)})" if i.started_on else "")
                for i in held
            )
        else:
            held = [i for i in invs if i.ended_on and i.ended_on.toordinal() < day]
            text = "; ".join(
                f"{i.agency_name}'s involvement ended on {day_text(i.ended_on)}" for i in held
            )
        return [Part(node.involvement.label or text, (), DEFINITE)]

    def negate(self, node: InvolvementCond, ctx: Ctx, day: int) -> list[Part]:
        kinds = ", ".join(words(k) for k in node.involvement.agency_kinds) or "any agency"
        text = f"not open to {kinds}" if node.involvement.open else f"still open to {kinds}"
        return [Part(text, (), DEFINITE, negative=True)]


class OpenInvolvementsP(Primitive):
    def involvements(self, node: OpenInvolvements, ctx: Ctx) -> list[Any]:
        kinds = node.open_involvements.agency_kinds
        return [i for i in ctx.index.history.involvements if not kinds or i.agency_kind in kinds]

    def truth(self, node: OpenInvolvements, ctx: Ctx) -> Truth:
        spec = node.open_involvements
        per_agency: dict[str, list[iv.Interval]] = defaultdict(list)
        for i in self.involvements(node, ctx):
            per_agency[i.agency].append(InvolvementP.span(i))
        spans = [
            (a, b, agency) for agency, items in per_agency.items() for a, b in iv.normal(items)
        ]
        low = spec.at_least or 0
        at_least, _ = _threshold(spans, low, 0) if low else (list(iv.ALL), set())
        if spec.at_most is not None:
            too_many, _ = _threshold(spans, spec.at_most + 1, 0)
            at_least = iv.intersect(at_least, iv.complement(too_many))
        return _truth(at_least, at_least)

    def explain(self, node: OpenInvolvements, ctx: Ctx, day: int, definite: bool) -> list[Part]:
        names = sorted(
            {
                i.agency_name
                for i in self.involvements(node, ctx)
                if InvolvementP.span(i)[0] <= day <= InvolvementP.span(i)[1]
            }
        )
        if not names:
            return [Part("no agency involved", (), DEFINITE)]
        label = "agency" if len(names) == 1 else "agencies"
        return [Part(f"{len(names)} {label} involved ({', '.join(names)})", (), DEFINITE)]


def _related_span(r: Any) -> iv.Interval:
    return (
        r.from_date.toordinal() if r.from_date else LO,
        r.to_date.toordinal() if r.to_date else HI,
    )


class RelatedP(Primitive):
    def chosen(self, node: RelatedCond, ctx: Ctx) -> list[int]:
        wanted = node.related.relationships
        return [i for i, r in enumerate(ctx.index.history.related) if r.relationship in wanted]

    def one(self, node: RelatedCond, ctx: Ctx, i: int) -> Truth:
        spec = node.related
        r = ctx.index.history.related[i]
        span = [_related_span(r)]
        if spec.condition is not None:
            inner = ctx.sub(i).truth(spec.condition)
            return Truth(
                iv.intersect(inner.definite, span), iv.intersect(inner.possible, span), (inner,)
            )
        assert spec.alerts is not None
        rules = spec.alerts.rules
        days = [
            (a.raised_on.toordinal(), HI)
            for a in r.alerts
            if (rules == "any" or a.rule in rules) and (a.open or not spec.alerts.open)
        ]
        held = iv.intersect(iv.normal(days), span)
        return _truth(held, held)

    def truth(self, node: RelatedCond, ctx: Ctx) -> Truth:
        each = [self.one(node, ctx, i) for i in self.chosen(node, ctx)]
        if not each:
            return NEVER
        return Truth(
            iv.union(*[t.definite for t in each]), iv.union(*[t.possible for t in each]), each
        )

    def may_hold(self, node: RelatedCond, ctx: Ctx) -> bool:
        return bool(self.chosen(node, ctx))

    def explain(self, node: RelatedCond, ctx: Ctx, day: int, definite: bool) -> list[Part]:
        spec = node.related
        parts: list[Part] = []
        for i in self.chosen(node, ctx):
            status = self.one(node, ctx, i).at(day)
            if status is None or (definite and status != DEFINITE):
                continue
            r = ctx.index.history.related[i]
            who = spec.label or f"a {words(r.relationship)}"
            if spec.condition is not None:
                sub = ctx.sub(i)
                parts += [
                    replace(p, text=f"{who}: {p.text}") for p in sub.explain(spec.condition, day)
                ]
                ctx.dated.update({k: v for k, v in sub.dated.items() if k not in ctx.dated})
            else:
                rules = sorted({a.rule for a in r.alerts if a.raised_on.toordinal() <= day})
                parts.append(Part(f"{who} has an alert ({', '.join(rules)})", (), DEFINITE))
        return parts


class SingleAgencyP(Primitive):
    def analyse(
        self, node: SingleAgency, ctx: Ctx
    ) -> tuple[list[tuple[int, int, Any, Any, dict[str, tuple[int, str | None]]]], set[int]]:
        """Segments of days with the same picture: (from, to, definite agencies, possible
        agencies, closed agencies -> the day their closure is dated)."""
        spec = node.single_agency
        n = spec.within_days
        window = [r for r in ctx.all_entries(n) if r.e.type not in CLOSURE_TYPES]
        closures: dict[str, list[tuple[int, str | None]]] = defaultdict(list)  # (from, key)
        open_spans: dict[str, list[iv.Interval]] = defaultdict(list)
        for inv in ctx.index.history.involvements:
            open_spans[inv.agency].append(InvolvementP.span(inv))
            if inv.ended_on:
                closures[inv.agency].append((inv.ended_on.toordinal() + 1, None))
        for r in ctx.closures():
            closures[r.agency].append((r.t, r.key))
        # day -> (kind: 0 definitely / 1 possibly in the window, +1 | -1, agency)
        events: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
        for r in window:
            for kind, (lo, hi) in ((0, (r.t, r.s + n - 1)), (1, (r.s, r.t + n - 1))):
                if lo <= hi:
                    events[lo].append((kind, 1, r.agency))
                    events[hi + 1].append((kind, -1, r.agency))
        changes: dict[int, set[str]] = defaultdict(set)  # day -> agencies whose closure may change
        for agency, items in closures.items():
            items.sort(key=lambda x: (x[0], x[1] or ""))
            for d, _ in items:
                changes[d].add(agency)
            for lo, hi in open_spans.get(agency, []):
                changes[lo].add(agency)
                changes[hi + 1].add(agency)
        spans_of = {agency: iv.normal(spans) for agency, spans in open_spans.items()}
        days_of = {agency: [d for d, _ in items] for agency, items in closures.items()}
        ordered = sorted(d for d in set(events) | set(changes) if LO <= d <= HI + 1)
        counts: tuple[dict[str, int], dict[str, int]] = (defaultdict(int), defaultdict(int))
        segments = []
        closed: dict[str, tuple[int, str | None]] = {}
        for i, day in enumerate(ordered):
            for kind, delta, agency in events.get(day, ()):
                counts[kind][agency] += delta
                if counts[kind][agency] == 0:
                    del counts[kind][agency]
            end = ordered[i + 1] - 1 if i + 1 < len(ordered) else HI
            if day in changes:
                closed = dict(closed)
                for agency in changes[day]:
                    items = closures.get(agency, [])
                    j = bisect.bisect_right(days_of.get(agency, []), day)
                    if j and not iv.contains(spans_of.get(agency, []), day):
                        # The latest closure, a closing entry (evidence) before an involvement.
                        dated = items[:j]
                        closed[agency] = max(
                            dated, key=lambda x: (x[1] is not None, x[0], x[1] or "")
                        )
                    else:
                        closed.pop(agency, None)
            if ctx.horizon is None or end >= ctx.horizon:
                segments.append((day, end, set(counts[0]), set(counts[1]), closed))
        return segments, {d for d in ordered if ctx.horizon is None or d >= ctx.horizon}

    def truth(self, node: SingleAgency, ctx: Ctx) -> Truth:
        k = node.single_agency.closed_at_least
        definite, possible = [], []
        segments, events = self.analyse(node, ctx)
        for a, b, d_ag, p_ag, closed in segments:
            if len(p_ag) == 1 and d_ag and len([x for x in closed if x not in p_ag]) >= k:
                definite.append((a, b))
            if len(d_ag) <= 1 and p_ag:
                candidates = d_ag or p_ag
                if any(len([x for x in closed if x != c]) >= k for c in candidates):
                    possible.append((a, b))
        return _truth(definite, possible, events)

    def explain(self, node: SingleAgency, ctx: Ctx, day: int, definite: bool) -> list[Part]:
        spec = node.single_agency
        n = spec.within_days
        segment = next((s for s in self.analyse(node, ctx)[0] if s[0] <= day <= s[1]), None)
        if segment is None:
            return []
        _, _, d_ag, p_ag, closed = segment
        agency = next(iter(d_ag or p_ag))
        recs = [
            r
            for r in ctx.all_entries()
            if r.agency == agency
            and r.e.type not in CLOSURE_TYPES
            and ((r.t <= day <= r.s + n - 1) if definite else (r.s <= day <= r.t + n - 1))
        ]
        certainty = DEFINITE if definite else POSSIBLE
        name = recs[0].e.agency_name if recs else agency
        parts = [
            Part(
                f"only {name} has recorded anything in the last {n} days "
                f"({len(recs)} entr{'y' if len(recs) == 1 else 'ies'}, "
                f"the last on {when_text(recs[-1])})",
                _keys(recs),
                certainty,
            )
        ]
        names = {i.agency: i.agency_name for i in ctx.index.history.involvements}
        dated = ctx.dated
        for other, (since, key) in sorted(closed.items(), key=lambda x: x[1][0]):
            if other == agency:
                continue
            if key is not None and key in dated:
                closing = dated[key]
                text = f"{closing.e.agency_name} closed the case on {when_text(closing)}"
                parts.append(Part(text, (key,), DEFINITE))
            else:
                text = f"{names.get(other, other)} ended its involvement on {day_text(since - 1)}"
                parts.append(Part(text, (), DEFINITE))
        return parts


class AllP(Primitive):
    def truth(self, node: AllOf, ctx: Ctx) -> Truth:
        each = []
        possible = list(iv.ALL)
        # The cheap conditions first: when one never holds, the costly ones are not worked out.
        for c in sorted(node.all, key=lambda c: COSTLY.get(type(c), 0)):
            t = ctx.truth(c)
            possible = iv.intersect(possible, t.possible)
            if not possible:
                return NEVER  # the rest cannot make it hold: not worked out
            each.append(t)
        return Truth(iv.intersect_all([t.definite for t in each]), possible, each)

    def may_hold(self, node: AllOf, ctx: Ctx) -> bool:
        return all(ctx.may_hold(c) for c in node.all)

    def explain(self, node: AllOf, ctx: Ctx, day: int, definite: bool) -> list[Part]:
        return [p for c in node.all for p in ctx.explain(c, day)]


class AnyP(Primitive):
    def truth(self, node: AnyOf, ctx: Ctx) -> Truth:
        each = [ctx.truth(c) for c in node.any]
        return Truth(
            iv.union(*[t.definite for t in each]), iv.union(*[t.possible for t in each]), each
        )

    def may_hold(self, node: AnyOf, ctx: Ctx) -> bool:
        return any(ctx.may_hold(c) for c in node.any)

    def explain(self, node: AnyOf, ctx: Ctx, day: int, definite: bool) -> list[Part]:
        parts = []
        for c in node.any:
            status = ctx.truth(c).at(day)
            if status is not None and (status == DEFINITE or not definite):
                parts += ctx.explain(c, day)
        return parts


class NotP(Primitive):
    def truth(self, node: Not, ctx: Ctx) -> Truth:
        inner = ctx.truth(node.not_)
        return Truth(iv.complement(inner.possible), iv.complement(inner.definite), (inner,))

    def explain(self, node: Not, ctx: Ctx, day: int, definite: bool) -> list[Part]:
        parts = PRIMITIVES[type(node.not_)].negate(node.not_, ctx, day)
        return [Part(p.text, p.evidence, DEFINITE if definite else POSSIBLE, True) for p in parts]


COSTLY: dict[type, int] = {SingleAgency: 2, RelatedCond: 1}

PRIMITIVES: dict[type, Primitive] = {
    Count: CountP(),
    NoFollowUp: NoFollowUpP(),
    FollowedBy: FollowedByP(),
    State: StateP(),
    AbsentWhile: AbsentWhileP(),
    Child: ChildP(),
    InvolvementCond: InvolvementP(),
    OpenInvolvements: OpenInvolvementsP(),
    RelatedCond: RelatedP(),
    SingleAgency: SingleAgencyP(),
    AllOf: AllP(),
    AnyOf: AnyP(),
    Not: NotP(),
}


# ---- a rule ----------------------------------------------------------------------------------


def rule_truth(rule: Rule, ctx: Ctx) -> Truth:
    """The days the rule holds as known on ctx.k: its condition, for whom it applies."""
    spec = rule.spec
    if not ctx.may_hold(spec.when):
        return NEVER
    truth = ctx.truth(spec.when)
    if spec.applies_to.age is not None:
        age = age_truth(spec.applies_to.age, ctx.index.birth, unknown=DEFINITE)
        truth = Truth(
            iv.intersect(truth.definite, age.definite),
            iv.intersect(truth.possible, age.possible),
            (truth, age),
        )
    if spec.applies_to.when is not None:
        status = ctx.truth(spec.applies_to.when)
        truth = Truth(
            iv.intersect(truth.definite, status.definite),
            iv.intersect(truth.possible, status.possible),
            (truth, status),
        )
    return truth


def finding_at(rule: Rule, ctx: Ctx, truth: Truth, day: int) -> Finding | None:
    status = truth.at(day)
    if status is None:
        return None
    run = iv.run_containing(truth.definite if status == DEFINITE else truth.possible, day)
    assert run is not None
    start = run[0]
    birth = ctx.index.birth[0]
    if start == LO and birth is not None:
        start = max(start, birth)
    parts = tuple(ctx.explain(rule.spec.when, day))
    if status == DEFINITE:
        parts = tuple(replace(p, certainty=DEFINITE) for p in parts)
    keys = dict.fromkeys(k for p in parts for k in p.evidence)
    dated = ctx.dated
    evidence = tuple(
        sorted(keys, key=lambda k: (dated[k].s, dated[k].t, k) if k in dated else (HI, HI, k))
    )
    imprecise = tuple(k for k in evidence if k in dated and is_imprecise(dated[k]))
    explanation = explain_parts(parts)
    if status == POSSIBLE:
        vague = sorted({when_text(dated[k]) for k in imprecise}, key=lambda t: t)
        note = (
            f"possibly: it depends on when in {join(vague, 'or')} things happened"
            if vague
            else "possibly: it depends on facts not known exactly"
        )
        explanation = f"{explanation} ({note})" if explanation else note
    return Finding(
        rule=rule.id,
        version=rule.version,
        certainty=status,
        first_held_on=dt.date.fromordinal(start),
        evidence=evidence,
        parts=parts,
        explanation=explanation[:1].upper() + explanation[1:],
        imprecise=imprecise,
    )


def explain_parts(parts: Sequence[Part]) -> str:
    """The parts in words: each clause, its agencies' details in brackets after it."""
    clauses: list[str] = []
    details: list[str] = []
    for part in parts:
        if part.detail and clauses:
            details.append(part.text)
            continue
        if details:
            clauses[-1] += f" ({'; '.join(details)})"
            details = []
        clauses.append(part.text)
    if details:
        clauses[-1] += f" ({'; '.join(details)})"
    return join(clauses)


def join(texts: Iterable[str], last: str = "and") -> str:
    items = [t for t in texts if t]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


# ---- what a rule needs -----------------------------------------------------------------------
#
# A necessary condition on a history, checked before any index is built: most children in a
# county have few of the entries most rules read, and ruling a rule out from the counts of a
# history's entry types and themes costs microseconds where building an index and asking the
# rule costs a millisecond. It only ever rules out what `rule_truth` would find NEVER (each
# clause is what a primitive's `may_hold` requires, counted over every version of every entry,
# which is at least what is known on any day), so findings are unchanged; a property test
# holds it to that.

THEME = "#"  # a theme's token: "#missing"


@dataclass(frozen=True, slots=True)
class Tokens:
    """What `needs` is checked against: how many entry versions have each type and theme, and
    the related people (relationship, their own Tokens, their alerts' rules and openness)."""

    counts: dict[str, int]
    related: tuple[tuple[str, Tokens, tuple[tuple[str, bool], ...]], ...] = ()

    @staticmethod
    def count(types: Iterable[tuple[str, str]]) -> dict[str, int]:
        """Counts of (type, theme) pairs, one per entry version."""
        counts: dict[str, int] = {}
        for type_, theme in types:
            counts[type_] = counts.get(type_, 0) + 1
            key = THEME + theme
            counts[key] = counts.get(key, 0) + 1
        return counts

    @classmethod
    def of(cls, history: History) -> Tokens:
        return cls(
            cls.count((e.type, e.theme) for e in history.entries),
            tuple(
                (
                    r.relationship,
                    cls(cls.count((e.type, e.theme) for e in r.history.entries)),
                    tuple((a.rule, a.open) for a in r.alerts),
                )
                for r in history.related
            ),
        )


@dataclass(frozen=True, slots=True)
class _AtLeast:
    tokens: frozenset[str]  # all types or all themes, so no entry is counted twice
    n: int

    def met(self, t: Tokens) -> bool:
        total = 0
        for token in self.tokens:
            total += t.counts.get(token, 0)
            if total >= self.n:
                return True
        return False


@dataclass(frozen=True, slots=True)
class _Related:
    relationships: frozenset[str]
    inner: tuple[Any, ...] | None  # the condition's clauses, over the related person
    rules: frozenset[str] | None  # alerts of these rules (None: any), when it reads alerts
    open: bool

    def met(self, t: Tokens) -> bool:
        for relationship, theirs, alerts in t.related:
            if relationship not in self.relationships:
                continue
            if self.inner is not None:
                if all(c.met(theirs) for c in self.inner):
                    return True
            elif any(
                (self.rules is None or rule in self.rules) and (is_open or not self.open)
                for rule, is_open in alerts
            ):
                return True
        return False


@dataclass(frozen=True, slots=True)
class _OneOf:
    clauses: tuple[Any, ...]

    def met(self, t: Tokens) -> bool:
        return any(c.met(t) for c in self.clauses)


_NEEDS: dict[int, tuple[Rule, tuple[Any, ...]]] = {}


def _at_least(m: Match, n: int = 1) -> list[Any]:
    if m.types:
        return [_AtLeast(frozenset(m.types), n)]
    if m.themes:
        return [_AtLeast(frozenset(THEME + t for t in m.themes), n)]
    return []  # any entry may match


def _needs(node: Any) -> list[Any]:
    """Clauses that must each be met by a history's Tokens for `node` to hold on any day."""
    if isinstance(node, Count):
        return _at_least(node.count.match, node.count.at_least)
    if isinstance(node, NoFollowUp):
        return _at_least(node.no_follow_up.after)
    if isinstance(node, FollowedBy):
        return _at_least(node.followed_by.first) + _at_least(node.followed_by.then)
    if isinstance(node, State):
        return _at_least(node.state.opened_by)
    if isinstance(node, AbsentWhile):
        return _at_least(node.absent_while.state.opened_by)
    if isinstance(node, RelatedCond):
        spec = node.related
        inner = tuple(_needs(spec.condition)) if spec.condition is not None else None
        alerts = spec.alerts
        rules = None if alerts is None or alerts.rules == "any" else frozenset(alerts.rules)
        return [_Related(frozenset(spec.relationships), inner, rules, bool(alerts and alerts.open))]
    if isinstance(node, AllOf):
        return [c for sub in node.all for c in _needs(sub)]
    if isinstance(node, AnyOf):
        each = [_needs(sub) for sub in node.any]
        if each and all(each):
            # One of the alternatives holds, so all of its clauses are met.
            return [_OneOf(tuple(_All(tuple(c)) for c in each))]
    return []  # not, child, involvement, open_involvements, single_agency: no entry needed


@dataclass(frozen=True, slots=True)
class _All:
    clauses: tuple[Any, ...]

    def met(self, t: Tokens) -> bool:
        return all(c.met(t) for c in self.clauses)


def needs(rule: Rule) -> tuple[Any, ...]:
    held = _NEEDS.get(id(rule))
    if held is None or held[0] is not rule:
        clauses = _needs(rule.spec.when)
        if rule.spec.applies_to.when is not None:
            clauses += _needs(rule.spec.applies_to.when)
        held = _NEEDS[id(rule)] = (rule, tuple(clauses))
    return held[1]


def reads_related(rule: Rule) -> bool:
    """Whether the rule reads related people at all (a `related` condition)."""
    nodes = [rule.spec.when, rule.spec.applies_to.when]
    return any(isinstance(sub, RelatedCond) for node in nodes if node for sub in _walk(node))


def may_apply(rule: Rule, tokens: Tokens) -> bool:
    """False only when the rule cannot hold on any day for a history with these tokens."""
    return all(c.met(tokens) for c in needs(rule))


LOOK_BACK_DAYS = 730


class _Views:
    """One child as known on k, seen from three horizons: the evaluation day itself (enough to
    know whether a rule holds that day: most do not), two years back, and none. A finding's first
    day is exact once it lies after the horizon it was worked out from."""

    def __init__(self, index: Index, k: int, day: int, calendar: Calendar) -> None:
        self.index, self.k, self.day, self.calendar = index, k, day, calendar
        self._ctx: dict[int | None, Ctx] = {}

    def ctx(self, horizon: int | None) -> Ctx:
        if horizon not in self._ctx:
            self._ctx[horizon] = Ctx(self.index, self.k, self.calendar, horizon=horizon)
        return self._ctx[horizon]

    def finding(self, rule: Rule) -> Finding | None:
        for horizon in (self.day, self.day - LOOK_BACK_DAYS, None):
            ctx = self.ctx(horizon)
            found = finding_at(rule, ctx, rule_truth(rule, ctx), self.day)
            if found is None or horizon is None or found.first_held_on.toordinal() > horizon:
                return found
        raise AssertionError("unreachable")


def evaluate(
    rule: Rule,
    history: History | Index,
    *,
    on: dt.date,
    known_on: dt.date | None = None,
    calendar: Calendar,
) -> Finding | None:
    """Does `rule` hold on day `on`, as known on `known_on` (default: `on`)? The finding says
    how certain, since when, on what evidence and why. Effective dates are the caller's: pick
    the version in force with RuleSet.effective(on)."""
    index = history if isinstance(history, Index) else Index(history)
    return _Views(index, (known_on or on).toordinal(), on.toordinal(), calendar).finding(rule)


def evaluate_rules(
    rules: Iterable[Rule],
    history: History | Index,
    *,
    on: dt.date,
    known_on: dt.date | None = None,
    calendar: Calendar,
) -> list[Finding]:
    """Every rule's finding for one child, sharing one index and one "as known on" view (the
    daily sweep's and the after-an-entry re-evaluation's entry point)."""
    tokens = Tokens.of(history.history if isinstance(history, Index) else history)
    wanted = [rule for rule in rules if may_apply(rule, tokens)]
    if not wanted:
        return []
    index = history if isinstance(history, Index) else Index(history)
    views = _Views(index, (known_on or on).toordinal(), on.toordinal(), calendar)
    return [f for f in (views.finding(rule) for rule in wanted) if f is not None]
