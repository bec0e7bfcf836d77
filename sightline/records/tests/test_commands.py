"""`sightline import` and `sightline sources`, through call_command and as the real program."""

from __future__ import annotations

import io
import itertools
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from sightline.agencies.models import Agency
from sightline.governance.models import AuditEvent
from sightline.people.models import Person
from sightline.records.models import ImportBatch, SourceRecord, SourceSystem
from sightline.records.tests import lines
from sightline.records.tests.conftest import write_csv, write_jsonl

ChronologyEntry: Any = apps.get_model("chronology", "ChronologyEntry")  # beside records: looked up
ROOT = Path(__file__).resolve().parents[3]
SIGHTLINE = ROOT / ".venv" / "bin" / "sightline"


def run_command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# -- sources ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sources_add_and_list() -> None:
    out, _ = run_command(
        "sources",
        "add",
        "police",
        "--agency-kind",
        "police",
        "--name",
        "Police RMS",
        "--organisation",
        "Hallowford Constabulary",
    )
    assert out.strip() == (
        "Registered police (Police RMS), held by Hallowford Constabulary; access: agency."
    )
    agency = Agency.objects.get(name="Hallowford Constabulary")
    assert (agency.code, agency.kind) == ("hallowford-constabulary", "police")
    run_command(
        "sources", "add", "camhs", "--agency-kind", "camhs", "--name", "CAMHS", "--access", "team"
    )
    assert Agency.objects.get(code="camhs").name == "Child and adolescent mental health services"
    assert SourceSystem.objects.get(code="camhs").access_scope == "team"
    assert AuditEvent.objects.filter(action="source_registered").count() == 2

    out, _ = run_command("sources", "list")
    rows = out.splitlines()
    assert rows[0].split() == ["Code", "Name", "Agency", "Kind", "Access", "Records"]
    assert rows[2].startswith("camhs ")
    assert rows[3].startswith("police ")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["police", "--agency-kind", "cops", "--name", "P"],
            "agency_kind: cops is not an agency kind; see `sightline sources kinds`",
        ),
        (["Police!", "--agency-kind", "police", "--name", "P"], "code: must be lower-case"),
    ],
)
def test_sources_add_refuses_in_one_line(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match="The source could not be registered") as raised:
        run_command("sources", "add", *args)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.mark.django_db
def test_a_source_code_is_registered_once() -> None:
    run_command("sources", "add", "police", "--agency-kind", "police", "--name", "P")
    with pytest.raises(CommandError, match="a source called police is already registered"):
        run_command("sources", "add", "police", "--agency-kind", "police", "--name", "P")


@pytest.mark.django_db
def test_sources_kinds_lists_the_vocabulary() -> None:
    out, _ = run_command("sources", "kinds")
    assert "child_exploitation_team" in out
    assert len(out.splitlines()) == 24


# -- import -------------------------------------------------------------------------------------


@pytest.fixture
def registered(db: Any) -> None:
    run_command("sources", "add", "police", "--agency-kind", "police", "--name", "Police")
    run_command("sources", "add", "schools", "--agency-kind", "school", "--name", "Schools")


@pytest.mark.usefixtures("registered")
def test_import_prints_a_summary(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "police.jsonl", [lines.person(), lines.entry()])
    out, err = run_command("import", str(path))
    assert out.splitlines() == [
        "File          Lines      Read  Created  Superseded  Unchanged  Rejected  Result",
        "------------  ---------  ----  -------  ----------  ---------  --------  --------",
        "police.jsonl  all lines     2        2           0          0         0  imported",
    ]
    assert err == ""


@pytest.mark.usefixtures("registered")
def test_a_refused_file_fails_with_every_error(tmp_path: Path) -> None:
    bad = [lines.entry(f"E-{i}", occurred_at="soon") for i in range(60)]
    path = write_jsonl(tmp_path / "police.jsonl", [lines.person(), *bad])
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import", str(path), "--quiet", stdout=io.StringIO(), stderr=err)
    assert str(raised.value).startswith(
        "1 file refused (police.jsonl): nothing from it was imported."
    )
    printed = err.getvalue().splitlines()
    assert printed[0] == "police.jsonl: refused: 60 problem(s)"
    assert printed[1] == (
        "  police.jsonl:2: occurred_at: must be a year, year-month or date, "
        "like 2019, 2019-03 or 2019-03-04"
    )
    assert len([p for p in printed if p.startswith("  police.jsonl:")]) == 50
    assert "  … and 10 more." in printed
    assert printed[-1] == f"  Every problem, with the line as received: {path}.rejects.jsonl"
    assert Person.objects.count() == 0
    assert ImportBatch.objects.get().status == "rejected"


@pytest.mark.usefixtures("registered")
def test_accept_valid_imports_the_rest_and_succeeds(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "police.jsonl", [lines.person(), lines.entry(type="bad")])
    reports = tmp_path / "reports"
    reports.mkdir()
    out, err = run_command("import", str(path), "--accept-valid", "--rejects", str(reports))
    assert "police.jsonl  all lines     2        1" in out
    assert "police.jsonl: imported without these lines: 1 problem(s)" in err
    assert (reports / "police.jsonl.rejects.jsonl").exists()
    assert Person.objects.count() == 1


@pytest.mark.usefixtures("registered")
def test_a_directory_is_imported_people_first(tmp_path: Path) -> None:
    # "a-entries" sorts before "b-people": without people first, its entry would be refused.
    write_jsonl(tmp_path / "a-entries.jsonl", [lines.entry(), lines.person("P-2")])
    write_jsonl(tmp_path / "b-people.jsonl", [lines.person()])
    write_csv(tmp_path / "schools.csv", "person", [lines.person("S-1", "schools")])
    (tmp_path / "old.jsonl.rejects.jsonl").write_text("{}\n")
    (tmp_path / "notes.txt").write_text("not a feed")

    out, _ = run_command("import", str(tmp_path), "--quiet")

    assert out == ""
    batches = list(ImportBatch.objects.order_by("id").values_list("filename", "phase", "status"))
    assert [(Path(f).name, p, s) for f, p, s in batches] == [
        ("a-entries.jsonl", "people", "imported"),
        ("b-people.jsonl", "people", "imported"),
        ("schools.csv", "people", "imported"),
        ("a-entries.jsonl", "rest", "imported"),
    ]
    assert ChronologyEntry.objects.count() == 1
    assert Person.objects.count() == 1  # the three person lines share a valid NHS number


@pytest.mark.usefixtures("registered")
def test_a_directory_finds_person_lines_however_they_are_written(tmp_path: Path) -> None:
    # The people phase skips lines that cannot be person lines without parsing them; a kind
    # written with JSON escapes is still a person line, and a CSV file holds one kind.
    escaped = orjson.dumps(lines.person()).decode().replace('"person"', '"\\u0070erson"')
    write_jsonl(tmp_path / "a-entries.jsonl", [lines.entry("E-1"), escaped])
    write_csv(tmp_path / "b-entries.csv", "entry", [lines.entry("E-2"), lines.entry("E-3")])
    # A CSV file's kind is told by its first row that names one.
    school = [lines.person("S-0", "police", kind=None), lines.person("S-1", "police")]
    write_csv(tmp_path / "c-people.csv", "person", school)

    run_command("import", str(tmp_path), "--quiet", "--accept-valid")

    batches = list(ImportBatch.objects.order_by("id").values_list("filename", "phase", "status"))
    assert [(Path(f).name, p, s) for f, p, s in batches] == [
        ("a-entries.jsonl", "people", "imported"),
        ("c-people.csv", "people", "imported"),
        ("a-entries.jsonl", "rest", "imported"),
        ("b-entries.csv", "rest", "imported"),
        ("c-people.csv", "rest", "imported"),
    ]
    assert ChronologyEntry.objects.count() == 3
    assert SourceRecord.objects.filter(kind="person").count() == 2  # P-1001 and S-1


@pytest.mark.django_db
def test_import_errors_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"^.*missing\.jsonl: no such file or directory$"):
        run_command("import", str(tmp_path / "missing.jsonl"))
    with pytest.raises(CommandError, match="No active user nobody"):
        run_command("import", str(tmp_path), "--user", "nobody")
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    with pytest.raises(
        CommandError, match=r"notes\.txt: not a feed file \(expected \.jsonl or \.csv\)$"
    ):
        run_command("import", str(notes))


# -- the real program ---------------------------------------------------------------------------


@pytest.fixture
def program_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """An environment for running `sightline` in a subprocess against a database of its own:
    a SQLite file under tmp_path, or, when the tests run on PostgreSQL, a new database on the
    same server (dropped afterwards)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SIGHTLINE_VAR_DIR"] = str(tmp_path / "var")
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    env["IDENTITY_LINK_ON_IMPORT"] = "0"  # these tests are about importing; linking has its own
    name = None
    url = os.environ.get("DATABASE_URL", "")
    if connection.vendor == "postgresql" and url:
        name = f"sightline_cli_{uuid.uuid4().hex[:10]}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = url.rsplit("/", 1)[0] + f"/{name}"
    subprocess.run(  # noqa: S603 (our own program)
        [str(SIGHTLINE), "migrate", "-v0"], env=env, check=True, capture_output=True
    )
    yield env
    if name:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sightline(env: dict[str, str], *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own program)
        [str(SIGHTLINE), *args], env=env, capture_output=True, text=True, timeout=300, **kwargs
    )


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def running(pid: int) -> bool:
    """Whether the process is alive (an ended one not yet reaped is a zombie, "Z")."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def count_in(env: dict[str, str], sql: str) -> int:
    code = (
        "import django; django.setup(); from django.db import connection; "
        f"c = connection.cursor(); c.execute({sql!r}); print(c.fetchone()[0])"
    )
    done = subprocess.run(  # noqa: S603 (our own code)
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return int(done.stdout.strip())


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_sightline_program_imports(program_env: dict[str, str], tmp_path: Path) -> None:
    helped = sightline(program_env, "import", "--help")
    assert helped.returncode == 0
    assert "usage: sightline import [-h] [--accept-valid] [--rejects PATH]" in helped.stdout
    assert "--accept-valid" in helped.stdout

    added = sightline(
        program_env, "sources", "add", "police", "--agency-kind", "police", "--name", "P"
    )
    assert added.returncode == 0, added.stderr
    path = write_jsonl(tmp_path / "police.jsonl", [lines.person(), lines.entry()])
    done = sightline(program_env, "import", str(path))
    assert done.returncode == 0, done.stderr
    assert "police.jsonl  all lines     2        2" in done.stdout

    bad = write_jsonl(tmp_path / "bad.jsonl", [lines.entry("E-9", type="nope")])
    refused = sightline(program_env, "import", str(bad))
    assert refused.returncode == 1
    assert "bad.jsonl:1: type: is not a known entry type" in refused.stderr
    assert "Traceback" not in refused.stderr


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_killed_import_leaves_nothing_and_running_it_again_completes_it(
    program_env: dict[str, str], tmp_path: Path
) -> None:
    people = [lines.person(f"P-{i}", **{"identifiers.nhs_number": None}) for i in range(3000)]
    entries = [lines.entry(f"E-{i}", "police", f"P-{i % 3000}") for i in range(40_000)]
    path = write_jsonl(tmp_path / "police.jsonl", [*people, *entries])
    assert (
        sightline(
            program_env, "sources", "add", "police", "--agency-kind", "police", "--name", "P"
        ).returncode
        == 0
    )

    child = subprocess.Popen(  # noqa: S603 (our own program)
        [str(SIGHTLINE), "import", str(path), "--quiet"],
        env=program_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Kill it once it has been writing for a while (a CPU second), well before it could finish
    # and while its checking process (a file this size has one) is still ahead of it: the
    # checker runs only a few batches ahead, so it is still at work then.
    stat = Path(f"/proc/{child.pid}/stat")
    checkers: list[int] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and child.poll() is None:
        checkers = checkers or children_of(child.pid)
        ticks = sum(int(v) for v in stat.read_text().rsplit(")", 1)[1].split()[11:13])
        if checkers and ticks / os.sysconf("SC_CLK_TCK") > 1.0:
            break
        time.sleep(0.05)
    assert child.poll() is None, "the import finished before it could be killed"
    assert checkers, "the file was not checked in a second process"
    assert any(map(running, checkers)), "the checking process ended before the kill"
    child.send_signal(signal.SIGKILL)
    child.wait()
    # The checker ends on its own once the import has gone.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(map(running, checkers)):
        time.sleep(0.1)
    assert not any(map(running, checkers))

    for table in (
        "records_sourcerecord",
        "people_person",
        "chronology_chronologyentry",
        "records_importbatch",
    ):
        assert count_in(program_env, f"SELECT count(*) FROM {table}") == 0, table  # noqa: S608

    again = sightline(program_env, "import", str(path), "--quiet")
    assert again.returncode == 0, again.stderr
    assert count_in(program_env, "SELECT count(*) FROM records_sourcerecord") == 43_000
    assert count_in(program_env, "SELECT count(*) FROM chronology_chronologyentry") == 40_000
    assert (
        count_in(program_env, "SELECT count(*) FROM records_importbatch WHERE status = 'imported'")
        == 1
    )


ENTRY_VERSIONS = (
    "import django, json; django.setup(); from django.db import connection; "
    "c = connection.cursor(); c.execute('SELECT lineage, version, recorded_at, superseded_at, "
    "superseded_by_id, id FROM chronology_chronologyentry ORDER BY lineage, version'); "
    "print(json.dumps([[str(v) for v in row] for row in c.fetchall()]))"
)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_source_at_once_keep_every_entrys_history(
    program_env: dict[str, str], tmp_path: Path
) -> None:
    keys = range(400)
    first = [lines.person(), *(lines.entry(f"E-{i}") for i in keys)]
    later = [lines.entry(f"E-{i}", summary="Later.", recorded_at="2019-09-01") for i in keys]
    same = [lines.entry(f"E-{i}", summary="Same time.") for i in keys]
    write_jsonl(tmp_path / "first.jsonl", first)
    write_jsonl(tmp_path / "later.jsonl", later)
    write_jsonl(tmp_path / "same.jsonl", same)
    assert sightline(program_env, "sources", "add", "police", "--agency-kind", "police",
                     "--name", "P").returncode == 0  # fmt: skip
    assert sightline(program_env, "import", str(tmp_path / "first.jsonl")).returncode == 0

    both = [
        subprocess.Popen(  # noqa: S603 (our own program)
            [str(SIGHTLINE), "import", str(tmp_path / name), "--quiet"],
            env=program_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("later.jsonl", "same.jsonl")
    ]
    for process in both:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err

    rows = orjson.loads(
        subprocess.run(  # noqa: S603 (our own code)
            [sys.executable, "-c", ENTRY_VERSIONS],
            env=program_env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    by_lineage: dict[str, list[list[str]]] = {}
    for row in rows:
        by_lineage.setdefault(row[0], []).append(row)
    assert len(by_lineage) == len(keys)
    for versions in by_lineage.values():
        assert [int(v[1]) for v in versions] == [1, 2, 3]
        for earlier, later_version in itertools.pairwise(versions):
            assert earlier[2] < later_version[2] == earlier[3]  # closed when the next came
            assert earlier[4] == later_version[5]
        assert versions[-1][3] == "None"
    assert (
        count_in(program_env, "SELECT count(*) FROM records_sourcerecord WHERE is_current")
        == len(keys) + 1
    )


@pytest.mark.usefixtures("registered")
@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_an_import_gives_sqlite_table_statistics(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "police.jsonl", [lines.person(), lines.entry()])
    run_command("import", str(tmp_path / "police.jsonl"), "--quiet")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'chronology_entrysubject'")
        assert cursor.fetchone()[0] > 0
