"""One family's drafting context: the entries, involvements and relationships that agencies
record about it, before they are given source ids and rendered into feed lines."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from typing import TYPE_CHECKING

from sightline.synth.generator import text
from sightline.synth.generator.model import Family, Person, local
from sightline.synth.generator.places import Practitioner, Team
from sightline.synth.generator.vocab import SOURCES

if TYPE_CHECKING:
    from sightline.synth.generator.county import Generator

Subjects = list[tuple[Person, str]]
_UNBORN = dt.timedelta(weeks=40)
Location = Mapping[str, str | None]  # {"postcode": ..., "label": ...}

# Default sensitivity per feed (police intelligence is set per entry).
DEFAULT_SENSITIVITY = {
    "health_gp": "health_confidential",
    "health_ae": "health_confidential",
    "camhs": "health_confidential",
    "school_nursing": "health_confidential",
}

# How late each feed records things: (same day, within 5 days, within a month) cumulative
# probabilities; the rest are weeks or months late.
LAG_PROFILE = {
    "police": (0.75, 0.95, 0.99),
    "health_ae": (0.85, 0.97, 0.995),
    "health_gp": (0.8, 0.95, 0.99),
    "csc": (0.45, 0.82, 0.96),
    "early_help": (0.4, 0.8, 0.96),
    "schools": (0.55, 0.88, 0.97),
    "camhs": (0.5, 0.85, 0.97),
    "school_nursing": (0.5, 0.85, 0.97),
    "youth_justice": (0.5, 0.85, 0.97),
    "child_exploitation_team": (0.45, 0.8, 0.94),
}


class Draft:
    __slots__ = (
        "agency",
        "detail",
        "ended",
        "grade",
        "has_time",
        "intel",
        "location",
        "occurred",
        "precision",
        "recorded",
        "sensitivity",
        "source",
        "subjects",
        "summary",
        "type",
    )

    def __init__(
        self,
        source: str,
        agency: str,
        type_: str,
        occurred: dt.datetime,
        precision: str,
        has_time: bool,
        ended: dt.datetime | None,
        recorded: dt.datetime,
        subjects: Subjects,
        summary: str,
        detail: str | None,
        grade: str,
        sensitivity: str,
        intel: dict[str, str] | None,
        location: Location | None,
    ) -> None:
        self.source = source
        self.agency = agency
        self.type = type_
        self.occurred = occurred
        self.precision = precision
        self.has_time = has_time
        self.ended = ended
        self.recorded = recorded
        self.subjects = subjects
        self.summary = summary
        self.detail = detail
        self.grade = grade
        self.sensitivity = sensitivity
        self.intel = intel
        self.location = location


class InvolvementDraft:
    __slots__ = ("agency", "end", "is_lead", "person", "practitioner", "source", "start", "team")

    def __init__(
        self,
        source: str,
        person: Person,
        agency: str,
        team: str,
        practitioner: Practitioner,
        is_lead: bool,
        start: dt.date,
        end: dt.date | None,
    ) -> None:
        self.source = source
        self.person = person
        self.agency = agency
        self.team = team
        self.practitioner = practitioner
        self.is_lead = is_lead
        self.start = start
        self.end = end


class Ctx:
    """Collects what the agencies record about one family (and the outsiders it meets)."""

    def __init__(self, gen: Generator, family: Family, rng: random.Random) -> None:
        self.gen = gen
        self.county = gen.county
        self.family = family
        self.rng = rng
        self.ref = gen.reference_date
        self.ref_end = dt.datetime.combine(gen.reference_date, dt.time(23, 59))
        self.drafts: list[Draft] = []
        self.involvements: list[InvolvementDraft] = []
        self.relationships: list[
            tuple[str, Person, Person, str, dt.date | None, dt.date | None]
        ] = []
        # source -> persons registered there (insertion-ordered dict used as an ordered set)
        self.registered: dict[str, dict[Person, None]] = {s: {} for s in SOURCES}

    # -- time -------------------------------------------------------------------------------

    def at(self, day: dt.date, start_hour: int = 9, end_hour: int = 17) -> dt.datetime:
        minutes = self.rng.randrange(start_hour * 60, end_hour * 60)
        return local(day.year, day.month, day.day, minutes // 60, minutes % 60)

    def night(self, day: dt.date) -> dt.datetime:
        minutes = self.rng.randrange(18 * 60, 27 * 60) % (24 * 60)
        return local(day.year, day.month, day.day, minutes // 60, minutes % 60)

    def between(self, start: dt.date, end: dt.date) -> dt.date:
        span = (end - start).days
        if span <= 0:
            return start
        return start + dt.timedelta(days=self.rng.randrange(span + 1))

    def lag(self, source: str) -> dt.timedelta:
        rng = self.rng
        same, days, month = LAG_PROFILE[source]
        u = rng.random()
        if u < same:
            return dt.timedelta(minutes=rng.randrange(5, 8 * 60))
        if u < days:
            return dt.timedelta(days=rng.randrange(1, 6), minutes=rng.randrange(0, 600))
        if u < month:
            return dt.timedelta(days=rng.randrange(6, 31), minutes=rng.randrange(0, 600))
        return dt.timedelta(days=rng.randrange(31, 150), minutes=rng.randrange(0, 600))

    # -- registration -----------------------------------------------------------------------

    def register(self, source: str, *people: Person) -> None:
        reg = self.registered[source]
        for person in people:
            reg[person] = None

    def involve(
        self,
        source: str,
        person: Person,
        team: Team,
        start: dt.date,
        end: dt.date | None,
        *,
        is_lead: bool = False,
        practitioner: Practitioner | None = None,
    ) -> Practitioner:
        if start > self.ref:
            start = self.ref
        if end is not None and end > self.ref:
            end = None
        worker = practitioner or self.rng.choice(team.staff)
        self.register(source, person)
        self.involvements.append(
            InvolvementDraft(source, person, team.agency, team.name, worker, is_lead, start, end)
        )
        return worker

    def relate(
        self,
        source: str,
        a: Person,
        b: Person,
        type_: str,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> None:
        """a is `type_` of b (a parent of b, a suspected exploiter of b)."""
        self.relationships.append((source, a, b, type_, start, end))

    # -- entries ----------------------------------------------------------------------------

    def add(
        self,
        source: str,
        type_: str,
        when: dt.datetime,
        summary: str,
        subjects: Subjects,
        *,
        agency: str | None = None,
        precision: str = "day",
        has_time: bool = False,
        ended: dt.datetime | None = None,
        detail: str | None = None,
        grade: str = "fact",
        sensitivity: str | None = None,
        intel: dict[str, str] | None = None,
        location: Location | None = None,
        recorded: dt.datetime | None = None,
        keep: bool = False,
    ) -> Draft | None:
        """Record an entry. Without `keep`, an entry not yet recorded by the reference date is
        dropped (the feed was extracted before anyone wrote it down)."""
        if when > self.ref_end:
            if not keep:
                return None
            when = self.ref_end - dt.timedelta(hours=2)
        if recorded is None:
            if precision == "day":
                base = when
            elif precision == "year":
                base = local(when.year, 12, 31, 12, 0)
            else:  # month or season: after the end of the month
                base = local(when.year, when.month, 28, 12, 0)
            recorded = base + self.lag(source)
        if recorded > self.ref_end:
            if not keep:
                return None
            recorded = max(when, self.ref_end - dt.timedelta(minutes=30))
        if ended is not None and ended > self.ref_end:
            ended = None
        # A family's entry names only the children there were (born, or on the way: the
        # importer refuses an entry from more than 40 weeks before a subject was born).
        first_day = when.date()
        subjects = [(p, role) for p, role in subjects if p.birth - _UNBORN <= first_day]
        if not subjects:
            return None
        if precision != "day":
            has_time = False
        draft = Draft(
            source,
            agency or SOURCES[source],
            type_,
            when,
            precision,
            has_time,
            ended,
            recorded,
            subjects,
            summary,
            detail,
            grade,
            sensitivity or DEFAULT_SENSITIVITY.get(source, "standard"),
            intel,
            location,
        )
        self.drafts.append(draft)
        reg = self.registered[source]
        for person, _ in subjects:
            reg[person] = None
        return draft

    # -- helpers ----------------------------------------------------------------------------

    def home(self, person: Person, on: dt.date, label: str | None = None) -> dict[str, str | None]:
        return {"postcode": person.address_on(on).postcode, "label": label}

    def intel_grade(self) -> dict[str, str]:
        rng = self.rng
        return {
            "system": "3x5x2",
            "source": rng.choices("123", weights=(3, 5, 2))[0],
            "assessment": rng.choices("ABCDE", weights=(2, 4, 3, 2, 1))[0],
            "handling": "P" if rng.random() < 0.8 else "C",
        }

    def say(self, key: str, child: Person | None = None, **kw: object) -> str:
        family = self.family
        values: dict[str, object] = {
            "mother": family.mother.given,
            "partner": (
                family.others[0] if family.others else family.father() or family.mother
            ).given,
            "town": family.town,
        }
        values.update(kw)
        return text.say(self.rng, key, child, **values)

    def give_pnc(self, person: Person, year: int) -> None:
        if person.pnc is None:
            person.pnc = self.gen.pnc.issue(year)
