"""CSV feeds: the same fields as JSON Lines, flattened (docs/exchange-format.md#csv).

- a header row names the columns; every row carries `format` and `kind`; one kind per file;
- an object field is spread over dotted columns (`identifiers.nhs_number`, `location.postcode`);
  when all of its cells are empty the object is null;
- a list field (`other_names`, `addresses`, `subjects`) is a JSON array in its cell;
- `is_lead` reads true or false; an empty cell is null.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from sightline.records.ingest import spec
from sightline.records.ingest.lines import LineError
from sightline.records.ingest.sources import RawLine, open_regular

# The csv module refuses a cell longer than 128 KiB and stops reading the file. Every field's
# own limit is far below this one, so a long cell is refused with its line and field, and the
# rest of the file is still read.
_CELL_LIMIT = 16 * 1024 * 1024
if csv.field_size_limit() < _CELL_LIMIT:
    csv.field_size_limit(_CELL_LIMIT)


class CsvReader:
    def __init__(self, path: Path, *, persons_only: bool = False) -> None:
        self.path = path
        self.persons_only = persons_only
        self.default_format: str | None = None
        self.bytes_read = 0
        self._hash = hashlib.sha256()

    def sha256(self) -> str:
        return self._hash.hexdigest()

    def _lines(self, fh: IO[bytes]) -> Iterator[str]:
        for data in fh:
            self._hash.update(data)
            self.bytes_read += len(data)
            yield data.decode("utf-8-sig" if self.bytes_read == len(data) else "utf-8")

    def __iter__(self) -> Iterator[RawLine]:
        with open_regular(self.path) as fh:
            try:
                yield from self._rows(csv.reader(self._lines(fh)))
            except UnicodeDecodeError:
                yield RawLine(0, "", None, LineError(0, "file", "is not UTF-8 text"))
            except csv.Error as exc:
                yield RawLine(0, "", None, LineError(0, "file", f"is not valid CSV ({exc})"))
            self._digest_rest(fh)

    def _digest_rest(self, fh: IO[bytes]) -> None:
        """Hash what is left unread (rows not wanted: open_feed's `persons_only`)."""
        while block := fh.read(1 << 20):
            self._hash.update(block)
            self.bytes_read += len(block)

    def _rows(self, reader: Any) -> Iterator[RawLine]:
        header: list[str] | None = None
        plan: list[tuple[int, str, str | None]] = []  # (cell index, field, sub-field)
        objects: set[str] = set()
        file_kind: str | None = None
        line_no = 1
        for row in reader:
            start, line_no = line_no, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [cell.strip() for cell in row]
                twice = [name for name, n in Counter(header).items() if n > 1]
                if twice:  # which of its cells would a row mean? Nothing is read.
                    error = LineError(start, twice[0], "is a column twice in the header row")
                    yield RawLine(start, _row_text(row), None, error)
                    return
                for i, name in enumerate(header):
                    top, _, sub = name.partition(".")
                    plan.append((i, top, sub or None))
                    if sub:
                        objects.add(top)
                continue
            text = _row_text(row)
            if len(row) != len(header):
                error = LineError(
                    start, "line", f"has {len(row)} cells but the header has {len(header)}"
                )
                yield RawLine(start, text, None, error)
                continue
            obj, problem = _unflatten(row, plan, objects, start)
            if problem is not None:
                yield RawLine(start, text, None, problem)
                continue
            kind = obj.get("kind")
            if file_kind is None:
                file_kind = kind
                if isinstance(obj.get("format"), str):
                    self.default_format = obj["format"]
                if self.persons_only and file_kind is not None and file_kind != spec.PERSON:
                    return  # one kind per file: no row of it can be a person line
            elif kind != file_kind:
                error = LineError(
                    start, "kind", f"this CSV file holds {file_kind} lines (one kind per file)"
                )
                yield RawLine(start, text, None, error)
                continue
            yield RawLine(start, text, obj, None, orjson.dumps(obj).decode())


def _unflatten(
    row: list[str], plan: list[tuple[int, str, str | None]], objects: set[str], line_no: int
) -> tuple[dict[str, Any], LineError | None]:
    obj: dict[str, Any] = {}
    for i, top, sub in plan:
        cell = row[i]
        value: Any = cell if cell != "" else None
        if sub is not None:
            obj.setdefault(top, {})[sub] = value
            continue
        if value is not None:
            if top in spec.LIST_FIELDS:
                try:
                    value = orjson.loads(value)
                except orjson.JSONDecodeError:
                    return obj, LineError(
                        line_no, top, 'must be a JSON array in its cell, like ["Jim Smith"]'
                    )
            elif top in spec.BOOLEAN_FIELDS:
                lowered = value.strip().lower()
                value = True if lowered == "true" else False if lowered == "false" else value
        obj[top] = value
    for name in objects:
        if all(v is None for v in obj[name].values()):
            obj[name] = None
    return obj, None


def _row_text(row: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(row)
    return out.getvalue()
