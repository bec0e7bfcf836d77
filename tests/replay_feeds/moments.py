"""The missed moments the reviews name (each child's missed_moments.yaml), and what a replay
report says about each: whether one of its rules fired in its window, when, and how long before
the agencies actually responded. Used by the review-feed tests and bench/measure_alerts.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
CHILDREN = ("james", "child-q", "child-s", "sam", "adam")
LOOK_BACK = dt.timedelta(days=90)  # an alert this long before the moment still counts
NO_RESPONSE = dt.timedelta(days=365)  # ... and this long after it, when nobody responded


def _day(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


@dataclass(frozen=True)
class Moment:
    child: str
    id: str
    happened_on: dt.date
    what: str
    should_have: str
    references: tuple[tuple[str, str], ...]  # (seed-requirements id, "PPP:line")
    responded_on: dt.date | None
    response: str
    rules: tuple[str, ...]
    window_from: dt.date
    window_to: dt.date
    asserted: bool
    person: tuple[str, str]  # a record of the person the moment is about

    @property
    def reference_text(self) -> str:
        return ", ".join(f"{i} ({p})" for i, p in self.references)


def load(child: str, root: Path = HERE) -> list[Moment]:
    data = yaml.safe_load((root / child / "missed_moments.yaml").read_text("utf-8"))
    person = data["person"]
    out = []
    for m in data["moments"]:
        happened = _day(m["happened_on"])
        assert happened is not None
        responded = _day(m.get("responded_on"))
        window = m.get("window") or {}
        start = _day(window.get("from")) or happened - LOOK_BACK
        if window.get("to"):
            end = _day(window["to"])
        elif responded is not None and responded >= happened:
            end = responded
        else:
            end = happened + NO_RESPONSE
        assert end is not None
        who = m.get("person") or person
        out.append(
            Moment(
                child=data["child"],
                id=m["id"],
                happened_on=happened,
                what=m["what"],
                should_have=m["should_have"],
                references=tuple((r["id"], r["paragraph"]) for r in m["reference"]),
                responded_on=responded,
                response=m["response"],
                rules=tuple(m["rules"]),
                window_from=start,
                window_to=end,
                asserted=bool(m.get("asserted", False)),
                person=(who["source"], who["source_id"]),
            )
        )
    return out


def load_all(root: Path = HERE) -> list[Moment]:
    return [m for child in CHILDREN for m in load(child, root)]


@dataclass(frozen=True)
class Outcome:
    moment: Moment
    person_found: bool
    fired: bool
    rule: str | None  # the rule of the first alert in the window
    raised_on: dt.date | None
    missing_rules: tuple[str, ...]  # rules the moment names that the rule set does not have

    @property
    def lead_days(self) -> int | None:
        """Days from the first alert to the agencies' actual response (positive: earlier)."""
        if self.raised_on is None or self.moment.responded_on is None:
            return None
        return (self.moment.responded_on - self.raised_on).days

    @property
    def after_moment_days(self) -> int | None:
        """Days from the moment to the first alert (negative: the alert came first)."""
        if self.raised_on is None:
            return None
        return (self.raised_on - self.moment.happened_on).days


def person_of(report: dict[str, Any], record: tuple[str, str]) -> dict[str, Any] | None:
    source, source_id = record
    for person in report["people"]:
        if any(r["source"] == source and r["source_id"] == source_id for r in person["records"]):
            return person
    return None


def outcome(report: dict[str, Any], moment: Moment) -> Outcome:
    known = {r["id"] for r in report["rules"]}
    missing = tuple(r for r in moment.rules if r not in known)
    person = person_of(report, moment.person)
    if person is None:
        return Outcome(moment, False, False, None, None, missing)
    hits = sorted(
        (dt.date.fromisoformat(a["first_raised_on"]), a["rule"])
        for a in person["alerts"]
        if a["rule"] in moment.rules
        and moment.window_from <= dt.date.fromisoformat(a["first_raised_on"]) <= moment.window_to
    )
    if not hits:
        return Outcome(moment, True, False, None, None, missing)
    day, rule = hits[0]
    return Outcome(moment, True, True, rule, day, missing)


def outcomes(report: dict[str, Any], moments: list[Moment]) -> list[Outcome]:
    return [outcome(report, m) for m in moments]


def history_years(person: dict[str, Any], report: dict[str, Any]) -> float:
    """Years of history replayed for a person (from their first day in the feeds, or the
    replay's start, to the replay's end)."""
    days = person.get("replayed") or {"from": report["from"], "to": report["to"]}
    start, end = dt.date.fromisoformat(days["from"]), dt.date.fromisoformat(days["to"])
    return max((end - start).days + 1, 1) / 365.25
