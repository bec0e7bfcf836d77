"""`sightline audit verify` and `export-head`, as a person runs them (call_command), the head
exported by `sightline tick`, and the flush that empties the log (the tests, a demo's reset)."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from sightline import cli
from sightline.core import queue, tick
from sightline.core.actors import IMPORTER
from sightline.governance import audit, chain, tasks, triggers
from sightline.governance.audit import AuditAction
from sightline.governance.models import AuditEvent
from sightline.governance.tests import tampering

pytestmark = pytest.mark.django_db


def _views(n: int) -> None:
    for i in range(n):
        audit.record(IMPORTER, AuditAction.PERSON_VIEWED, object_type="person", person_id=i + 1)


def _run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), str(exc)
    return 0, out.getvalue(), err.getvalue()


def test_audit_is_a_sightline_command(capsys: pytest.CaptureFixture[str]) -> None:
    cli.main([])
    assert "audit" in capsys.readouterr().out
    assert cli.COMMANDS["audit"][0] == "audit"


def test_verify_an_intact_chain() -> None:
    _views(4)
    code, out, _ = _run("verify")
    assert code == 0
    assert "Checked 4 rows" in out
    assert "The chain is intact" in out
    # The check is recorded, after the rows it checked.
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert event.action == "audit_verified"
    assert event.actor_name == "system:audit"
    assert event.detail["ok"] is True
    assert event.detail["rows"] == 4


def test_verify_names_the_first_bad_row_and_fails() -> None:
    _views(5)
    tampering.edit(2)
    tampering.delete(4)
    code, out, err = _run("verify")
    assert code == 1
    assert "does not verify" in err
    bad = tampering.ids_by_seq()[2]
    assert f"The chain is broken at seq 2 (id {bad}): its content does not match its hash" in out
    assert "Rows 1 to 1 are intact" in out
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert event.detail["ok"] is False
    assert event.detail["problem"].startswith("seq 2 ")


def test_verify_warns_when_the_triggers_are_missing() -> None:
    _views(1)
    with tampering.triggers_lifted():
        code, out, _ = _run("verify")
        assert not triggers.present(connection)
    assert code == 0
    assert "triggers that refuse UPDATE and DELETE" in out
    assert triggers.present(connection)


def test_export_head_and_verify_against_it(tmp_path: Path) -> None:
    _views(3)
    code, out, _ = _run("export-head", "--dir", str(tmp_path))
    assert code == 0
    assert "seq 3" in out
    [path] = tmp_path.glob("audit-head-*.json")
    data = json.loads(path.read_text())
    assert data["format"] == "sightline-audit-head/1"
    assert data["seq"] == 3
    assert data["hash"] == AuditEvent.objects.get(seq=3).row_hash
    exported = AuditEvent.objects.get(action="audit_head_exported")
    assert exported.detail == {"seq": 3, "hash": data["hash"], "file": path.name}
    _views(2)
    code, out, _ = _run("verify", "--against", str(path))
    assert code == 0
    assert f"{path}: seq 3 is on the chain" in out
    tampering.rewrite_all()
    code, out, _ = _run("verify", "--against", str(path))
    assert code == 1
    assert "The chain is intact" in out  # it hangs together...
    assert "the table was rewritten up to or before that row" in out  # ...but is not the original


def test_verify_against_a_head_the_table_no_longer_reaches(tmp_path: Path) -> None:
    path = tmp_path / "head.json"
    path.write_text(json.dumps({"format": chain.HEAD_FORMAT, "seq": 50, "hash": "a" * 64}))
    _views(2)
    code, out, _ = _run("verify", "--against", str(path))
    assert code == 1
    assert "seq 50 is not in the table" in out


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        json.dumps({"seq": 1, "hash": "a" * 64}),
        json.dumps({"format": chain.HEAD_FORMAT, "seq": "1", "hash": "a" * 64}),
        json.dumps({"format": chain.HEAD_FORMAT, "seq": 1, "hash": "short"}),
    ],
)
def test_a_file_that_is_not_an_exported_head_is_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "head.json"
    path.write_text(content)
    code, _, err = _run("verify", "--against", str(path))
    assert code == 1
    assert str(path) in err
    assert not AuditEvent.objects.filter(action="audit_verified").exists()


def test_verify_as_a_named_person() -> None:
    from sightline.agencies.tests.factories import practitioner

    auditor = practitioner("auditor")
    _run("verify", "--user", auditor.username)
    event = AuditEvent.objects.get(action="audit_verified")
    assert event.actor == auditor
    assert event.actor_role == "auditor"


def test_tick_exports_the_head_once_a_day(tmp_path: Path, settings: Any, run_tasks: Any) -> None:
    settings.AUDIT_HEAD_EXPORT_DIR = str(tmp_path)
    kind = queue.task_kind(tasks.HEAD_EXPORT)
    assert kind is not None
    assert kind.every == dt.timedelta(hours=24)
    day = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(day, tick=False):
        _views(2)
        first = tick.tick()
        assert tasks.HEAD_EXPORT in first.queued
        again = tick.tick()  # the same day: nothing more
        assert tasks.HEAD_EXPORT not in again.queued
    with time_machine.travel(day + dt.timedelta(days=1), tick=False):
        tick.tick()
    files = sorted(tmp_path.glob("audit-head-*.json"))
    assert len(files) == 2
    heads = chain.heads_of(files)
    assert chain.verify(against=heads).ok
    events = AuditEvent.objects.filter(action="audit_head_exported").order_by("seq")
    assert [e.actor_name for e in events] == ["system:clock", "system:clock"]
    # Each exported head is the row before its own export's row (its system scope's).
    first_head = heads[0][1]
    assert AuditEvent.objects.get(seq=first_head.seq).action == "system_access"


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_log_and_keeps_the_triggers() -> None:
    _views(3)
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 0
    assert triggers.present(connection)
    _views(1)
    assert chain.verify().ok
    assert AuditEvent.objects.get().seq == 1
