"""The data-quality side of an import: error lines as the data officer reads them, and the
reject report (one JSON line per refused field, with the raw line) written beside the feed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import orjson

from sightline.records.ingest.lines import LineError

# How many errors an ImportBatch row keeps (the report file has them all).
STORED_ERRORS = 1000


def format_error(filename: str, error: LineError) -> str:
    """`police.jsonl:17: occurred_at: must be a year, …` (line 0 is the file as a whole)."""
    if error.line == 0:
        return f"{filename}: {error.field}: {error.reason}"
    return f"{filename}:{error.line}: {error.field}: {error.reason}"


def default_rejects_path(feed: Path) -> Path:
    return feed.with_name(feed.name + ".rejects.jsonl")


def write_rejects(
    path: Path,
    *,
    filename: str,
    errors: Iterable[LineError],
    raw_lines: Mapping[int, str],
    append: bool = False,
) -> int:
    """Write one JSON object per error: {"file", "line", "field", "reason", "raw"}."""
    count = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab" if append else "wb") as fh:
        for error in errors:
            record = {
                "file": filename,
                "line": error.line,
                "field": error.field,
                "reason": error.reason,
                "raw": raw_lines.get(error.line, ""),
            }
            fh.write(orjson.dumps(record) + b"\n")
            count += 1
    return count


def stored_errors(filename: str, errors: list[LineError]) -> list[str]:
    return [format_error(filename, e) for e in errors[:STORED_ERRORS]]
