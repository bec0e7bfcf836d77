"""The planted trajectories are there, woven across agencies."""

from __future__ import annotations

from collections import Counter

from sightline.synth.tests.conftest import County

KINDS = (
    "criminal_exploitation",
    "neglect_to_cse_in_care",
    "rejected_referrals",
    "non_engaging_family",
    "sibling_exposure",
)


def _of(county: County, kind: str) -> list[str]:
    return [str(t["true_id"]) for t in county.trajectories if t["trajectory"] == kind]


def test_at_least_three_of_each(county: County) -> None:
    counts = Counter(t["trajectory"] for t in county.trajectories)
    for kind in KINDS:
        assert counts[kind] >= 3, kind
    assert county.summary["trajectories"] == dict(sorted(counts.items()))


def test_criminal_exploitation(county: County) -> None:
    required = {
        "missing_episode",
        "found_after_missing",
        "return_interview",
        "school_exclusion",
        "attendance_low",
        "not_in_education",
        "alternative_provision_start",
        "arrest_out_of_area",
        "knife_incident",
        "assault_victim",
        "ae_attendance",
        "drug_use_disclosed",
        "intelligence_received",
        "ce_screening",
        "nrm_referral",
        "mace_discussion",
    }
    adults = {key for key, t in county.truth.items() if t["role"] == "adult"}
    for tid in _of(county, "criminal_exploitation"):
        entries = county.entries_of[tid]
        assert required <= county.types_of(tid), required - county.types_of(tid)
        assert len({e["source"] for e in entries}) >= 6
        out_of_area = [e for e in entries if e["agency"] == "police_other_force"]
        assert any(e["type"] == "found_after_missing" for e in out_of_area)
        for e in entries:
            if e["type"] == "intelligence_received":
                assert e["intelligence_grade"]["system"] == "3x5x2"
        exploiters = [
            r
            for r in county.relationships
            if r["type"] == "suspected_exploiter" and county.true_id(r["source"], r["to"]) == tid
        ]
        assert exploiters
        assert all((r["source"], r["from"]) in adults for r in exploiters)


def test_neglect_to_cse_in_care(county: County) -> None:
    for tid in _of(county, "neglect_to_cse_in_care"):
        types = county.types_of(tid)
        assert {
            "neglect_indicator",
            "no_access_visit",
            "appointment_missed",
            "cin_plan_start",
            "cp_plan_start",
            "became_looked_after",
            "placement_move",
            "missing_episode",
            "disclosure",
            "sexual_assault_victim",
            "intelligence_received",
        } <= types
        moves = [e for e in county.entries_of[tid] if e["type"] == "placement_move"]
        assert len(moves) >= 3
        assert any(e["agency"] == "police_other_force" for e in county.entries_of[tid])
        # the history starts in early childhood
        first = min(str(e["occurred_at"]) for e in county.entries_of[tid])
        t = next(t for t in county.trajectories if t["true_id"] == tid)
        assert int(first[:4]) - int(str(t["birth_date"])[:4]) <= 5


def test_rejected_referrals(county: County) -> None:
    for tid in _of(county, "rejected_referrals"):
        entries = county.entries_of[tid]
        rejected = [e for e in entries if e["type"] == "referral_rejected"]
        made = [e for e in entries if e["type"] == "referral_made"]
        assert len(rejected) >= 3
        assert len(made) >= len(rejected)
        assert {"step_up_requested", "step_up_refused"} <= county.types_of(tid)
        assert "referral_accepted" not in county.types_of(tid)


def test_non_engaging_family(county: County) -> None:
    for tid in _of(county, "non_engaging_family"):
        entries = county.entries_of[tid]
        types = Counter(e["type"] for e in entries)
        assert types["no_access_visit"] >= 3
        assert types["appointment_cancelled_by_family"] >= 2
        assert types["disengagement"] >= 2
        closures = [
            e
            for e in entries
            if e["type"] == "case_closed" and "non-engagement" in str(e["summary"])
        ]
        assert len(closures) >= 2


def test_sibling_exposure(county: County) -> None:
    cce = set(_of(county, "criminal_exploitation"))
    for tid in _of(county, "sibling_exposure"):
        types = county.types_of(tid)
        assert {"police_incident", "domestic_abuse"} <= types
        older = set()
        for e in county.entries_of[tid]:
            for s in e["subjects"]:
                other = county.true_id(e["source"], s["source_id"])
                if other in cce:
                    older.add(other)
        assert older, "linked to an exploited older sibling"


def test_long_histories(county: County) -> None:
    ids = _of(county, "long_history")
    assert ids
    for tid in ids:
        assert len(county.entries_of[tid]) >= 1000


def test_adults_of_concern_are_shared_across_children(county: County) -> None:
    exploited: dict[str, set[str]] = {}
    for r in county.relationships:
        if r["type"] == "suspected_exploiter":
            adult = county.true_id(r["source"], r["from"])
            exploited.setdefault(adult, set()).add(county.true_id(r["source"], r["to"]))
    assert exploited
    assert max(len(v) for v in exploited.values()) >= 2


def test_volume(county: County) -> None:
    lines = county.summary["lines"]
    per_child = lines["entry"] / county.summary["children"]
    assert 22 <= per_child <= 40
