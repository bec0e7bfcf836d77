"""Reading, parsing and checking the lines of one phase of a feed (each line on its own: the
rules across lines are the pipeline's).

A large file is read and checked in a second process while the importing process writes what
was already checked: checking is about half of an import's work, and a machine with two cores
runs both halves at once. The lines cross a pipe as plain tuples (`lines.line_pack`), which
costs the importing process a fifth of what checking them would. Small files are checked in the
importing process: starting a process costs more than they take.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sightline.records.ingest import checker, spec
from sightline.records.ingest.lines import Line, LineError, line_pack, line_unpack
from sightline.records.ingest.sources import open_feed
from sightline.records.ingest.validate import LineValidator

# Lines per message from the checking process: large enough that a message costs little, small
# enough that both processes keep busy.
_BATCH = 1000


@dataclass(slots=True)
class Checked:
    """One line of the phase: its typed form, or why it was refused."""

    line_no: int
    text: str  # as received
    line: Line | None
    errors: list[LineError]
    # For a refused person line: (source, source_id), so lines naming it are refused too.
    person_key: tuple[str, str] | None = None


class CheckedLines:
    """Iterate the checked lines of one phase of a file, checked here or, with `in_worker`, in a
    second process. `bytes_read` grows as reading goes; `sha256()` is the whole file's once
    every line has been read."""

    def __init__(
        self, path: Path, validator: LineValidator, *, phase: str, in_worker: bool = False
    ) -> None:
        self.path = path
        self.validator = validator
        self.phase = phase
        self.in_worker = in_worker
        self.bytes_read = 0
        self._sha256 = ""

    def sha256(self) -> str:
        return self._sha256

    def __iter__(self) -> Iterator[Checked]:
        return self._from_worker() if self.in_worker else self._here()

    def _here(self) -> Iterator[Checked]:
        reader = open_feed(self.path, persons_only=self.phase == "people")
        validate = self.validator.validate
        phase = self.phase
        for raw in reader:
            self.bytes_read = reader.bytes_read
            obj = raw.obj
            if phase != "all":
                is_person = isinstance(obj, dict) and obj.get("kind") == spec.PERSON
                if is_person != (phase == "people"):
                    continue
            if raw.error is not None:
                yield Checked(raw.line_no, raw.text, None, [raw.error], _person_key(obj))
                continue
            line, errors = validate(
                obj, raw.line_no, payload=raw.payload, default_format=reader.default_format
            )
            if line is None:
                yield Checked(raw.line_no, raw.text, None, errors, _person_key(obj))
            else:
                line.raw = raw.text
                yield Checked(raw.line_no, raw.text, line, errors)
        self.bytes_read = reader.bytes_read
        self._sha256 = reader.sha256()

    def _from_worker(self) -> Iterator[Checked]:
        with checker.Checker(
            self.path, self.validator.vocabulary, self.validator.now, self.phase
        ) as worker:
            for message in worker.messages():
                if message[0] == "lines":
                    self.bytes_read = message[1]
                    for packed in message[2]:
                        yield _unpack_checked(packed)
                else:  # "end"
                    self.bytes_read, self._sha256 = message[1], message[2]


def _person_key(obj: Any) -> tuple[str, str] | None:
    """(source, source_id) of a refused person line, so that lines naming it are refused too."""
    if isinstance(obj, dict) and obj.get("kind") == spec.PERSON:
        return (str(obj.get("source")), str(obj.get("source_id")))
    return None


def check_and_send(
    path: Path, validator: LineValidator, phase: str, send: Callable[[Any], None]
) -> None:
    """The checking process's work (checker.py): send the checked lines in batches, then what
    was read and the file's digest."""
    with fewer_collections():
        lines = CheckedLines(path, validator, phase=phase)
        batch: list[tuple[Any, ...]] = []
        for checked in lines:
            batch.append(_pack_checked(checked))
            if len(batch) >= _BATCH:
                send(("lines", lines.bytes_read, batch))
                batch = []
        send(("lines", lines.bytes_read, batch))
        send(("end", lines.bytes_read, lines.sha256()))


def _pack_checked(checked: Checked) -> tuple[Any, ...]:
    line = checked.line
    if line is None:
        errors = [(e.line, e.field, e.reason) for e in checked.errors]
        return (checked.line_no, checked.text, None, errors, checked.person_key)
    # The text travels once: a JSON line's text is its payload.
    text = None if line.raw == line.payload else line.raw
    line.raw = ""
    return (checked.line_no, text, line_pack(line), None, None)


def _unpack_checked(packed: tuple[Any, ...]) -> Checked:
    line_no, text, packed_line, errors, person_key = packed
    if packed_line is None:
        return Checked(line_no, text, None, [LineError(*e) for e in errors], person_key)
    line = line_unpack(packed_line)
    if text is None:
        text = line.payload
    line.raw = text
    return Checked(line_no, text, line, [])


_collecting_less = 0  # imports under way in this process (the gc settings are process-wide)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect garbage rarely while importing. An import makes millions of small objects that
    live for one chunk; at Python's default threshold the collector runs thousands of times and
    walks an ever larger heap (about a tenth of an import's time). Objects that existed before
    are left out of the walks (`gc.freeze`). The outermost import restores the settings."""
    global _collecting_less
    _collecting_less += 1
    outermost = _collecting_less == 1
    threshold = gc.get_threshold()
    if outermost:
        gc.freeze()
        gc.set_threshold(50_000, threshold[1], threshold[2])
    try:
        yield
    finally:
        _collecting_less -= 1
        if outermost:
            gc.set_threshold(*threshold)
            gc.unfreeze()
