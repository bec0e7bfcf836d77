"""Merging people re-points every declared field; splitting restores exactly what moved."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from sightline.agencies.tests.factories import AgencyFactory
from sightline.chronology.models import ChronologyEntry, EntrySubject
from sightline.core import extensions
from sightline.core.actors import LINKER
from sightline.core.errors import AccessDenied, InvalidTransition, ValidationFailed
from sightline.governance.models import AccessGrant, AuditEvent
from sightline.identity import merging
from sightline.identity.merging import MergeEvidence, person_merge, person_split
from sightline.identity.models import CandidateLink, IdentityLink, MatchDecision, PersonMerge
from sightline.identity.tests.factories import feed, person_line, record_for
from sightline.people import bulk as people_bulk
from sightline.people.models import NameKey, Person, Relationship

pytestmark = pytest.mark.django_db

EVIDENCE = MergeEvidence(
    method="probabilistic",
    match_weight=12.5,
    explanation={"steps": [{"comparison": "dob", "weight": 7.1, "level": "exact"}]},
)


def rows_of(label: str) -> dict[int, Any]:
    app_label, model_name, field_name = label.split(".")
    model = apps.get_model(app_label, model_name)
    attname = model._meta.get_field(field_name).attname
    return dict(model._default_manager.values_list("pk", attname))


def snapshot() -> dict[str, Any]:
    """Every declared field of every row, each person's own fields, and every identity link."""
    return {
        "fields": {label: rows_of(label) for label in extensions.person_fields("repoint")},
        "people": {
            p["pk"]: p
            for p in Person.objects.values(
                "pk", "given_names", "family_name", "birth_date", "sex", "merged_into_id"
            )
        },
        "links": {
            link["pk"]: link
            for link in IdentityLink.objects.values(
                "pk", "person_id", "method", "match_weight", "explanation", "decided_by_id"
            )
        },
    }


def populate(rng: random.Random, people: list[Person]) -> None:
    """Random rows of every declared kind for these people: some the same for two people (an
    entry both are subjects of, a grant of the same agency, a name key), so merges must keep
    them apart."""
    systems = [feed(f"feed{i}", kind=k) for i, k in enumerate(("police", "health_gp", "school"))]
    agencies = [s.agency for s in systems]
    entries = [
        ChronologyEntry.objects.create(
            agency=rng.choice(agencies),
            type="home_visit",
            occurred_at=timezone.now() - dt.timedelta(days=i + 1),
            recorded_at=timezone.now(),
            summary="Home visit.",
        )
        for i in range(6)
    ]
    Involvement = apps.get_model("cases", "Involvement")
    for n, person in enumerate(people):
        for r in range(rng.randint(0, 3)):
            system = rng.choice(systems)
            line = person_line(
                system.code,
                f"{system.code}-{person.pk}-{r}",
                given=rng.choice(["Jordan", "Jordan Lee", "Jo", "Jordyn"]),
                family=rng.choice(["Ellis", "Ellis-Brown"]),
                # The first person's records hold no date of birth: a merge takes the other's.
                birth_date=None if n == 0 else rng.choice(["2012-03-04", "2012-04-03"]),
                postcode=rng.choice([None, "XS1 4EQ", "XS2 8ED"]),
            )
            record_for(system, line, person=person, method="nhs_number")
        # Everyone is a subject of the first entry and held by the first agency: a merge always
        # meets rows the survivor already has.
        for entry in [entries[0], *rng.sample(entries, rng.randint(0, len(entries)))]:
            EntrySubject.objects.get_or_create(
                entry=entry, person=person, defaults={"occurred_at": entry.occurred_at}
            )
        for agency, basis in [
            (agencies[0], "holds_records"),
            *((a, rng.choice(["holds_records", "involvement"])) for a in rng.sample(agencies, 2)),
        ]:
            AccessGrant.objects.get_or_create(
                person=person,
                agency=agency,
                team=None,
                basis=basis,
                defaults={"granted_at": timezone.now()},
            )
        for _ in range(rng.randint(0, 2)):
            Involvement.objects.create(person=person, agency=rng.choice(agencies))
        for key in rng.sample(["t:jordan", "t:ellis", "p:jrtn", "n:jordan"], rng.randint(0, 4)):
            NameKey.objects.get_or_create(person=person, key=key)
        for _ in range(rng.randint(0, 2)):
            other = rng.choice(people)
            Relationship.objects.create(
                from_person=rng.choice([person, other]),
                to_person=rng.choice([person, other]),
                type=rng.choice(["sibling", "parent", "peer"]),
            )
    # Each shows what its records say, as an import leaves them.
    people_bulk.people_details_refresh([p.pk for p in people])


def new_person(**fields: Any) -> Person:
    system = feed("csc", kind="childrens_social_care")
    line = person_line("csc", f"csc-{Person.objects.count() + 1}", **fields)
    record = record_for(system, line)
    assert record.person is not None
    return record.person


def test_every_foreign_key_to_a_person_is_declared():
    """An app with a foreign key to people.Person must declare it in its AppConfig.ready()
    (core.extensions.register_person_fields), or a merge would leave its rows behind on the
    merged-away person."""
    assert merging.undeclared_person_fields() == []
    assert len(merging.repoint_fields()) == len(extensions.person_fields("repoint"))
    # Each app declares its own: the merge's own pointers are kept, everything else moves.
    assert set(extensions.person_fields("keep")) == {
        "people.Person.merged_into",
        "identity.PersonMerge.survivor",
        "identity.PersonMerge.merged",
    }
    assert "cases.Involvement.person" in extensions.person_fields("repoint")


def test_a_foreign_key_no_app_declares_is_found(monkeypatch):
    declared = dict(extensions._person_fields)
    del declared["cases.Involvement.person"]
    monkeypatch.setattr(extensions, "_person_fields", declared)
    assert merging.undeclared_person_fields() == ["cases.Involvement.person"]
    with pytest.raises(ValueError, match=r"app_label\.Model\.field"):
        extensions.register_person_fields("Involvement.person")


def test_a_declared_field_must_be_a_foreign_key_to_a_person():
    with pytest.raises(ValueError, match="not a foreign key"):
        merging.repoint_fields(["people.PersonName.source_record"])
    with pytest.raises(ValueError, match="no field"):
        merging.repoint_fields(["people.PersonName.nope"])


@pytest.mark.parametrize("seed", range(12))
def test_merge_repoints_every_declared_row_and_split_restores_exactly(seed, data_officer):
    rng = random.Random(seed)
    people = [new_person(birth_date=None if i == 0 else "2012-03-04") for i in range(3)]
    populate(rng, people)
    survivor, merged = rng.sample(people, 2)
    before = snapshot()

    merge = person_merge(actor=data_officer, survivor=survivor, merged=merged, evidence=EVIDENCE)

    after = snapshot()
    for label, rows in before["fields"].items():
        kept = set(merge.kept.get(label, []))
        moved = set(merge.moved.get(label, []))
        for pk, value in rows.items():
            if value == merged.pk and pk not in kept:
                assert after["fields"][label][pk] == survivor.pk, (label, pk)
                assert pk in moved
            else:
                assert after["fields"][label][pk] == value, (label, pk)
        # A row is kept only when the survivor already holds the same one.
        assert not kept & moved
    assert merge.kept["chronology.EntrySubject.person"]
    assert merge.kept["governance.AccessGrant.person"]
    assert not any(
        v == merged.pk
        for label, rows in after["fields"].items()
        for pk, v in rows.items()
        if pk not in set(merge.kept.get(label, []))
    )
    assert after["people"][merged.pk]["merged_into_id"] == survivor.pk

    person_split(actor=data_officer, merge=merge, reason="Different children: checked with GP.")

    assert snapshot() == before


def test_merge_moves_a_childs_story_and_keeps_shared_entries_once(data_officer):
    a, b = new_person(), new_person(given="Jordyn")
    agency = AgencyFactory.create(code="police-x", kind="police")
    shared = ChronologyEntry.objects.create(
        agency=agency,
        type="missing_episode",
        occurred_at=timezone.now(),
        recorded_at=timezone.now(),
        summary="Missing overnight.",
    )
    for person in (a, b):
        EntrySubject.objects.create(entry=shared, person=person, occurred_at=shared.occurred_at)
    own = ChronologyEntry.objects.create(
        agency=agency,
        type="home_visit",
        occurred_at=timezone.now(),
        recorded_at=timezone.now(),
        summary="Visit.",
    )
    EntrySubject.objects.create(entry=own, person=b, occurred_at=own.occurred_at)

    merge = person_merge(actor=LINKER, survivor=a, merged=b, evidence=EVIDENCE)

    story = set(EntrySubject.objects.filter(person=a).values_list("entry_id", flat=True))
    assert story == {shared.pk, own.pk}
    assert len(merge.kept["chronology.EntrySubject.person"]) == 1


def test_merge_is_audited_with_what_moved(data_officer):
    a, b = new_person(), new_person()
    merge = person_merge(
        actor=data_officer, survivor=a, merged=b, evidence=EVIDENCE, reason="Same child."
    )
    event = AuditEvent.objects.get(action="people_merged")
    assert event.actor == data_officer
    assert event.object_id == str(merge.pk)
    assert event.person_id == a.pk
    assert event.detail["merged"] == b.reference
    assert event.detail["moved"]["records.SourceRecord.person"] == 1
    person_split(actor=data_officer, merge=merge, reason="Wrong.")
    split = AuditEvent.objects.get(action="person_split")
    assert split.purpose == "Wrong."
    assert split.detail["restored"]["records.SourceRecord.person"] == 1
    assert split.detail["not_restored"] == {}


def test_merge_rewrites_the_link_of_the_merged_persons_first_record(data_officer):
    a, b = new_person(), new_person()
    link = IdentityLink.objects.get(person=b)
    merge = person_merge(actor=data_officer, survivor=a, merged=b, evidence=EVIDENCE)
    link.refresh_from_db()
    assert (link.person_id, link.method, link.match_weight) == (a.pk, "probabilistic", 12.5)
    assert link.decided_by == data_officer
    person_split(actor=data_officer, merge=merge, reason="Wrong.")
    link.refresh_from_db()
    assert (link.person_id, link.method, link.match_weight) == (b.pk, "first_seen", None)
    assert link.decided_by is None


@pytest.mark.parametrize(
    ("scheme", "first", "second", "words"),
    [
        ("nhs", "9434765919", "4010232137", "two different valid NHS numbers"),
        ("upn", "A123456789012", "H801200001001", "unique pupil numbers"),
    ],
)
def test_a_merge_joining_two_valid_identifiers_is_refused(
    scheme, first, second, words, data_officer
):
    a = new_person(**{scheme: first})
    b = new_person(**{scheme: second})
    from sightline.people.models import Identifier

    Identifier.objects.filter(value__in=[first, second]).update(is_valid=True)
    with pytest.raises(ValidationFailed) as refused:
        person_merge(actor=data_officer, survivor=a, merged=b, evidence=EVIDENCE)
    assert words in refused.value.message
    assert first in refused.value.message
    assert second in refused.value.message
    assert not PersonMerge.objects.exists()
    assert Person.objects.get(pk=b.pk).merged_into_id is None
    assert not AuditEvent.objects.filter(action="people_merged").exists()


def test_the_same_nhs_number_on_both_may_merge(data_officer):
    a, b = new_person(nhs="9434765919"), new_person(nhs="9434765919")
    person_merge(actor=data_officer, survivor=a, merged=b, evidence=EVIDENCE)
    assert Person.objects.get(pk=b.pk).merged_into_id == a.pk


def test_merging_needs_the_identity_review_capability(social_worker):
    a, b = new_person(), new_person()
    with pytest.raises(AccessDenied):
        person_merge(actor=social_worker, survivor=a, merged=b, evidence=EVIDENCE)


def test_merging_someone_already_merged_away_is_refused(data_officer):
    a, b, c = new_person(), new_person(), new_person()
    person_merge(actor=data_officer, survivor=a, merged=b, evidence=EVIDENCE)
    with pytest.raises(InvalidTransition):
        person_merge(actor=data_officer, survivor=c, merged=b, evidence=EVIDENCE)
    with pytest.raises(InvalidTransition):
        person_merge(actor=data_officer, survivor=a, merged=a, evidence=EVIDENCE)


def test_split_needs_a_reason_and_happens_once(data_officer):
    a, b = new_person(), new_person()
    merge = person_merge(actor=data_officer, survivor=a, merged=b, evidence=EVIDENCE)
    with pytest.raises(ValidationFailed) as refused:
        person_split(actor=data_officer, merge=merge, reason="  ")
    assert refused.value.errors == {"reason": "Enter why the records are being split"}
    person_split(actor=data_officer, merge=merge, reason="Twins.")
    with pytest.raises(InvalidTransition):
        person_split(actor=data_officer, merge=merge, reason="Again.")


def test_a_later_merge_of_the_survivor_must_be_split_first(data_officer):
    a, b, c = new_person(), new_person(), new_person()
    first = person_merge(actor=data_officer, survivor=b, merged=c, evidence=EVIDENCE)
    second = person_merge(actor=data_officer, survivor=a, merged=b, evidence=EVIDENCE)
    with pytest.raises(InvalidTransition, match="undo that merge first"):
        person_split(actor=data_officer, merge=first, reason="Wrong.")
    person_split(actor=data_officer, merge=second, reason="Wrong.")
    person_split(actor=data_officer, merge=first, reason="Wrong.")
    assert set(Person.objects.filter(merged_into__isnull=False)) == set()


def test_split_records_the_evidence_pair_as_rejected(data_officer):
    a, b = new_person(), new_person()
    record_a = a_record(a)
    record_b = a_record(b)
    evidence = MergeEvidence(
        method="probabilistic", match_weight=11.0, record_a_id=record_b, record_b_id=record_a
    )
    merge = person_merge(actor=LINKER, survivor=a, merged=b, evidence=evidence)
    person_split(actor=data_officer, merge=merge, reason="Siblings.")
    candidate = CandidateLink.objects.get()
    assert (candidate.record_a_id, candidate.record_b_id) == tuple(sorted((record_a, record_b)))
    assert candidate.status == CandidateLink.Status.REJECTED
    decision = MatchDecision.objects.get()
    assert (decision.decision, decision.reason) == ("split", "Siblings.")


def a_record(person: Person) -> int:
    return int(
        IdentityLink.objects.filter(person=person).values_list("source_record_id", flat=True)[0]
    )
