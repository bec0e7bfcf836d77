"""The generator: families one at a time, each drafted, rendered and streamed to the feeds, so
memory stays flat and a run of 100,000 children takes minutes."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypedDict

import orjson

from sightline.synth.generator import background as bg
from sightline.synth.generator import names, trajectories
from sightline.synth.generator.ctx import Ctx
from sightline.synth.generator.identifiers import NhsNumbers, PncIds, Upns
from sightline.synth.generator.model import Address, Family, Person, add_years
from sightline.synth.generator.noise import render_person
from sightline.synth.generator.places import build_county
from sightline.synth.generator.vocab import (
    CSV_SOURCES,
    FORMAT,
    LONG_HISTORY,
    SOURCE_ORDER,
    SOURCES,
    TRAJECTORIES,
)
from sightline.synth.generator.writers import CsvFeed, JsonlFeed, JsonlOut, Line


class Manifest(TypedDict):
    """What `manifest.json` says about a run (deterministic: no timings)."""

    format: str
    generator: str
    children: int
    seed: int
    reference_date: str
    families: int
    files: dict[str, int]  # file name (truth files as truth/<name>) -> lines or rows
    lines: dict[str, int]  # kind of line -> count over all feeds
    trajectories: dict[str, int]  # trajectory -> children it was planted on


class Summary(Manifest):
    """The manifest plus the seconds the run took."""

    seconds: float


PREFIX = {
    "csc": "MOS",
    "early_help": "EH",
    "police": "NCH",
    "health_ae": "RHA",
    "health_gp": "EMIS",
    "camhs": "RIO",
    "school_nursing": "SN",
    "schools": "SCH",
    "youth_justice": "YJ",
    "child_exploitation_team": "CET",
}
# Chance that an agency holds a second, duplicate record of the same child.
DUPLICATE = {
    "health_ae": 0.04,
    "police": 0.03,
    "csc": 0.02,
    "health_gp": 0.01,
    "schools": 0.005,
}
_ID_SPAN = 10_000_000
_ID_STEP = 7_368_787  # coprime with 10**7: local ids look random, never repeat
LEVEL_WEIGHTS = (70, 15, 9.5, 4.3, 1.2)
# Which family-level relationships each feed records.
FAMILY_RELATIONSHIP_SOURCES = (
    "csc",
    "early_help",
    "police",
    "youth_justice",
    "child_exploitation_team",
)

# Ages (at the reference date) of the child each trajectory is planted on.
TRAJECTORY_AGES = {
    "criminal_exploitation": (13.3, 17.9),
    "neglect_to_cse_in_care": (14.2, 17.9),
    "rejected_referrals": (6.0, 16.0),
    "non_engaging_family": (3.0, 15.0),
    LONG_HISTORY: (12.0, 17.9),
}


class Generator:
    def __init__(
        self,
        *,
        children: int,
        seed: int,
        out: Path,
        reference_date: dt.date,
        progress: Callable[[int], None] | None,
    ) -> None:
        if children < 1:
            raise ValueError("children must be at least 1")
        self.children = children
        self.seed = seed
        self.out = out
        self.reference_date = reference_date
        self.progress = progress
        self.county = build_county(random.Random(f"{seed}:county"), children)
        self.nhs = NhsNumbers(seed)
        self.pnc = PncIds(seed)
        self.upns = Upns()
        self.person_counter = 0
        self.id_counters = dict.fromkeys(SOURCES, 0)
        self.line_counters: dict[tuple[str, str], int] = {}
        self.id_offset = {
            s: (seed * 15_485_863 + i * 1_299_709) % _ID_SPAN for i, s in enumerate(SOURCES)
        }
        self.exploiters: dict[str, list[Person]] = {"cce": [], "cse": []}
        self.cce_children: list[Person] = []
        self.trajectory_counts: dict[str, int] = {}

    # -- ids --------------------------------------------------------------------------------

    def true_id(self, role: str) -> str:
        self.person_counter += 1
        return f"{'C' if role == 'child' else 'A'}{self.person_counter:07d}"

    def person_id(self, source: str) -> str:
        n = self.id_counters[source]
        self.id_counters[source] = n + 1
        if n >= _ID_SPAN:
            raise OverflowError(f"more than {_ID_SPAN} records in {source}")
        return f"{PREFIX[source]}{(n * _ID_STEP + self.id_offset[source]) % _ID_SPAN:07d}"

    def line_id(self, source: str, letter: str) -> str:
        key = (source, letter)
        n = self.line_counters.get(key, 0) + 1
        self.line_counters[key] = n
        return f"{PREFIX[source]}-{letter}{n:08d}"

    # -- the plan ---------------------------------------------------------------------------

    def plan(self) -> list[tuple[int, str]]:
        """(child count at which it starts, kind) for each planted trajectory, evenly spread."""
        n = self.children
        per_kind = max(3, round(n * 0.002))
        slots: list[str] = []
        for kind in (
            "criminal_exploitation",
            "neglect_to_cse_in_care",
            "rejected_referrals",
            "non_engaging_family",
        ):
            slots += [kind] * per_kind
        # sibling exposure rides on a criminal-exploitation family with younger children
        sib = max(3, round(n * 0.001))
        slots += ["criminal_exploitation+siblings"] * sib
        slots += [LONG_HISTORY] * max(1, round(n / 1000))
        random.Random(f"{self.seed}:plan").shuffle(slots)
        limit = max(1, int(n * 0.9))
        return [(i * limit // len(slots), kind) for i, kind in enumerate(slots)]

    # -- people -----------------------------------------------------------------------------

    def make_person(
        self,
        rng: random.Random,
        *,
        role: str,
        kind: str,
        group: names.EthnicGroup,
        sex: str,
        birth: dt.date,
        family_name: str,
        nhs: bool = True,
    ) -> Person:
        given = names.first_name(rng, group, sex, adult=role == "adult")
        middle = None
        if rng.random() < 0.35:
            middle = names.first_name(rng, group, sex, adult=role == "adult")
            if middle == given:
                middle = None
        return Person(
            true_id=self.true_id(role),
            role=role,
            kind=kind,
            given=given,
            middle=middle,
            family_name=family_name,
            sex=sex,
            birth=birth,
            ethnicity=group.code,
            group=group,
            nhs=self.nhs.issue() if nhs else None,
        )

    def make_family(self, index: int, rng: random.Random, n: int, kind: str | None) -> Family:
        ref = self.reference_date
        group = names.pick_ethnic_group(rng)
        tail = rng.random() < 0.25
        father_name = names.surname(rng, group, tail=tail)
        mother_name = (
            father_name
            if rng.random() < 0.55
            else names.surname(rng, group, tail=rng.random() < 0.25)
        )
        hyphenated = rng.random() < 0.08 and mother_name != father_name
        family_name = (
            f"{father_name}-{mother_name}"
            if hyphenated
            else (father_name if rng.random() < 0.7 else mother_name)
        )
        # children's ages (years at the reference date), oldest first
        lo, hi = 0.0, 17.99
        if kind in TRAJECTORY_AGES:
            lo, hi = TRAJECTORY_AGES[kind]
        if kind == "criminal_exploitation+siblings":
            lo, hi = 14.5, 17.9
        lo = max(lo, min(hi - 0.5, (n - 1) * 1.1))
        ages = [rng.uniform(lo, hi)]
        for _ in range(n - 1):
            prev = ages[-1]
            age = prev - rng.uniform(1.0, 4.0)
            ages.append(age if age >= 0 else prev * rng.random() * 0.8)
        twins = n >= 2 and rng.random() < 0.03
        births = [ref - dt.timedelta(days=int(a * 365.25)) for a in ages]
        if twins:
            births[1] = births[0]
        oldest = births[0]
        mother_age = rng.uniform(17.5, 38.0)
        mother_birth = oldest - dt.timedelta(days=int(mother_age * 365.25))
        father_birth = mother_birth - dt.timedelta(days=int(rng.uniform(-2, 8) * 365.25))
        # addresses: a home before the oldest child was born, a quarter of families move
        town = self.county.town(rng)
        addresses = [self._address(rng, town, oldest - dt.timedelta(days=rng.randint(30, 2000)))]
        if rng.random() < 0.25:
            moves = sorted(
                ref - dt.timedelta(days=rng.randint(30, max(31, (ref - oldest).days)))
                for _ in range(rng.choices((1, 2, 3), weights=(60, 25, 15))[0])
            )
            for when in moves:
                if when <= addresses[-1].start:
                    continue
                if rng.random() < 0.3:
                    town = self.county.town(rng)
                addresses[-1].end = when - dt.timedelta(days=1)
                addresses.append(self._address(rng, town, when))
        lone = rng.random() < 0.3
        parents = []
        mother = self.make_person(
            rng,
            role="adult",
            kind="parent",
            group=group,
            sex="female",
            birth=mother_birth,
            family_name=mother_name,
        )
        mother.alt_surname = names.surname(rng, group, tail=rng.random() < 0.25)
        father = self.make_person(
            rng,
            role="adult",
            kind="parent",
            group=group,
            sex="male",
            birth=father_birth,
            family_name=father_name,
        )
        if lone and rng.random() < 0.1:
            parents = [father]
        elif lone:
            parents = [mother]
        else:
            parents = [mother, father]
        for p in parents:
            p.addresses = list(addresses)
        children: list[Person] = []
        for i, birth in enumerate(births):
            sex = "male" if rng.random() < 0.512 else "female"
            if kind == "neglect_to_cse_in_care" and i == 0:
                sex = "female" if rng.random() < 0.8 else "male"
            if kind and kind.startswith("criminal_exploitation") and i == 0:
                sex = "male" if rng.random() < 0.85 else "female"
            surname = (
                family_name
                if rng.random() < 0.9 or i == 0
                else (mother_name if family_name != mother_name else father_name)
            )
            child = self.make_person(
                rng,
                role="child",
                kind="child",
                group=group,
                sex=sex,
                birth=birth,
                family_name=surname,
            )
            if twins and i == 1:
                child.family_name = children[0].family_name
            others = {mother_name, father_name} - {child.family_name}
            child.alt_surname = (
                sorted(others)[0] if others else names.surname(rng, group, tail=rng.random() < 0.25)
            )
            child.addresses = [
                Address(a.line, a.postcode, a.town, max(a.start, birth), a.end)
                for a in addresses
                if a.end is None or a.end >= birth
            ]
            # 3% have no GP record; every child is known to at least one feed
            child.gp_registered = rng.random() < 0.97 or birth > ref - dt.timedelta(days=4 * 366)
            children.append(child)
        family = Family(
            index, addresses[-1].town, addresses, children, parents, hyphenated=hyphenated
        )
        if twins:
            family.twins.append((children[0], children[1]))
        if children[0].age_on(ref) >= 10 and rng.random() < 0.1:
            adult_sib = self.make_person(
                rng,
                role="adult",
                kind="adult_sibling",
                group=group,
                sex=rng.choice(["male", "female"]),
                birth=oldest - dt.timedelta(days=rng.randint(400, 2500)),
                family_name=family_name,
            )
            if adult_sib.age_on(ref) >= 18:
                adult_sib.addresses = list(addresses)
                family.others.append(adult_sib)
        family.level = rng.choices(range(5), weights=LEVEL_WEIGHTS)[0]
        if (family.level >= 2 and rng.random() < 0.5) or not family.father():
            partner = self.make_person(
                rng,
                role="adult",
                kind="partner",
                group=group,
                sex="male",
                birth=mother_birth - dt.timedelta(days=rng.randint(-700, 3000)),
                family_name=names.surname(rng, group, tail=rng.random() < 0.3),
            )
            partner.addresses = [addresses[-1]]
            if family.level >= 1 or rng.random() < 0.3:
                family.others.insert(0, partner)
        return family

    def _address(self, rng: random.Random, town: str, start: dt.date) -> Address:
        street = rng.choice(self.county.streets[town])
        if rng.random() < 0.2:
            line = (
                f"Flat {rng.randint(1, 24)}, {street.name.split()[0]} Court, {street.name}, {town}"
            )
        else:
            line = f"{rng.randint(1, 160)} {street.name}, {town}"
        return Address(line, rng.choice(street.postcodes), town, start)

    def adult_of_concern(self, ctx: Ctx, pool: str) -> Person:
        """An adult of concern; each exploits up to three children across families."""
        rng = ctx.rng
        known = self.exploiters[pool]
        for adult in known:
            if adult.links < 3 and rng.random() < 0.5:
                adult.links += 1
                return adult
        group = names.pick_ethnic_group(rng)
        birth = self.reference_date - dt.timedelta(days=int(rng.uniform(19, 34) * 365.25))
        adult = self.make_person(
            rng,
            role="adult",
            kind="adult_of_concern",
            group=group,
            sex="male" if rng.random() < 0.88 else "female",
            birth=birth,
            family_name=names.surname(rng, group, tail=rng.random() < 0.25),
            nhs=rng.random() < 0.9,
        )
        adult.aliases.append(rng.choice(names.ADULT_STREET_NAMES))
        if rng.random() < 0.85:
            adult.pnc = self.pnc.issue(birth.year + rng.randint(15, 18))
        moved_in = min(
            add_years(birth, 18 + rng.randint(0, 5)),
            self.reference_date - dt.timedelta(days=rng.randint(30, 400)),
        )
        if rng.random() < 0.5:
            place = rng.choice(self.county.out_of_area)
            line = f"{rng.randint(1, 90)} {place.name}, {place.town}"
            adult.addresses = [Address(line, place.postcodes[0], place.town, moved_in)]
        else:
            adult.addresses = [self._address(rng, self.county.town(rng), moved_in)]
        adult.links = 1
        known.append(adult)
        if len(known) > 20:
            known.pop(0)
        return adult

    # -- one family -------------------------------------------------------------------------

    def family_drafts(self, index: int, n: int, kind: str | None) -> tuple[Ctx, list[Line]]:
        rng = random.Random(f"{self.seed}:family:{index}")
        family = self.make_family(index, rng, n, kind)
        ctx = Ctx(self, family, rng)
        ref = self.reference_date
        for child in family.children:
            bg.plan_schools(ctx, child)
        truth: list[Line] = []

        def mark(child: Person, trajectory: str) -> None:
            child.trajectory = trajectory
            self.trajectory_counts[trajectory] = self.trajectory_counts.get(trajectory, 0) + 1
            given = child.given + (f" {child.middle}" if child.middle else "")
            truth.append(
                {
                    "true_id": child.true_id,
                    "trajectory": trajectory,
                    "given_names": given,
                    "family_name": child.family_name,
                    "birth_date": child.birth.isoformat(),
                }
            )

        index_child = family.children[0]
        if kind is not None:
            family.level = 0
        if kind in ("criminal_exploitation", "criminal_exploitation+siblings"):
            mark(index_child, "criminal_exploitation")
            adults = [self.adult_of_concern(ctx, "cce")]
            if rng.random() < 0.5:
                adults.append(self.adult_of_concern(ctx, "cce"))
            peers = self.cce_children[-2:] if self.cce_children and rng.random() < 0.7 else []
            t0, t_end = trajectories.criminal_exploitation(ctx, index_child, adults, peers)
            self.cce_children.append(index_child)
            if len(self.cce_children) > 10:
                self.cce_children.pop(0)
            if kind == "criminal_exploitation+siblings":
                exposed = [c for c in family.children[1:] if c.birth < t0 + (t_end - t0) // 2]
                for sibling in exposed:
                    mark(sibling, "sibling_exposure")
                if exposed:
                    trajectories.sibling_exposure(ctx, index_child, exposed, t0, t_end)
            family.level = 2
        elif kind == "neglect_to_cse_in_care":
            mark(index_child, "neglect_to_cse_in_care")
            adults = [self.adult_of_concern(ctx, "cse")]
            if rng.random() < 0.5:
                adults.append(self.adult_of_concern(ctx, "cse"))
            trajectories.neglect_to_cse_in_care(ctx, index_child, adults)
            family.level = 3
        elif kind == "rejected_referrals":
            mark(index_child, "rejected_referrals")
            trajectories.rejected_referrals(ctx, index_child)
            family.level = 1
        elif kind == "non_engaging_family":
            mark(index_child, "non_engaging_family")
            trajectories.non_engaging_family(ctx, index_child)
            family.level = 1
        elif kind == LONG_HISTORY:
            mark(index_child, LONG_HISTORY)
            family.level = 3
            bg.csc_episode(ctx, add_years(index_child.birth, 2), 3)
            bg.long_history(ctx, index_child, rng.randint(1000, 2200))
        else:
            self._episodes(ctx)
        level = family.level
        for child in family.children:
            rates = (0.03, 0.25, 0.5, 0.9, 1.2)
            bg.school_history(
                ctx,
                child,
                concern_rate=rates[level],
                attendance_shift=(0, 1.0, 2.5, 4.0, 5.0)[level],
            )
            bg.gp_history(ctx, child, level=level)
            bg.ae_history(ctx, child, level=level)
            bg.school_nursing(ctx, child)
            if child.trajectory is None and child.age_on(ref) >= 12:
                if rng.random() < (0.04, 0.08, 0.15, 0.2, 0.25)[level]:
                    bg.teen_police(ctx, child)
                if rng.random() < (0.015, 0.04, 0.08, 0.1, 0.12)[level]:
                    bg.missing_once(ctx, child)
            if (
                child.trajectory is None
                and child.age_on(ref) >= 8
                and rng.random() < (0.04, 0.08, 0.12, 0.15, 0.15)[level]
            ):
                start = ctx.between(add_years(child.birth, 7), ref - dt.timedelta(days=60))
                if start > add_years(child.birth, 7):
                    bg.camhs(ctx, child, start)
        return ctx, truth

    def _episodes(self, ctx: Ctx) -> None:
        rng = ctx.rng
        family = ctx.family
        level = family.level
        if level == 0:
            return
        ref = self.reference_date
        first = min(c.birth for c in family.children) + dt.timedelta(days=90)
        last = ref - dt.timedelta(days=45)
        if first >= last:
            return
        if level == 1:
            plan = [1] * rng.randint(1, 2)
        elif level == 2:
            plan = [2] + [rng.choice((1, 2))] * rng.randint(0, 2)
        elif level == 3:
            plan = [3] + [rng.choice((1, 2))] * rng.randint(0, 2)
        else:
            plan = [4] + [2] * rng.randint(0, 1)
        rng.shuffle(plan)
        starts = sorted(ctx.between(first, last) for _ in plan)
        busy_until = first
        for start, lvl in zip(starts, plan, strict=True):
            if start < busy_until:
                start = busy_until + dt.timedelta(days=rng.randint(30, 200))
                if start >= last:
                    break
            if lvl == 1:
                busy_until = bg.early_help_episode(ctx, start)
            else:
                busy_until = bg.csc_episode(ctx, start, lvl)

    # -- rendering --------------------------------------------------------------------------

    def render(self, ctx: Ctx) -> dict[str, dict[str, list[Line]]]:
        """Give every registered person records, then turn drafts into lines per feed."""
        rng = ctx.rng
        family = ctx.family
        ref = self.reference_date
        out: dict[str, dict[str, list[Line]]] = {}
        truth_persons: list[Line] = []
        hard: list[Line] = []
        # family relationships each feed holds (only between people it has records of)
        for source in FAMILY_RELATIONSHIP_SOURCES:
            reg = ctx.registered[source]
            kids = [c for c in family.children if c in reg]
            if not kids:
                continue
            for adult in family.parents:
                if adult in reg:
                    for child in kids:
                        ctx.relate(source, adult, child, "parent", child.birth, None)
            for other in family.others:
                if other in reg:
                    rel = "step_parent" if other.kind == "partner" else "sibling"
                    for child in kids:
                        ctx.relate(source, other, child, rel, None, None)
                    if other.kind == "partner" and family.mother in reg:
                        ctx.relate(source, other, family.mother, "partner", None, None)
            for i, a in enumerate(kids):
                for b in kids[i + 1 :]:
                    ctx.relate(source, a, b, "sibling", None, None)
        # person records, in feed order (the first record of anyone is the clean one)
        first_entry: dict[tuple[str, str], dt.date] = {}  # (source, true id) -> earliest entry
        for d in ctx.drafts:
            for person, _ in d.subjects:
                whose = (d.source, person.true_id)
                day = d.occurred.date()
                if whose not in first_entry or day < first_entry[whose]:
                    first_entry[whose] = day
        for source in SOURCES:
            reg = ctx.registered[source]
            lines: list[Line] = []
            for person in reg:
                if source in person.records:
                    continue
                copies = 1
                if person.role == "child" and rng.random() < DUPLICATE.get(source, 0.0):
                    copies = 2
                ids = []
                for _ in range(copies):
                    source_id = self.person_id(source)
                    line, tags = render_person(
                        rng,
                        person,
                        source,
                        source_id,
                        first=person.n_records == 0,
                        ref=ref,
                        entries_from=first_entry.get((source, person.true_id)),
                    )
                    person.n_records += 1
                    ids.append(source_id)
                    lines.append(line)
                    truth_persons.append(
                        {
                            "source": source,
                            "source_id": source_id,
                            "true_id": person.true_id,
                            "role": person.role,
                        }
                    )
                    hard.extend(
                        {
                            "tag": tag,
                            "records": [{"source": source, "source_id": source_id}],
                            "true_ids": [person.true_id],
                        }
                        for tag in tags
                    )
                if copies == 2:
                    hard.append(
                        {
                            "tag": "duplicate_in_source",
                            "records": [{"source": source, "source_id": i} for i in ids],
                            "true_ids": [person.true_id],
                        }
                    )
                person.records[source] = ids
            out.setdefault(source, {})["person"] = lines
            # pairs of different children that look alike: twins, then other siblings
            kids = [c for c in family.children if c in reg and source in c.records]
            twin_pairs = {(id(a), id(b)) for a, b in family.twins}
            for i, a in enumerate(kids):
                for b in kids[i + 1 :]:
                    tag = "twin" if (id(a), id(b)) in twin_pairs else "sibling"
                    hard.append(
                        {
                            "tag": tag,
                            "records": [
                                {"source": source, "source_id": a.records[source][0]},
                                {"source": source, "source_id": b.records[source][0]},
                            ],
                            "true_ids": [a.true_id, b.true_id],
                        }
                    )
        # relationships
        seen: set[tuple[str, str, str, str]] = set()
        for source, a, b, type_, start, end in ctx.relationships:
            if source not in a.records or source not in b.records:
                continue
            key = (source, a.records[source][0], b.records[source][0], type_)
            if key in seen or a is b:
                continue
            seen.add(key)
            out[source].setdefault("relationship", []).append(
                {
                    "format": FORMAT,
                    "kind": "relationship",
                    "source": source,
                    "source_id": self.line_id(source, "R"),
                    "from": key[1],
                    "to": key[2],
                    "type": type_,
                    "from_date": start.isoformat() if start else None,
                    "to_date": end.isoformat() if end else None,
                }
            )
        # involvements
        for inv in ctx.involvements:
            end = inv.end if inv.end is None or inv.end >= inv.start else inv.start
            out[inv.source].setdefault("involvement", []).append(
                {
                    "format": FORMAT,
                    "kind": "involvement",
                    "source": inv.source,
                    "source_id": self.line_id(inv.source, "I"),
                    "person": inv.person.records[inv.source][0],
                    "agency": inv.agency,
                    "team": inv.team,
                    "practitioner": inv.practitioner.as_dict(),
                    "is_lead": inv.is_lead,
                    "from": inv.start.isoformat(),
                    "to": end.isoformat() if end else None,
                }
            )
        # entries, in the order they happened
        ctx.drafts.sort(key=lambda d: (SOURCE_ORDER[d.source], d.occurred, d.recorded))
        for d in ctx.drafts:
            subjects = []
            done: set[int] = set()
            for person, role in d.subjects:
                if id(person) in done:
                    continue
                done.add(id(person))
                ids = person.records[d.source]
                sid = ids[0] if len(ids) == 1 or rng.random() < 0.7 else ids[1]
                subjects.append({"source_id": sid, "role": role})
            if d.precision == "day":
                occurred = (
                    d.occurred.isoformat(timespec="minutes")
                    if d.has_time
                    else d.occurred.date().isoformat()
                )
            elif d.precision == "year":
                occurred = f"{d.occurred.year:04d}"
            else:
                occurred = f"{d.occurred.year:04d}-{d.occurred.month:02d}"
            recorded = max(d.recorded, d.occurred)
            out[d.source].setdefault("entry", []).append(
                {
                    "format": FORMAT,
                    "kind": "entry",
                    "source": d.source,
                    "source_id": self.line_id(d.source, "E"),
                    "agency": d.agency,
                    "type": d.type,
                    "occurred_at": occurred,
                    "precision": d.precision,
                    "ended_at": d.ended.isoformat(timespec="minutes") if d.ended else None,
                    "recorded_at": recorded.isoformat(timespec="minutes"),
                    "subjects": subjects,
                    "summary": d.summary,
                    "detail": d.detail,
                    "grade": d.grade,
                    "sensitivity": d.sensitivity,
                    "intelligence_grade": d.intel,
                    "location": d.location,
                }
            )
        out["_truth"] = {"persons": truth_persons, "hard_cases": hard}
        return out

    # -- the run ----------------------------------------------------------------------------

    def run(self) -> Summary:
        started = time.perf_counter()
        out = self.out
        out.mkdir(parents=True, exist_ok=True)
        (out / "truth").mkdir(exist_ok=True)
        feeds: dict[str, JsonlFeed | CsvFeed] = {
            source: CsvFeed(out, source)
            if source in CSV_SOURCES
            else JsonlFeed(out / f"{source}.jsonl")
            for source in SOURCES
        }
        truth = {
            "persons": JsonlOut(out / "truth" / "persons.jsonl"),
            "trajectories": JsonlOut(out / "truth" / "trajectories.jsonl"),
            "hard_cases": JsonlOut(out / "truth" / "hard_cases.jsonl"),
        }
        plan = self.plan()
        family_rng = random.Random(f"{self.seed}:families")
        done = 0
        index = 0
        step = max(1, self.children // 100)
        next_report = step
        try:
            while done < self.children:
                kind = None
                if plan and plan[0][0] <= done:
                    kind = plan.pop(0)[1]
                size = family_rng.choices((1, 2, 3, 4), weights=(40, 35, 17, 8))[0]
                if kind == "criminal_exploitation+siblings":
                    size = family_rng.choice((3, 3, 4))
                size = min(size, self.children - done)
                if kind == "criminal_exploitation+siblings" and size < 2:
                    kind = "criminal_exploitation"
                ctx, trajectory_lines = self.family_drafts(index, size, kind)
                rendered = self.render(ctx)
                t = rendered.pop("_truth")
                for source, by_kind in rendered.items():
                    feed = feeds[source]
                    for line_kind in ("person", "relationship", "involvement", "entry"):
                        feed.write(line_kind, by_kind.get(line_kind, []))
                truth["persons"].write(t["persons"])
                truth["hard_cases"].write(t["hard_cases"])
                truth["trajectories"].write(trajectory_lines)
                done += size
                index += 1
                if self.progress is not None and (done >= next_report or done == self.children):
                    self.progress(done)
                    next_report = done + step
        finally:
            for feed in feeds.values():
                feed.close()
            for t_out in truth.values():
                t_out.close()
        files: dict[str, int] = {}
        kinds: dict[str, int] = {}
        for feed in feeds.values():
            files.update(feed.files())
            for k, v in feed.counts.items():
                kinds[k] = kinds.get(k, 0) + v
        for name, t_out in truth.items():
            files[f"truth/{name}.jsonl"] = t_out.count
        manifest: Manifest = {
            "format": FORMAT,
            "generator": "sightline.synth",
            "children": self.children,
            "seed": self.seed,
            "reference_date": self.reference_date.isoformat(),
            "families": index,
            "files": dict(sorted(files.items())),
            "lines": dict(sorted(kinds.items())),
            "trajectories": dict(sorted(self.trajectory_counts.items())),
        }
        (out / "manifest.json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
        return {**manifest, "seconds": round(time.perf_counter() - started, 2)}


def generate_county(
    *,
    children: int,
    seed: int,
    out: Path,
    reference_date: dt.date = dt.date(2026, 11, 1),
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Write a synthetic county's agency feeds and ground truth to `out`; return a summary
    (counts per file and per kind of line, trajectories planted, seconds taken).

    The same children, seed and reference date always give byte-identical files."""
    return Generator(
        children=children,
        seed=seed,
        out=Path(out),
        reference_date=reference_date,
        progress=progress,
    ).run()


__all__ = ["TRAJECTORIES", "Summary", "generate_county"]
