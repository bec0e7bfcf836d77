"""JSON Lines feeds: one JSON object per line, UTF-8. Blank lines are skipped. The first line
may be a header holding only the format (`{"format": "sightline/1"}`); lines after a first line
that declares the format may leave it out."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import orjson

from sightline.records.ingest.lines import LineError
from sightline.records.ingest.sources import RawLine

_BOM = b"\xef\xbb\xbf"
# A person line names its kind: "person" is in its bytes, unless written with \u escapes.
_PERSON = b"person"
_ESCAPE = b"\\u"


class JsonLinesReader:
    def __init__(self, path: Path, *, persons_only: bool = False) -> None:
        self.path = path
        self.persons_only = persons_only
        self.default_format: str | None = None
        self.bytes_read = 0
        self._hash = hashlib.sha256()

    def sha256(self) -> str:
        return self._hash.hexdigest()

    def __iter__(self) -> Iterator[RawLine]:
        first = True
        update = self._hash.update
        persons_only = self.persons_only
        with self.path.open("rb") as fh:
            for line_no, data in enumerate(fh, start=1):
                update(data)
                self.bytes_read += len(data)
                if first and data.startswith(_BOM):
                    data = data[len(_BOM) :]
                stripped = data.strip()
                if not stripped:
                    continue
                if (
                    persons_only
                    and not first
                    and _PERSON not in stripped
                    and _ESCAPE not in stripped
                ):
                    continue  # not a person line: parsing it would be wasted (open_feed)
                try:
                    text = stripped.decode("utf-8")
                    obj = orjson.loads(stripped)
                except (UnicodeDecodeError, orjson.JSONDecodeError) as exc:
                    text = stripped.decode("utf-8", errors="replace")
                    error = LineError(line_no, "line", f"is not valid JSON ({_reason(exc)})")
                    first = False
                    yield RawLine(line_no, text, None, error)
                    continue
                if first:
                    first = False
                    if isinstance(obj, dict) and isinstance(obj.get("format"), str):
                        self.default_format = obj["format"]
                        if len(obj) == 1:  # a header line, not a record
                            continue
                yield RawLine(line_no, text, obj, None, text)


def _reason(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    return str(exc).split(":", 1)[0]
