"""`sightline replay`: the command as a user runs it (call_command), on small feeds written here.
The review feeds' own tests are in tests/replay_feeds/."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given, settings
from hypothesis import strategies as st

from sightline import cli
from sightline.chronology.models import ChronologyEntry
from sightline.people.models import Person
from sightline.records.models import SourceSystem

pytestmark = pytest.mark.slow

PERSON = {
    "format": "sightline/1",
    "kind": "person",
    "source": "town-police",
    "source_id": "P-1",
    "agency": "police",
    "given_names": "Robin",
    "family_name": "Tamsett",
    "birth_date": "2008-05-17",
    "sex": "female",
}


def _missing(n: int, day: str) -> dict[str, Any]:
    return {
        "format": "sightline/1",
        "kind": "entry",
        "source": "town-police",
        "source_id": f"M-{n}",
        "agency": "police",
        "type": "missing_episode",
        "occurred_at": f"{day}T21:00",
        "ended_at": f"{day}T23:30",
        "recorded_at": f"{day}T23:45",
        "subjects": [{"source_id": "P-1", "role": "subject"}],
        "summary": "Reported missing by her mother.",
        "grade": "fact",
        "sensitivity": "standard",
    }


def _feed(directory: Path, lines: list[dict[str, Any]], name: str = "police.jsonl") -> Path:
    path = directory / name
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    days = ["2023-03-04", "2023-03-18", "2023-04-01"]
    return _feed(tmp_path, [PERSON, *(_missing(i, d) for i, d in enumerate(days))])


def _replay(*args: str, **options: Any) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("replay", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_json_report_names_each_alert_its_evidence_and_never_touches_the_database(
    feed: Path,
) -> None:
    before = (SourceSystem.objects.count(), Person.objects.count(), ChronologyEntry.objects.count())
    text, _ = _replay(str(feed), format="json")
    report = json.loads(text)
    assert report["format"] == "sightline-replay/1"
    assert (report["from"], report["to"]) == ("2023-03-04", "2023-04-01")
    (person,) = report["people"]
    assert person["records"] == [{"source": "town-police", "source_id": "P-1"}]
    by_rule = {a["rule"]: a for a in person["alerts"]}
    escalating = by_rule["missing-escalating"]
    assert escalating["first_raised_on"] == "2023-04-01"
    assert [(e["source"], e["source_id"]) for e in escalating["evidence"]] == [
        ("town-police", "M-0"),
        ("town-police", "M-1"),
        ("town-police", "M-2"),
    ]
    assert escalating["explanation"]
    assert escalating["prompt"]
    # The user's database (the test database here) is as it was: no source, person or entry.
    after = (SourceSystem.objects.count(), Person.objects.count(), ChronologyEntry.objects.count())
    assert after == before


def test_the_text_report_is_a_timeline_per_child(feed: Path, tmp_path: Path) -> None:
    out = tmp_path / "replay.txt"
    said, _ = _replay(str(feed.parent), out=out)
    assert "Wrote the replay of 1 people" in said
    text = out.read_text("utf-8")
    assert "Robin Tamsett, born 17 May 2008" in text
    assert "2023-04-01  HIGH      Missing episodes are escalating [missing-escalating v1]" in text
    assert "Consider:" in text
    assert "- 4 March 2023, police, missing_episode (town-police M-0)" in text


def test_the_window_bounds_what_is_replayed(feed: Path) -> None:
    report = json.loads(_replay(str(feed), format="json", start="2023-03-10", end="2023-03-31")[0])
    assert (report["from"], report["to"]) == ("2023-03-10", "2023-03-31")
    (person,) = report["people"]
    assert "missing-escalating" not in {a["rule"] for a in person["alerts"]}


def test_a_bad_line_stops_the_replay_naming_file_line_and_field(tmp_path: Path) -> None:
    bad = dict(_missing(1, "2023-03-04"), occurred_at="2023-02-30")
    path = _feed(tmp_path, [PERSON, bad])
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was replayed") as raised:
        call_command("replay", str(path), stdout=io.StringIO(), stderr=err)
    assert raised.value.returncode == 2
    assert "police.jsonl:2: occurred_at: is not a real date" in err.getvalue()


def test_a_source_nobody_registered_is_replayed_as_kind_other(tmp_path: Path) -> None:
    # Entries name their own agency: a school's exclusion from a source of kind `other`.
    lines = [
        dict(PERSON, source="made-up-feed", agency="school"),
        dict(
            _missing(1, "2023-03-04"),
            source="made-up-feed",
            agency="school",
            type="school_exclusion",
        ),
    ]
    report = json.loads(_replay(str(_feed(tmp_path, lines)), format="json")[0])
    (person,) = report["people"]
    assert person["records"] == [{"source": "made-up-feed", "source_id": "P-1"}]


def test_the_throwaway_directory_is_removed(
    feed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    _replay(str(feed), format="json")
    assert list(scratch.iterdir()) == []


def test_paths_and_dates_are_checked_before_anything_runs(tmp_path: Path, feed: Path) -> None:
    with pytest.raises(CommandError, match="no such file or directory"):
        _replay(str(tmp_path / "nowhere.jsonl"))
    with pytest.raises(CommandError, match="not a date"):
        _replay(str(feed), start="4 March 2023")
    with pytest.raises(CommandError, match="before --from"):
        _replay(str(feed), start="2023-03-10", end="2023-03-01")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CommandError, match="No feed files"):
        _replay(str(tmp_path / "empty"))
    with pytest.raises(CommandError, match="no such rule directory"):
        _replay(str(feed), rules=[tmp_path / "no-rules"])


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=30))
def test_any_date_text_is_a_date_or_a_clear_error(text: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        missing = Path(directory) / "absent.jsonl"  # never replayed: the path is checked next
        with pytest.raises(CommandError):
            _replay(str(missing), start=text)


def test_the_command_is_listed_by_sightline() -> None:
    assert cli.COMMANDS["replay"][0] == "replay"
