"""`sightline identity evaluate` end to end on a small set: a generated county with its truth,
and a FEBRL set, every method side by side (the harness behind docs/identity.md)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sightline.identity.linkage import training

pytestmark = pytest.mark.slow


def test_evaluate_a_generated_county_and_febrl_with_every_method(tmp_path):
    out = io.StringIO()
    call_command(
        "identity",
        "evaluate",
        "--children",
        "200",
        "--synth-seed",
        "3",
        "--data",
        str(tmp_path / "county"),
        "--febrl",
        "febrl1",
        "--json",
        str(tmp_path / "report.json"),
        "--markdown",
        str(tmp_path / "report.md"),
        stdout=out,
    )
    febrl, county = json.loads((tmp_path / "report.json").read_text())
    assert febrl["dataset"] == "febrl1"
    assert county["dataset"] == str(tmp_path / "county")
    # The county is scored with the model kept in the repository.
    assert county["model_version"] == training.latest_version()
    for report in (febrl, county):
        assert set(report["methods"]) == {"exact", "untuned", "sightline"}
        for result in report["methods"].values():
            assert 0 <= result["people_auto"]["precision"] <= 1
            assert 0 <= result["after_review"]["recall"] <= 1
    ours = county["methods"]["sightline"]
    exact = county["methods"]["exact"]
    assert ours["people_auto"]["precision"] >= 0.99
    assert ours["after_review"]["recall"] > exact["after_review"]["recall"]
    assert ours["review"]["share_of_people"] < 0.1
    hard = ours["hard_cases_after_review"]
    assert {"twin", "sibling"} <= set(hard), "twins and siblings are reported"
    markdown = (tmp_path / "report.md").read_text()
    assert markdown.count("| sightline |") == 2
    assert "Hard cases" in markdown
    assert markdown in out.getvalue()


def test_evaluate_refuses_unknown_methods_and_sets():
    with pytest.raises(CommandError, match="unknown methods: fuzzy"):
        call_command("identity", "evaluate", "--febrl", "febrl1", "--methods", "fuzzy")
    with pytest.raises(CommandError, match="unknown FEBRL sets: febrl9"):
        call_command("identity", "evaluate", "--febrl", "febrl9")
