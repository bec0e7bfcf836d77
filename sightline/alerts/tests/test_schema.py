"""docs/schema/alert-rule.schema.json is the pydantic model's JSON Schema, and the shipped rule
files satisfy it (an editor or CI can check a local rule with it)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from sightline.alerts.engine import loader
from sightline.alerts.engine.schema import SCHEMA_FILE, rule_json_schema, rule_json_schema_text

ROOT = Path(__file__).resolve().parents[3]


def test_the_committed_schema_is_the_generated_one() -> None:
    committed = (ROOT / SCHEMA_FILE).read_text("utf-8")
    assert committed == rule_json_schema_text(), (
        "regenerate it: python -m sightline.alerts.engine.schema"
    )


def test_every_shipped_rule_satisfies_the_schema() -> None:
    schema = rule_json_schema()
    for path in loader.rule_files([loader.SHIPPED_RULES_DIR]):
        data = json.loads(json.dumps(loader.read_rule_yaml(path.read_text("utf-8")), default=str))
        jsonschema.validate(data, schema)


def test_the_schema_refuses_an_unknown_key() -> None:
    path = loader.SHIPPED_RULES_DIR / "missing-escalating.yaml"
    data = json.loads(json.dumps(loader.read_rule_yaml(path.read_text("utf-8")), default=str))
    data["when"]["count"]["at_leest"] = 3
    try:
        jsonschema.validate(data, rule_json_schema())
    except jsonschema.ValidationError:
        return
    raise AssertionError("an unknown key was accepted")


def test_docs_describe_every_primitive_with_an_example() -> None:
    from sightline.alerts.engine.schema import PRIMITIVES

    text = (ROOT / "docs" / "alerts.md").read_text("utf-8")
    for name in PRIMITIVES:
        assert f"`{name}`" in text.split("## The conditions")[1].split("## Explanations")[0], name
    for heading in (
        "## Rules",
        "## Measurement",
        "## Partial dates",
        "## As known on",
        "## Lifecycle and suppression",
        "## Adding a local rule",
    ):
        assert heading in text
