"""Linking over the database: a synthetic county imported and linked by `sightline link`, a new
batch linked incrementally, full re-runs that respect reviewers' decisions, unusable feeds
reported, and the import signal."""

from __future__ import annotations

import io
import json
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from sightline.agencies.models import Agency
from sightline.agencies.vocabulary import agency_kinds
from sightline.core.actors import IMPORTER, LINKER
from sightline.core.errors import AccessDenied
from sightline.core.models import Task
from sightline.governance import access
from sightline.governance.models import AuditEvent
from sightline.identity import linking, receivers, tasks
from sightline.identity.models import CandidateLink, LinkRun, PersonMerge
from sightline.identity.review import candidate_decide
from sightline.identity.tests.factories import batch, feed, person_line, record_for
from sightline.people.models import Person
from sightline.records.models import ImportBatch, SourceRecord
from sightline.records.services import source_system_register
from sightline.records.signals import batch_imported

LATE_FEED = "youth_justice.jsonl"
# The synthetic county's feeds and their agencies' kinds (as `sightline demo` registers them;
# the demo command itself sits outside the layers and may not be imported here).
FEEDS = {
    "csc": "childrens_social_care",
    "early_help": "early_help",
    "police": "police",
    "health_ae": "health_ae",
    "health_gp": "health_gp",
    "camhs": "camhs",
    "school_nursing": "school_nursing",
    "schools": "school",
    "youth_justice": "youth_justice",
    "child_exploitation_team": "child_exploitation_team",
}


def register_feeds() -> None:
    """One agency of every kind (entries name agencies without feeds), and every feed."""
    for kind, label in agency_kinds().items():
        Agency.objects.get_or_create(
            code=kind,
            defaults={
                "name": label,
                "kind": kind,
                "phone": "01632 960000",
                "email": "a@example.org",
            },
        )
    for code, kind in FEEDS.items():
        source_system_register(actor=IMPORTER, code=code, name=code, agency_kind=kind)


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sightline.synth.generator import generate_county

    out = tmp_path_factory.mktemp("county")
    generate_county(children=200, seed=3, out=out)
    return out


def truth_of(county: Path) -> dict[tuple[str, str], str]:
    found = {}
    for line in (county / "truth" / "persons.jsonl").read_text().splitlines():
        row = json.loads(line)
        found[(row["source"], row["source_id"])] = row["true_id"]
    return found


def people_mixing_children(truth: dict[tuple[str, str], str]) -> list[int]:
    """People holding the records of more than one true child (false merges)."""
    held: dict[int, set[str]] = defaultdict(set)
    for person_id, code, source_id in SourceRecord.objects.filter(
        kind="person", is_current=True
    ).values_list("person_id", "source_system__code", "source_id"):
        held[person_id].add(truth.get((code, source_id), "?"))
    return [p for p, children in held.items() if len(children) > 1]


def linker_scope() -> access.SystemScope:
    return access.system_scope(actor=LINKER, purpose="linking, in the identity tests")


def import_feeds(*paths: Path) -> None:
    call_command("import", *map(str, paths), "--accept-valid", "--quiet", stdout=io.StringIO())


@pytest.mark.slow
@pytest.mark.django_db
def test_link_a_synthetic_county_then_a_new_batch(county, tmp_path, settings, data_officer):
    settings.IDENTITY_MODEL_DIR = str(tmp_path / "models")
    register_feeds()
    first = tmp_path / "first"
    shutil.copytree(county, first, ignore=shutil.ignore_patterns(LATE_FEED, "truth"))
    import_feeds(first)
    people_before = Person.objects.filter(merged_into__isnull=True).count()

    # The first run: no model yet, so one is trained on the records held; everyone is linked.
    out = io.StringIO()
    call_command("link", stdout=out, stderr=io.StringIO())
    report = out.getvalue()
    assert "Linked everyone" in report
    assert list((tmp_path / "models").glob("model-*.json")), "a model was trained and kept"
    full = LinkRun.objects.get(kind=LinkRun.Kind.FULL)
    assert full.status == LinkRun.Status.DONE
    assert full.counts["merged"] > 20
    people_after = Person.objects.filter(merged_into__isnull=True).count()
    assert people_after == people_before - full.counts["merged"]
    pending = CandidateLink.objects.filter(status=CandidateLink.Status.PENDING)
    assert pending.exists(), "the grey zone is queued for review"
    assert all(c.match_weight >= settings.IDENTITY_REVIEW_WEIGHT for c in pending), (
        "nothing below the review weight is queued"
    )
    truth = truth_of(county)
    assert people_mixing_children(truth) == []
    assert AuditEvent.objects.filter(action="people_linked", object_id=str(full.pk)).exists()
    assert AuditEvent.objects.filter(action="people_merged").count() == full.counts["merged"]
    # Every batch imported so far counts as linked.
    assert linking.batches_to_link(linker_scope()) == []

    # A new feed arrives: only its records are scored, against everyone known.
    import_feeds(county / LATE_FEED)
    new_batch = ImportBatch.objects.get(filename__endswith=LATE_FEED)
    assert linking.batches_to_link(linker_scope()) == [new_batch.pk]
    out = io.StringIO()
    call_command("link", stdout=out, stderr=io.StringIO())
    run = LinkRun.objects.get(kind=LinkRun.Kind.BATCH, batch=new_batch, status="done")
    new_records = SourceRecord.objects.filter(batch=new_batch, kind="person").count()
    assert run.counts["records"] == new_records
    assert run.counts["known"] == SourceRecord.objects.filter(kind="person").count() - new_records
    assert run.counts["merged"] > 0, "youth justice's children are known to other agencies"
    assert f"Linked batch {new_batch.pk}" in out.getvalue()
    assert people_mixing_children(truth) == []

    out = io.StringIO()
    call_command("link", stdout=out)
    assert "Nothing to link" in out.getvalue()

    # A reviewer rejects a pair; a full re-run merges nothing new and keeps the pair apart.
    candidate = CandidateLink.objects.filter(status="pending").order_by("-match_weight").first()
    assert candidate is not None
    candidate_decide(
        actor=data_officer,
        candidate_id=candidate.pk,
        decision="reject",
        reason="Siblings.",
        version=1,
    )
    merges = PersonMerge.objects.count()
    call_command("link", "--full", stdout=io.StringIO())
    again = LinkRun.objects.filter(kind=LinkRun.Kind.FULL).latest("pk")
    assert again.counts["merged"] == 0
    assert PersonMerge.objects.count() == merges
    candidate.refresh_from_db()
    assert candidate.status == "rejected"
    assert candidate.record_a.person_id != candidate.record_b.person_id


@pytest.mark.django_db
def test_a_feed_with_nothing_to_link_on_is_reported_and_not_linked(settings, tmp_path):
    settings.IDENTITY_MODEL_DIR = str(tmp_path)  # no model: none is needed for nothing
    system = feed("legacy", kind="other")
    unusable = batch("legacy.jsonl")
    for n in range(3):
        line = person_line(
            "legacy", f"L-{n}", given="Unknown", family="Unknown", birth_date=None, postcode=None
        )
        record_for(system, line, in_batch=unusable)
    err = io.StringIO()
    call_command("link", "--batch", str(unusable.pk), stdout=io.StringIO(), stderr=err)
    assert (
        "legacy: 3 person lines with no name, date of birth or valid NHS number" in err.getvalue()
    )
    assert "No line of this feed can be linked" in err.getvalue()
    run = LinkRun.objects.get()
    assert run.report == {"unusable": {"legacy": 3}, "unusable_feeds": ["legacy"]}
    assert run.counts["records"] == 0
    assert not PersonMerge.objects.exists()
    assert Person.objects.filter(merged_into__isnull=True).count() == 3


@pytest.mark.django_db
def test_linking_without_a_model_or_enough_records_says_what_to_do(settings, tmp_path):
    settings.IDENTITY_MODEL_DIR = str(tmp_path)
    system = feed("police", kind="police")
    for n in range(3):
        record_for(system, person_line("police", f"P-{n}"))
    with pytest.raises(CommandError, match="sightline identity train"):
        call_command("link", stdout=io.StringIO())
    run = LinkRun.objects.get()
    assert run.status == LinkRun.Status.FAILED
    assert "LinkError" in run.report["error"]


@pytest.mark.django_db
def test_the_import_signal_queues_one_link_task_only_when_switched_on(settings):
    settings.IDENTITY_LINK_ON_IMPORT = False
    batch_imported.send(sender=ImportBatch, batch_id=7)
    assert not Task.objects.exists()
    settings.IDENTITY_LINK_ON_IMPORT = True
    batch_imported.send(sender=ImportBatch, batch_id=7)
    batch_imported.send(sender=ImportBatch, batch_id=8)
    task = Task.objects.get()  # however many imports ask while it waits: one task
    assert (task.name, task.status, task.dedupe_key) == (tasks.LINK, "pending", "pending")
    assert receivers.batch_imported.__module__ == "sightline.identity.receivers"


@pytest.mark.django_db
def test_the_link_task_never_trains_and_says_why_it_could_not_link(settings, tmp_path, run_tasks):
    settings.IDENTITY_MODEL_DIR = str(tmp_path)
    system = feed("police", kind="police")
    record = record_for(system, person_line("police", "P-1"))
    record_for(system, person_line("police", "P-2", given="Jordon"), in_batch=record.batch)
    tasks.link_enqueue()
    [outcome] = run_tasks()
    # No model: the task fails for good at once (retrying cannot mend it), with the reason.
    assert outcome.result == "failed"
    assert "No trained linkage model yet" in outcome.error
    task = Task.objects.get()
    assert (task.status, task.attempts) == ("failed", 1)
    assert "sightline link" in task.last_error
    assert not list(tmp_path.glob("*.json"))
    assert linking.batches_to_link(linker_scope()) == [record.batch_id]
    assert LINKER.name == "linker"


@pytest.mark.django_db
def test_each_link_run_reads_through_one_audited_system_scope(police_feed, health_feed, run_tasks):
    record_for(police_feed, person_line("police", "P-1"))
    record_for(health_feed, person_line("health", "H-1"))
    tasks.link_enqueue()
    [outcome] = run_tasks()
    assert outcome.result == "done"
    [opened] = AuditEvent.objects.filter(action="system_access")
    assert opened.actor_name == "system:linker"
    assert opened.purpose == tasks.LINK_PURPOSE
    assert opened.detail["task_name"] == tasks.LINK
    # One row for the run, however many records it read and people it merged.
    assert AuditEvent.objects.filter(action="people_merged").count() == 1

    call_command("link", "--full", stdout=io.StringIO())
    command = AuditEvent.objects.filter(action="system_access").latest("pk")
    assert command.purpose == "link people across feeds (sightline link)"
    assert AuditEvent.objects.filter(action="system_access").count() == 2


def test_linking_refuses_a_persons_scope(social_worker):
    with pytest.raises(AccessDenied):
        linking.link_full(actor=LINKER, scope=access.scope_for(social_worker))  # type: ignore[arg-type]


@pytest.mark.django_db
def test_many_identical_records_are_linked_without_explaining_every_pair(monkeypatch):
    """A feed sending one child many times scores every pair of those records (n(n-1)/2), but
    only the pairs that join two people are explained and merged: memory and time stay
    proportional to the merges, not to the pairs."""
    from sightline.identity.linkage.predict import Linkage

    system = feed("police", kind="police")
    for n in range(120):
        record_for(system, person_line("police", f"P-{n}", nhs="9434765919"))
    explained = 0
    original = Linkage.pair_decision

    def counting(self, row):
        nonlocal explained
        explained += 1
        return original(self, row)

    monkeypatch.setattr(Linkage, "pair_decision", counting)
    run = linking.link_full(actor=LINKER, scope=linker_scope())
    assert Person.objects.filter(merged_into__isnull=True).count() == 1
    assert run.counts["merged"] == 119
    assert run.counts["merged"] + run.counts["already_linked"] == 120 * 119 // 2
    assert explained == 119


@pytest.mark.django_db(transaction=True)  # the import queues its linking once it has committed
def test_an_import_queues_its_linking_and_the_next_tick_links_the_child(tmp_path):
    """Two agencies hold one child under no shared valid identifier: the imports link nothing
    on identifiers, each queues the linking, and one `sightline tick` merges the two records."""
    for code, kind in (("police", "police"), ("health", "health_gp")):
        source_system_register(actor=IMPORTER, code=code, name=f"{code} records", agency_kind=kind)
    for code in ("police", "health"):
        path = tmp_path / f"{code}.jsonl"
        path.write_text(json.dumps(person_line(code, f"{code}-1")) + "\n")
        call_command("import", str(path), stdout=io.StringIO())
    assert Person.objects.filter(merged_into__isnull=True).count() == 2
    task = Task.objects.get()  # two imports, one task
    assert (task.name, task.status) == (tasks.LINK, "pending")

    out = io.StringIO()
    call_command("tick", stdout=out)
    assert f"done: {tasks.LINK} (task {task.pk})" in out.getvalue()
    records = SourceRecord.objects.filter(kind="person", is_current=True)
    assert len({r.person_id for r in records}) == 1, "one child"
    assert Person.objects.filter(merged_into__isnull=True).count() == 1
    assert linking.batches_to_link(linker_scope()) == []
    again = io.StringIO()
    call_command("tick", stdout=again)
    assert "Tasks: none was waiting." in again.getvalue()


@pytest.mark.django_db(transaction=True)  # as from a shell: no transaction around the command
def test_sightline_link_runs_outside_a_transaction(police_feed, health_feed):
    """The review queue's writes lock the pairs they touch; PostgreSQL refuses such locks outside
    a transaction, so linking takes them a chunk at a time inside its own."""
    record_for(police_feed, person_line("police", "P-1"))
    record_for(health_feed, person_line("health", "H-1"))
    out = io.StringIO()
    call_command("link", stdout=out, stderr=io.StringIO())
    assert "Linked everyone" in out.getvalue()
    assert Person.objects.filter(merged_into__isnull=True).count() == 1
