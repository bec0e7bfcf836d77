"""Train on a fixture county, link it, and hold the result to floors a broken model would miss."""

from __future__ import annotations

import copy
import json
import math
from collections import Counter

import pyarrow as pa
import pytest

from sightline.identity.linkage import evaluate, training
from sightline.identity.linkage.cluster import cluster
from sightline.identity.linkage.guard import Decision, Thresholds
from sightline.identity.linkage.predict import Linkage, links
from sightline.identity.linkage.standardise import standardise_records
from sightline.identity.tests.linkage.fixtures import make_county

pytestmark = pytest.mark.slow

THRESHOLDS = Thresholds(auto_link=8, review=5)


@pytest.fixture(scope="module")
def county():
    rows, truth, hard = make_county(children=1500, seed=5)
    return rows, truth, hard, standardise_records(rows)


@pytest.fixture(scope="module")
def model(county):
    _rows, _truth, _hard, records = county
    return training.train(records, version="test", u_max_pairs=2e6, em_max_pairs=3e5)


@pytest.fixture(scope="module")
def linked(county, model):
    _rows, _truth, _hard, records = county
    linkage = Linkage(model, records, thresholds=THRESHOLDS)
    return linkage, linkage.predict()


def truth_of(county) -> evaluate.Truth:
    return evaluate.Truth(dict(county[1]))


def test_training_learns_sensible_weights(model):
    training.check_model(model)
    weights = {(r["comparison"], r["level"]): r["weight"] for r in training.model_summary(model)}
    assert weights[("nhs_number", "exact")] > 12
    assert -6 < weights[("nhs_number", "different")] < -4  # the floor, not a veto
    assert weights[("dob", "exact")] > 6
    assert weights[("dob", "day and month swapped")] > 3
    assert weights[("first_name", "exact")] > 3
    assert weights[("first_name", "nickname or alias")] > 1
    assert weights[("first_name", "different")] < -3
    assert all(w > -10 for w in weights.values())  # no level collapsed to m ~ 0
    assert model["training"]["silver_pairs"] > 200


def test_links_a_county_accurately(county, linked):
    _rows, _truth, hard, records = county
    truth = truth_of(county)
    _linkage, pairs = linked
    auto = links(pairs, decisions=("auto_link",))
    review = links(pairs, decisions=("review",))
    ids = records.column("unique_id").to_pylist()
    nhs = dict(zip(ids, records.column("nhs_number").to_pylist(), strict=True))
    people = cluster(ids, auto, nhs_numbers=nhs)
    auto_people = evaluate.cluster_metrics(people, truth)
    assert auto_people["precision"] >= 0.995
    assert auto_people["recall"] >= 0.90
    candidates = evaluate.review_candidates(people, review)
    accepted = [e for e in candidates if truth.true_id[e[0]] == truth.true_id[e[1]]]
    after = evaluate.cluster_metrics(cluster(ids, auto + accepted, nhs_numbers=nhs), truth)
    assert after["recall"] >= 0.95
    assert len(candidates) <= 0.06 * truth.people
    # no two twins were made one person automatically
    twin_of: dict[str, set[str]] = {}
    for uid, true_id in truth.true_id.items():
        if true_id in hard["twin"]:
            twin_of.setdefault(people.person_of[uid], set()).add(true_id)
    assert all(len(t) == 1 for t in twin_of.values())


def test_every_decision_explains_itself(linked):
    linkage, pairs = linked
    decisions = linkage.decisions(pairs.slice(0, 200))
    assert decisions
    for d in decisions:
        assert {s.comparison for s in d.waterfall} == {
            "nhs_number",
            "upn",
            "pnc_id",
            "first_name",
            "middle_names",
            "surname",
            "dob",
            "postcode",
            "sex",
        }
        total = d.prior_weight + sum(s.total for s in d.waterfall)
        assert math.isclose(total, d.match_weight, abs_tol=1e-6)
        explanation = d.explanation()
        json.dumps(explanation)
        assert explanation["model_version"] == "test"
        assert len(d.explanation_text()) == 9
    deterministic = [d for d in decisions if d.method != "probabilistic"]
    assert all(d.decision is Decision.AUTO_LINK or d.reason for d in deterministic)


def test_an_incremental_batch_finds_what_a_full_run_finds(county, model, linked):
    _rows, _truth, _hard, records = county
    _linkage, full_pairs = linked
    n_new = 150
    existing, new = (
        records.slice(0, records.num_rows - n_new),
        records.slice(records.num_rows - n_new),
    )
    new_ids = set(new.column("unique_id").to_pylist())
    incremental = Linkage(model, existing, thresholds=THRESHOLDS)
    pairs = incremental.predict_between(new)
    got = {(a, b) for a, b, _ in links(pairs, decisions=("auto_link", "review"))}
    expected = {
        (a, b)
        for a, b, _ in links(full_pairs, decisions=("auto_link", "review"))
        if a in new_ids or b in new_ids
    }
    assert got
    assert len(got & expected) >= 0.95 * len(expected)
    assert all(a in new_ids or b in new_ids for a, b in got)
    # and the batch can then join the known records
    incremental.add(new)
    assert incremental.con.sql("SELECT count(*) FROM records").fetchall()[0][0] == records.num_rows


def test_score_pair_explains_one_pair(county, linked):
    linkage, pairs = linked
    records = county[3]
    row = next(r for r in pairs.to_pylist() if r["decision"] == "auto_link")
    by_id = {
        r["unique_id"]: r
        for r in records.to_pylist()
        if r["unique_id"] in (row["unique_id_l"], row["unique_id_r"])
    }
    scored = linkage.score_pair(by_id[row["unique_id_l"]], by_id[row["unique_id_r"]])
    assert scored.decision is Decision.AUTO_LINK
    assert math.isclose(scored.match_weight, row["match_weight"], abs_tol=1e-6)


def test_model_json_round_trip(tmp_path, model):
    path = training.save_model(model, tmp_path)
    assert path.name == "model-test.json"
    assert training.load_model("test", tmp_path)["splink"] == model["splink"]
    assert training.latest_version(tmp_path) == "test"
    broken = copy.deepcopy(model)
    broken["version"] = "broken"
    broken["splink"]["comparisons"][3]["comparison_levels"][1]["m_probability"] = None
    with pytest.raises(training.TrainingError):
        training.save_model(broken, tmp_path)


def test_a_model_without_its_floors_is_worse(county, model):
    """The floors matter: with m of every "different" level driven to ~0, true links with
    one keyed error are vetoed and recall falls."""
    _rows, _truth, _hard, records = county
    truth = truth_of(county)
    broken = copy.deepcopy(model)
    for comparison in broken["splink"]["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("sql_condition") == "ELSE":
                level["m_probability"] = 1e-12

    def recall(m):
        pairs = Linkage(m, records, thresholds=THRESHOLDS).predict()
        return evaluate.edge_metrics(links(pairs, decisions=("auto_link", "review")), truth)[
            "recall"
        ]

    assert recall(broken) < recall(model) - 0.01


def test_evaluation_report_shape(county, model):
    rows, _truth, _hard, _records = county
    truth = truth_of(county)
    report = evaluate.evaluate(
        rows,
        truth,
        model=model,
        thresholds=THRESHOLDS,
        methods=("exact", "sightline"),
        name="fixture",
    )
    assert set(report["methods"]) == {"exact", "sightline"}
    for result in report["methods"].values():
        for key in ("auto", "people_auto", "review", "after_review"):
            assert key in result
        assert 0 <= result["people_auto"]["precision"] <= 1
    ours, exact = report["methods"]["sightline"], report["methods"]["exact"]
    assert ours["after_review"]["recall"] > exact["after_review"]["recall"]
    markdown = evaluate.render_markdown(report)
    assert "| sightline |" in markdown
    assert "| exact |" in markdown


def test_truth_readers(tmp_path):
    (tmp_path / "truth").mkdir()
    (tmp_path / "truth" / "persons.jsonl").write_text(
        '{"source":"csc","source_id":"1","true_id":"C1","role":"child"}\n'
        '{"source":"schools","source_id":"2","true_id":"C1","role":"child"}\n'
    )
    (tmp_path / "truth" / "hard_cases.jsonl").write_text(
        '{"tag":"nickname","records":[{"source":"csc","source_id":"1"}],"true_ids":["C1"]}\n'
        '{"tag":"twin","records":[{"source":"csc","source_id":"1"},{"source":"csc","source_id":"9"}],'
        '"true_ids":["C1","C2"]}\n'
    )
    (tmp_path / "csc.jsonl").write_text(
        '{"kind":"entry","source":"csc","source_id":"E1"}\n'
        '{"kind":"person","source":"csc","source_id":"1","given_names":"Amy"}\n'
    )
    (tmp_path / "schools.person.csv").write_text(
        "format,kind,source,source_id,given_names,identifiers.upn,addresses\n"
        'sightline/1,person,schools,2,Amy,,"[{""postcode"":""CV34 4AB""}]"\n'
    )
    lines = list(evaluate.read_person_lines(tmp_path))
    assert [line["source_id"] for line in lines] == ["1", "2"]
    assert lines[1]["identifiers"] == {"upn": None}
    assert lines[1]["addresses"] == [{"postcode": "CV34 4AB"}]
    truth = evaluate.read_truth(tmp_path)
    assert truth.true_pairs() == 1
    assert truth.record_tags == {"nickname": ["csc|1"]}
    assert truth.pair_tags == {"twin": [("csc|1", "csc|9")]}
    assert Counter(truth.role.values()) == {"child": 1}


def test_arrow_schema_is_what_predict_expects(county):
    records = county[3]
    assert isinstance(records, pa.Table)
    assert records.column("unique_id").null_count == 0


def test_sql_decisions_match_python_on_every_scored_pair(linked):
    from sightline.identity.linkage.guard import Reason, decide

    linkage, pairs = linked
    for row in pairs.to_pylist():
        decision, reason, method = decide(row, linkage.levels, linkage.thresholds)
        assert row["method"] == method
        if row["reason"] == Reason.AMBIGUOUS:
            assert decision is Decision.AUTO_LINK
            continue
        assert (row["decision"], row["reason"]) == (
            str(decision),
            str(reason) if reason else None,
        )
