"""Streaming writers: one JSON Lines file per feed, or one CSV file per kind of line (the
flattened form of the same fields: dotted names for nested objects, JSON arrays in a cell for
lists, an empty cell for null)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import IO

import orjson

from sightline.synth.generator.vocab import (
    CSV_LIST_FIELDS,
    ENTRY_COLUMNS,
    INVOLVEMENT_COLUMNS,
    PERSON_COLUMNS,
    RELATIONSHIP_COLUMNS,
)

Line = dict[str, object]

COLUMNS = {
    "person": PERSON_COLUMNS,
    "entry": ENTRY_COLUMNS,
    "involvement": INVOLVEMENT_COLUMNS,
    "relationship": RELATIONSHIP_COLUMNS,
}
_BUFFER = 1 << 20


def flatten(line: Line) -> dict[str, str]:
    """A line as CSV cells: {"identifiers": {"upn": x}} -> {"identifiers.upn": x}."""
    cells: dict[str, str] = {}
    for key, value in line.items():
        if isinstance(value, dict) and key not in CSV_LIST_FIELDS:
            for sub, inner in value.items():
                cells[f"{key}.{sub}"] = _cell(inner)
        elif value is None and key in ("intelligence_grade", "location"):
            continue  # all its dotted columns stay empty
        elif key in CSV_LIST_FIELDS:
            cells[key] = orjson.dumps(value).decode()
        else:
            cells[key] = _cell(value)
    return cells


def _cell(value: object) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


class JsonlFeed:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.file: IO[bytes] = path.open("wb", buffering=_BUFFER)
        self.counts: dict[str, int] = {}

    def write(self, kind: str, lines: list[Line]) -> None:
        if not lines:
            return
        self.file.write(b"".join(orjson.dumps(x, option=orjson.OPT_APPEND_NEWLINE) for x in lines))
        self.counts[kind] = self.counts.get(kind, 0) + len(lines)

    def files(self) -> dict[str, int]:
        return {self.path.name: sum(self.counts.values())}

    def close(self) -> None:
        self.file.close()


class CsvFeed:
    """`<source>.<kind>.csv` per kind; a kind with no lines gets no file."""

    def __init__(self, directory: Path, source: str) -> None:
        self.directory = directory
        self.source = source
        self.handles: dict[str, tuple[IO[str], csv.DictWriter[str]]] = {}
        self.counts: dict[str, int] = {}

    def _writer(self, kind: str) -> csv.DictWriter[str]:
        if kind not in self.handles:
            path = self.directory / f"{self.source}.{kind}.csv"
            handle = path.open("w", encoding="utf-8", newline="", buffering=_BUFFER)
            writer = csv.DictWriter(
                handle, fieldnames=COLUMNS[kind], lineterminator="\n", extrasaction="raise"
            )
            writer.writeheader()
            self.handles[kind] = (handle, writer)
        return self.handles[kind][1]

    def write(self, kind: str, lines: list[Line]) -> None:
        if not lines:
            return
        self._writer(kind).writerows(flatten(x) for x in lines)
        self.counts[kind] = self.counts.get(kind, 0) + len(lines)

    def files(self) -> dict[str, int]:
        return {f"{self.source}.{kind}.csv": n for kind, n in self.counts.items()}

    def close(self) -> None:
        for handle, _ in self.handles.values():
            handle.close()


class JsonlOut:
    """A plain JSON Lines file (the ground truth)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file: IO[bytes] = path.open("wb", buffering=_BUFFER)
        self.count = 0

    def write(self, lines: list[Line]) -> None:
        if lines:
            self.file.write(
                b"".join(orjson.dumps(x, option=orjson.OPT_APPEND_NEWLINE) for x in lines)
            )
            self.count += len(lines)

    def close(self) -> None:
        self.file.close()
