"""Fixtures for the access tests that go through the importer: feeds registered, files of lines
imported as a feed would send them, practitioners placed in agencies and teams."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import orjson
import pytest

from sightline.accounts.models import User
from sightline.agencies.models import Agency, Team
from sightline.agencies.tests.factories import MembershipFactory
from sightline.core.actors import IMPORTER
from sightline.records.ingest.pipeline import BatchResult, ImportOptions, import_file
from sightline.records.models import SourceSystem
from sightline.records.services import source_system_register

_files = itertools.count(1)


@pytest.fixture
def send(tmp_path: Path) -> Callable[[Iterable[dict[str, Any]]], BatchResult]:
    """send(lines) imports them as one feed file; the file must be imported whole."""

    def do(lines: Iterable[dict[str, Any]]) -> BatchResult:
        path = tmp_path / f"feed-{next(_files)}.jsonl"
        with path.open("wb") as fh:
            for line in lines:
                fh.write(orjson.dumps(line) + b"\n")
        result = import_file(path, actor=IMPORTER, options=ImportOptions(check_in_worker=False))
        assert result.status == "imported", result.errors
        return result

    return do


def register(
    code: str, kind: str, *, organisation: str | None = None, team_scoped: bool = False
) -> SourceSystem:
    return source_system_register(
        actor=IMPORTER,
        code=code,
        name=f"{code} records",
        agency_kind=kind,
        organisation=organisation,
        access_scope=SourceSystem.AccessScope.TEAM if team_scoped else "agency",
    )


def member(role: str, agency: Agency, team: Team | None = None) -> User:
    return MembershipFactory.create(role=role, agency=agency, team=team).user
