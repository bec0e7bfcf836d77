"""The audit chain: a realistic mix of writes verifies; the database refuses UPDATE and DELETE;
an edited, deleted or inserted row is found and named; a rewrite of the whole table is found by
an exported head. Run on SQLite and on PostgreSQL (make test runs both)."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from pathlib import Path
from typing import Any, cast

import orjson
import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client

from sightline.agencies.tests.factories import practitioner
from sightline.chronology import services as chronology
from sightline.chronology.tests.factories import new_agency
from sightline.core.actors import IMPORTER, LINKER
from sightline.core.dates import parse_partial
from sightline.governance import access, audit, chain, triggers
from sightline.governance.audit import AuditAction
from sightline.governance.models import AuditChainHead, AuditEvent
from sightline.governance.tests import tampering
from sightline.people.models import Person
from sightline.records.ingest.pipeline import ImportOptions, import_file
from sightline.records.services import feeds_import, source_system_register
from sightline.records.tests.lines import entry, person

pytestmark = pytest.mark.django_db


def _feed(path: Path, lines: list[dict[str, Any]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    return path


def _views(n: int) -> None:
    for i in range(n):
        audit.record(
            IMPORTER,
            AuditAction.STORY_VIEWED,
            object_type="person",
            object_id=f"SLT{i:07d}",
            person_id=i + 1,
            purpose="a test",
            detail={"n": i, "weight": 5.5, "whole": 2.0, "when": "2026-01-01", "nested": [1, {}]},
        )


def test_a_realistic_mix_of_writes_verifies(tmp_path: Path) -> None:
    # Imports (one file, then two together: deferred rows), a system scope, a person's search
    # and page views through the pages, an entry recorded, a sign-in, a refused look.
    source_system_register(actor=IMPORTER, code="police", name="Police", agency_kind="police")
    source_system_register(
        actor=IMPORTER, code="csc", name="CSC", agency_kind="childrens_social_care"
    )
    first = _feed(
        tmp_path / "police.jsonl",
        [
            person("P-1", "police", given_names="Jordan", family_name="Ellis"),
            entry("E-1", "police", "P-1"),
        ],
    )
    assert import_file(first, actor=IMPORTER, options=ImportOptions()).status == "imported"
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    _feed(feeds / "a.jsonl", [person("C-1", "csc", given_names="Amy", family_name="Nowak")])
    _feed(feeds / "b.jsonl", [entry("E-2", "csc", "C-1")])
    assert {r.status for r in feeds_import(actor=IMPORTER, paths=[feeds])} == {"imported"}
    access.system_scope(actor=LINKER, purpose="link people across feeds")
    officer = practitioner("police_officer", agency=new_agency(code="police", kind="police"))
    child = Person.objects.order_by("pk").first()
    assert child is not None
    client = Client()
    client.force_login(officer)
    assert client.get("/children/", {"name": "Jordan Ellis"}).status_code == 200
    assert client.get(f"/children/{child.reference}/").status_code == 200
    assert client.get("/children/SLT0000000/").status_code == 404  # refused: audited
    chronology.entry_record(
        actor=officer,
        person=child,
        fields=chronology.EntryFields(
            type="home_visit", occurred=parse_partial("2026-01-05"), summary="Visited."
        ),
    )
    report = chain.verify()
    assert report.ok, report.problem
    assert report.rows == AuditEvent.objects.count() >= 8
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, report.rows + 1)
    )
    assert report.last == report.head == chain.head_current()
    # Who the officer was is kept on their rows.
    looked = AuditEvent.objects.filter(action="story_viewed").get()
    assert (looked.actor_role, looked.actor_agency_id) == (
        "police_officer",
        officer.membership.agency_id,
    )


def test_rows_read_back_hash_as_they_were_written() -> None:
    audit.record(
        IMPORTER,
        AuditAction.SIGN_IN_FAILED,
        object_type="user",
        detail=cast(
            dict[str, Any],
            {"big": 10**16 * 1.0, "tiny": 1e-7, "text": 'Zoë \u2028 "quoted"', 3: (1, 2)},
        ),
        client_address="2001:DB8:0:0:0:0:0:1",
    )
    audit.record(
        IMPORTER, AuditAction.SIGNED_IN, object_type="user", client_address="::ffff:192.0.2.7"
    )
    event = AuditEvent.objects.get(action="sign_in_failed")
    assert event.client_address == "2001:db8::1"
    assert event.detail["3"] == [1, 2]
    assert event.detail["big"] == 10**16
    assert chain.verify().ok


def test_the_database_refuses_update_and_delete() -> None:
    _views(3)
    event = AuditEvent.objects.get(seq=2)
    for attempt in (
        lambda: AuditEvent.objects.filter(seq=2).update(purpose="changed"),
        lambda: AuditEvent.objects.filter(seq=2).delete(),
        lambda: AuditEvent.objects.all().delete(),
        lambda: event.save(),
        lambda: tampering.sql('UPDATE "governance_auditevent" SET "seq" = "seq" + 10'),
        lambda: tampering.sql('DELETE FROM "governance_auditevent"'),
    ):
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            attempt()
    assert AuditEvent.objects.count() == 3
    assert triggers.present(connection)
    assert chain.verify().ok


def test_an_edited_row_is_named() -> None:
    _views(5)
    tampering.edit(3)
    problem = chain.verify().problem
    assert problem is not None
    assert (problem.seq, problem.row_id) == (3, tampering.ids_by_seq()[3])
    assert "edited" in problem.what


def test_a_row_edited_and_given_a_new_hash_is_named() -> None:
    _views(5)
    tampering.edit_and_rehash(2)
    problem = chain.verify().problem
    assert problem is not None
    assert (problem.seq, problem.row_id) == (2, tampering.ids_by_seq()[2])
    assert "new hash" in problem.what
    tampering.edit_and_rehash(5)  # the last: the chain head still has the hash it was given


def test_a_deleted_row_is_named() -> None:
    _views(5)
    tampering.delete(3)
    report = chain.verify()
    assert report.problem is not None
    assert (report.problem.seq, report.problem.row_id) == (3, None)
    assert "missing: row 3 deleted" in report.problem.what
    assert report.rows == 2


@pytest.mark.parametrize("which", ["last", "first"])
def test_rows_deleted_at_either_end_are_found(which: str) -> None:
    _views(4)
    tampering.delete(4 if which == "last" else 1)
    problem = chain.verify().problem
    assert problem is not None
    assert problem.seq == (4 if which == "last" else 1)
    assert "missing" in problem.what


def test_an_inserted_row_is_named() -> None:
    _views(5)
    tampering.insert_before(3)
    problem = chain.verify().problem
    assert problem is not None
    assert (problem.seq, problem.row_id) == (3, tampering.ids_by_seq()[3])
    assert "inserted" in problem.what


def test_a_row_added_after_the_head_is_named() -> None:
    _views(3)
    seq = tampering.insert_at_end()
    problem = chain.verify().problem
    assert problem is not None
    assert (problem.seq, problem.row_id) == (seq, tampering.ids_by_seq()[seq])
    assert "after the chain head" in problem.what


def test_a_consistent_rewrite_is_found_only_by_an_exported_head(tmp_path: Path) -> None:
    _views(4)
    exported = audit.head_export(actor=IMPORTER, directory=tmp_path)
    _views(2)
    assert chain.verify(against=chain.heads_of([exported.path])).ok
    tampering.rewrite_all()
    report = chain.verify(against=chain.heads_of([exported.path]))
    assert report.problem is None, "the rewritten table hangs together"
    assert not report.ok
    [check] = report.heads
    assert not check.ok
    assert check.head == exported.head
    assert "rewritten" in check.text()


def test_a_head_exported_before_rows_were_removed_is_not_on_the_chain(tmp_path: Path) -> None:
    _views(3)
    exported = audit.head_export(actor=IMPORTER, directory=tmp_path)
    with tampering.triggers_lifted():
        tampering.sql('DELETE FROM "governance_auditevent"')
        tampering.sql('DELETE FROM "governance_auditchainhead"')
    _views(1)  # the chain starts again, from a new genesis
    report = chain.verify(against=chain.heads_of([exported.path]))
    assert report.problem is None
    assert not report.heads[0].ok


def test_the_chain_head_is_made_again_after_a_flush() -> None:
    _views(2)
    AuditChainHead.objects.all().delete()
    _views(1)
    assert chain.verify().ok
    assert chain.head_current().seq == 3


def test_deferred_rows_are_appended_at_the_end_of_the_block() -> None:
    with transaction.atomic(), audit.deferred():
        _views(2)
        with audit.deferred():
            _views(1)
        # A row recorded in work rolled back (a savepoint) goes with it.
        with contextlib.suppress(RuntimeError), transaction.atomic():
            _views(5)
            raise RuntimeError("this part failed")
        assert AuditEvent.objects.count() == 0
        scope = access.system_scope(actor=LINKER, purpose="needs its id at once")
        assert AuditEvent.objects.filter(pk=scope.audit_event_id).exists()
    assert AuditEvent.objects.count() == 4
    assert list(AuditEvent.objects.order_by("seq").values_list("action", flat=True)) == [
        "system_access",
        *["story_viewed"] * 3,
    ]

    def failing_work() -> None:
        with transaction.atomic(), audit.deferred():
            _views(2)
            raise RuntimeError("the work failed")

    with pytest.raises(RuntimeError):
        failing_work()
    assert AuditEvent.objects.count() == 4
    assert chain.verify().ok


def test_a_detail_json_cannot_hold_is_refused() -> None:
    with pytest.raises(ValueError, match="NaN"):
        audit.record(
            IMPORTER, AuditAction.SIGNED_IN, object_type="user", detail={"x": float("nan")}
        )
    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="SQLite has one writer (and its in-memory test database one connection)",
)
def test_two_connections_appending_at_once_make_one_chain() -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def append(n: int) -> None:
        try:
            start.wait()
            for i in range(40):
                # Some in transactions that do other work after appending, some alone.
                if i % 2:
                    with transaction.atomic():
                        _views(2)
                else:
                    _views(1)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=append, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    report = chain.verify()
    assert report.ok, report.problem
    assert report.rows == 3 * (20 * 2 + 20) == AuditEvent.objects.count()


def test_verify_reads_in_chunks() -> None:
    _views(23)
    seen: list[int] = []
    report = chain.verify(chunk=5, progress=seen.append)
    assert report.ok
    assert report.rows == 23
    assert seen == [5, 10, 15, 20]


def test_the_canonical_form_is_stable() -> None:
    # The definition must never change: a known row, its known hash.
    values = [
        1,
        7,
        dt.datetime(2026, 3, 4, 9, 30, 15, 120, tzinfo=dt.UTC),
        12,
        "sam@example.org",
        "social_worker",
        3,
        None,
        "story_viewed",
        "person",
        "SLT0000042",
        42,
        "core group",
        {"b": [1, 2.5], "a": "Zoë"},
        "192.0.2.1",
    ]
    text = chain.canonical_text(values, chain.GENESIS)
    assert text == chain.reference_text(values, chain.GENESIS)
    assert text.startswith('{"action":"story_viewed","actor":12,"actor_agency":3,')
    assert '"detail":{"a":"Zo\\u00eb","b":[1,2.5]}' in text
    assert '"occurred_at":"2026-03-04T09:30:15.000120Z"' in text
    assert chain.content_hash(values, chain.GENESIS) == (
        "69d284baef6f42123ed57eaf20e1e9c3c52a7926667cfdd1a5fa1ffb51df05c8"
    )
