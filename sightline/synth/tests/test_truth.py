"""The ground truth agrees with the feeds."""

from __future__ import annotations

from collections import Counter, defaultdict

from sightline.synth.tests.conftest import CHILDREN, County
from sightline.synth.tests.feeds import SOURCE_ORDER, nhs_valid, read_jsonl


def test_every_person_line_has_exactly_one_truth_line(county: County) -> None:
    lines = read_jsonl(county.out / "truth" / "persons.jsonl")
    keys = Counter((t["source"], t["source_id"]) for t in lines)
    assert max(keys.values()) == 1
    assert set(keys) == set(county.persons)
    assert {t["role"] for t in lines} == {"child", "adult"}


def test_every_child_is_in_some_feed(county: County) -> None:
    children = {t["true_id"] for t in county.truth.values() if t["role"] == "child"}
    assert len(children) == CHILDREN


def test_identifiers_never_collide_between_people(county: County) -> None:
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    for key, line in county.persons.items():
        ids = line["identifiers"]
        tid = county.true_id(*key)
        for kind in ("nhs_number", "upn", "pnc_id"):
            value = ids[kind]
            if value is not None and (kind != "nhs_number" or nhs_valid(value)):
                owners[(kind, value)].add(tid)
    clashes = {k: v for k, v in owners.items() if len(v) > 1}
    # a transposed NHS number can, rarely, be another valid number; nothing else may clash
    transposed = {
        (h["records"][0]["source"], h["records"][0]["source_id"])
        for h in county.hard_cases
        if h["tag"] == "nhs_transposed"
    }
    for (kind, value), tids in clashes.items():
        assert kind == "nhs_number", (kind, value, tids)
        holders = [
            k for k, line in county.persons.items() if line["identifiers"]["nhs_number"] == value
        ]
        assert any(h in transposed for h in holders)


def test_one_nhs_number_per_child(county: County) -> None:
    transposed = {
        (h["records"][0]["source"], h["records"][0]["source_id"])
        for h in county.hard_cases
        if h["tag"] == "nhs_transposed"
    }
    numbers: dict[str, set[str]] = defaultdict(set)
    for key, line in county.persons.items():
        nhs = line["identifiers"]["nhs_number"]
        if nhs and key not in transposed:
            numbers[county.true_id(*key)].add(nhs)
            assert nhs_valid(nhs)
    assert max(len(v) for v in numbers.values()) == 1


def test_hard_cases_point_at_real_records(county: County) -> None:
    tags: Counter[str] = Counter()
    for case in county.hard_cases:
        tags[case["tag"]] += 1
        tids = [county.true_id(r["source"], r["source_id"]) for r in case["records"]]
        if case["tag"] in ("twin", "sibling"):
            assert len(tids) == 2
            assert tids[0] != tids[1]
            assert tids == case["true_ids"]
        else:
            assert set(tids) == set(case["true_ids"])
    for tag in (
        "twin",
        "sibling",
        "nickname",
        "swapped_dob",
        "moved",
        "missing_identifiers",
        "surname_typo",
        "dob_missing",
        "postcode_format",
        "duplicate_in_source",
    ):
        assert tags[tag] > 0, tag


def test_twins_share_a_birth_date_and_siblings_a_surname(county: County) -> None:
    twins = [c for c in county.hard_cases if c["tag"] == "twin"]
    for case in twins:
        a, b = (county.persons[(r["source"], r["source_id"])] for r in case["records"])
        assert a["source"] == b["source"]
    births = []
    for case in twins:
        first = [
            sorted(county.records_of[t], key=lambda r: SOURCE_ORDER.index(r["source"]))[0]
            for t in case["true_ids"]
        ]
        births.append(first[0]["birth_date"] == first[1]["birth_date"])
    assert all(births)


def test_trajectory_names_match_a_clean_record(county: County) -> None:
    for t in county.trajectories:
        records = county.records_of[t["true_id"]]
        assert any(
            r["given_names"] == t["given_names"]
            and r["family_name"] == t["family_name"]
            and r["birth_date"] == t["birth_date"]
            for r in records
        ), t


def test_first_record_is_clean(county: County) -> None:
    """The earliest feed's record of a person carries no noise tags."""
    noisy = {
        (r["source"], r["source_id"])
        for h in county.hard_cases
        if len(h["records"]) == 1 and h["tag"] not in ("missing_identifiers",)
        for r in h["records"]
    }
    for tid, records in county.records_of.items():
        if not tid.startswith("C"):
            continue
        first_source = min((r["source"] for r in records), key=SOURCE_ORDER.index)
        assert any(
            (r["source"], r["source_id"]) not in noisy
            for r in records
            if r["source"] == first_source
        ), tid
