"""Checking a large file's lines in a second process: what arrives is what the importing
process would have checked, and a checker that fails or dies abandons the import cleanly."""

from __future__ import annotations

import datetime as dt
import io
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sightline.core.actors import IMPORTER
from sightline.records.ingest import checker
from sightline.records.ingest.lines import line_pack, line_unpack
from sightline.records.ingest.pipeline import ImportOptions, import_file, vocabulary_current
from sightline.records.ingest.reading import CheckedLines
from sightline.records.ingest.validate import LineValidator
from sightline.records.models import ImportBatch, SourceRecord, SourceSystem
from sightline.records.services import feeds_import
from sightline.records.tests import lines
from sightline.records.tests.conftest import write_csv, write_jsonl

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def validator() -> LineValidator:
    return LineValidator(vocabulary_current(), now=NOW)


def mixed_feed(tmp_path: Path, people: int = 1200) -> Path:
    """More lines than one message holds, of every kind, some refused."""
    return write_jsonl(
        tmp_path / "police.jsonl",
        [
            *(lines.person(f"P-{i}", **{"identifiers.nhs_number": None}) for i in range(people)),
            lines.person("P-bad", sex="M"),
            "{not json",
            *(lines.entry(f"E-{i}", "police", f"P-{i}") for i in range(people)),
            lines.entry("E-bad", occurred_at="Aug 2019"),
            lines.relationship(),
            lines.involvement(),
        ],
    )


def checked(path: Path, *, in_worker: bool, phase: str = "all") -> tuple[list[Any], CheckedLines]:
    reading = CheckedLines(path, validator(), phase=phase, in_worker=in_worker)
    found = [
        (c.line_no, c.text, c.line and line_pack(c.line), c.errors, c.person_key) for c in reading
    ]
    return found, reading


@pytest.mark.parametrize("phase", ["all", "people", "rest"])
def test_lines_checked_in_a_second_process_are_the_lines_checked_here(
    tmp_path: Path, phase: str
) -> None:
    path = mixed_feed(tmp_path)
    here, read_here = checked(path, in_worker=False, phase=phase)
    there, read_there = checked(path, in_worker=True, phase=phase)
    assert there == here
    assert len(here) > 1000  # more than one message
    assert read_there.sha256() == read_here.sha256() != ""
    assert read_there.bytes_read == read_here.bytes_read == path.stat().st_size


def test_a_csv_file_checked_in_a_second_process(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "people.csv", "person", [lines.person(), lines.person("P-2", sex="M")]
    )
    here, _ = checked(path, in_worker=False)
    there, _ = checked(path, in_worker=True)
    assert there == here
    assert here[0][1].startswith("sightline/1,person,police,P-1001,")  # the row as received


def test_a_line_packs_and_unpacks_whole(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "police.jsonl",
        [lines.person(), lines.entry(), lines.relationship(), lines.involvement()],
    )
    for item in CheckedLines(path, validator(), phase="all"):
        assert item.line is not None
        assert line_unpack(line_pack(item.line)) == item.line


def test_a_checker_that_fails_says_why_in_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "gone.jsonl"
    with pytest.raises(checker.CheckerFailed) as failed:
        checked(missing, in_worker=True)
    assert failed.value.message == (
        "gone.jsonl: checking the lines failed (FileNotFoundError: [Errno 2] No such file or "
        f"directory: '{missing}'); nothing from the file was written."
    )


def test_a_checker_that_dies_is_reported(tmp_path: Path) -> None:
    path = mixed_feed(tmp_path)
    with checker.Checker(path, validator().vocabulary, NOW, "all") as worker:
        assert worker._process is not None
        worker._process.kill()  # still starting: it cannot have sent the whole file
        with pytest.raises(checker.CheckerFailed, match="ended early, exit code -9"):
            list(worker.messages())


def test_leaving_early_stops_the_checker_and_the_reading(tmp_path: Path) -> None:
    # More than the queue and the pipe hold, so the checker is still busy when left.
    path = mixed_feed(tmp_path, people=12_000)
    with checker.Checker(path, validator().vocabulary, NOW, "all") as worker:
        assert next(worker.messages())[0] == "lines"
        process, drain = worker._process, worker._drain
    assert process is not None
    assert drain is not None
    assert process.returncode is not None
    assert not drain.is_alive()


def test_what_checked_code_prints_does_not_garble_the_lines(tmp_path: Path) -> None:
    # Standard output carries the protocol: the checker moves anything else to standard error.
    code = """
from sightline.records.ingest import checker, reading
real = reading.check_and_send
def noisy(*args):
    print("chatter")
    real(*args)
    print("more chatter")
reading.check_and_send = noisy
checker.main()
"""
    path = mixed_feed(tmp_path, people=5)
    request = (str(path), validator().vocabulary, NOW, "all")
    root = Path(checker.__file__).resolve().parents[3]
    done = subprocess.run(  # noqa: S603 (our own code)
        [sys.executable, "-c", code],
        input=framed(request),
        capture_output=True,
        cwd=root,
        check=True,
    )
    messages = frames(done.stdout)
    assert [m[0] for m in messages] == ["lines", "end"]
    assert b"chatter" in done.stderr
    assert b"chatter" not in done.stdout


def framed(message: Any) -> bytes:
    buffer = io.BytesIO()
    checker._write(buffer, message)
    return buffer.getvalue()


def frames(data: bytes) -> list[Any]:
    source = io.BytesIO(data)
    found = []
    while (frame := checker._read_frame(source)) is not None:
        found.append(pickle.loads(frame))  # noqa: S301 (our own output)
    return found


# -- through the importer --------------------------------------------------------------------


@pytest.mark.django_db
def test_an_import_whose_checker_dies_writes_nothing(
    police: SourceSystem, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.IMPORT_WORKER_MIN_BYTES = 0
    path = mixed_feed(tmp_path, people=3000)
    real = checker.Checker.messages

    def dies(self: checker.Checker) -> Any:
        assert self._process is not None
        self._process.kill()  # still starting: it cannot have sent the whole file
        yield from real(self)

    monkeypatch.setattr(checker.Checker, "messages", dies)
    with pytest.raises(checker.CheckerFailed):
        import_file(path, actor=IMPORTER, options=ImportOptions(check_in_worker=True))
    assert not SourceRecord.objects.exists()
    assert not ImportBatch.objects.exists()

    with pytest.raises(CommandError, match=r"^police\.jsonl: checking the lines failed \("):
        call_command("import", str(path), "--quiet")
    assert not SourceRecord.objects.exists()

    monkeypatch.setattr(checker.Checker, "messages", real)
    result = import_file(path, actor=IMPORTER, options=ImportOptions(accept_valid=True))
    assert (result.counts.read, result.counts.rejected) == (6005, 3)


@pytest.mark.django_db
def test_a_directory_is_checked_in_second_processes_above_the_size_set(
    police: SourceSystem, tmp_path: Path, settings: Any
) -> None:
    mixed_feed(tmp_path, people=50)
    write_jsonl(tmp_path / "school.jsonl", [lines.person("S-1", "police")])
    settings.IMPORT_WORKER_MIN_BYTES = 0
    results = feeds_import(actor=IMPORTER, paths=[tmp_path], accept_valid=True)
    assert [(r.filename, r.phase, r.counts.read, r.counts.rejected) for r in results] == [
        ("police.jsonl", "people", 51, 1),
        ("school.jsonl", "people", 1, 0),
        ("police.jsonl", "rest", 54, 4),  # not JSON, a bad date, two naming P-1001
    ]
    assert SourceRecord.objects.count() == 101
