"""Decisions: identifiers first, the household guard, the bands; SQL and Python agree."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from sightline.identity.linkage.cluster import ambiguous_weak_links, cluster
from sightline.identity.linkage.guard import (
    Decision,
    Levels,
    Reason,
    Thresholds,
    decide,
    decision_sql,
    level_table,
)
from sightline.identity.linkage.settings import settings_dict

SETTINGS = settings_dict()
LEVELS = Levels.from_model(SETTINGS)
BY_LABEL = {(name, level["label"]): gamma for (name, gamma), level in level_table(SETTINGS).items()}
THRESHOLDS = Thresholds(auto_link=10, review=4)


def pair(weight: float, **labels) -> dict:
    """A scored pair: every comparison missing unless given by its level label."""
    row = {"unique_id_l": "a|1", "unique_id_r": "b|2", "match_weight": float(weight)}
    years = labels.pop("years", (None, None))
    row["dob_year_l"], row["dob_year_r"] = years
    for name in (
        "nhs_number",
        "upn",
        "pnc_id",
        "first_name",
        "middle_names",
        "surname",
        "dob",
        "postcode",
        "sex",
    ):
        row[f"gamma_{name}"] = BY_LABEL[(name, labels.get(name, "missing"))]
    return row


HOUSEHOLD = {"surname": "exact", "postcode": "exact", "sex": "exact"}
CASES = [
    # (name, pair, decision, reason, method)
    (
        "twins with different first names stay apart",
        pair(22, first_name="different", dob="exact", **HOUSEHOLD),
        Decision.NO_LINK,
        Reason.POSSIBLE_TWIN,
        "probabilistic",
    ),
    (
        "twins with loosely similar first names go to review",
        pair(20, first_name="loosely similar", dob="exact", **HOUSEHOLD),
        Decision.REVIEW,
        Reason.POSSIBLE_TWIN,
        "probabilistic",
    ),
    (
        "one twin known by the other's middle name goes to review",
        pair(20, first_name="first name is the other's middle name", dob="exact", **HOUSEHOLD),
        Decision.REVIEW,
        Reason.POSSIBLE_TWIN,
        "probabilistic",
    ),
    (
        "a loosely similar twin-like pair in the grey zone is no link",
        pair(8, first_name="loosely similar", dob="exact", **HOUSEHOLD),
        Decision.NO_LINK,
        Reason.POSSIBLE_TWIN,
        "probabilistic",
    ),
    (
        "siblings with different first names stay apart",
        pair(14, first_name="different", dob="one digit different", **HOUSEHOLD),
        Decision.NO_LINK,
        Reason.POSSIBLE_SIBLING,
        "probabilistic",
    ),
    (
        "a sibling-like pair with loosely similar names goes to review",
        pair(14, first_name="loosely similar", dob="one digit different", **HOUSEHOLD),
        Decision.REVIEW,
        Reason.POSSIBLE_SIBLING,
        "probabilistic",
    ),
    (
        "sibling of the same name, years apart",
        pair(16, first_name="exact", dob="within ten years", **HOUSEHOLD),
        Decision.NO_LINK,
        Reason.POSSIBLE_SIBLING,
        "probabilistic",
    ),
    (
        "same name, birth dates two digits apart in different years: siblings",
        pair(16, first_name="exact", dob="two digits different", years=(2013, 2011), **HOUSEHOLD),
        Decision.NO_LINK,
        Reason.POSSIBLE_SIBLING,
        "probabilistic",
    ),
    (
        "same name, birth dates two digits apart in the same year: keying",
        pair(16, first_name="exact", dob="two digits different", years=(2013, 2013), **HOUSEHOLD),
        Decision.AUTO_LINK,
        None,
        "probabilistic",
    ),
    (
        "parent and child of the same name",
        pair(18, first_name="exact", dob="a generation apart", **HOUSEHOLD),
        Decision.NO_LINK,
        Reason.POSSIBLE_PARENT_CHILD,
        "probabilistic",
    ),
    (
        "two valid NHS numbers, strong otherwise",
        pair(25, nhs_number="different", first_name="exact", dob="exact", **HOUSEHOLD),
        Decision.NO_LINK,
        Reason.NHS_CONFLICT,
        "probabilistic",
    ),
    (
        "two NHS numbers even with a shared UPN",
        pair(30, nhs_number="different", upn="exact", first_name="exact"),
        Decision.NO_LINK,
        Reason.NHS_CONFLICT,
        "upn",
    ),
    (
        "shared NHS number links deterministically",
        pair(3, nhs_number="exact", first_name="nickname or alias"),
        Decision.AUTO_LINK,
        None,
        "nhs_number",
    ),
    (
        "shared UPN links deterministically",
        pair(12, upn="exact", first_name="exact", dob="exact"),
        Decision.AUTO_LINK,
        None,
        "upn",
    ),
    (
        "shared PNC id, twin-like details",
        pair(30, pnc_id="exact", first_name="different", dob="exact", **HOUSEHOLD),
        Decision.AUTO_LINK,
        None,
        "pnc_id",
    ),
    (
        "shared NHS number but another child's details",
        pair(6, nhs_number="exact", first_name="different", dob="a generation apart"),
        Decision.REVIEW,
        Reason.IDENTIFIER_DETAILS_CONFLICT,
        "nhs_number",
    ),
    (
        "shared NHS number, different UPN",
        pair(20, nhs_number="exact", upn="different", first_name="exact"),
        Decision.REVIEW,
        Reason.IDENTIFIER_CONFLICT,
        "nhs_number",
    ),
    (
        "strong evidence links",
        pair(15, first_name="exact", dob="exact", **HOUSEHOLD),
        Decision.AUTO_LINK,
        None,
        "probabilistic",
    ),
    (
        "nickname and day/month swap",
        pair(12, first_name="nickname or alias", dob="day and month swapped", **HOUSEHOLD),
        Decision.AUTO_LINK,
        None,
        "probabilistic",
    ),
    (
        "one letter different",
        pair(12, first_name="one letter different", dob="exact", **HOUSEHOLD),
        Decision.AUTO_LINK,
        None,
        "probabilistic",
    ),
    (
        "no first name: weak, but linked",
        pair(15, first_name="missing", dob="exact", **HOUSEHOLD),
        Decision.AUTO_LINK,
        None,
        "probabilistic",
    ),
    (
        "grey zone",
        pair(7, first_name="exact", dob="missing", **HOUSEHOLD),
        Decision.REVIEW,
        Reason.GREY_ZONE,
        "probabilistic",
    ),
    (
        "below review",
        pair(3.9, first_name="exact", surname="exact"),
        Decision.NO_LINK,
        None,
        "probabilistic",
    ),
    (
        "a different UPN in the grey zone",
        pair(6, upn="different", first_name="exact", dob="exact"),
        Decision.REVIEW,
        Reason.IDENTIFIER_CONFLICT,
        "probabilistic",
    ),
]


@pytest.mark.parametrize(
    ("name", "row", "decision", "reason", "method"), CASES, ids=[c[0] for c in CASES]
)
def test_decide(name, row, decision, reason, method):
    assert decide(row, LEVELS, THRESHOLDS) == (decision, reason, method)


def test_sql_and_python_agree_on_every_case():
    rows = [dict(c[1], unique_id_r=f"b|{i}") for i, c in enumerate(CASES)]
    con = duckdb.connect()
    con.register("predictions", pa.Table.from_pylist(rows))
    got = con.sql(decision_sql("predictions", LEVELS, THRESHOLDS)).to_arrow_table().to_pylist()
    by_id = {r["unique_id_r"]: r for r in got}
    for i, (name, _row, decision, reason, method) in enumerate(CASES):
        r = by_id[f"b|{i}"]
        assert (r["decision"], r["reason"], r["method"]) == (
            str(decision),
            str(reason) if reason else None,
            method,
        ), name


def test_twins_never_auto_link_at_any_weight():
    for weight in (10, 20, 40, 80):
        row = pair(weight, first_name="different", dob="exact", **HOUSEHOLD)
        assert decide(row, LEVELS, THRESHOLDS)[0] is not Decision.AUTO_LINK


def test_different_nhs_numbers_never_auto_link_at_any_weight():
    for weight in (0, 10, 40, 80):
        for labels in ({"upn": "exact"}, {"pnc_id": "exact"}, {}):
            row = pair(weight, nhs_number="different", first_name="exact", dob="exact", **labels)
            assert decide(row, LEVELS, THRESHOLDS)[0] is not Decision.AUTO_LINK


def test_thresholds_must_be_ordered():
    with pytest.raises(ValueError, match="review"):
        Thresholds(auto_link=4, review=10)


def test_clusters_never_hold_two_nhs_numbers():
    edges = [("a", "b", 30.0), ("b", "c", 20.0), ("c", "d", 25.0)]
    nhs = {"a": "9434765919", "d": "9434765870"}
    result = cluster(["a", "b", "c", "d"], edges, nhs_numbers=nhs)
    people = result.members()
    assert sorted(map(sorted, people.values())) == [["a", "b"], ["c", "d"]]
    assert result.refused == [("b", "c", "different_nhs_numbers")]


def test_clusters_respect_a_person_rejection():
    edges = [("a", "b", 30.0), ("c", "d", 30.0), ("b", "c", 12.0)]
    result = cluster(["a", "b", "c", "d"], edges, cannot_link=[("a", "d")])
    assert result.person_of["a"] == result.person_of["b"] == "a"
    assert result.person_of["c"] == result.person_of["d"] == "c"
    assert result.refused == [("b", "c", "rejected_by_a_person")]


def test_a_record_with_no_first_name_matching_two_twins_goes_to_review():
    # twin1 (records a1, a2) and twin2 (b1, b2); x has no first name and matches both.
    strong = [("a1", "a2", 30.0), ("b1", "b2", 30.0)]
    weak = [("a1", "x", 15.0), ("b1", "x", 15.0), ("c1", "y", 15.0)]
    assert ambiguous_weak_links(strong, weak) == {("a1", "x"), ("b1", "x")}
    twins = {
        "a1": ("oliver", "2015-03-02"),
        "b1": ("harry", "2015-03-02"),
        "x": (None, "2015-03-02"),
    }
    assert ambiguous_weak_links(strong, weak, attributes=twins) == {("a1", "x"), ("b1", "x")}


def test_a_record_with_no_birth_date_matching_a_parent_and_child_of_one_name():
    weak = [("mum", "x", 15.0), ("kid", "x", 15.0)]
    people = {"mum": ("hui", "1985-05-13"), "kid": ("hui", "2012-09-29"), "x": ("hui", None)}
    assert ambiguous_weak_links([], weak, attributes=people) == {("mum", "x"), ("kid", "x")}


def test_a_weak_record_may_join_one_child_split_in_two():
    weak = [("a1", "x", 15.0), ("b1", "x", 15.0)]
    same = {"a1": ("amy", "2015-03-02"), "b1": ("amy", "2015-02-03"), "x": (None, "2015-03-02")}
    assert ambiguous_weak_links([], weak, attributes=same) == set()


def test_known_people_make_a_new_weak_link_ambiguous():
    weak = [("a1", "x", 15.0), ("b1", "x", 15.0)]
    assert ambiguous_weak_links([], weak, person_of={"a1": "P1", "b1": "P2"}) == set(
        weak_pairs(weak)
    )
    assert ambiguous_weak_links([], weak, person_of={"a1": "P1", "b1": "P1"}) == set()


def weak_pairs(edges):
    return [(a, b) for a, b, _ in edges]
