"""The noise on agencies' records is roughly as configured (anchors-linkage.md §1.2)."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest

from sightline.synth.generator.model import Address, Person
from sightline.synth.generator.names import ETHNIC_GROUPS, VARIANTS
from sightline.synth.generator.noise import RATES, render_person
from sightline.synth.tests.conftest import County
from sightline.synth.tests.feeds import SOURCE_ORDER


def _non_first_child_records(county: County) -> tuple[list[tuple[dict, dict]], set]:
    """(clean first record, later record) pairs for every child."""
    clean_keys = set()
    noisy_keys = {
        (r["source"], r["source_id"])
        for h in county.hard_cases
        if len(h["records"]) == 1 and h["tag"] != "missing_identifiers"
        for r in h["records"]
    }
    pairs = []
    for tid, records in county.records_of.items():
        if not tid.startswith("C"):
            continue
        first_source = min((r["source"] for r in records), key=SOURCE_ORDER.index)
        firsts = [
            r
            for r in records
            if r["source"] == first_source and (r["source"], r["source_id"]) not in noisy_keys
        ]
        first = firsts[0]
        clean_keys.add((first["source"], first["source_id"]))
        pairs += [(first, r) for r in records if r is not first]
    return pairs, clean_keys


@pytest.fixture(scope="module")
def pairs(county: County) -> list[tuple[dict, dict]]:
    return _non_first_child_records(county)[0]


@pytest.fixture(scope="module")
def tags(county: County, pairs: list[tuple[dict, dict]]) -> Counter:
    later = {(r["source"], r["source_id"]) for _, r in pairs}
    return Counter(
        h["tag"]
        for h in county.hard_cases
        if len(h["records"]) == 1
        and (h["records"][0]["source"], h["records"][0]["source_id"]) in later
    )


def _rate(n: int, total: int) -> float:
    return n / total


@pytest.mark.parametrize(
    ("tag", "rate", "tolerance"),
    [
        ("first_name_typo", RATES["first_name_typo"], 0.015),
        ("first_name_missing", RATES["first_name_missing"], 0.008),
        ("surname_typo", RATES["surname_typo"], 0.015),
        ("names_swapped", RATES["names_swapped"], 0.008),
        ("dob_keying_error", RATES["dob_keying"], 0.012),
        ("dob_placeholder", RATES["dob_placeholder"], 0.004),
        ("dob_partial", RATES["dob_partial"], 0.01),
        ("postcode_typo", RATES["postcode_typo"], 0.012),
        ("postcode_missing", RATES["postcode_missing"], 0.02),
    ],
)
def test_rates(tag: str, rate: float, tolerance: float, tags: Counter, pairs: list) -> None:
    n = len(pairs)
    assert n > 3000
    assert abs(_rate(tags[tag], n) - rate) < tolerance, (tag, tags[tag] / n)


def test_nhs_transposed(tags: Counter, pairs: list) -> None:
    with_nhs = sum(r["identifiers"]["nhs_number"] is not None for _, r in pairs)
    assert abs(tags["nhs_transposed"] / with_nhs - RATES["nhs_transposed"]) < 0.007


def test_nickname_rate(pairs: list) -> None:
    eligible = changed = 0
    for first, later in pairs:
        if not first["given_names"]:
            continue
        root = str(first["given_names"]).split()[0]
        if root not in VARIANTS or not later["given_names"]:
            continue
        eligible += 1
        token = str(later["given_names"]).split()[0]
        changed += token in VARIANTS[root]
    # 12% nicknames, a little more from "known as" aliases coinciding
    assert 0.08 < changed / eligible < 0.17, changed / eligible


def test_dob_noise_measured_against_the_clean_record(pairs: list) -> None:
    missing = swapped = total = police_missing = police_total = 0
    for first, later in pairs:
        b0, b1 = first["birth_date"], later["birth_date"]
        if later["source"] == "police":
            police_total += 1
            police_missing += b1 is None
            continue
        total += 1
        missing += b1 is None
        if (
            b1
            and len(b1) == 10
            and b1 != b0
            and b1[:4] == b0[:4]
            and b1[5:7] == b0[8:10]
            and b1[8:10] == b0[5:7]
        ):
            swapped += 1
    assert abs(missing / total - RATES["dob_missing"]) < 0.012
    assert abs(police_missing / police_total - RATES["dob_missing_police"]) < 0.04
    # 4% when day <= 12 (about 40% of dates), plus keying errors that happen to look alike
    assert 0.008 < swapped / total < 0.03


def test_postcode_noise_measured(pairs: list) -> None:
    moved = formatted = total = eligible = 0
    for first, later in pairs:
        history = {a["postcode"] for a in first["addresses"]}
        current = first["addresses"][-1]["postcode"]
        pc = later["addresses"][0]["postcode"]
        total += 1
        if pc is None:
            continue
        formatted += pc != pc.upper() or " " not in pc
        if len(history) > 1:
            eligible += 1
            normal = pc.upper().replace(" ", "")
            moved += normal != current.replace(" ", "") and normal in {
                h.replace(" ", "") for h in history
            }
    assert 0.2 < formatted / total < 0.35
    if eligible > 100:
        assert 0.12 < moved / eligible < 0.35


def test_identifier_coverage(county: County, pairs: list) -> None:
    records = [r for tid, rs in county.records_of.items() if tid.startswith("C") for r in rs]
    by_source: dict[str, list] = {}
    for r in records:
        by_source.setdefault(r["source"], []).append(r)

    def share(source: str, kind: str) -> float:
        rs = by_source[source]
        return sum(r["identifiers"][kind] is not None for r in rs) / len(rs)

    assert share("health_gp", "nhs_number") > 0.95
    assert 0.88 < share("health_ae", "nhs_number") < 0.97
    assert 0.5 < share("csc", "nhs_number") < 0.7
    assert share("schools", "upn") > 0.93
    assert 0.08 < share("schools", "nhs_number") < 0.22
    assert share("police", "nhs_number") < 0.15
    pnc = [r for r in by_source["police"] if r["identifiers"]["pnc_id"]]
    assert pnc


def test_hyphenated_surnames_vary(county: County) -> None:
    full = {}
    for tid, records in county.records_of.items():
        names = {r["family_name"] for r in records if r["family_name"]}
        hyphenated = [n for n in names if "-" in n]
        if tid.startswith("C") and hyphenated:
            full[tid] = (hyphenated[0], names)
    assert full
    variants = sum(len(names) > 1 for _, names in full.values())
    assert variants > 0


def test_no_birth_date_is_after_the_reference_date(county: County) -> None:
    reference = dt.date.fromisoformat(str(county.summary["reference_date"]))
    births = [str(p["birth_date"]) for p in county.persons.values() if p["birth_date"]]
    assert births
    for birth in births:
        # year and month only: the first day it could have been
        day = dt.date.fromisoformat(birth if len(birth) == 10 else f"{birth}-01")
        assert day <= reference, birth


def test_a_record_tagged_swapped_dob_is_really_swapped(county: County) -> None:
    """Children and adults alike: against the person's clean first record."""
    tagged = {
        (h["records"][0]["source"], h["records"][0]["source_id"])
        for h in county.hard_cases
        if len(h["records"]) == 1 and h["tag"] != "missing_identifiers"
    }
    swapped = {
        (h["records"][0]["source"], h["records"][0]["source_id"])
        for h in county.hard_cases
        if h["tag"] == "swapped_dob"
    }
    assert swapped
    seen = 0
    for records in county.records_of.values():
        first_source = min((r["source"] for r in records), key=SOURCE_ORDER.index)
        b0 = next(
            r["birth_date"]
            for r in records
            if r["source"] == first_source and (r["source"], r["source_id"]) not in tagged
        )
        for r in records:
            if (r["source"], r["source_id"]) in swapped:
                b1 = r["birth_date"]
                assert (b1[:4], b1[5:7], b1[8:10]) == (b0[:4], b0[8:10], b0[5:7]), (b0, b1)
                seen += 1
    assert seen == len(swapped)


def _baby(birth: dt.date) -> Person:
    return Person(
        true_id="C000001",
        role="child",
        kind="child",
        given="Amelia",
        middle=None,
        family_name="Hart",
        sex="female",
        birth=birth,
        ethnicity="WBRI",
        group=ETHNIC_GROUPS[0],
        addresses=[Address("1 Mill Lane", "XS1 1AA", "Sallow", birth)],
    )


def test_a_swap_never_gives_a_birth_date_after_the_reference_date() -> None:
    # born 11 March; swapped it would read 3 November, after the reference date of 1 November
    baby = _baby(dt.date(2026, 3, 11))
    reference = dt.date(2026, 11, 1)
    for seed in range(2000):
        line, tags = render_person(
            random.Random(seed), baby, "csc", "CSC-1", first=False, ref=reference
        )
        assert "swapped_dob" not in tags
        birth = line["birth_date"]
        if isinstance(birth, str) and len(birth) == 10:
            assert dt.date.fromisoformat(birth) <= reference, birth
    # a month later the same swap is a date that has happened, and is made and tagged
    later = dt.date(2026, 12, 1)
    made = 0
    for seed in range(2000):
        line, tags = render_person(
            random.Random(seed), baby, "csc", "CSC-1", first=False, ref=later
        )
        if "swapped_dob" in tags:
            made += 1
            assert line["birth_date"] == "2026-11-03"
    assert made > 0
