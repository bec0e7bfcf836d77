"""Every line of every feed follows the sightline/1 rules."""

from __future__ import annotations

import csv
from collections import Counter

from sightline.synth.tests.conftest import REFERENCE, County
from sightline.synth.tests.feeds import (
    ENTRY_KEYS,
    INVOLVEMENT_KEYS,
    PERSON_KEYS,
    problems,
)

EXPECTED_FILES = {
    "camhs.jsonl",
    "child_exploitation_team.jsonl",
    "csc.jsonl",
    "early_help.jsonl",
    "health_ae.jsonl",
    "health_gp.jsonl",
    "police.jsonl",
    "school_nursing.jsonl",
    "schools.entry.csv",
    "schools.involvement.csv",
    "schools.person.csv",
    "youth_justice.jsonl",
}


def _flat(keys: list[str], nested: dict[str, list[str]]) -> list[str]:
    out = []
    for key in keys:
        out += [f"{key}.{sub}" for sub in nested[key]] if key in nested else [key]
    return out


def test_the_feeds_written(county: County) -> None:
    written = {p.name for p in county.out.iterdir() if p.is_file()}
    assert written == EXPECTED_FILES | {"manifest.json"}
    assert {p.name for p in (county.out / "truth").iterdir()} == {
        "persons.jsonl",
        "trajectories.jsonl",
        "hard_cases.jsonl",
    }
    files = county.summary["files"]
    assert set(files) == EXPECTED_FILES | {
        f"truth/{n}.jsonl" for n in ("persons", "trajectories", "hard_cases")
    }
    assert county.summary["seconds"] >= 0


def test_every_line_is_valid(county: County) -> None:
    bad = [
        f"{name}:{n}: {problem}"
        for name, n, line in county.lines
        for problem in problems(line, REFERENCE)
    ]
    assert not bad, "\n".join(bad[:30])


def test_each_feed_holds_only_its_own_source(county: County) -> None:
    for name, _, line in county.lines:
        assert name.split(".")[0] == line["source"]


def test_keys_are_unique_per_file(county: County) -> None:
    keys = Counter((name.split(".")[0], line["source_id"]) for name, _, line in county.lines)
    assert [k for k, n in keys.items() if n > 1] == []


def test_references_resolve_within_the_feed(county: County) -> None:
    persons = set(county.persons)
    for _, _, line in county.lines:
        source = line["source"]
        if line["kind"] == "entry":
            for s in line["subjects"]:
                assert (source, s["source_id"]) in persons
        elif line["kind"] == "relationship":
            assert (source, line["from"]) in persons
            assert (source, line["to"]) in persons
            assert line["from"] != line["to"]
        elif line["kind"] == "involvement":
            assert (source, line["person"]) in persons


def test_schools_csv_columns(county: County) -> None:
    nested = {
        "identifiers": ["nhs_number", "upn", "pnc_id", "local_id"],
        "intelligence_grade": ["system", "source", "assessment", "handling"],
        "location": ["postcode", "label"],
        "practitioner": ["name", "role", "email", "phone"],
    }
    for kind, keys in (
        ("person", PERSON_KEYS),
        ("entry", ENTRY_KEYS),
        ("involvement", INVOLVEMENT_KEYS),
    ):
        with (county.out / f"schools.{kind}.csv").open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        assert header == _flat(keys, nested)


def test_entries_use_the_vocabulary_widely(county: County) -> None:
    types = Counter(line["type"] for _, _, line in county.lines if line["kind"] == "entry")
    assert len(types) >= 60
    agencies = {line["agency"] for _, _, line in county.lines if line["kind"] == "entry"}
    assert {"police_other_force", "mash", "mace", "nrm_home_office"} <= agencies
    assert len(agencies) >= 12


def test_health_entries_are_mostly_confidential(county: County) -> None:
    health = [
        line
        for _, _, line in county.lines
        if line["kind"] == "entry" and line["source"] in ("health_gp", "health_ae", "camhs")
    ]
    confidential = sum(line["sensitivity"] == "health_confidential" for line in health)
    assert confidential / len(health) > 0.9


def test_police_intelligence_is_graded(county: County) -> None:
    intel = [
        line
        for _, _, line in county.lines
        if line["kind"] == "entry" and line["type"] == "intelligence_received"
    ]
    assert intel
    for line in intel:
        assert line["grade"] == "intelligence"
        assert line["sensitivity"] in ("police_intelligence", "informant_protected")


def test_recording_lag(county: County) -> None:
    """Usually the same day or within days; some weeks late."""
    lags = []
    for _, _, line in county.lines:
        if line["kind"] == "entry" and line["precision"] == "day":
            occurred = str(line["occurred_at"])[:10]
            recorded = str(line["recorded_at"])[:10]
            lags.append((recorded > occurred, recorded[:7] > occurred[:7]))
    late_days = sum(a for a, _ in lags) / len(lags)
    assert 0.15 < late_days < 0.6
    assert sum(b for _, b in lags) / len(lags) > 0.02


def test_precision_variety(county: County) -> None:
    precisions = Counter(
        line["precision"] for _, _, line in county.lines if line["kind"] == "entry"
    )
    assert precisions["day"] > precisions["month"] > precisions["year"] > 0
    assert precisions["season"] > 0
