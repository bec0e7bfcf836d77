"""Several files imported together: each file is imported whole or refused whole, whatever else
is imported with it (docs/adr/0012-what-an-import-promises.md)."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sightline.core.actors import IMPORTER
from sightline.governance.models import AccessGrant
from sightline.people.models import Person
from sightline.records.models import ImportBatch, SourceRecord, SourceSystem
from sightline.records.services import feeds_import
from sightline.records.tests import lines
from sightline.records.tests.conftest import write_jsonl

ChronologyEntry: Any = apps.get_model("chronology", "ChronologyEntry")  # beside records
EntrySubject: Any = apps.get_model("chronology", "EntrySubject")
Involvement: Any = apps.get_model("cases", "Involvement")

pytestmark = pytest.mark.django_db


def person(key: str) -> dict[str, Any]:
    # No NHS number: every person line is a person of its own (no linking across files).
    return lines.person(key, **{"identifiers.nhs_number": None})


def test_a_refused_file_leaves_nothing_when_imported_with_another(
    police: SourceSystem, tmp_path: Path
) -> None:
    write_jsonl(tmp_path / "feed.jsonl", [person("P-1"), lines.entry("E-1", sensitivity="BOGUS")])
    write_jsonl(tmp_path / "other.jsonl", [person("P-2"), lines.entry("E-2", "police", "P-2")])
    err = io.StringIO()

    with pytest.raises(CommandError) as raised:
        call_command(
            "import",
            str(tmp_path / "feed.jsonl"),
            str(tmp_path / "other.jsonl"),
            stdout=io.StringIO(),
            stderr=err,
        )

    held = set(SourceRecord.objects.values_list("source_id", flat=True))
    assert held == {"P-2", "E-2"}
    assert Person.objects.count() == 1
    assert str(raised.value).startswith(
        "1 file refused (feed.jsonl): nothing from it was imported."
    )
    assert "feed.jsonl:2: sensitivity: must be one of standard" in err.getvalue()
    assert set(AccessGrant.objects.values_list("person_id", flat=True)) == set(
        Person.objects.values_list("id", flat=True)
    )
    batches = ImportBatch.objects.values_list("filename", "phase", "status")
    assert sorted((Path(f).name, p, s) for f, p, s in batches) == [
        ("feed.jsonl", "rest", "rejected"),
        ("other.jsonl", "people", "imported"),
        ("other.jsonl", "rest", "imported"),
    ]


def test_the_summary_says_a_refused_files_person_lines_were_refused_too(
    police: SourceSystem, tmp_path: Path
) -> None:
    write_jsonl(tmp_path / "a.jsonl", [person("P-1"), lines.entry("E-1", type="nope")])
    write_jsonl(tmp_path / "b.jsonl", [person("P-2")])
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", str(tmp_path), stdout=out, stderr=io.StringIO())
    rows = [row.split() for row in out.getvalue().splitlines()[2:]]
    assert rows == [
        ["a.jsonl", "person", "lines", "1", "0", "0", "0", "0", "refused", "(its", "file", "was",
         "refused)"],
        ["b.jsonl", "person", "lines", "1", "1", "0", "0", "0", "imported"],
        ["a.jsonl", "other", "lines", "1", "0", "0", "0", "1", "refused"],
    ]  # fmt: skip


def test_a_line_naming_a_person_of_a_refused_file_is_refused_and_says_so(
    police: SourceSystem, tmp_path: Path
) -> None:
    write_jsonl(tmp_path / "a.jsonl", [person("P-1"), lines.entry("E-1", grade="rumour")])
    write_jsonl(tmp_path / "b.jsonl", [lines.entry("E-2", "police", "P-1")])

    results = feeds_import(actor=IMPORTER, paths=[tmp_path])

    assert {r.filename: r.status for r in results} == {"a.jsonl": "rejected", "b.jsonl": "rejected"}
    [b_rest] = [r for r in results if r.filename == "b.jsonl" and r.phase == "rest"]
    assert [(e.line, e.field, e.reason) for e in b_rest.errors] == [
        (1, "subjects[0].source_id", "person line P-1 is in a.jsonl (line 1), which was refused")
    ]
    assert SourceRecord.objects.count() == 0
    assert Person.objects.count() == 0


def test_accept_valid_reports_exactly_what_was_imported(
    police: SourceSystem, tmp_path: Path
) -> None:
    write_jsonl(tmp_path / "a.jsonl", [person("P-1"), lines.entry("E-1", sensitivity="BOGUS")])
    write_jsonl(tmp_path / "b.jsonl", [person("P-2"), lines.entry("E-2", "police", "P-2")])

    results = feeds_import(actor=IMPORTER, paths=[tmp_path], accept_valid=True)

    created = {(r.filename, r.phase): r.counts.created for r in results}
    assert created == {
        ("a.jsonl", "people"): 1,
        ("b.jsonl", "people"): 1,
        ("a.jsonl", "rest"): 0,
        ("b.jsonl", "rest"): 1,
    }
    assert set(SourceRecord.objects.values_list("source_id", flat=True)) == {"P-1", "P-2", "E-2"}


# -- the property: the database holds exactly the files reported imported ------------------------

DEFECTS = ["none", "none", "bad sensitivity", "bad person line", "unknown person", "bad date"]


@dataclass
class FeedFile:
    name: str
    people: list[str]
    entries: list[tuple[str, str]]  # (key, person key named)
    involvements: list[tuple[str, str]]
    defect: str
    lines: list[dict[str, Any]] = field(default_factory=list)

    def person_keys(self) -> set[str]:
        return set(self.people)


@st.composite
def feed_sets(draw: st.DrawFn) -> list[FeedFile]:
    count = draw(st.integers(2, 4))
    files = []
    for f in range(count):
        people = [f"P{f}-{j}" for j in range(draw(st.integers(0, 3)))]
        files.append(FeedFile(f"f{f}.jsonl", people, [], [], draw(st.sampled_from(DEFECTS))))
    everyone = [key for file in files for key in file.people]
    for f, file in enumerate(files):
        if everyone:
            for j in range(draw(st.integers(0, 3))):
                # Mostly the file's own people; sometimes a person sent in another file.
                own = bool(file.people) and draw(st.booleans())
                named = draw(st.sampled_from(file.people if own else everyone))
                file.entries.append((f"E{f}-{j}", named))
            if draw(st.booleans()):
                file.involvements.append((f"I{f}-0", draw(st.sampled_from(everyone))))
        file.lines = [person(key) for key in file.people]
        file.lines += [lines.entry(key, "police", named) for key, named in file.entries]
        file.lines += [lines.involvement(key, "police", named) for key, named in file.involvements]
        if file.defect == "bad sensitivity":
            file.lines.append(lines.entry(f"E{f}-x", "police", everyone[0] if everyone else "P",
                                          sensitivity="BOGUS"))  # fmt: skip
        elif file.defect == "bad person line":
            file.lines.append(lines.person(f"P{f}-x", birth_date="soon"))
        elif file.defect == "unknown person":
            file.lines.append(lines.entry(f"E{f}-x", "police", "P-nobody"))
        elif file.defect == "bad date":
            file.lines.append(lines.entry(f"E{f}-x", "police", "P", occurred_at="2019-02-30"))
        order = draw(st.permutations(range(len(file.lines))))
        file.lines = [file.lines[i] for i in order]
    return files


def expected_refused(files: list[FeedFile]) -> set[str]:
    """Files with a bad line, then every file naming a person only a refused file sends."""
    refused = {f.name for f in files if f.defect != "none"}
    while True:
        offered = {key for f in files if f.name not in refused for key in f.people}
        more = {
            f.name
            for f in files
            if f.name not in refused
            and any(named not in offered for _, named in [*f.entries, *f.involvements])
        }
        if not more:
            return refused
        refused |= more


def keys_of(file: FeedFile) -> set[str]:
    return {line["source_id"] for line in file.lines}


@contextmanager
def rolled_back() -> Iterator[None]:
    """Each example starts from the same database (the test's own transaction holds)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(files=feed_sets())
def test_the_database_holds_exactly_the_files_reported_imported(
    police: SourceSystem, files: list[FeedFile]
) -> None:
    with rolled_back(), tempfile.TemporaryDirectory() as folder:
        for file in files:
            write_jsonl(Path(folder) / file.name, file.lines)

        results = feeds_import(actor=IMPORTER, paths=[Path(folder)])

        statuses: dict[str, set[str]] = {}
        for result in results:
            statuses.setdefault(result.filename, set()).add(result.status)
        refused = {name for name, seen in statuses.items() if "rejected" in seen}
        # A file is reported one way: imported whole, or refused whole.
        assert all(
            seen in ({"imported"}, {"rejected"}, {"empty file"}) for seen in statuses.values()
        )
        assert refused == expected_refused(files)
        imported = [f for f in files if f.name not in refused]
        held = set(SourceRecord.objects.values_list("source_id", flat=True))
        assert held == {key for f in imported for key in keys_of(f)}
        assert Person.objects.count() == sum(len(f.people) for f in imported)
        people = set(Person.objects.values_list("id", flat=True))
        assert set(AccessGrant.objects.values_list("person_id", flat=True)) == people
        assert ChronologyEntry.objects.count() == sum(len(f.entries) for f in imported)
        assert set(EntrySubject.objects.values_list("person_id", flat=True)) <= people
        assert Involvement.objects.count() == sum(len(f.involvements) for f in imported)
        # Only refused batches are recorded as refused, and each with its own errors.
        assert {
            Path(name).name for name in ImportBatch.objects.filter(status="rejected").values_list(
                "filename", flat=True)
        } == refused  # fmt: skip
