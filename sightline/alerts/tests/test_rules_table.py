"""docs/alerts.md lists every shipped rule as its file says it: id, version, severity, prompt and
the ids of the learning it comes from. A rule added, retuned or reworded without the table (or
the other way round) fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sightline.alerts.engine.loader import read_rule_yaml

ROOT = Path(__file__).resolve().parents[3]
RULES = ROOT / "sightline" / "alerts" / "rules"
DOC = ROOT / "docs" / "alerts.md"


def _cells(line: str) -> list[str]:
    # Split on the table's pipes, not on the escaped ones inside a cell.
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def table_rows() -> dict[str, list[str]]:
    text = DOC.read_text("utf-8")
    section = text[text.index("## Rules") :]
    section = section[: section.index("\n## ", 1)] if "\n## " in section[1:] else section
    rows: dict[str, list[str]] = {}
    for line in section.splitlines():
        cells = _cells(line) if line.startswith("| `") else []
        if cells:
            rows[cells[0].strip("`")] = cells
    return rows


def rule_versions() -> dict[str, list[dict[str, object]]]:
    """Each rule id's files, oldest version first (several files may hold versions of one id)."""
    found: dict[str, list[dict[str, object]]] = {}
    for path in sorted(RULES.glob("*.yaml")):
        data = read_rule_yaml(path.read_text("utf-8"))
        found.setdefault(str(data["id"]), []).append(data)
    return {k: sorted(v, key=lambda d: int(str(d["version"]))) for k, v in found.items()}


def rule_files() -> dict[str, dict[str, object]]:
    """The table describes each rule's latest version."""
    return {rule_id: versions[-1] for rule_id, versions in rule_versions().items()}


def test_a_rule_with_two_versions_is_described_by_its_latest() -> None:
    assert rule_files()["step-up-refused-no-challenge"]["version"] == 2


def test_every_rule_is_in_the_table_and_nothing_else() -> None:
    assert sorted(table_rows()) == sorted(rule_files())


@pytest.mark.parametrize("rule_id", sorted(rule_files()))
def test_the_row_says_what_the_file_says(rule_id: str) -> None:
    spec = rule_files()[rule_id]
    _, version, severity, looks_for, prompt, refs = table_rows()[rule_id]
    assert version == str(spec["version"])
    assert severity == spec["severity"]
    assert looks_for
    assert prompt == " ".join(str(spec["prompt"]).split())
    references = spec["reference"]
    assert isinstance(references, list)
    assert refs.split(", ") == list(dict.fromkeys(str(r["id"]) for r in references))


@pytest.mark.parametrize(
    "rule_id", sorted(r for r, versions in rule_versions().items() if len(versions) > 1)
)
def test_a_retuned_rule_says_what_it_was_and_since_when(rule_id: str) -> None:
    # A retuned rule's row names the version before and the day the new one took effect, so a
    # reader of an older alert (which keeps its version) knows what it ran under.
    versions = rule_versions()[rule_id]
    latest, earlier = versions[-1], versions[-2]
    looks_for = table_rows()[rule_id][3]
    assert f"version {earlier['version']} until {earlier['effective_to']}" in looks_for
    assert f"version {latest['version']} from {latest['effective_from']}" in looks_for


def test_the_rule_set_has_at_least_28_rules() -> None:
    assert len(rule_files()) >= 28
