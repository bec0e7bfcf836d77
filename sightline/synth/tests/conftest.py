"""One generated county shared by the synth tests (pure: files only, no database)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from sightline.synth.generator import Summary, generate_county
from sightline.synth.tests.feeds import read_county, read_jsonl

CHILDREN = 2000
SEED = 7
REFERENCE = dt.date(2026, 11, 1)

Line = dict[str, Any]


@dataclass
class County:
    out: Path
    summary: Summary
    lines: list[tuple[str, int, Line]]
    persons: dict[tuple[str, str], Line] = field(default_factory=dict)
    truth: dict[tuple[str, str], Line] = field(default_factory=dict)
    records_of: dict[str, list[Line]] = field(default_factory=lambda: defaultdict(list))
    entries_of: dict[str, list[Line]] = field(default_factory=lambda: defaultdict(list))
    relationships: list[Line] = field(default_factory=list)
    involvements: list[Line] = field(default_factory=list)
    trajectories: list[Line] = field(default_factory=list)
    hard_cases: list[Line] = field(default_factory=list)

    def true_id(self, source: str, source_id: str) -> str:
        return str(self.truth[(source, source_id)]["true_id"])

    def types_of(self, true_id: str) -> set[str]:
        return {str(e["type"]) for e in self.entries_of[true_id]}


@pytest.fixture(scope="session")
def county(tmp_path_factory: pytest.TempPathFactory) -> County:
    out = tmp_path_factory.mktemp("county")
    summary = generate_county(children=CHILDREN, seed=SEED, out=out, reference_date=REFERENCE)
    c = County(out=out, summary=summary, lines=list(read_county(out)))
    for t in read_jsonl(out / "truth" / "persons.jsonl"):
        c.truth[(str(t["source"]), str(t["source_id"]))] = t
    for _, _, line in c.lines:
        if line["kind"] == "person":
            key = (str(line["source"]), str(line["source_id"]))
            c.persons[key] = line
            c.records_of[c.true_id(*key)].append(line)
    for _, _, line in c.lines:
        if line["kind"] == "entry":
            seen = set()
            for s in line["subjects"]:
                tid = c.true_id(str(line["source"]), s["source_id"])
                if tid not in seen:
                    seen.add(tid)
                    c.entries_of[tid].append(line)
        elif line["kind"] == "relationship":
            c.relationships.append(line)
        elif line["kind"] == "involvement":
            c.involvements.append(line)
    c.trajectories = read_jsonl(out / "truth" / "trajectories.jsonl")
    c.hard_cases = read_jsonl(out / "truth" / "hard_cases.jsonl")
    return c
