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
