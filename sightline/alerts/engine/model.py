"""Plain data: the contract between the engine and everyone who calls it.

Frozen dataclasses only, so a `History` built from the database, from a rule's own cases or by a
replay is the same kind of thing, and an evaluation can be compared, cached and stored."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

DEFINITE = "definite"
POSSIBLE = "possible"


@dataclass(frozen=True, slots=True)
class Entry:
    """One VERSION of a chronology entry (its `key` is the entry's lineage across versions)."""

    key: str
    version: int
    type: str
    theme: str
    agency: str
    agency_kind: str
    agency_name: str
    start: dt.date  # first day it may have occurred
    end: dt.date  # last day it may have occurred (== start for day precision)
    precision: str  # day, month, season or year
    occurred_at: dt.datetime | None  # the instant, when the time is known
    ended_at: dt.datetime | None  # e.g. when a missing episode ended
    recorded_at: dt.datetime  # when this version was recorded (system time)
    superseded_at: dt.datetime | None
    entered_in_error: bool = False
    grade: str = "fact"
    sensitivity: str = "standard"
    source: str | None = None  # the feed's source code and source_id, for replay's evidence
    source_id: str | None = None


@dataclass(frozen=True, slots=True)
class Involvement:
    agency: str
    agency_kind: str
    agency_name: str
    team: str | None
    started_on: dt.date | None
    ended_on: dt.date | None  # the last day it was open


@dataclass(frozen=True, slots=True)
class RelatedAlert:
    rule: str
    raised_on: dt.date
    open: bool


@dataclass(frozen=True, slots=True)
class Related:
    relationship: str  # what the related person is to the child (sibling, parent, ...)
    from_date: dt.date | None
    to_date: dt.date | None
    history: History  # the related person's own history (its `related` is empty)
    alerts: tuple[RelatedAlert, ...] = ()


@dataclass(frozen=True, slots=True)
class History:
    person: str
    birth_start: dt.date | None  # a partial date of birth gives a range
    birth_end: dt.date | None
    entries: tuple[Entry, ...]  # every version of every entry
    involvements: tuple[Involvement, ...] = ()
    related: tuple[Related, ...] = ()


@dataclass(frozen=True, slots=True)
class Part:
    """One clause of an explanation. It must stand alone: the app shows its text only to a
    viewer who may read every evidence entry in it."""

    text: str
    evidence: tuple[str, ...]  # entry keys the clause rests on
    certainty: str  # "definite" | "possible"
    negative: bool = False  # an absence ("no return interview within 72 hours")
    detail: bool = False  # one agency's share of the clause before it (shown in brackets)


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    version: int
    certainty: str  # "definite", or "possible" when it holds only if imprecise dates fall one way
    first_held_on: dt.date  # first day of the current unbroken run of days on which it holds
    evidence: tuple[str, ...]  # all evidence keys, in date order, no duplicates
    parts: tuple[Part, ...]
    explanation: str
    imprecise: tuple[str, ...] = ()  # keys of the evidence entries whose dates are imprecise


@dataclass(frozen=True, slots=True)
class Update:
    """New evidence added to an open alert during a replay."""

    on: dt.date
    added: tuple[str, ...]
    finding: Finding


@dataclass(frozen=True, slots=True)
class Raised:
    """An alert as a replay would have raised it (see docs/alerts.md, Lifecycle)."""

    rule: str
    version: int
    severity: str
    raised_on: dt.date
    reason: str  # "new" | "new_evidence" (since the last decision) | "reminder"
    finding: Finding  # as known on raised_on
    new_evidence: tuple[str, ...]  # what is new since the last decision (all of it when "new")
    decided_on: dt.date  # nobody decides in a replay: taken as decided when suppression ends
    updates: tuple[Update, ...] = ()  # evidence added while it was open

    @property
    def evidence(self) -> tuple[str, ...]:
        """Every evidence key it gathered while open, first raised first."""
        seen = dict.fromkeys(self.finding.evidence)
        for update in self.updates:
            seen.update(dict.fromkeys(update.added))
        return tuple(seen)
