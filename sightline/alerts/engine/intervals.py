"""Sets of days as sorted, disjoint, non-adjacent inclusive intervals of day ordinals.

The engine works out, for each condition, every day on which it holds (definitely, and
possibly) as such a set, so "the first day it held" is exact and a replay need only look at the
days where a set begins or ends."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable

Interval = tuple[int, int]
Days = list[Interval]

LO = dt.date(1900, 1, 1).toordinal()
HI = dt.date(9999, 12, 30).toordinal()  # HI + 1 is still a date
ALL: Days = [(LO, HI)]


def clamp(day: int) -> int:
    return LO if day < LO else HI if day > HI else day


def normal(intervals: Iterable[Interval]) -> Days:
    """Sorted and merged (overlapping or touching intervals become one); empty ones dropped."""
    items = sorted((max(a, LO), min(b, HI)) for a, b in intervals if a <= b)
    out: Days = []
    for a, b in items:
        if a > b:
            continue
        if out and a <= out[-1][1] + 1:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def union(*sets: Days) -> Days:
    if len(sets) == 1:
        return sets[0]
    return normal(iv for s in sets for iv in s)


def intersect(a: Days, b: Days) -> Days:
    out: Days = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo = max(a[i][0], b[j][0])
        hi = min(a[i][1], b[j][1])
        if lo <= hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def intersect_all(sets: list[Days]) -> Days:
    out = sets[0]
    for other in sets[1:]:
        out = intersect(out, other)
    return out


def complement(a: Days) -> Days:
    out: Days = []
    start = LO
    for lo, hi in a:
        if lo > start:
            out.append((start, lo - 1))
        start = hi + 1
    if start <= HI:
        out.append((start, HI))
    return out


def run_containing(a: Days, day: int) -> Interval | None:
    i = bisect.bisect_right(a, (day, HI + 1)) - 1
    if i >= 0 and a[i][0] <= day <= a[i][1]:
        return a[i]
    return None


def contains(a: Days, day: int) -> bool:
    return run_containing(a, day) is not None


def bounds(a: Days) -> set[int]:
    """The days on which membership changes: each start, and the day after each end."""
    out: set[int] = set()
    for lo, hi in a:
        out.add(lo)
        out.add(hi + 1)
    return out
