"""The true world behind the feeds: people, families, addresses, school careers.

Agencies never see these objects; they see records rendered from them (with noise) by `render`.
Persons are compared by identity (eq=False), and every collection of them that is iterated is a
list or an insertion-ordered dict, never a set, so a seed always gives the same bytes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sightline.synth.generator.names import EthnicGroup
from sightline.synth.generator.places import School


@dataclass(eq=False, slots=True)
class Address:
    line: str
    postcode: str
    town: str
    start: dt.date
    end: dt.date | None = None


@dataclass(eq=False, slots=True)
class SchoolSpell:
    school: School
    start: dt.date
    end: dt.date | None
    reason_left: str | None = None


@dataclass(eq=False, slots=True)
class Person:
    true_id: str
    role: str  # child | adult
    kind: str  # child | parent | adult_sibling | partner | adult_of_concern
    given: str
    middle: str | None
    family_name: str
    sex: str
    birth: dt.date
    ethnicity: str
    group: EthnicGroup
    nhs: str | None = None
    upn: str | None = None
    pnc: str | None = None
    addresses: list[Address] = field(default_factory=list)
    alt_surname: str | None = None  # a previous or other surname an agency may hold
    aliases: list[str] = field(default_factory=list)  # street names, "known as"
    records: dict[str, list[str]] = field(default_factory=dict)  # source -> source_ids
    n_records: int = 0
    school_spells: list[SchoolSpell] = field(default_factory=list)
    school_exit: dt.date | None = None  # left mainstream school early (exclusion, care move)
    trajectory: str | None = None
    gp_registered: bool = True
    links: int = 0  # adults of concern: how many children they are linked to

    @property
    def he(self) -> str:
        return "she" if self.sex == "female" else "he"

    @property
    def his(self) -> str:
        return "her" if self.sex == "female" else "his"

    @property
    def him(self) -> str:
        return "her" if self.sex == "female" else "him"

    def age_on(self, on: dt.date) -> int:
        years = on.year - self.birth.year
        if (on.month, on.day) < (self.birth.month, self.birth.day):
            years -= 1
        return years

    def address_on(self, on: dt.date) -> Address:
        current = self.addresses[0]
        for address in self.addresses:
            if address.start <= on:
                current = address
            else:
                break
        return current

    def school_on(self, on: dt.date) -> School | None:
        for spell in self.school_spells:
            if spell.start <= on and (spell.end is None or on <= spell.end):
                return spell.school
        return None


@dataclass(eq=False)
class Family:
    index: int
    town: str
    addresses: list[Address]
    children: list[Person]
    parents: list[Person]
    others: list[Person] = field(default_factory=list)  # adult siblings, mother's new partner
    level: int = 0  # 0 universal services only .. 4 a child looked after
    twins: list[tuple[Person, Person]] = field(default_factory=list)
    trajectory: str | None = None
    long_history: bool = False
    hyphenated: bool = False

    @property
    def adults(self) -> list[Person]:
        return self.parents + self.others

    @property
    def mother(self) -> Person:
        for p in self.parents:
            if p.sex == "female":
                return p
        return self.parents[0]

    def father(self) -> Person | None:
        for p in self.parents:
            if p.sex == "male":
                return p
        return None


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """A wall-clock time as agencies record it: local (Europe/London), with no offset written,
    so naive on purpose."""
    return dt.datetime(year, month, day, hour, minute)  # noqa: DTZ001


def add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)
