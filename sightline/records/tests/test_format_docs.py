"""docs/exchange-format.md, the JSON Schema and the importer say the same thing."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest

from sightline.agencies.vocabulary import agency_kinds
from sightline.core.actors import IMPORTER
from sightline.records.ingest import hooks, spec
from sightline.records.services import source_system_register
from sightline.records.tests import lines
from sightline.records.tests.conftest import write_jsonl
from sightline.records.tests.test_validate import REFUSED, validator

ROOT = Path(__file__).resolve().parents[3]
DOC = (ROOT / "docs" / "exchange-format.md").read_text("utf-8")
SCHEMA = json.loads((ROOT / "docs" / "schema" / "sightline-1.schema.json").read_text("utf-8"))
SCHEMA_CHECK = jsonschema.Draft202012Validator(SCHEMA)


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC, re.S)


def example_lines() -> list[dict[str, Any]]:
    return [orjson.loads(line) for block in blocks("jsonl") for line in block.splitlines()]


def schema_errors(obj: Any) -> list[str]:
    return [error.message for error in SCHEMA_CHECK.iter_errors(obj)]


def test_the_schema_is_a_valid_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_schema_uses_the_vocabularies() -> None:
    defs = SCHEMA["$defs"]
    assert defs["agencyKind"]["enum"] == list(agency_kinds())
    assert set(defs["entryType"]["enum"]) == set(hooks.entry_types())
    assert defs["kind"]["enum"] == list(spec.KINDS)
    assert defs["entry"]["properties"]["grade"]["enum"] == list(spec.GRADES)
    assert defs["entry"]["properties"]["sensitivity"]["enum"] == list(spec.SENSITIVITIES)
    assert defs["relationship"]["properties"]["type"]["enum"] == list(spec.RELATIONSHIP_TYPES)
    assert defs["person"]["properties"]["ethnicity"]["enum"] == [*spec.ETHNICITIES, None]
    for kind, fields in spec.FIELDS.items():
        assert list(defs[kind]["properties"]) == list(fields), kind


def test_the_doc_lists_every_vocabulary_value() -> None:
    missing = [code for code in [*agency_kinds(), *hooks.entry_types()] if f"`{code}`" not in DOC]
    assert not missing


def test_every_field_is_documented() -> None:
    for kind, fields in spec.FIELDS.items():
        for name in fields:
            assert f"`{name}`" in DOC, f"{kind}.{name}"
    for name, subfields in spec.OBJECT_FIELDS.items():
        for sub in subfields:
            assert f"`{sub}`" in DOC or f"`{name}.{sub}`" in DOC or f'"{sub}"' in DOC, name


def test_the_documented_examples_are_valid() -> None:
    examples = example_lines()
    assert {line["kind"] for line in examples} == set(spec.KINDS)
    for line in examples:
        assert schema_errors(line) == [], line["source_id"]
        _, errors = validator().validate(line, 1, payload="{}")
        assert errors == [], line["source_id"]


@pytest.mark.django_db
def test_the_documented_examples_import(police: Any, tmp_path: Path, run: Any) -> None:
    source_system_register(actor=IMPORTER, code="schools", name="Schools", agency_kind="school")
    result = run(write_jsonl(tmp_path / "police.jsonl", example_lines()))
    assert (result.status, result.counts.rejected) == ("imported", 0)
    person_csv, entry_csv = blocks("csv")
    (tmp_path / "people.csv").write_text(person_csv)
    (tmp_path / "entries.csv").write_text(entry_csv)
    people = run(tmp_path / "people.csv")
    entries = run(tmp_path / "entries.csv")
    assert (people.counts.created, entries.counts.created) == (1, 1)


# Rules the schema cannot express (docs/exchange-format.md#rules-the-schema-cannot-express).
VALIDATOR_ONLY = {
    "birth date not real",
    "birth date before 1900",
    "birth date future",
    "precision finer than the date",
    "ended before it started",
    "recorded before it happened",
    "recorded a day before it happened",
    "recorded in the future",
    "subject twice",
    "relationship to self",
    "relationship dates in order",
    "involvement dates in order",
    "address dates in order",
    "other name's family name too long",
}


@pytest.mark.parametrize(
    ("name", "obj"), [(r[0], r[1]) for r in REFUSED], ids=[r[0] for r in REFUSED]
)
def test_the_schema_and_the_importer_agree(name: str, obj: Any) -> None:
    refused_by_schema = bool(schema_errors(obj))
    if name in VALIDATOR_ONLY:
        assert not refused_by_schema, "the schema now checks this: take it off VALIDATOR_ONLY"
    else:
        assert refused_by_schema


GOOD = [
    lines.person(),
    lines.entry(),
    lines.relationship(),
    lines.involvement(),
    {"format": "sightline/1", "kind": "person", "source": "s", "source_id": "1"},
    lines.entry(
        grade="intelligence",
        intelligence_grade={"system": "5x5x5", "source": "B", "assessment": "2", "handling": "4"},
    ),
    lines.entry(occurred_at="2019", precision="year", ended_at=None, recorded_at="2020-01-02"),
    lines.person(**{"identifiers.nhs_number": "not a number"}),
    lines.involvement(practitioner=None, team=None, is_lead=None),
]


@pytest.mark.parametrize("obj", GOOD)
def test_good_lines_pass_both(obj: dict[str, Any]) -> None:
    assert schema_errors(obj) == []
    assert validator().validate(obj, 1, payload="{}")[1] == []


def _string_nodes(node: Any, path: str) -> list[tuple[str, dict[str, Any]]]:
    found = []
    if isinstance(node, dict):
        kinds = node.get("type")
        if kinds == "string" or (isinstance(kinds, list) and "string" in kinds):
            found.append((path, node))
        for key, value in node.items():
            found += _string_nodes(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _string_nodes(value, f"{path}/{index}")
    return found


def test_every_text_field_has_a_length_limit_and_no_control_characters() -> None:
    for path, node in _string_nodes(SCHEMA["$defs"], "#/$defs"):
        if node.get("pattern", "").startswith("^[0-9]"):
            continue  # a date: its pattern bounds it
        if "/anyOf/" in path and "/required" not in str(node) and "maxLength" not in node:
            # the address's "a line or a postcode" alternatives: limited in its properties
            assert path.startswith("#/$defs/address/anyOf"), path
            continue
        assert "maxLength" in node, path
        assert "[^\\u0000-" in node["pattern"], path


def test_the_schemas_limits_are_the_importers() -> None:
    defs = SCHEMA["$defs"]
    entry = defs["entry"]["properties"]
    limits = hooks.entry_text_limits()
    assert (entry["summary"]["maxLength"], entry["detail"]["maxLength"]) == (
        limits["summary"],
        limits["detail"],
    )
    person = defs["person"]["properties"]
    assert person["given_names"]["maxLength"] == spec.MAX_LENGTH["given_names"]
    assert person["family_name"]["maxLength"] == spec.MAX_LENGTH["family_name"]
    assert person["other_names"]["items"]["maxLength"] == spec.MAX_LENGTH["other_names[]"]
    assert person["other_names"]["maxItems"] == spec.MAX_ITEMS["other_names"]
    assert person["addresses"]["maxItems"] == spec.MAX_ITEMS["addresses"]
    assert entry["subjects"]["maxItems"] == spec.MAX_ITEMS["subjects"]
    assert defs["source"]["maxLength"] == spec.MAX_LENGTH["source"]
    assert defs["source_id"]["maxLength"] == defs["personRef"]["maxLength"]
    assert defs["source_id"]["maxLength"] == spec.MAX_LENGTH["source_id"]
    assert defs["address"]["properties"]["line"]["maxLength"] == spec.MAX_LENGTH["address.line"]
    assert defs["location"]["properties"]["label"]["maxLength"] == spec.MAX_LENGTH["location.label"]
    for part in spec.OBJECT_FIELDS["practitioner"]:
        node = defs["practitioner"]["properties"][part]
        node = node.get("anyOf", [node])[0]
        assert node["maxLength"] == spec.MAX_LENGTH[f"practitioner.{part}"], part
    for scheme in spec.OBJECT_FIELDS["identifiers"]:
        assert (
            defs["identifiers"]["properties"][scheme]["maxLength"] == spec.MAX_LENGTH["identifier"]
        )


def test_the_doc_states_every_limit() -> None:
    for limit in [*spec.MAX_LENGTH.values(), *hooks.entry_text_limits().values()]:
        assert f"≤ {limit:,}" in DOC or f"≤ {limit}" in DOC, limit
    for items in spec.MAX_ITEMS.values():
        assert f"at most {items} " in DOC, items
