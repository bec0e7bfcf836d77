"""Evaluation with the shipped rules over the database: a change to a child's story queues their
evaluation (the receiver only enqueues), the task raises what the rules find, the daily sweep
(`sightline tick`) catches deadlines that pass without new data, re-evaluation is idempotent,
and merges combine alerts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from sightline.alerts import evaluation
from sightline.alerts.models import Alert, AlertEvent
from sightline.alerts.tasks import EVALUATE, EVALUATOR, SWEEP
from sightline.alerts.tests.conftest import key
from sightline.chronology.services import EntryFields, entry_mark_entered_in_error, entry_record
from sightline.core.dates import PartialDate, Precision
from sightline.core.models import Task
from sightline.governance import access
from sightline.governance.models import AuditEvent

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 10, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def now() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def scope() -> Any:
    return access.system_scope(actor=EVALUATOR, purpose="tests: evaluate")


def evaluate(*people: Any) -> evaluation.Evaluated:
    return evaluation.evaluate_people(
        scope=scope(), actor=EVALUATOR, person_ids=[p.pk for p in people]
    )


def rules_of(person: Any, **filters: Any) -> set[str]:
    return set(Alert.objects.filter(person=person, **filters).values_list("rule", flat=True))


def test_three_missing_episodes_raise_their_alerts(child: Any, entries: Any) -> None:
    result = evaluate(child)
    assert {"missing-escalating", "missing-no-return-interview"} <= rules_of(child)
    escalating = Alert.objects.get(person=child, rule="missing-escalating")
    assert escalating.evidence == [key(entries[m]) for m in ("m1", "m2", "m3")]
    assert escalating.status == "open"
    assert escalating.certainty == "definite"
    assert "3 missing episodes" in escalating.explanation
    assert result.applied.counts["raise"] >= 2
    # The system's read is audited once for the run, with its purpose.
    assert AuditEvent.objects.filter(action="system_access", actor_name="system:alerts").exists()


def test_evaluating_again_changes_nothing(child: Any, entries: Any) -> None:
    evaluate(child)
    events = AlertEvent.objects.count()
    for _ in range(2):
        assert evaluate(child).applied.counts == {}
    assert AlertEvent.objects.count() == events


def test_recording_an_entry_queues_the_child_and_the_task_raises(
    child: Any, social_worker: Any, run_tasks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for days in (30, 20, 10):
            entry_record(
                actor=social_worker,
                person=child,
                fields=EntryFields(
                    type="missing_episode",
                    occurred=PartialDate(NOW - dt.timedelta(days=days), Precision.DAY, False),
                    summary="Missing overnight.",
                ),
            )
    # One task waits for the child, however many changes asked for it.
    waiting = Task.objects.filter(name=EVALUATE, status="pending")
    assert list(waiting.values_list("dedupe_key", flat=True)) == [f"person:{child.pk}"]
    assert not Alert.objects.exists()  # the receiver only enqueued
    outcomes = run_tasks(names=[EVALUATE])
    assert [o.result for o in outcomes] == ["done"]
    assert "missing-escalating" in rules_of(child, status="open")


def test_new_evidence_grows_the_open_alert(child: Any, entries: Any, police: Any) -> None:
    from sightline.chronology.tests.factories import at, entry_for

    evaluate(child)
    fourth = entry_for(child, agency=police, type="missing_episode", occurred_at=at(2026, 11, 1, 22),
                       recorded_at=at(2026, 11, 2, 9), summary="Missing again.")  # fmt: skip
    assert evaluate(child).applied.counts.get("add_evidence", 0) >= 1
    escalating = Alert.objects.get(person=child, rule="missing-escalating")
    assert key(fourth) in escalating.evidence
    grown = escalating.events.get(kind="evidence_added")
    assert grown.added == [key(fourth)]
    assert Alert.objects.filter(person=child, rule="missing-escalating").count() == 1


def test_an_entry_withdrawn_in_error_leaves_the_rule_no_longer_holding(
    child: Any, police_officer: Any, entries: Any
) -> None:
    evaluate(child)
    entry_mark_entered_in_error(
        actor=police_officer, entry=entries["m3"], reason="Another child's episode.", person=child
    )
    evaluate(child)
    escalating = Alert.objects.get(person=child, rule="missing-escalating")
    assert escalating.status == "open"
    assert not escalating.holds
    assert escalating.events.filter(kind="no_longer_holds").count() == 1


def test_the_daily_sweep_runs_from_tick_and_finds_deadlines_without_new_data(
    child: Any, entries: Any, settings: Any
) -> None:
    # Nothing announced the entries (the factory writes them directly): only the sweep sees them.
    assert not Task.objects.filter(name=EVALUATE).exists()
    call_command("tick")
    assert Task.objects.filter(name=SWEEP, status="done").count() == 1
    assert "missing-no-return-interview" in rules_of(child)
    raised = Alert.objects.count()
    call_command("tick")  # the same slot: the sweep does not run twice in a day
    assert Task.objects.filter(name=SWEEP).count() == 1
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        call_command("tick")
    assert Task.objects.filter(name=SWEEP, status="done").count() == 2
    assert Alert.objects.count() == raised  # the same facts the next day: nothing new


def test_the_sweep_reads_everyone_in_batches(child: Any, entries: Any, csc: Any) -> None:
    from sightline.chronology.tests.factories import at, entry_for, new_person

    others = []
    for n in range(5):
        other = new_person(given_names=f"Child{n}", birth_date=dt.date(2012, 1, 1))
        for day in (1, 8, 15):
            entry_for(other, agency=csc, type="missing_episode", occurred_at=at(2026, 10, day))
        others.append(other)
    result = evaluation.sweep(scope=scope(), actor=EVALUATOR, batch_size=2)
    assert result.people == 6
    for person in [child, *others]:
        assert "missing-escalating" in rules_of(person)


def test_an_adult_is_left_out_of_the_sweep(csc: Any) -> None:
    from sightline.chronology.tests.factories import at, entry_for, new_person

    adult = new_person(given_names="Grown", birth_date=dt.date(1980, 1, 1))
    for day in (1, 8, 15):
        entry_for(adult, agency=csc, type="missing_episode", occurred_at=at(2026, 10, day))
    assert evaluation.sweep(scope=scope(), actor=EVALUATOR).people == 0
    assert not Alert.objects.exists()


def test_a_merge_combines_the_alerts_left_behind(
    child: Any, entries: Any, police: Any, django_capture_on_commit_callbacks: Any, run_tasks: Any
) -> None:
    from sightline.chronology.tests.factories import at, entry_for, new_person
    from sightline.core.actors import LINKER
    from sightline.identity.merging import MergeEvidence, person_merge

    twin = new_person(given_names="Jordan", family_name="Elis", birth_date=dt.date(2010, 5, 17))
    for day in (4, 13, 22):
        entry_for(twin, agency=police, type="missing_episode", occurred_at=at(2026, 10, day, 20))
    evaluate(child, twin)
    before = Alert.objects.get(person=twin, rule="missing-escalating")
    with django_capture_on_commit_callbacks(execute=True):
        person_merge(actor=LINKER, survivor=child, merged=twin, evidence=MergeEvidence("confirmed"))
    assert Task.objects.filter(name=EVALUATE, dedupe_key__startswith="merge:").exists()
    run_tasks(names=[EVALUATE])
    before.refresh_from_db()
    assert before.status == "combined"
    assert before.combined_into is not None
    survivor = Alert.objects.get(person=child, rule="missing-escalating", status="open")
    assert before.combined_into == survivor
    # Every episode of both records is now evidence of the one alert.
    assert len(survivor.evidence) == 6
    assert Alert.objects.filter(person=child, rule="missing-escalating", status="open").count() == 1


def test_an_import_queues_one_task_for_its_batch(
    tmp_path: Any, django_capture_on_commit_callbacks: Any, run_tasks: Any
) -> None:
    import orjson

    from sightline.core.actors import IMPORTER
    from sightline.records.ingest.pipeline import ImportOptions, import_file
    from sightline.records.services import source_system_register
    from sightline.records.tests.lines import entry, person

    source_system_register(actor=IMPORTER, code="police", name="Police", agency_kind="police")
    lines = [person("P-1", "police", birth_date="2012-03")]
    for n, day in enumerate(("2026-10-01", "2026-10-09", "2026-10-20")):
        lines.append(entry(f"E-{n}", "police", "P-1", occurred_at=day, ended_at=None,
                           recorded_at=day))  # fmt: skip
    path = tmp_path / "police.jsonl"
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    with django_capture_on_commit_callbacks(execute=True):
        assert import_file(path, actor=IMPORTER, options=ImportOptions()).status == "imported"
    keys = list(Task.objects.filter(name=EVALUATE).values_list("dedupe_key", flat=True))
    assert len(keys) == 1
    assert keys[0].startswith("batch:")
    run_tasks(names=[EVALUATE])
    assert Alert.objects.filter(rule="missing-escalating", status="open").count() == 1


def test_histories_are_read_without_an_orm_object_per_entry(child: Any, entries: Any) -> None:
    """The sweep's reads are a handful of queries per batch, whatever the number of entries."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        list(evaluation.histories.histories_for_all(viewer=scope(), batch_size=100))
    assert len(queries) < 15
