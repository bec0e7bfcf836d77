"""Importing feed files: what each kind of line becomes, idempotency, supersession, refusal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from django.apps import apps

from sightline.agencies.models import Agency, Team
from sightline.core import clock
from sightline.core.actors import IMPORTER
from sightline.core.dates import LONDON
from sightline.governance.models import AccessGrant, AuditEvent
from sightline.people.models import Address, Identifier, NameKey, Person, PersonName, Relationship
from sightline.people.search_keys import name_keys
from sightline.records.ingest import spec
from sightline.records.ingest.pipeline import BatchResult
from sightline.records.models import ImportBatch, SourceRecord, SourceSystem
from sightline.records.services import feeds_import
from sightline.records.signals import batch_imported
from sightline.records.tests import lines
from sightline.records.tests.conftest import CHECKERS, write_csv
from sightline.records.tests.lines import DELETE

pytestmark = pytest.mark.django_db

# Apps above or beside records in the layer order: looked up, not imported.
ChronologyEntry: Any = apps.get_model("chronology", "ChronologyEntry")
EntrySubject: Any = apps.get_model("chronology", "EntrySubject")
IdentityLink: Any = apps.get_model("identity", "IdentityLink")
Involvement: Any = apps.get_model("cases", "Involvement")

Run = Callable[..., BatchResult]
Feed = Callable[..., Path]

DOMAIN_MODELS = [
    "people.Person",
    "people.PersonName",
    "people.NameKey",
    "people.Identifier",
    "people.Address",
    "people.Relationship",
    "chronology.ChronologyEntry",
    "chronology.EntrySubject",
    "records.SourceRecord",
    "identity.IdentityLink",
    "cases.Involvement",
    "governance.AccessGrant",
    "agencies.Agency",
    "agencies.Team",
]


def row_counts(*extra: str) -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in [*DOMAIN_MODELS, *extra]}


def counts(result: BatchResult) -> tuple[int, int, int, int, int]:
    c = result.counts
    return (c.read, c.created, c.superseded, c.unchanged, c.rejected)


def family() -> list[dict[str, Any]]:
    return [
        lines.person(),
        lines.person(
            "P-1002",
            given_names="Amy",
            other_names=[],
            birth_date="2006-02-03",
            sex="female",
            **{"identifiers.nhs_number": "4010232137"},
        ),
        lines.entry(),
        lines.relationship(),
        lines.involvement(),
    ]


@CHECKERS
def test_a_feed_becomes_people_entries_relationships_and_involvements(
    police: SourceSystem, feed: Feed, run: Run
) -> None:
    result = run(feed(family()))

    assert result.status == "imported"
    assert counts(result) == (5, 5, 0, 0, 0)
    assert result.counts.by_kind == {"person": 2, "entry": 1, "relationship": 1, "involvement": 1}
    james = Person.objects.get(given_names="James")
    assert james.reference.startswith("SL")
    assert len(james.reference) == 10
    assert (james.family_name, james.birth_date, james.birth_date_precision, james.sex) == (
        "Smith",
        dt.date(2004, 10, 1),
        "month",
        "male",
    )
    assert james.ethnicity == "WBRI"
    names = set(PersonName.objects.filter(person=james).values_list("given_names", "kind"))
    assert names == {("James", "recorded"), ("Jim", "alias")}
    keys = set(NameKey.objects.filter(person=james).values_list("key", flat=True))
    assert keys == name_keys("James", "Smith") | name_keys("Jim", "Smith")
    assert set(
        Identifier.objects.filter(person=james).values_list("scheme", "value", "issuer")
    ) == {
        ("nhs_number", "9434765919", ""),
        ("local_id", "P-1001", "police"),
    }
    address = Address.objects.get(person=james)
    assert (address.line, address.postcode, address.from_on) == (
        "12 High St",
        "CV34 4AB",
        dt.date(2019, 10, 1),
    )

    entry = ChronologyEntry.objects.get()
    assert entry.lineage == entry.pk
    assert entry.version == 1
    assert entry.agency_id == police.agency_id
    assert entry.occurred_at == dt.datetime(2019, 8, 3, 22, 10, tzinfo=LONDON)
    assert (entry.precision, entry.has_time, entry.is_significant) == ("day", True, True)
    assert entry.recorded_at == dt.datetime(2019, 8, 4, 9, 30, tzinfo=LONDON)
    assert entry.ended_at == dt.datetime(2019, 8, 4, 9, 0, tzinfo=LONDON)
    assert (entry.location_postcode, entry.detail, entry.superseded_at) == ("B1 1AA", "", None)
    subject = EntrySubject.objects.get()
    assert (subject.person_id, subject.role, subject.occurred_at) == (
        james.pk,
        "subject",
        entry.occurred_at,
    )
    assert entry.source_record_id is not None
    record = SourceRecord.objects.get(pk=entry.source_record_id)
    assert (record.source_id, record.kind, record.version, record.is_current) == (
        "E-77",
        "entry",
        1,
        True,
    )
    assert record.payload == lines.entry()
    assert record.batch_id == result.batch_id

    relationship = Relationship.objects.get()
    assert relationship.from_person == james
    assert relationship.to_person.given_names == "Amy"
    assert relationship.type == "sibling"

    involvement = Involvement.objects.get()
    assert involvement.person == james
    assert involvement.team is not None
    assert involvement.team.name == "Exploitation Team North"
    assert (involvement.practitioner_name, involvement.is_lead, involvement.started_on) == (
        "Sam Jones",
        True,
        dt.date(2019, 9, 1),
    )

    grants = set(
        AccessGrant.objects.values_list("person__given_names", "agency_id", "team_id", "basis")
    )
    assert grants == {
        ("James", police.agency_id, None, "holds_records"),
        ("Amy", police.agency_id, None, "holds_records"),
        ("James", police.agency_id, None, "involvement"),
    }
    links = set(IdentityLink.objects.values_list("person__given_names", "method"))
    assert links == {("James", "first_seen"), ("Amy", "first_seen")}

    batch = ImportBatch.objects.get(pk=result.batch_id)
    assert batch.status == "imported"
    assert batch.counts["created"] == 5
    assert batch.actor_name == "system:importer"
    event = AuditEvent.objects.get(action="batch_imported")
    assert event.object_id == str(batch.pk)
    assert event.detail["counts"]["read"] == 5


@CHECKERS
def test_the_same_file_twice_changes_nothing(police: SourceSystem, feed: Feed, run: Run) -> None:
    path = feed(family())
    run(path)
    before = row_counts()

    again = run(path)

    assert again.status == "imported"
    assert counts(again) == (5, 0, 0, 5, 0)
    assert row_counts() == before


def test_a_changed_entry_supersedes_and_keeps_the_old_version(
    police: SourceSystem, feed: Feed, run: Run
) -> None:
    run(feed(family()))
    first = ChronologyEntry.objects.get()

    changed = lines.entry(
        summary="Missing overnight; found in Coventry.", recorded_at="2019-08-05T10:00"
    )
    result = run(feed([changed], name="correction.jsonl"))

    assert counts(result) == (1, 0, 1, 0, 0)
    old, new = ChronologyEntry.objects.order_by("version")
    assert old.pk == first.pk
    assert (new.lineage, new.version) == (first.lineage, 2)
    assert new.summary == "Missing overnight; found in Coventry."
    assert old.superseded_by_id == new.pk
    assert old.superseded_at == dt.datetime(2019, 8, 5, 10, 0, tzinfo=LONDON)
    assert old.summary == "Reported missing overnight; found in another town."
    assert new.superseded_at is None
    assert EntrySubject.objects.filter(entry=new).count() == 1
    versions = SourceRecord.objects.filter(source_id="E-77").order_by("version")
    assert [(r.version, r.is_current) for r in versions] == [(1, False), (2, True)]
    assert new.source_record_id == versions[1].pk


def test_a_change_dated_no_later_than_the_version_it_replaces_is_known_from_its_import(
    police: SourceSystem, feed: Feed, run: Run
) -> None:
    # Version 1, then version 2 recorded a day later, then version 3 sent with the original
    # recorded_at: it cannot go back before version 2 (two versions known at once, version 2
    # known on no date). It is recorded when it was imported.
    run(feed(family()))
    run(feed([lines.entry(summary="Second.", recorded_at="2019-08-05T10:00")], name="b.jsonl"))
    before = clock.now()
    third = run(feed([lines.entry(summary="Third.")], name="c.jsonl"))
    after = clock.now()

    assert counts(third) == (1, 0, 1, 0, 0)
    v1, v2, v3 = ChronologyEntry.objects.order_by("version")
    assert v1.superseded_at == v2.recorded_at == dt.datetime(2019, 8, 5, 10, tzinfo=LONDON)
    assert before <= v3.recorded_at <= after
    assert v2.superseded_at == v3.recorded_at
    assert v3.superseded_at is None
    assert "shown as known from when Sightline received it" in v3.correction_reason
    assert v2.correction_reason == ""
    # The line is kept exactly as sent.
    assert SourceRecord.objects.get(version=3).payload["recorded_at"] == ("2019-08-04T09:30")


def test_a_changed_person_record_replaces_what_it_said(
    police: SourceSystem, feed: Feed, run: Run
) -> None:
    run(feed(family()))
    james = Person.objects.get(given_names="James")
    changed = lines.person(
        given_names="Jamie",
        other_names=[],
        birth_date="2004-10-12",
        **{"identifiers.nhs_number": None, "identifiers.upn": "B801200005001"},
        addresses=[{"line": "3 Low Rd", "postcode": "cv31 1aa", "from": None, "to": None}],
    )

    result = run(feed([changed], name="correction.jsonl"))

    assert counts(result) == (1, 0, 1, 0, 0)
    assert Person.objects.count() == 2
    james.refresh_from_db()
    assert (james.given_names, james.birth_date, james.birth_date_precision) == (
        "Jamie",
        dt.date(2004, 10, 12),
        "day",
    )
    assert list(PersonName.objects.filter(person=james).values_list("given_names", flat=True)) == [
        "Jamie"
    ]
    keys = set(NameKey.objects.filter(person=james).values_list("key", flat=True))
    assert keys == name_keys("Jamie", "Smith")
    assert set(Identifier.objects.filter(person=james).values_list("scheme", "value")) == {
        ("upn", "B801200005001"),
        ("local_id", "P-1001"),
    }
    assert list(Address.objects.filter(person=james).values_list("postcode", flat=True)) == [
        "CV31 1AA"
    ]
    current = SourceRecord.objects.get(source_id="P-1001", is_current=True)
    assert (current.version, current.person_id) == (2, james.pk)
    link = IdentityLink.objects.get(source_record=current)
    assert (link.method, link.person_id) == ("same_source_key", james.pk)
    # Entries already imported still point at the same child.
    assert EntrySubject.objects.get().person_id == james.pk


@CHECKERS
def test_a_bad_line_refuses_the_whole_file(police: SourceSystem, feed: Feed, run: Run) -> None:
    before = row_counts()
    bad = lines.entry("E-78", occurred_at="Aug 2019")
    path = feed([*family(), bad])

    result = run(path)

    assert result.status == "rejected"
    assert counts(result) == (6, 0, 0, 0, 1)
    assert [(e.line, e.field) for e in result.errors] == [(6, "occurred_at")]
    assert row_counts() == before
    batch = ImportBatch.objects.get()
    assert batch.status == "rejected"
    assert batch.error_count == 1
    assert batch.errors == [
        "police.jsonl:6: occurred_at: must be a year, year-month or date, "
        "like 2019, 2019-03 or 2019-03-04"
    ]
    assert AuditEvent.objects.filter(action="batch_rejected", object_id=str(batch.pk)).exists()
    assert not AuditEvent.objects.filter(action="batch_imported").exists()
    report = Path(str(path) + ".rejects.jsonl")
    assert result.rejects_path == report
    row = orjson.loads(report.read_bytes().splitlines()[0])
    assert row["line"] == 6
    assert row["field"] == "occurred_at"
    assert orjson.loads(row["raw"]) == bad


@CHECKERS
def test_every_bad_line_is_reported_even_after_the_first(
    police: SourceSystem, feed: Feed, run: Run
) -> None:
    result = run(
        feed(
            [
                lines.person(sex="M"),
                "{not json",
                lines.entry(type="x"),
                lines.entry("E-2", "police", "P-404"),
            ]
        )
    )
    assert result.status == "rejected"
    assert [(e.line, e.field) for e in result.errors] == [
        (1, "sex"),
        (2, "line"),
        (3, "type"),
        (4, "subjects[0].source_id"),
    ]


@CHECKERS
def test_accept_valid_imports_the_good_lines_and_reports_the_rest(
    police: SourceSystem, feed: Feed, run: Run, tmp_path: Path
) -> None:
    report = tmp_path / "reports" / "police-rejects.jsonl"
    path = feed(
        [
            *family(),
            lines.entry("E-78", occurred_at="Aug 2019"),
            lines.person("P-9", sex="M"),
            lines.entry("E-79", "police", "P-9"),
        ]
    )

    result = run(path, accept_valid=True, rejects_path=report)

    assert result.status == "imported"
    assert counts(result) == (8, 5, 0, 0, 3)
    assert ChronologyEntry.objects.count() == 1
    assert not SourceRecord.objects.filter(source_id__in=["E-78", "P-9", "E-79"]).exists()
    rows = [orjson.loads(r) for r in report.read_bytes().splitlines()]
    assert [(r["line"], r["field"], r["reason"]) for r in rows] == [
        (6, "occurred_at", "must be a year, year-month or date, like 2019, 2019-03 or 2019-03-04"),
        (7, "sex", "must be one of male, female, unknown"),
        (8, "subjects[0].source_id", "person line P-9 (line 7) was refused"),
    ]
    assert all(r["file"] == "police.jsonl" and r["raw"] for r in rows)
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.accept_valid, batch.error_count) == ("imported", True, 3)
    assert batch.rejects_path == str(report)


@CHECKERS
def test_lines_may_name_people_later_in_the_file(
    police: SourceSystem, feed: Feed, run: Run
) -> None:
    result = run(feed([lines.entry(), lines.involvement(), lines.person()]), chunk_size=1)
    assert counts(result) == (3, 3, 0, 0, 0)
    assert EntrySubject.objects.get().person == Person.objects.get()


def test_lines_may_name_people_imported_before(police: SourceSystem, feed: Feed, run: Run) -> None:
    run(feed([lines.person()], name="people.jsonl"))
    result = run(feed([lines.entry()], name="entries.jsonl"))
    assert counts(result) == (1, 1, 0, 0, 0)
    assert EntrySubject.objects.get().person == Person.objects.get()


@pytest.mark.parametrize(
    ("bad", "field", "reason"),
    [
        (
            lines.entry("E-77", "police", "P-404"),
            "subjects[0].source_id",
            "no person line P-404 from source police in this file or already imported",
        ),
        (
            lines.relationship(to="P-404"),
            "to",
            "no person line P-404 from source police in this file or already imported",
        ),
        (
            lines.involvement("I-1", "police", "P-404"),
            "person",
            "no person line P-404 from source police in this file or already imported",
        ),
        (
            lines.entry("E-77", "unknown"),
            "source",
            "unknown is not a registered source (register it: sightline sources add unknown …)",
        ),
        (lines.entry("P-1001"), "source_id", "P-1001 appears twice in this file (first on line 1)"),
    ],
)
def test_rules_across_lines(
    police: SourceSystem, feed: Feed, run: Run, bad: dict[str, Any], field: str, reason: str
) -> None:
    result = run(feed([lines.person(), bad]))
    assert result.status == "rejected"
    assert [(e.line, e.field, e.reason) for e in result.errors] == [(2, field, reason)]


def test_people_of_another_source_are_not_found(
    police: SourceSystem, health: SourceSystem, feed: Feed, run: Run
) -> None:
    run(feed([lines.person("P-1001", "health")], name="health.jsonl"))
    result = run(feed([lines.entry()]))
    assert [e.field for e in result.errors] == ["subjects[0].source_id"]


def test_a_record_cannot_change_kind(police: SourceSystem, feed: Feed, run: Run) -> None:
    run(feed([lines.person()]))
    result = run(
        feed([lines.person("P-2"), lines.entry("P-1001", "police", "P-2")], name="b.jsonl")
    )
    assert [(e.line, e.field, e.reason) for e in result.errors] == [
        (2, "source_id", "P-1001 was imported as a person line; a record cannot change kind")
    ]


def test_an_entry_of_another_agency_kind_belongs_to_that_agency(
    police: SourceSystem, feed: Feed, run: Run
) -> None:
    run(feed([lines.person(agency="police_other_force"), lines.entry(agency="mash")]))
    mash = Agency.objects.get(code="mash")
    assert (mash.kind, mash.name) == ("mash", "Multi-agency safeguarding hub")
    assert ChronologyEntry.objects.get().agency == mash
    other_force = Agency.objects.get(code="police_other_force")
    assert AccessGrant.objects.get().agency == other_force


def test_a_team_scoped_source_grants_only_through_involvements(
    camhs: SourceSystem, feed: Feed, run: Run
) -> None:
    result = run(
        feed(
            [
                lines.person("P-1001", "camhs"),
                lines.person("P-2", "camhs", **{"identifiers.nhs_number": None}),
                lines.involvement(
                    "I-1", "camhs", "P-1001", agency="camhs", team="CAMHS Neurodevelopmental"
                ),
            ],
            name="camhs.jsonl",
        )
    )
    assert result.status == "imported"
    team = Team.objects.get()
    assert (team.name, team.agency_id) == ("CAMHS Neurodevelopmental", camhs.agency_id)
    grant = AccessGrant.objects.get()
    assert (grant.person.given_names, grant.agency_id, grant.team_id, grant.basis) == (
        "James",
        camhs.agency_id,
        team.pk,
        "involvement",
    )


def test_a_team_scoped_source_must_name_the_team(camhs: SourceSystem, feed: Feed, run: Run) -> None:
    result = run(
        feed(
            [
                lines.person("P-1001", "camhs"),
                lines.involvement("I-1", "camhs", "P-1001", team=None),
            ],
            name="c.jsonl",
        )
    )
    assert [(e.line, e.field) for e in result.errors] == [(2, "team")]


def test_involvements_find_their_team_by_name_and_update_in_place(
    police: SourceSystem, feed: Feed, run: Run
) -> None:
    run(
        feed(
            [
                lines.person(),
                lines.involvement(),
                lines.involvement("I-2", team="exploitation team north", is_lead=False),
            ]
        )
    )
    assert Team.objects.count() == 1
    first = Involvement.objects.get(source_record__source_id="I-1")
    run(feed([lines.involvement(to="2020-01-31")], name="b.jsonl"))
    again = Involvement.objects.get(pk=first.pk)
    assert again.ended_on == dt.date(2020, 1, 31)
    assert again.source_record is not None
    assert again.source_record.version == 2
    assert Involvement.objects.count() == 2


def test_a_changed_relationship_updates_it(police: SourceSystem, feed: Feed, run: Run) -> None:
    run(feed(family()))
    rel = Relationship.objects.get()
    run(feed([lines.relationship(type="half_sibling")], name="b.jsonl"))
    rel.refresh_from_db()
    assert rel.type == "half_sibling"
    assert Relationship.objects.count() == 1


@pytest.mark.parametrize(
    "kind", ["parents_partner", "aunt_or_uncle", "cousin", "extended_family", "family_friend"]
)
def test_the_relationships_reviews_turn_on_have_their_own_types(
    police: SourceSystem, feed: Feed, run: Run, kind: str
) -> None:
    adult = lines.person("P-1002", **{"identifiers.nhs_number": None}, birth_date="1985")
    result = run(feed([lines.person(), adult, lines.relationship(type=kind)]))
    assert result.errors == []
    assert Relationship.objects.get().type == kind
    # Every type the people app knows is one the format takes.
    assert set(Relationship.Type.values) <= set(spec.RELATIONSHIP_TYPES)


def test_chunk_size_does_not_change_the_result(police: SourceSystem, feed: Feed, run: Run) -> None:
    twins = [
        lines.person("P-1"),
        lines.person("P-2", given_names="Jim", other_names=[]),  # same valid NHS number
        lines.entry("E-77", "police", "P-2"),
    ]
    result = run(feed(twins), chunk_size=1)
    assert counts(result) == (3, 3, 0, 0, 0)
    assert Person.objects.count() == 1
    assert set(IdentityLink.objects.values_list("method", flat=True)) == {
        "first_seen",
        "nhs_number",
    }


@CHECKERS
def test_a_csv_feed_is_the_same_as_its_json_lines(
    police: SourceSystem, feed: Feed, run: Run, tmp_path: Path
) -> None:
    people = [lines.person(), lines.person("P-1002", **{"identifiers.nhs_number": None})]
    entries = [lines.entry(), lines.entry("E-78", location=None, ended_at=DELETE)]
    run(feed([*people, *entries]))
    before = row_counts()

    p = run(write_csv(tmp_path / "people.csv", "person", people))
    e = run(write_csv(tmp_path / "entries.csv", "entry", entries))

    assert counts(p) == (2, 0, 0, 2, 0)
    assert counts(e) == (2, 0, 0, 2, 0)
    assert row_counts() == before


def test_batch_imported_is_announced_after_commit(
    police: SourceSystem, feed: Feed, run: Run, django_capture_on_commit_callbacks: Any
) -> None:
    heard: list[int] = []

    def receiver(sender: Any, batch_id: int, **kwargs: Any) -> None:
        heard.append(batch_id)

    batch_imported.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            result = run(feed(family()))
        assert heard == []
        for callback in callbacks:
            callback()
        assert heard == [result.batch_id]
    finally:
        batch_imported.disconnect(receiver)


@CHECKERS
def test_a_header_line_declares_the_format(police: SourceSystem, feed: Feed, run: Run) -> None:
    person = lines.person(format=DELETE)
    result = run(feed(['{"format": "sightline/1"}', person, lines.entry(format=DELETE)]))
    assert counts(result) == (2, 2, 0, 0, 0)


# -- an entry before its subject was born ----------------------------------------------------

BORN = "2010-01-01"


@CHECKERS
@pytest.mark.parametrize(
    ("birth_date", "occurred_at", "precision", "refused"),
    [
        (BORN, "1900-01-01", "day", "1 January 2010"),
        (BORN, "2009-03-26", "day", "1 January 2010"),  # 40 weeks and a day before
        (BORN, "2009-03-27", "day", None),  # 40 weeks before: in the pregnancy
        (BORN, "2009", "year", None),  # some time in 2009: may be in the pregnancy
        ("2004-10", "2003-12-01", "day", "October 2004"),  # before 1 October 2004, less 40 weeks
        ("2004-10", "2003-12", "month", None),  # December 2003 ends after 26 December 2003
        ("2004", "2003-03-01", "day", "2004"),
        ("2004", "2003-02", "season", None),  # the season from February 2003 ends in May
        (None, "1900-01-01", "day", None),  # no date of birth: nothing to check against
    ],
)
def test_an_entry_before_its_subject_was_born_is_refused(
    police: SourceSystem,
    feed: Feed,
    run: Run,
    birth_date: str | None,
    occurred_at: str,
    precision: str,
    refused: str | None,
) -> None:
    entry = lines.entry(
        occurred_at=occurred_at, precision=precision, ended_at=None, recorded_at="2020-01-02"
    )
    result = run(feed([entry, lines.person(birth_date=birth_date)]), accept_valid=True)
    if refused is None:
        assert result.errors == []
    else:
        assert [(e.line, e.field, e.reason) for e in result.errors] == [
            (
                1,
                "occurred_at",
                f"is more than 40 weeks before subjects[0] (P-1001) was born ({refused}, the "
                "earliest date of birth recorded for them)",
            )
        ]
        assert ChronologyEntry.objects.count() == 0


def test_the_birth_checked_is_the_one_the_person_line_of_the_same_source_gives(
    police: SourceSystem, feed: Feed, run: Run, tmp_path: Path
) -> None:
    run(feed([lines.person(birth_date="2010-01-01")], name="people.jsonl"))
    adult = lines.person("P-9", birth_date="1980", **{"identifiers.nhs_number": None})
    subjects = [{"source_id": "P-9", "role": "parent"}, {"source_id": "P-1001", "role": "subject"}]
    late = lines.entry(
        "E-1", subjects=subjects, occurred_at="2001-05-01", ended_at=None, recorded_at="2020-01-02"
    )
    # Imported before (looked up), or sent in another file of the same import.
    assert counts(run(feed([adult, late], name="entries.jsonl"), accept_valid=True))[4] == 1
    write_csv(tmp_path / "a.csv", "entry", [{**late, "source_id": "E-2"}])
    [_, result] = feeds_import(
        actor=IMPORTER, paths=[tmp_path / "a.csv", tmp_path / "people.jsonl"]
    )
    assert [(e.field, e.reason) for e in result.errors] == [
        (
            "occurred_at",
            "is more than 40 weeks before subjects[1] (P-1001) was born (1 January 2010, the "
            "earliest date of birth recorded for them)",
        )
    ]


def test_one_agencys_mistyped_date_of_birth_does_not_refuse_another_agencys_entry(
    police: SourceSystem, health: SourceSystem, feed: Feed, run: Run
) -> None:
    # The GP records the child born in 2010; the police mistyped 2012. Both lines carry the
    # same valid NHS number, so they are one child: born no later than 2010.
    run(feed([lines.person("G-1", "health", birth_date="2010-03-04")], name="gp.jsonl"))
    seen = lines.entry(occurred_at="2011-01-05", ended_at=None, recorded_at="2011-01-06")
    placeholder = lines.entry("E-78", occurred_at="1900-01-01", ended_at=None)
    result = run(
        feed([lines.person(birth_date="2012-03-04"), seen, placeholder]), accept_valid=True
    )
    assert [(e.line, e.field, e.reason) for e in result.errors] == [
        (
            3,
            "occurred_at",
            "is more than 40 weeks before subjects[0] (P-1001) was born (4 March 2010, the "
            "earliest date of birth recorded for them)",
        )
    ]
    assert list(ChronologyEntry.objects.values_list("occurred_at__year", flat=True)) == [2011]
