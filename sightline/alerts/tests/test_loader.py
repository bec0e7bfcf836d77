"""The loader refuses a broken rule set, naming file, rule and field for every problem; the
command and the system check say so where a person sees it."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sightline.alerts import rulesets
from sightline.alerts.engine.loader import (
    SHIPPED_RULES_DIR,
    RuleSetError,
    check_rule_set,
    load_rule_set,
    read_rule_yaml,
)
from sightline.alerts.tests.helpers import CAL
from sightline.alerts.tests.vocab import vocabulary

GOOD = (SHIPPED_RULES_DIR / "missing-escalating.yaml").read_text("utf-8")


def write(tmp: Path, name: str, text: str) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / name
    path.write_text(text, "utf-8")
    return path


def problems(tmp: Path) -> list[tuple[str, str | None, str | None, str]]:
    report = check_rule_set([tmp], vocabulary(), calendar=CAL)
    return [(Path(p.file).name, p.rule, p.field, p.reason) for p in report.problems]


def test_a_good_rule_loads(tmp_path: Path) -> None:
    write(tmp_path, "missing-escalating.yaml", GOOD)
    rule_set = load_rule_set([tmp_path], vocabulary(), calendar=CAL)
    assert rule_set.ids() == ["missing-escalating"]
    assert rule_set.get("missing-escalating") is not None


def test_an_unknown_entry_type_is_refused_with_file_rule_field_and_a_suggestion(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        "missing-escalating.yaml",
        GOOD.replace("types: [missing_episode]", "types: [missing_episdoe]"),
    )
    found = problems(tmp_path)
    assert (
        "missing-escalating.yaml",
        "missing-escalating",
        "when.count.match.types",
        "unknown entry type 'missing_episdoe' (did you mean 'missing_episode'?)",
    ) in found
    with pytest.raises(RuleSetError) as err:
        load_rule_set([tmp_path], vocabulary(), calendar=CAL)
    assert "missing-escalating.yaml: rule missing-escalating: when.count.match.types" in str(
        err.value
    )


@pytest.mark.parametrize(
    ("old", "new", "field", "reason"),
    [
        (
            "match: {types: [missing_episode]}",
            "match: {types: [missing_episode], themes: [missng]}",
            "when.count.match.themes",
            "unknown theme 'missng'",
        ),
        (
            "match: {types: [missing_episode]}",
            "match: {types: [missing_episode], agency_kinds: [polise]}",
            "when.count.match.agency_kinds",
            "unknown agency kind 'polise'",
        ),
        (
            "match: {types: [missing_episode]}",
            "match: {types: [missing_episode], grades: [rumour]}",
            "when.count.match.grades",
            "unknown grade 'rumour'",
        ),
        (
            "match: {types: [missing_episode]}",
            "match: {types: [missing_episode], sensitivities: [secret]}",
            "when.count.match.sensitivities",
            "unknown sensitivity 'secret'",
        ),
        ("themes: [missing]", "themes: [missin]", "themes.0", "unknown theme 'missin'"),
        ("at_least: 3", "at_leest: 3", "when.count.at_leest", "Extra inputs are not permitted"),
        (
            "severity: high",
            "severity: urgent",
            "severity",
            "Input should be 'low', 'medium', 'high' or 'critical'",
        ),
        ("  count:", "  cuont:", "when", "a condition is a mapping with one key"),
        (
            'agency_kind: police, on: "2019-08-02"',
            'agency_kind: polce, on: "2019-08-02"',
            "cases.0.entries.0.agency_kind",
            "unknown agency kind 'polce'",
        ),
    ],
)
def test_every_name_is_checked(tmp_path: Path, old: str, new: str, field: str, reason: str) -> None:
    assert old in GOOD
    write(tmp_path, "missing-escalating.yaml", GOOD.replace(old, new, 1))
    found = problems(tmp_path)
    assert any(f == field and reason in r for _, _, f, r in found), found


def test_a_rule_whose_case_fails_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "missing-escalating.yaml", GOOD.replace("at_least: 3", "at_least: 4"))
    found = problems(tmp_path)
    assert found
    assert all(f and f.startswith("cases.") for _, _, f, _ in found)
    assert any("expected it to fire; it did not" in r for *_, r in found)


def test_a_rule_needs_a_case_that_fires_and_one_that_does_not(tmp_path: Path) -> None:
    data = read_rule_yaml(GOOD)
    kept = GOOD.split("cases:")[0] + "cases: []\n"
    assert data["cases"]
    write(tmp_path, "missing-escalating.yaml", kept)
    assert problems(tmp_path) == [
        (
            "missing-escalating.yaml",
            "missing-escalating",
            "cases",
            "a rule needs at least one case that fires and one that does not",
        )
    ]


def test_duplicate_versions_and_overlapping_dates_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "missing-escalating.yaml", GOOD)
    write(tmp_path, "missing-escalating.v1.yaml", GOOD)
    found = problems(tmp_path)
    assert any(f == "version" and "version 1 is also in" in r for *_, f, r in found)
    shutil.rmtree(tmp_path)
    write(tmp_path, "missing-escalating.yaml", GOOD)
    write(tmp_path, "missing-escalating.v2.yaml", GOOD.replace("version: 1", "version: 2"))
    found = problems(tmp_path)
    assert any(f == "effective_from" and "overlap" in r for *_, f, r in found), found


def test_a_new_version_with_later_dates_is_accepted(tmp_path: Path) -> None:
    write(
        tmp_path,
        "missing-escalating.yaml",
        GOOD.replace(
            "effective_from: 2000-01-01", "effective_from: 2000-01-01\neffective_to: 2019-12-31"
        ),
    )
    write(
        tmp_path,
        "missing-escalating.v2.yaml",
        GOOD.replace("version: 1", "version: 2").replace(
            "effective_from: 2000-01-01", "effective_from: 2020-01-01"
        ),
    )
    rule_set = load_rule_set([tmp_path], vocabulary(), calendar=CAL)
    assert [r.version for r in rule_set.versions("missing-escalating")] == [1, 2]
    assert [r.version for r in rule_set.effective(dt.date(2019, 6, 1))] == [1]


def test_the_file_is_named_after_its_rule(tmp_path: Path) -> None:
    write(tmp_path, "escalating.yaml", GOOD)
    assert any(f == "id" for *_, f, _ in problems(tmp_path))


def test_bad_yaml_is_named(tmp_path: Path) -> None:
    write(tmp_path, "broken.yaml", "id: [unclosed\n")
    found = problems(tmp_path)
    assert found[0][0] == "broken.yaml"
    assert "not valid YAML" in found[0][3]


def test_a_related_alert_must_name_a_rule_in_the_set(tmp_path: Path) -> None:
    sibling = GOOD.replace(
        "when:\n  count:",
        "when:\n  any:\n  - related: {relationships: [sibling], alerts: {rules: [missing-escalatin]}}\n  - count:",
    )
    sibling = sibling.replace("\n    match:", "\n      match:").replace(
        "\n    at_least: 3", "\n      at_least: 3"
    )
    sibling = sibling.replace("\n    within_days: 90", "\n      within_days: 90").replace(
        "\n    label:", "\n      label:"
    )
    write(tmp_path, "missing-escalating.yaml", sibling)
    found = problems(tmp_path)
    assert (
        "missing-escalating.yaml",
        "missing-escalating",
        "when.any.0.related.alerts.rules.0",
        "unknown rule 'missing-escalatin' (did you mean 'missing-escalating'?)",
    ) in found, found


def test_a_missing_directory_is_a_problem(tmp_path: Path) -> None:
    report = check_rule_set([tmp_path / "nowhere"], vocabulary(), calendar=CAL)
    assert [p.reason for p in report.problems] == ["no such directory"]


def test_yaml_on_is_a_key_not_true() -> None:
    assert read_rule_yaml("on: 2019-08-08\nyes: no") == {"on": dt.date(2019, 8, 8), "yes": "no"}
    assert read_rule_yaml("a: true\nb: false") == {"a": True, "b": False}


# ---- the command and the system check -------------------------------------------------------


def test_alerts_check_lists_each_rule(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("alerts", "check")
    out = capsys.readouterr().out
    assert "ok    missing-no-return-interview" in out
    assert "all good" in out


def test_alerts_check_fails_on_a_broken_local_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        tmp_path,
        "local-rule.yaml",
        GOOD.replace("id: missing-escalating", "id: local-rule").replace(
            "missing_episode]", "missing_epsiode]"
        ),
    )
    with pytest.raises(CommandError, match="problem"):
        call_command("alerts", "check", str(tmp_path))
    out = capsys.readouterr().out
    assert "FAIL  local-rule" in out
    assert "when.count.match.types: unknown entry type 'missing_epsiode'" in out


def test_a_local_rule_cannot_reuse_a_shipped_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "missing-escalating.yaml", GOOD)
    with pytest.raises(CommandError):
        call_command("alerts", "check", str(tmp_path))
    assert "version 1 is also in" in capsys.readouterr().out


def test_a_broken_rule_set_stops_check_and_migrate(
    tmp_path: Path, settings: pytest.FixtureRequest
) -> None:
    write(
        tmp_path,
        "local-rule.yaml",
        GOOD.replace("id: missing-escalating", "id: local-rule").replace(
            "severity: high", "severity: loud"
        ),
    )
    settings.ALERT_RULE_DIRS = [str(tmp_path)]  # type: ignore[attr-defined]
    rulesets.clear_cache()
    with pytest.raises(
        SystemCheckError, match=r"local-rule.yaml: \(alerts.E001\) rule local-rule: severity"
    ):
        call_command("check")
    rulesets.clear_cache()


def test_local_rules_join_the_shipped_ones(tmp_path: Path, settings: pytest.FixtureRequest) -> None:
    write(tmp_path, "local-rule.yaml", GOOD.replace("id: missing-escalating", "id: local-rule"))
    settings.ALERT_RULE_DIRS = [str(tmp_path)]  # type: ignore[attr-defined]
    rulesets.clear_cache()
    try:
        assert "local-rule" in rulesets.active_rule_set().ids()
        assert "missing-escalating" in rulesets.active_rule_set().ids()
    finally:
        rulesets.clear_cache()


# ---- a rule file is user input: nothing in it may crash the loader ----------------------------


_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 400) | st.text(max_size=12) | st.dates(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=200))
def test_any_text_is_a_problem_not_a_crash(tmp_path: Path, text: str) -> None:
    write(tmp_path, "fuzz.yaml", text)
    report = check_rule_set([tmp_path], vocabulary(), calendar=CAL)
    assert report.problems  # nothing random is a good rule
    assert all(p.file.endswith("fuzz.yaml") for p in report.problems)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path=st.lists(
        st.sampled_from(
            [
                "when",
                "count",
                "match",
                "types",
                "at_least",
                "within_days",
                "cases",
                0,
                "entries",
                "on",
                "expect",
                "fires",
                "applies_to",
                "age",
            ]
        ),
        min_size=1,
        max_size=5,
    ),
    value=_values,
)
def test_a_mangled_rule_is_a_problem_not_a_crash(tmp_path: Path, path: list, value) -> None:
    data = read_rule_yaml(GOOD)
    node = data
    for step in path[:-1]:
        nxt = (
            node[step]
            if isinstance(node, dict) and step in node
            else node[step]
            if isinstance(node, list) and isinstance(step, int) and step < len(node)
            else None
        )
        if not isinstance(nxt, dict | list):
            break
        node = nxt
    if isinstance(node, dict):
        node[path[-1]] = value
    write(tmp_path, "missing-escalating.yaml", yaml.safe_dump(data, default_flow_style=False))
    check_rule_set([tmp_path], vocabulary(), calendar=CAL)  # reports, never raises
