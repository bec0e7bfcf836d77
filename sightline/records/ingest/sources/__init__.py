"""Readers of feed files: each turns a file into numbered raw lines (parsed objects or a parse
error), keeping the text as received for the record and for the reject report."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from sightline.core.errors import DomainError
from sightline.records.ingest.lines import LineError


class FeedUnreadable(DomainError):
    """A feed that is not a regular file of its own (a symbolic link, a device, a pipe)."""


@dataclass(slots=True)
class RawLine:
    line_no: int
    text: str  # the line as received: JSON text, or the CSV row
    obj: Any  # the parsed line (a dict for a well-formed line), None when it did not parse
    error: LineError | None = None
    payload: str = ""  # what SourceRecord.payload stores: JSON text of the line


class FeedReader(Protocol):
    path: Path
    # The format declared by the file's first line (later lines may leave it out).
    default_format: str | None
    bytes_read: int

    def __iter__(self) -> Iterator[RawLine]: ...

    def sha256(self) -> str:
        """The SHA-256 of the whole file (complete once every line has been read)."""
        ...


SUFFIXES = (".jsonl", ".ndjson", ".csv")


def open_feed(path: Path, *, persons_only: bool = False) -> FeedReader:
    """A reader for `path`, chosen by its suffix: .jsonl (or .ndjson) or .csv.

    `persons_only`: the caller wants only person lines (an import's people phase reads every
    file once for them). The reader may then leave out, without parsing them, lines that cannot
    be person lines; it still reads the whole file for its digest. It may also yield other
    lines: the caller filters."""
    from sightline.records.ingest.sources.csv import CsvReader
    from sightline.records.ingest.sources.jsonl import JsonLinesReader

    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return JsonLinesReader(path, persons_only=persons_only)
    if suffix == ".csv":
        return CsvReader(path, persons_only=persons_only)
    raise ValueError(f"{path.name}: not a feed file (expected .jsonl or .csv)")


def open_regular(path: Path) -> IO[bytes]:
    """Open a feed for reading, never through a symbolic link and only if it is a regular file.
    The importer runs with the data officer's rights: a link planted where a feed is expected
    must not lead it to read another file (and copy its lines into a reject report), and a
    pipe or a device must not leave it waiting for ever."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise FeedUnreadable(f"{path.name}: is a symbolic link; name the file itself") from None
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise FeedUnreadable(f"{path.name}: is not a regular file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
