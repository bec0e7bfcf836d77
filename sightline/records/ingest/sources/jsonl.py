"""JSON Lines feeds: one JSON object per line, UTF-8. Blank lines are skipped. The first line
may be a header holding only the format (`{"format": "sightline/1"}`); lines after a first line
that declares the format may leave it out."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from sightline.records.ingest.lines import LineError
from sightline.records.ingest.sources import RawLine, open_regular

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
        with open_regular(self.path) as fh:
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
                twice = None
                # orjson keeps the last of a key given twice; the line is refused instead. A
                # line in orjson's own compact form has each key once (it is the form of a
                # dict): only other lines are parsed again to look.
                if obj.__class__ is dict and orjson.dumps(obj) != stripped:
                    twice = _key_given_twice(text)
                if first:
                    first = False
                    if isinstance(obj, dict) and isinstance(obj.get("format"), str):
                        self.default_format = obj["format"]
                        if len(obj) == 1 and twice is None:  # a header line, not a record
                            continue
                if twice is not None:
                    error = LineError(line_no, twice, "is given twice in the line (once only)")
                    yield RawLine(line_no, text, obj, error)
                    continue
                yield RawLine(line_no, text, obj, None, text)


def _reason(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    return str(exc).split(":", 1)[0]


class _Keys(dict[str, Any]):
    """A JSON object as parsed for `_key_given_twice`, with the keys it held more than once."""

    twice: list[str]


def _keys(pairs: list[tuple[str, Any]]) -> _Keys:
    obj = _Keys(pairs)
    obj.twice = []
    if len(obj) != len(pairs):
        obj.twice = [key for key, n in Counter(key for key, _ in pairs).items() if n > 1]
    return obj


def _key_given_twice(text: str) -> str | None:
    """The path of the first key an object of the line holds twice (`location.label`,
    `subjects[1].role`), or None."""
    try:
        tree = json.loads(text, object_pairs_hook=_keys)
    except (ValueError, RecursionError):  # orjson read it; json is stricter only on depth
        return None
    return _first_twice(tree, "")


def _first_twice(value: Any, path: str) -> str | None:
    if isinstance(value, _Keys):
        if value.twice:
            return f"{path}.{value.twice[0]}" if path else value.twice[0]
        for key, item in value.items():
            found = _first_twice(item, f"{path}.{key}" if path else key)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _first_twice(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None
