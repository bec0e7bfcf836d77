"""What the importer refuses that a careless or hostile feed may send: text longer than the
format allows, control characters, keys given twice, links, and files that are not feeds. Each
rule holds whichever way the lines are read: JSON Lines or CSV, checked in the importing process
or in a second one (large files)."""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sightline.core.actors import IMPORTER
from sightline.core.errors import DomainError
from sightline.people.models import Person
from sightline.records.ingest import hooks
from sightline.records.ingest.pipeline import BatchResult
from sightline.records.models import ImportBatch, SourceRecord, SourceSystem
from sightline.records.services import feeds_import
from sightline.records.tests import lines
from sightline.records.tests.conftest import CHECKERS, write_csv, write_jsonl

pytestmark = pytest.mark.django_db

Run = Callable[..., BatchResult]


def refusals(result: BatchResult) -> list[tuple[int, str, str]]:
    return [(e.line, e.field, e.reason) for e in result.errors]


def test_the_entry_text_limits_are_the_chronologys() -> None:
    # Registered by cases.ingest from chronology.services (the form's SUMMARY_MAX, DETAIL_MAX).
    assert hooks.entry_text_limits() == {"summary": 1000, "detail": 20000}


# -- lengths --------------------------------------------------------------------------------------


@CHECKERS
@pytest.mark.parametrize("form", ["jsonl", "csv"])
def test_text_longer_than_the_format_allows_is_refused(
    police: SourceSystem, tmp_path: Path, run: Run, form: str
) -> None:
    entries = [
        lines.entry("E-1", summary="x" * 1000, detail="y" * 20000),
        lines.entry("E-2", summary="x" * 10_000_000),
        lines.entry("E-3", detail="y" * 20001),
    ]
    if form == "jsonl":
        path = write_jsonl(tmp_path / "police.jsonl", [lines.person(), *entries])
    else:
        write_csv(tmp_path / "people.csv", "person", [lines.person()])
        assert run(tmp_path / "people.csv").status == "imported"
        path = write_csv(tmp_path / "police.csv", "entry", entries)
    result = run(path, accept_valid=True)
    # JSON Lines: the person is line 1; CSV: the header is line 1. E-1 is line 2 either way.
    assert refusals(result) == [
        (3, "summary", "must be at most 1,000 characters"),
        (4, "detail", "must be at most 20,000 characters"),
    ]
    assert result.counts.by_kind.get("entry") == 1


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"other_names": ["Jim Smith"] * 51}, "other_names", "must have at most 50 items"),
        (
            {"other_names": ["J" * 201 + " Smith"]},
            "other_names[0]",
            "its given names and its family name (the last word) must each be at most 200 "
            "characters",
        ),
        (
            {"addresses": [{"postcode": "CV34 4AB"}] * 101},
            "addresses",
            "must have at most 100 items",
        ),
    ],
)
def test_lists_and_names_have_limits(
    police: SourceSystem, feed: Any, run: Run, changes: dict[str, Any], field: str, reason: str
) -> None:
    result = run(feed([lines.person(**changes)]))
    assert refusals(result) == [(1, field, reason)]


def test_an_entry_names_at_most_a_hundred_people(police: SourceSystem, feed: Any, run: Run) -> None:
    subjects = [{"source_id": f"P-{i}", "role": "subject"} for i in range(101)]
    result = run(feed([lines.entry(subjects=subjects)]))
    assert refusals(result) == [(1, "subjects", "must have at most 100 items")]


# -- control characters ---------------------------------------------------------------------------


@CHECKERS
@pytest.mark.parametrize("form", ["jsonl", "csv"])
def test_control_characters_are_refused_except_line_breaks_in_long_text(
    police: SourceSystem, tmp_path: Path, run: Run, form: str
) -> None:
    people = [
        lines.person("P-1", given_names="Ja\x00mes"),
        lines.person("P-2", family_name="Smith\x1b[2J"),
        lines.person("P-3", **{"addresses.0.line": "12 High St\nLeamington"}),
        lines.person("P-4", **{"identifiers.local_id": "P\x7f4"}),
        lines.person("P-5", other_names=["Jim\tSmith"]),
        lines.person("P-6", given_names="Zoë\u0085"),
        lines.person("P-7"),
    ]
    entries = [
        lines.entry("E-1", "police", "P-7", summary="Seen.\nThen left.", detail="A\tB\r\nC"),
        lines.entry("E-2", "police", "P-7", summary="Seen\x00."),
        lines.entry("E-3", "police", "P-7", **{"location.label": "Park\n"} | {"detail": "\x07"}),
    ]
    if form == "jsonl":
        path = write_jsonl(tmp_path / "police.jsonl", [*people, *entries])
        e2, e3 = 9, 10
    else:
        write_csv(tmp_path / "people.csv", "person", people)
        result = run(tmp_path / "people.csv", accept_valid=True)
        assert [e.line for e in result.errors] == [2, 3, 4, 5, 6, 7]
        path = write_csv(tmp_path / "entries.csv", "entry", entries)
        e2, e3 = 5, 6  # E-1 (line 2) spans three physical lines
    result = run(path, accept_valid=True)
    expected_entries = [
        (
            e2,
            "summary",
            "must not hold control characters (only line breaks and tabs are allowed): "
            "U+0000 at character 5",
        ),
        (
            e3,
            "detail",
            "must not hold control characters (only line breaks and tabs are allowed): "
            "U+0007 at character 1",
        ),
        (e3, "location.label", "must not hold control characters: U+000A at character 5"),
    ]
    if form == "csv":
        assert refusals(result) == expected_entries
    else:
        assert refusals(result) == [
            (1, "given_names", "must not hold control characters: U+0000 at character 3"),
            (2, "family_name", "must not hold control characters: U+001B at character 6"),
            (3, "addresses[0].line", "must not hold control characters: U+000A at character 11"),
            (4, "identifiers.local_id", "must not hold control characters: U+007F at character 2"),
            (5, "other_names[0]", "must not hold control characters: U+0009 at character 4"),
            (6, "given_names", "must not hold control characters: U+0085 at character 4"),
            *expected_entries,
        ]
    stored = SourceRecord.objects.filter(kind="entry").get()
    assert stored.source_id == "E-1"
    assert "\x00" not in "".join(Person.objects.values_list("given_names", flat=True))


def test_a_location_label_is_one_line(police: SourceSystem, feed: Any, run: Run) -> None:
    result = run(feed([lines.person(), lines.entry(**{"location.label": "Park\nside"})]))
    assert refusals(result) == [
        (2, "location.label", "must not hold control characters: U+000A at character 5")
    ]


def test_a_field_name_with_control_characters_is_printed_escaped(
    police: SourceSystem, feed: Any, run: Run
) -> None:
    result = run(feed([lines.person(**{"col\x1bour": "red"})]))
    assert refusals(result) == [(1, "col\\x1bour", "is not a field of a person line")]


# -- keys given twice -----------------------------------------------------------------------------


@CHECKERS
def test_a_key_given_twice_is_refused(police: SourceSystem, tmp_path: Path, run: Run) -> None:
    good = orjson.dumps(lines.person("P-1")).decode()
    twice = good[:-1] + ',"given_names":"Someone Else"}'
    nested = good.replace('"upn":null', '"upn":null,"nhs_number":"4010232137"')
    spaced = orjson.dumps(lines.person("P-4")).decode().replace(",", ", ").replace(":", ": ")
    spaced_twice = spaced[:-1] + ', "kind": "entry"}'
    in_a_list = (
        orjson.dumps(lines.person("P-5"))
        .decode()
        .replace('"to":null', '"to":null,"to":"2020-01-01"')
    )
    path = tmp_path / "police.jsonl"
    path.write_text("\n".join([twice, nested, spaced, spaced_twice, in_a_list]) + "\n")
    result = run(path, accept_valid=True)
    assert refusals(result) == [
        (1, "given_names", "is given twice in the line (once only)"),
        (2, "identifiers.nhs_number", "is given twice in the line (once only)"),
        (4, "kind", "is given twice in the line (once only)"),
        (5, "addresses[0].to", "is given twice in the line (once only)"),
    ]
    assert list(SourceRecord.objects.values_list("source_id", flat=True)) == ["P-4"]


@CHECKERS
def test_a_csv_column_given_twice_is_refused(
    police: SourceSystem, tmp_path: Path, run: Run
) -> None:
    path = write_csv(tmp_path / "people.csv", "person", [lines.person()])
    text = path.read_text().splitlines()
    text[0] += ",given_names"
    text[1] += ",Someone"
    path.write_text("\n".join(text) + "\n")
    result = run(path)
    assert (result.status, refusals(result)) == (
        "rejected",
        [(1, "given_names", "is a column twice in the header row")],
    )
    assert Person.objects.count() == 0


# -- the worker path, for files above IMPORT_WORKER_MIN_BYTES ----------------------------------


def test_every_check_holds_for_files_checked_in_a_second_process(
    police: SourceSystem, tmp_path: Path, settings: Any
) -> None:
    settings.IMPORT_WORKER_MIN_BYTES = 1  # every file here is "large"
    person = orjson.dumps(lines.person("P-2", **{"identifiers.nhs_number": None})).decode()
    write_jsonl(
        tmp_path / "a.jsonl",
        [
            lines.person("P-1", given_names="A\x00"),
            person[:-1] + ',"sex":"female"}',
            lines.person("P-3", **{"identifiers.nhs_number": None}),
            lines.entry("E-1", "police", "P-3", summary="s" * 1001),
        ],
    )
    write_csv(tmp_path / "b.csv", "entry", [lines.entry("E-2", "police", "P-3", detail="\x00")])

    results = feeds_import(actor=IMPORTER, paths=[tmp_path], accept_valid=True)

    assert [(r.filename, refusals(r)) for r in results if r.errors] == [
        (
            "a.jsonl",
            [
                (1, "given_names", "must not hold control characters: U+0000 at character 2"),
                (2, "sex", "is given twice in the line (once only)"),
            ],
        ),
        ("a.jsonl", [(4, "summary", "must be at most 1,000 characters")]),
        (
            "b.csv",
            [
                (
                    2,
                    "detail",
                    "must not hold control characters (only line breaks and tabs are allowed): "
                    "U+0000 at character 1",
                )
            ],
        ),
    ]
    assert list(SourceRecord.objects.values_list("source_id", flat=True)) == ["P-3"]


# -- links, and files that are not feeds ----------------------------------------------------------


@pytest.fixture
def registered(police: SourceSystem) -> None:
    return None


def run_command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.usefixtures("registered")
def test_a_symbolic_link_given_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    (tmp_path / "feed.jsonl").symlink_to(secret)
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (tmp_path / "linked").symlink_to(feeds, target_is_directory=True)

    with pytest.raises(CommandError, match=r"feed\.jsonl: is a symbolic link; name the file"):
        run_command("import", str(tmp_path / "feed.jsonl"))
    with pytest.raises(CommandError, match=r"linked: is a symbolic link; name the file"):
        run_command("import", str(tmp_path / "linked"))
    assert not (tmp_path / "feed.jsonl.rejects.jsonl").exists()
    assert ImportBatch.objects.count() == 0


@CHECKERS
def test_the_readers_never_follow_a_link(police: SourceSystem, tmp_path: Path, run: Run) -> None:
    # What the file listing refuses, the readers refuse too (a link swapped in meanwhile).
    real = write_jsonl(tmp_path / "real.jsonl", [lines.person()])
    (tmp_path / "link.jsonl").symlink_to(real)
    # Here FeedUnreadable; from a checking process, CheckerFailed saying the same.
    with pytest.raises(DomainError, match=r"link\.jsonl: is a symbolic link"):
        run(tmp_path / "link.jsonl")
    assert Person.objects.count() == 0


@pytest.mark.usefixtures("registered")
def test_a_directory_names_everything_it_does_not_import(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", [lines.person()])
    secret = tmp_path.parent / f"{tmp_path.name}-secret.txt"
    secret.write_text('{"not": "a feed"}\n')
    (tmp_path / "b.jsonl").symlink_to(secret)
    (tmp_path / "truth").mkdir()
    write_jsonl(tmp_path / "truth" / "people.jsonl", [lines.person("P-9")])
    (tmp_path / "manifest.json").write_text("{}")
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "old.jsonl.rejects.jsonl").write_text("{}\n")
    os.mkfifo(tmp_path / "pipe.jsonl")

    out, _ = run_command("import", str(tmp_path))

    assert out.splitlines()[2:] == [
        "a.jsonl  all lines     1        1           0          0         0  imported",
        "",
        "Not imported:",
        f"  {tmp_path}/b.jsonl: a symbolic link (links are not followed)",
        f"  {tmp_path}/manifest.json: not a feed file (.jsonl or .csv)",
        f"  {tmp_path}/notes.txt: not a feed file (.jsonl or .csv)",
        f"  {tmp_path}/old.jsonl.rejects.jsonl: a reject report",
        f"  {tmp_path}/pipe.jsonl: not a regular file",
        f"  {tmp_path}/truth: a directory (only the files directly in it are imported)",
    ]
    assert list(SourceRecord.objects.values_list("source_id", flat=True)) == ["P-1001"]


@pytest.mark.usefixtures("registered")
@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("empty.jsonl", ""),
        ("blank.jsonl", "\n  \n\n"),
        ("header.jsonl", '{"format": "sightline/1"}\n'),
        ("header.csv", "format,kind,source,source_id\n"),
    ],
)
def test_an_empty_file_is_reported_as_such(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text)
    out, _ = run_command("import", str(tmp_path / name))
    assert out.splitlines()[2].split(maxsplit=2) == [name, "all", "lines     0        0 "
        "          0          0         0  empty file: nothing to import"]  # fmt: skip
    assert ImportBatch.objects.count() == 0

    write_jsonl(tmp_path / "other.jsonl", [lines.person()])
    out, _ = run_command("import", str(tmp_path))
    results = [line.split()[0] + " " + line.split()[-1] for line in out.splitlines()[2:]]
    assert results == [
        f"{name} import",
        "other.jsonl imported",
    ]
    assert ImportBatch.objects.filter(filename__endswith=name).count() == 0


# -- the reject report ------------------------------------------------------------------------------


@pytest.mark.usefixtures("registered")
def test_a_reject_report_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "police.jsonl", [lines.person(sex="M")])
    report = tmp_path / "police.jsonl.rejects.jsonl"
    with pytest.raises(CommandError):
        run_command("import", str(path))
    assert stat.S_IMODE(report.stat().st_mode) == 0o600

    report.chmod(0o644)  # a report left by an earlier import, readable by everyone
    with pytest.raises(CommandError):
        run_command("import", str(path))
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert len(report.read_text().splitlines()) == 1


@pytest.mark.usefixtures("registered")
def test_a_reject_report_is_never_written_through_a_link(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "police.jsonl", [lines.person(sex="M")])
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me\n")
    (tmp_path / "police.jsonl.rejects.jsonl").symlink_to(precious)
    with pytest.raises(CommandError, match="the reject report's path is a symbolic link"):
        run_command("import", str(path))
    assert precious.read_text() == "keep me\n"
    assert ImportBatch.objects.get().status == "rejected"
