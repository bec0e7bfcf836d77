"""Fixtures for import tests: registered sources and feed files written from line dicts."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import orjson
import pytest

from sightline.core.actors import IMPORTER
from sightline.records.ingest import spec
from sightline.records.ingest.pipeline import BatchResult, ImportOptions, import_file
from sightline.records.models import SourceSystem
from sightline.records.services import source_system_register


@pytest.fixture
def police(db: Any) -> SourceSystem:
    return source_system_register(
        actor=IMPORTER, code="police", name="Police records", agency_kind="police"
    )


@pytest.fixture
def health(db: Any) -> SourceSystem:
    return source_system_register(
        actor=IMPORTER, code="health", name="GP records", agency_kind="health_gp"
    )


@pytest.fixture
def camhs(db: Any) -> SourceSystem:
    """A team-scoped feed: only the team named on an involvement sees the child."""
    return source_system_register(
        actor=IMPORTER,
        code="camhs",
        name="CAMHS records",
        agency_kind="camhs",
        access_scope=SourceSystem.AccessScope.TEAM,
    )


def write_jsonl(path: Path, lines: Iterable[dict[str, Any] | str]) -> Path:
    with path.open("wb") as fh:
        for line in lines:
            fh.write((line.encode() if isinstance(line, str) else orjson.dumps(line)) + b"\n")
    return path


def write_csv(path: Path, kind: str, lines: Iterable[dict[str, Any]]) -> Path:
    """Flatten lines as docs/exchange-format.md#csv says."""
    columns = spec.csv_columns(kind)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for line in lines:
            row = []
            for column in columns:
                top, _, sub = column.partition(".")
                value = line.get(top)
                if sub:
                    value = value.get(sub) if isinstance(value, dict) else None
                if value is None:
                    row.append("")
                elif top in spec.LIST_FIELDS:
                    row.append(orjson.dumps(value).decode())
                elif isinstance(value, bool):
                    row.append("true" if value else "false")
                else:
                    row.append(str(value))
            writer.writerow(row)
    return path


@pytest.fixture
def feed(tmp_path: Path) -> Callable[..., Path]:
    """feed(lines, name="police.jsonl") -> the path of a JSON Lines file holding them."""

    def make(lines: Iterable[dict[str, Any] | str], name: str = "police.jsonl") -> Path:
        return write_jsonl(tmp_path / name, lines)

    return make


@pytest.fixture
def run(request: pytest.FixtureRequest) -> Callable[..., BatchResult]:
    """run(path, **ImportOptions) -> the batch result, imported by the system importer. The
    lines are checked in the importing process, or in a second one when a test parametrizes
    this fixture with CHECKERS (`indirect=True`), as large files are."""
    in_worker = getattr(request, "param", "here") == "in a second process"

    def do(path: Path, **options: Any) -> BatchResult:
        options.setdefault("check_in_worker", in_worker)
        return import_file(path, actor=IMPORTER, options=ImportOptions(**options))

    return do


# Where the lines are checked: tests of what a file becomes run both ways.
CHECKERS = pytest.mark.parametrize("run", ["here", "in a second process"], indirect=True)
