"""Every change to a child's story is announced once, after it commits, with the entries and
people it touched (chronology.signals.story_changed): an import batch, an entry recorded or
corrected, a merge, a split. Nothing is announced for a change that rolls back."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from sightline.agencies.models import Agency
from sightline.agencies.tests.factories import practitioner
from sightline.chronology import services
from sightline.chronology.models import ChronologyEntry, EntrySubject
from sightline.chronology.services import EntryFields, entry_correct, entry_record
from sightline.chronology.signals import story_changed
from sightline.core.actors import IMPORTER, LINKER
from sightline.core.dates import PartialDate, Precision
from sightline.core.errors import ValidationFailed
from sightline.governance import access
from sightline.governance.models import AccessGrant
from sightline.identity.merging import MergeEvidence, person_merge, person_split
from sightline.people.models import Person
from sightline.records.ingest.pipeline import ImportOptions, import_file
from sightline.records.models import SourceRecord
from sightline.records.services import source_system_register
from sightline.records.tests import lines
from sightline.records.tests.conftest import write_jsonl

pytestmark = pytest.mark.django_db

Heard = list[dict[str, Any]]


@pytest.fixture
def heard() -> Iterator[Heard]:
    got: Heard = []

    def receiver(sender: Any, signal: Any, **kwargs: Any) -> None:
        got.append(kwargs)

    story_changed.connect(receiver)
    try:
        yield got
    finally:
        story_changed.disconnect(receiver)


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """after_commit() as a context: what commits inside it runs its on-commit callbacks at the
    end, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def feeds(db: Any) -> None:
    for code, kind in (("police", "police"), ("health", "health_gp")):
        source_system_register(actor=IMPORTER, code=code, name=f"{code} records", agency_kind=kind)


def entry_ids_of(person: Person) -> tuple[int, ...]:
    return tuple(
        sorted(EntrySubject.objects.filter(person=person).values_list("entry_id", flat=True))
    )


def person_of(feed: str, key: str) -> Person:
    record = SourceRecord.objects.get(source_system__code=feed, source_id=key, is_current=True)
    assert record.person is not None
    return record.person


def import_(path: Path) -> str:
    out = io.StringIO()
    call_command("import", str(path), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def police_feed(tmp_path: Path, *, summary: str = "Reported missing overnight.") -> Path:
    return write_jsonl(
        tmp_path / "police.jsonl",
        [
            lines.person("P-1", "police"),
            lines.person("P-2", "police", given_names="Casey", identifiers={"nhs_number": None}),
            lines.entry("E-1", "police", "P-1", summary=summary),
            lines.entry("E-2", "police", "P-1", type="police_incident"),
            lines.entry("E-3", "police", "P-2"),
        ],
    )


# --- imports ---------------------------------------------------------------------------------


def test_an_import_announces_its_batch_once_after_commit(feeds, tmp_path, heard, after_commit):
    with after_commit():
        import_(police_feed(tmp_path))
        assert heard == [], "not before the batch has committed"
    [told] = heard
    first, second = person_of("police", "P-1"), person_of("police", "P-2")
    assert told["cause"] == "imported"
    assert told["entry_ids"] == tuple(sorted(ChronologyEntry.objects.values_list("pk", flat=True)))
    assert len(told["entry_ids"]) == 3
    assert told["person_ids"] == tuple(sorted((first.pk, second.pk)))
    assert told["batch_id"] == SourceRecord.objects.get(source_id="E-1").batch_id


def test_a_batch_written_in_many_chunks_is_still_one_announcement(
    feeds, tmp_path, heard, after_commit
):
    children = [lines.person(f"P-{n}", "police", identifiers={}) for n in range(5)]
    entries = [lines.entry(f"E-{n}", "police", f"P-{n % 5}") for n in range(12)]
    path = write_jsonl(tmp_path / "police.jsonl", [*children, *entries])
    with after_commit():
        result = import_file(path, actor=IMPORTER, options=ImportOptions(chunk_size=2))
    assert result.status == "imported"
    [told] = heard
    assert len(told["entry_ids"]) == 12
    assert len(told["person_ids"]) == 5


def test_a_refused_file_and_an_unchanged_one_announce_nothing(feeds, tmp_path, heard, after_commit):
    bad = write_jsonl(
        tmp_path / "bad.jsonl",
        [lines.person("P-1", "police"), lines.entry("E-1", "police", "P-1", sensitivity="BOGUS")],
    )
    with after_commit(), pytest.raises(CommandError, match="1 file refused"):
        import_(bad)
    assert heard == []
    assert not ChronologyEntry.objects.exists()

    path = police_feed(tmp_path)
    with after_commit():
        import_(path)
    with after_commit():
        import_(path)  # the same lines again: nothing changes, so nothing is announced
    assert len(heard) == 1


def test_a_re_sent_line_announces_its_new_version(feeds, tmp_path, heard, after_commit):
    with after_commit():
        import_(police_feed(tmp_path))
        import_(police_feed(tmp_path, summary="Reported missing overnight; found next day."))
    assert [h["cause"] for h in heard] == ["imported", "imported"]
    new = ChronologyEntry.objects.get(summary__endswith="found next day.")
    assert heard[1]["entry_ids"] == (new.pk,)
    assert heard[1]["person_ids"] == (person_of("police", "P-1").pk,)


# --- by hand ---------------------------------------------------------------------------------


@pytest.fixture
def child_and_worker(feeds, tmp_path) -> tuple[Person, Any]:
    import_(police_feed(tmp_path))
    child = person_of("police", "P-1")
    csc = Agency.objects.create(code="csc", name="Social care", kind="childrens_social_care")
    access.grant(person_id=child.pk, agency_id=csc.pk, basis=AccessGrant.Basis.INVOLVEMENT)
    return child, practitioner("social_worker", agency=csc)


def fields(summary: str = "Home visit. Seen alone.") -> EntryFields:
    when = timezone.now() - dt.timedelta(days=1)
    return EntryFields(
        type="home_visit", occurred=PartialDate(when, Precision.DAY, False), summary=summary
    )


def test_recording_and_correcting_each_announce_once(child_and_worker, heard, after_commit):
    child, worker = child_and_worker
    with after_commit():
        entry = entry_record(actor=worker, person=child, fields=fields())
        assert heard == []
    with after_commit():
        new = entry_correct(
            actor=worker, entry=entry, reason="Wrong room.", fields=fields("Seen in the kitchen.")
        )
    assert heard == [
        {
            "cause": "recorded",
            "entry_ids": (entry.pk,),
            "person_ids": (child.pk,),
            "batch_id": None,
            "merge_id": None,
        },
        {
            "cause": "corrected",
            "entry_ids": (new.pk,),
            "person_ids": (child.pk,),
            "batch_id": None,
            "merge_id": None,
        },
    ]


def test_a_recording_or_correction_that_rolls_back_announces_nothing(
    child_and_worker, heard, after_commit, monkeypatch
):
    child, worker = child_and_worker

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services.audit, "record", broken)
    with after_commit(), pytest.raises(RuntimeError):
        entry_record(actor=worker, person=child, fields=fields())
    monkeypatch.undo()
    with after_commit(), transaction.atomic():
        entry = entry_record(actor=worker, person=child, fields=fields())
        entry_correct(actor=worker, entry=entry, reason="Typo.", fields=fields("Seen alone."))
        transaction.set_rollback(True)  # the request failed after recording and correcting
    assert heard == []
    assert not ChronologyEntry.objects.filter(author=worker).exists()


# --- merges and splits ---------------------------------------------------------------------------


def test_a_merge_and_its_split_each_announce_once(feeds, tmp_path, heard, after_commit):
    import_(police_feed(tmp_path))
    health = write_jsonl(
        tmp_path / "health.jsonl",
        [
            lines.person("H-1", "health", identifiers={}),
            lines.entry("HE-1", "health", "H-1", agency="health_gp", type="gp_attendance"),
        ],
    )
    import_(health)
    survivor, merged = person_of("police", "P-1"), person_of("health", "H-1")
    theirs = entry_ids_of(merged)
    with after_commit():
        merge = person_merge(
            actor=LINKER, survivor=survivor, merged=merged, evidence=MergeEvidence("probabilistic")
        )
        assert heard == []
    assert heard == [
        {
            "cause": "merged",
            "entry_ids": theirs,
            "person_ids": tuple(sorted((survivor.pk, merged.pk))),
            "batch_id": None,
            "merge_id": merge.pk,
        }
    ]
    with after_commit(), transaction.atomic():
        person_split(actor=LINKER, merge=merge, reason="Two children.")
        transaction.set_rollback(True)  # undone: nothing is announced
    assert len(heard) == 1
    with after_commit():
        person_split(actor=LINKER, merge=merge, reason="Two children.")
    assert heard[1]["cause"] == "split"
    assert heard[1]["entry_ids"] == theirs
    assert heard[1]["merge_id"] == merge.pk
    assert len(heard) == 2


def test_a_refused_merge_announces_nothing(feeds, tmp_path, heard, after_commit):
    import_(police_feed(tmp_path))
    other = write_jsonl(
        tmp_path / "health.jsonl",
        [
            lines.person("H-1", "health", identifiers={"nhs_number": "4010232137"}),
            lines.entry("HE-1", "health", "H-1", agency="health_gp", type="gp_attendance"),
        ],
    )
    import_(other)
    a, b = person_of("police", "P-1"), person_of("health", "H-1")
    assert a.pk != b.pk
    with after_commit(), pytest.raises(ValidationFailed):
        person_merge(actor=LINKER, survivor=a, merged=b, evidence=MergeEvidence("probabilistic"))
    assert heard == []
