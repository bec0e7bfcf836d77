"""CSV feeds: the same lines as JSON Lines, flattened (docs/exchange-format.md#csv)."""

from __future__ import annotations

from pathlib import Path

import orjson

from sightline.records.ingest.sources import open_feed
from sightline.records.ingest.validate import canonical_hash
from sightline.records.tests import lines
from sightline.records.tests.conftest import write_csv, write_jsonl


def read(path: Path) -> list[tuple[int, object, str | None]]:
    return [
        (raw.line_no, raw.obj, f"{raw.error.field}: {raw.error.reason}" if raw.error else None)
        for raw in open_feed(path)
    ]


def test_a_flattened_line_reads_back_as_the_json_line(tmp_path: Path) -> None:
    person, entry = lines.person(), lines.entry()
    entry["intelligence_grade"] = None
    people = read(write_csv(tmp_path / "people.csv", "person", [person]))
    entries = read(write_csv(tmp_path / "entries.csv", "entry", [entry]))
    [(line_no, obj, error)] = people
    assert (line_no, error) == (2, None)
    assert canonical_hash(obj) == canonical_hash(person)  # type: ignore[arg-type]
    [(_, obj, _)] = entries
    assert obj["intelligence_grade"] is None  # type: ignore[index]
    assert obj["location"] == {"postcode": "B1 1AA", "label": None}  # type: ignore[index]
    assert canonical_hash(obj) == canonical_hash(entry)  # type: ignore[arg-type]


def test_cells(tmp_path: Path) -> None:
    path = tmp_path / "involvements.csv"
    path.write_text(
        "\ufeffkind,format,source,source_id,person,agency,team,practitioner.name,"
        "practitioner.role,practitioner.email,practitioner.phone,is_lead,from,to\n"
        "involvement,sightline/1,police,I-1,P-1,police,,,,,,TRUE,2019-09-01,\n"
        "involvement,sightline/1,police,I-2,P-1,police,Team A,Sam,,,,false,2019-09-01,\n",
        encoding="utf-8",
    )
    [(_, first, _), (_, second, _)] = read(path)
    assert first == {
        "kind": "involvement",
        "format": "sightline/1",
        "source": "police",
        "source_id": "I-1",
        "person": "P-1",
        "agency": "police",
        "team": None,
        "practitioner": None,
        "is_lead": True,
        "from": "2019-09-01",
        "to": None,
    }
    assert second["practitioner"] == {  # type: ignore[index]
        "name": "Sam",
        "role": None,
        "email": None,
        "phone": None,
    }
    assert second["is_lead"] is False  # type: ignore[index]


def test_line_numbers_count_physical_lines(tmp_path: Path) -> None:
    path = tmp_path / "entries.csv"
    path.write_text(
        "format,kind,source,source_id,summary\n"
        'sightline/1,entry,police,E-1,"Two\nlines"\n'
        "\n"
        "sightline/1,entry,police,E-2,One line\n",
        encoding="utf-8",
    )
    assert [(n, obj["summary"]) for n, obj, _ in read(path)] == [  # type: ignore[index]
        (2, "Two\nlines"),
        (5, "One line"),
    ]


def test_problems_of_shape(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(
        "format,kind,source,source_id,other_names\n"
        'sightline/1,person,police,P-1,["Jim"]\n'
        "sightline/1,person,police,P-2\n"
        "sightline/1,person,police,P-3,Jim Smith\n"
        "sightline/1,entry,police,E-1,\n",
        encoding="utf-8",
    )
    assert [(n, error) for n, _, error in read(path)] == [
        (2, None),
        (3, "line: has 4 cells but the header has 5"),
        (4, 'other_names: must be a JSON array in its cell, like ["Jim Smith"]'),
        (5, "kind: this CSV file holds person lines (one kind per file)"),
    ]


def test_raw_text_and_payload(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "people.csv", "person", [lines.person()])
    [raw] = list(open_feed(path))
    assert raw.text.startswith("sightline/1,person,police,P-1001,")
    assert orjson.loads(raw.payload)["identifiers"]["nhs_number"] == "9434765919"


def test_text_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(b"format,kind\nsightline/1,person\n\xff\xfe,person\n")
    errors = [error for _, _, error in read(path) if error]
    assert errors == ["file: is not UTF-8 text"]


# -- reading a file for its person lines only (an import's people phase) -----------------------


def test_a_csv_file_of_other_lines_is_not_parsed_for_person_lines(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "entries.csv", "entry", [lines.entry(f"E-{i}") for i in range(50)])
    whole, wanted = open_feed(path), open_feed(path, persons_only=True)
    assert len(list(whole)) == 50
    assert list(wanted) == []  # the first row tells the kind: not person
    assert (wanted.bytes_read, wanted.sha256()) == (path.stat().st_size, whole.sha256())


def test_a_csv_file_of_person_lines_gives_them_all(tmp_path: Path) -> None:
    people = [lines.person(f"P-{i}") for i in range(5)]
    path = write_csv(tmp_path / "people.csv", "person", people)
    assert [raw.obj["source_id"] for raw in open_feed(path, persons_only=True)] == [
        f"P-{i}" for i in range(5)
    ]


def test_a_csv_file_whose_first_row_names_no_kind_still_gives_its_person_lines(
    tmp_path: Path,
) -> None:
    people = [lines.person("P-0", kind=None), lines.person("P-1"), lines.person("P-2")]
    path = write_csv(tmp_path / "people.csv", "person", people)
    assert [(raw.line_no, raw.obj["kind"]) for raw in open_feed(path, persons_only=True)] == [
        (2, None),
        (3, "person"),
        (4, "person"),
    ]


def test_a_json_lines_file_read_for_person_lines_skips_only_lines_that_cannot_be(
    tmp_path: Path,
) -> None:
    escaped = orjson.dumps(lines.person("P-2")).decode().replace('"person"', '"\\u0070erson"')
    path = write_jsonl(
        tmp_path / "police.jsonl",
        [
            {"format": "sightline/1"},  # a header: read, whatever it holds
            lines.entry("E-1"),
            lines.person("P-1"),
            escaped,
            "not JSON",
            lines.entry("E-2", summary="a person was seen"),  # says "person": parsed, passed on
        ],
    )
    whole, wanted = open_feed(path), open_feed(path, persons_only=True)
    all_lines = list(whole)
    got = [(raw.line_no, raw.obj["kind"]) for raw in wanted]
    assert got == [(3, "person"), (4, "person"), (6, "entry")]
    assert wanted.default_format == "sightline/1"
    assert (wanted.bytes_read, wanted.sha256()) == (whole.bytes_read, whole.sha256())
    assert len(all_lines) == 5
