"""Every shipped rule's own cases, one test each (a new rule file is covered without code),
and the shipped rule set as a whole loads with no problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from sightline.alerts import rulesets
from sightline.alerts.engine import loader
from sightline.alerts.engine.cases import check_case, run_case
from sightline.alerts.engine.loader import SHIPPED_RULES_DIR, read_rule_yaml
from sightline.core.workingdays import england


def _cases() -> list[tuple[Path, int, str]]:
    found = []
    for path in loader.rule_files([SHIPPED_RULES_DIR]):
        data = read_rule_yaml(path.read_text("utf-8")) or {}
        for i, case in enumerate(data.get("cases") or []):
            found.append((path, i, f"{path.stem}: {case.get('name', i)}"))
    return found


CASES = _cases()


def test_rules_are_shipped() -> None:
    assert len(loader.rule_files([SHIPPED_RULES_DIR])) >= 6


@pytest.mark.parametrize(
    ("path", "index"), [(p, i) for p, i, _ in CASES], ids=[n for *_, n in CASES]
)
def test_a_rules_case(path: Path, index: int) -> None:
    rule, problems = loader._load_file(path, rulesets.vocabulary())
    assert rule is not None, [str(p) for p in problems]
    assert not problems, [str(p) for p in problems]
    case = rule.spec.cases[index]
    assert check_case(case, run_case(rule, case, england())) == []


def test_the_shipped_rule_set_loads_whole() -> None:
    report = rulesets.check([SHIPPED_RULES_DIR])
    assert report.problems == []
    assert report.rule_set is not None
    assert len(report.rule_set) == len(loader.rule_files([SHIPPED_RULES_DIR]))


def test_every_shipped_rule_cites_the_learning_it_comes_from() -> None:
    for rule in rulesets.active_rule_set().rules:
        assert rule.spec.reference, rule.id
        for ref in rule.spec.reference:
            assert ref.id
            assert ref.paragraph
            assert ref.learning, rule.id
