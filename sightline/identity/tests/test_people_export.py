"""`sightline people export`: every person not merged away, with the records linked to it."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command

from sightline.core.actors import LINKER
from sightline.governance.models import AuditEvent
from sightline.identity.merging import MergeEvidence, person_merge
from sightline.identity.selectors import people_export_for
from sightline.identity.tests.factories import feed, person_line, record_for
from sightline.people.bulk import new_reference
from sightline.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    police, health = feed("police", kind="police"), feed("health", kind="health_gp")
    a = record_for(police, person_line("police", "P-1"))
    b = record_for(health, person_line("health", "H-1"))
    c = record_for(health, person_line("health", "H-2", given="Sam"))
    assert a.person
    assert b.person
    assert c.person
    record_for(police, person_line("police", "P-2"), person=a.person)
    person_merge(
        actor=LINKER,
        survivor=a.person,
        merged=b.person,
        evidence=MergeEvidence(method="probabilistic", match_weight=12.0),
    )
    lonely = Person.objects.create(reference=new_reference(), created_at=a.person.created_at)
    return a.person, b.person, c.person, lonely


def test_jsonl_lists_each_person_with_their_records(people):
    a, b, c, lonely = people
    out = io.StringIO()
    call_command("people", "export", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines == [
        {
            "reference": a.reference,
            "records": [
                {"source": "health", "source_id": "H-1"},
                {"source": "police", "source_id": "P-1"},
                {"source": "police", "source_id": "P-2"},
            ],
        },
        {"reference": c.reference, "records": [{"source": "health", "source_id": "H-2"}]},
        {"reference": lonely.reference, "records": []},
    ]
    assert b.reference not in out.getvalue()
    event = AuditEvent.objects.get(action="people_exported")
    assert event.actor_name == "system:export"
    assert event.detail == {"format": "jsonl", "out": "stdout"}


def test_csv_to_a_file_has_one_row_per_record(people, tmp_path):
    a, _b, c, lonely = people
    path = tmp_path / "people.csv"
    err = io.StringIO()
    call_command("people", "export", "--format", "csv", "--out", str(path), stderr=err)
    rows = list(csv.reader(path.open(encoding="utf-8")))
    assert rows == [
        ["reference", "source", "source_id"],
        [a.reference, "health", "H-1"],
        [a.reference, "police", "P-1"],
        [a.reference, "police", "P-2"],
        [c.reference, "health", "H-2"],
        [lonely.reference, "", ""],
    ]
    assert "Wrote 3 people and 4 source records" in err.getvalue()


def test_export_for_a_practitioner_is_refused(people, social_worker):
    from sightline.core.errors import AccessDenied

    with pytest.raises(AccessDenied):
        list(people_export_for(viewer=social_worker))
