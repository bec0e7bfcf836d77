"""The data-quality side of an import: error lines as the data officer reads them, and the
reject report (one JSON line per refused field, with the raw line) written beside the feed."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO

import orjson

from sightline.core.errors import DomainError
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
    """Write one JSON object per error: {"file", "line", "field", "reason", "raw"}.

    The report copies the refused lines (names, dates of birth, what happened): it is made
    readable by its owner only (0600), also when it was there before, and it is never written
    through a symbolic link or into a file linked from elsewhere (a link planted beside a feed
    would otherwise make the importer overwrite the file it points to)."""
    count = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with _open_report(path, append=append) as fh:
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


class ReportUnwritable(DomainError):
    """The reject report's path is a link, or not a regular file."""


def _open_report(path: Path, *, append: bool) -> IO[bytes]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags | (os.O_APPEND if append else 0), 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ReportUnwritable(
                f"{path}: the reject report's path is a symbolic link; remove it or give "
                "--rejects another place"
            ) from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
            raise ReportUnwritable(
                f"{path}: the reject report's path is not a file of its own; remove it or give "
                "--rejects another place"
            )
        os.fchmod(fd, 0o600)
        if not append:
            os.ftruncate(fd, 0)
        return os.fdopen(fd, "ab" if append else "wb")
    except BaseException:
        os.close(fd)
        raise


def stored_errors(filename: str, errors: list[LineError]) -> list[str]:
    return [format_error(filename, e) for e in errors[:STORED_ERRORS]]
