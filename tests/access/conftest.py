"""Fixtures for the access tests that go through the importer: files of lines imported as a
feed would send them."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import orjson
import pytest

from sightline.core.actors import IMPORTER
from sightline.records.ingest.pipeline import BatchResult, ImportOptions, import_file

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
