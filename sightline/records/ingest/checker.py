"""The process that checks a large feed's lines while the importer writes (reading.py).

The importer starts `python -m sightline.records.ingest.checker`, writes what to check (file,
vocabularies, clock, phase) to its standard input, and reads framed pickles from its standard
output: batches of checked lines, then ("end", bytes read, the file's SHA-256), or ("error",
traceback). A separate interpreter, not `multiprocessing`: nothing of the importer (its database
connection, its main module) is copied or imported again. The checker ends when its input or
output closes, so it never outlives the import.
"""

from __future__ import annotations

import logging
import os
import pickle
import queue
import struct
import subprocess
import sys
import tempfile
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from sightline.core.errors import DomainError

logger = logging.getLogger(__name__)

_LENGTH = struct.Struct("<Q")
_AHEAD = 16  # messages (of reading._BATCH lines each) the checker may run ahead


class CheckerFailed(DomainError):
    """The checking process failed or ended early; the import is abandoned (its transaction
    rolls back, so nothing of the file is written)."""

    def __init__(self, filename: str, why: str) -> None:
        super().__init__(
            f"{filename}: checking the lines failed ({why}); nothing from the file was written."
        )


def _write(out: IO[bytes], message: Any) -> None:
    data = pickle.dumps(message, protocol=5)
    out.write(_LENGTH.pack(len(data)))
    out.write(data)


def _read_frame(source: IO[bytes]) -> bytes | None:
    """One message's bytes, or None at the end of the stream."""
    head = source.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (size,) = _LENGTH.unpack(head)
    data = source.read(size)
    return data if len(data) == size else None


class _Drain(threading.Thread):
    """Reads frames from the checker into a bounded queue, so that the checker runs ahead
    while the importer writes (a pipe holds 64 KiB: without it the two would take turns). Ends
    with None in the queue, whatever happens, unless told to stop."""

    def __init__(self, source: IO[bytes]) -> None:
        super().__init__(name="sightline-checker-drain", daemon=True)
        self.source = source
        self.frames: queue.Queue[bytes | None] = queue.Queue(maxsize=_AHEAD)
        self.stopping = threading.Event()

    def run(self) -> None:
        frame: bytes | None = None
        try:
            while not self.stopping.is_set():
                frame = _read_frame(self.source)
                if frame is None or not self._put(frame):
                    return
        except BaseException:  # a closed pipe or a garbled frame: the end
            logger.debug("reading the checker's output stopped", exc_info=True)
        finally:
            self._put(None)

    def _put(self, frame: bytes | None) -> bool:
        """Queue a frame unless told to stop while the queue is full (the importer left)."""
        while not self.stopping.is_set():
            try:
                self.frames.put(frame, timeout=0.2)
            except queue.Full:
                continue
            return True
        return False


class Checker:
    """The checking process for one phase of one file (a context manager: it is stopped on
    leaving, however the import ends)."""

    def __init__(self, path: Path, vocabulary: Any, now: Any, phase: str) -> None:
        self.path = path
        self.request = (str(path), vocabulary, now, phase)
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._drain: _Drain | None = None

    def __enter__(self) -> Checker:
        # The child imports this project as the importer did, wherever it was started, and
        # nothing from the working directory (-P): a feed folder is not a place to run code from.
        root = str(Path(__file__).resolve().parents[3])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        self._stderr = tempfile.TemporaryFile()
        self._process = subprocess.Popen(
            [sys.executable, "-P", "-m", "sightline.records.ingest.checker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
        )
        assert self._process.stdin is not None
        try:
            _write(self._process.stdin, self.request)
            self._process.stdin.close()
        except OSError:
            self.__exit__(None, None, None)
            raise CheckerFailed(self.path.name, "the checking process did not start") from None
        return self

    def messages(self) -> Iterator[Any]:
        """Each message up to and including ("end", …); raises CheckerFailed on ("error", …) or
        if the process ends first."""
        assert self._process is not None
        assert self._process.stdout is not None
        self._drain = _Drain(self._process.stdout)
        self._drain.start()
        while True:
            frame = self._drain.frames.get()
            if frame is None:
                raise CheckerFailed(self.path.name, self._died())
            try:
                message = pickle.loads(frame)  # noqa: S301 (our own child, over a private pipe)
            except Exception:  # anything in the pipe that is not our message
                logger.exception("the process checking %s sent something unreadable", self.path)
                raise CheckerFailed(self.path.name, "its output was unreadable") from None
            if message[0] == "error":
                logger.error("checking %s failed:\n%s", self.path, message[1])
                last = message[1].strip().splitlines()[-1]
                raise CheckerFailed(self.path.name, last)
            yield message
            if message[0] == "end":
                return

    def _died(self) -> str:
        assert self._process is not None
        assert self._stderr is not None
        try:
            code: int | str = self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = "none: it stopped answering"
        self._stderr.seek(0)
        said = self._stderr.read()[-4000:].decode(errors="replace").strip()
        if said:
            logger.error("the process checking %s said:\n%s", self.path, said)
        return f"the checking process ended early, exit code {code}"

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._drain is not None:
            self._drain.stopping.set()
        process = self._process
        if process is not None:
            if process.poll() is None:
                process.kill()
            process.wait()
            if process.stdout is not None:
                process.stdout.close()  # ends the drain's read, if it was blocked in one
        if self._drain is not None:
            self._drain.join(timeout=5)
        if self._stderr is not None:
            self._stderr.close()


def main() -> None:
    # The protocol has standard output to itself: anything printed by code the checker runs
    # goes to standard error instead (the importer logs it if the checker fails).
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    try:
        from sightline.records.ingest.reading import check_and_send
        from sightline.records.ingest.validate import LineValidator

        request = _read_frame(sys.stdin.buffer)
        if request is None:
            return  # the importer went away before asking
        path, vocabulary, now, phase = pickle.loads(request)  # noqa: S301 (from our importer)
        validator = LineValidator(vocabulary, now=now)
        check_and_send(Path(path), validator, phase, lambda message: _write(out, message))
        out.flush()
    except BrokenPipeError:
        pass  # the importer stopped reading: it failed or was stopped, and says why itself
    except Exception:
        _write(out, ("error", traceback.format_exc()))
        out.flush()


if __name__ == "__main__":
    main()
