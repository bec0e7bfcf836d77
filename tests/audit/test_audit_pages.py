"""The auditor's pages through the test client: who may open them, the search by child,
person, action and date, who has looked at a child and why, the unusual-access flags, and that
every page shown is itself audited and shows no case content."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import orjson
import pytest
import time_machine
from django.test import Client

from sightline.agencies.tests.factories import AgencyFactory, practitioner
from sightline.core.actors import IMPORTER, LINKER
from sightline.core.dates import LONDON
from sightline.governance import access, audit, breakglass
from sightline.governance.audit import AuditAction
from sightline.governance.models import AuditEvent
from sightline.identity.merging import MergeEvidence, person_merge
from sightline.people.models import Person
from sightline.records.ingest.pipeline import ImportOptions, import_file
from sightline.records.services import source_system_register
from sightline.records.tests.lines import entry, person

pytestmark = pytest.mark.django_db

SECRET = "Disclosed that an older male collects him from the park after school."
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Any]:
    """A child the police hold records on (an entry with a secret), merged with a second record
    of them; a police officer who looked at the child; a MASH manager; an auditor."""
    with time_machine.travel(MONDAY, tick=False):
        source_system_register(actor=IMPORTER, code="police", name="Police", agency_kind="police")
        path = tmp_path / "police.jsonl"
        lines = [
            person("P-1", "police", given_names="Jordan", family_name="Ellis"),
            person(
                "P-2",
                "police",
                given_names="Jordan",
                family_name="Elis",
                **{"identifiers.nhs_number": None},
            ),
            entry("E-1", "police", "P-1", summary=SECRET),
        ]
        path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
        assert import_file(path, actor=IMPORTER, options=ImportOptions()).status == "imported"
        a, b = Person.objects.order_by("pk")
        person_merge(actor=LINKER, survivor=a, merged=b, evidence=MergeEvidence("confirmed"))
        police = AgencyFactory.create(code="police")
        officer = practitioner("police_officer", agency=police)
        officer.first_name, officer.last_name = "Priya", "Shah"
        officer.save(update_fields=["first_name", "last_name"])
        mash = practitioner("mash_manager", agency=AgencyFactory.create(code="mash", kind="mash"))
        auditor = practitioner(
            "auditor", agency=AgencyFactory.create(code="partnership", kind="other")
        )
        client = _signed_in(officer)
        assert client.get(f"/children/{a.reference}/", {"purpose": "core group"}).status_code == 200
        # A look at the merged record's id, written before the merge (kept as it was).
        audit.record(
            officer,
            AuditAction.PERSON_VIEWED,
            object_type="person",
            object_id=b.reference,
            person_id=b.pk,
        )
        assert _signed_in(mash).get(f"/children/{a.reference}/").status_code == 200
    return {"child": a, "merged": b, "officer": officer, "mash": mash, "auditor": auditor}


@pytest.mark.parametrize("path", ["/audit/", "/audit/flags/", "/audit/children/SLT0000001/"])
@pytest.mark.parametrize(
    "role", ["social_worker", "mash_manager", "sysadmin", "data_officer", "analyst"]
)
def test_only_the_auditor_opens_the_audit_pages(role: str, path: str) -> None:
    client = _signed_in(practitioner(role))
    assert client.get(path).status_code == 403


def test_the_auditor_starts_at_the_audit_log_and_sees_its_navigation(world: dict[str, Any]) -> None:
    client = _signed_in(world["auditor"])
    assert client.get("/")["Location"] == "/audit/"
    page = client.get("/audit/").content.decode()
    assert "Audit log" in page
    assert "Unusual access" in page
    assert "Find a child" not in page
    # Opening the page with nothing asked shows no rows and records nothing.
    assert not AuditEvent.objects.filter(action="audit_searched").exists()
    assert (
        _signed_in(world["auditor"]).get(f"/children/{world['child'].reference}/").status_code
        == 404
    )


def test_who_has_looked_at_this_child_and_why(world: dict[str, Any]) -> None:
    child = world["child"]
    with time_machine.travel(MONDAY + dt.timedelta(hours=2), tick=False):
        response = _signed_in(world["auditor"]).get(f"/audit/children/{child.reference}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Priya Shah" in page
    assert "Police officer" in page
    assert "core group" in page  # the purpose given
    assert "Their agency holds records on the child" in page  # the relationship that day
    assert "Partnership-wide role" in page  # the MASH manager, with no relationship of their own
    assert "The records merged into this child (1) are included" in page
    assert SECRET not in page
    assert "Jordan" not in page
    event = AuditEvent.objects.get(action="audit_child_viewed")
    assert event.actor == world["auditor"]
    assert event.person_id == child.pk
    assert sorted(event.detail["people"]) == sorted([child.pk, world["merged"].pk])
    # The officer looked twice (once at the merged record), the MASH manager once.
    assert event.detail["lookers"] == 2
    assert event.detail["looks"] == 3


def test_a_merged_reference_finds_the_same_child(world: dict[str, Any]) -> None:
    response = _signed_in(world["auditor"]).get(f"/audit/children/{world['merged'].reference}/")
    assert response.status_code == 200
    assert "Priya Shah" in response.content.decode()


def test_an_unknown_child_goes_back_to_the_search_which_says_so(world: dict[str, Any]) -> None:
    client = _signed_in(world["auditor"])
    response = client.get("/audit/children/SLT9999999/")
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 400
    assert "No child has that Sightline reference" in page.content.decode()


def test_the_search_by_child_person_action_and_date(world: dict[str, Any]) -> None:
    client = _signed_in(world["auditor"])
    child = world["child"]
    by_child = client.get("/audit/", {"child": child.reference})
    assert by_child.status_code == 200
    page = by_child.content.decode()
    assert "Viewed a child&#39;s story" in page or "Viewed a child's story" in page
    assert "Who has looked at" in page
    assert SECRET not in page
    by_person = client.get("/audit/", {"practitioner": "priya", "action": "story_viewed"})
    rows = by_person.content.decode()
    assert "1 row" in rows
    assert "Priya Shah" in rows
    day = {
        "from-day": "2",
        "from-month": "3",
        "from-year": "2026",
        "to-day": "2",
        "to-month": "3",
        "to-year": "2026",
    }
    assert "Nothing in the audit log matches" not in client.get("/audit/", day).content.decode()
    before = {"to-day": "1", "to-month": "3", "to-year": "2026"}
    assert "Nothing in the audit log matches" in client.get("/audit/", before).content.decode()
    searches = AuditEvent.objects.filter(action="audit_searched").order_by("seq")
    assert [s.detail["practitioner"] for s in searches] == ["", "priya", "", ""]
    assert searches[0].person_id == child.pk


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"child": "SL\x00"}, "child", "Enter a Sightline reference"),
        ({"child": "SLT9999999"}, "child", "No child has that Sightline reference"),
        ({"practitioner": "x" * 201}, "practitioner", "200 characters or fewer"),
        ({"practitioner": "a\x07b"}, "practitioner", "control characters"),
        ({"action": "deleted_everything"}, "action", "Select an action from the list"),
        (
            {"from-day": "31", "from-month": "2", "from-year": "2026"},
            "from-day",
            "must be a real date",
        ),
        (
            {"from-day": "1", "from-month": "1", "from-year": "2099"},
            "from-day",
            "today or in the past",
        ),
        (
            {
                "from-day": "5",
                "from-month": "3",
                "from-year": "2026",
                "to-day": "1",
                "to-month": "3",
                "to-year": "2026",
            },
            "to-day",
            "same as or after date from",
        ),
    ],
)
def test_the_search_explains_what_it_cannot_read(
    world: dict[str, Any], query: dict[str, str], field: str, message: str
) -> None:
    with time_machine.travel(MONDAY + dt.timedelta(days=10), tick=False):
        response = _signed_in(world["auditor"]).get("/audit/", query)
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert f'href="#{field}"' in page
    assert message in page
    assert not AuditEvent.objects.filter(action="audit_searched").exists()


def _looks(user: Any, children: list[Person], when: dt.datetime) -> None:
    with time_machine.travel(when, tick=False):
        for child in children:
            audit.record(
                user,
                AuditAction.STORY_VIEWED,
                object_type="person",
                object_id=child.reference,
                person_id=child.pk,
            )


def test_the_flags(world: dict[str, Any], settings: Any) -> None:
    settings.AUDIT_FLAG_OUTSIDE_CHILDREN_PER_DAY = 3
    settings.AUDIT_FLAG_BREAK_GLASS_COUNT = 2
    settings.AUDIT_FLAG_REFUSED_PER_DAY = 2
    settings.AUDIT_WORKING_HOURS = "08:00-18:00"
    from sightline.people.tests.factories import PersonFactory

    others = PersonFactory.create_batch(4)
    tuesday = MONDAY + dt.timedelta(days=1)
    _looks(world["mash"], others, tuesday)  # four children, none with a grant of MASH's
    with time_machine.travel(tuesday + dt.timedelta(hours=11), tick=False):  # 21:00
        _looks(world["officer"], [world["child"]], tuesday + dt.timedelta(hours=11))
        for _ in range(2):
            audit.record(
                world["officer"],
                AuditAction.ACCESS_REFUSED,
                object_type="person",
                person_id=others[0].pk,
            )
            # The flag counts the uses themselves (governance.models.BreakGlass); each use
            # is opened and ended, so the second is a second use.
            used = breakglass.break_glass_open(
                actor=world["officer"],
                person_id=others[1].pk,
                reason="immediate_risk",
                reason_text="Called by the hospital at night about the child",
            )
            breakglass.break_glass_end(actor=world["officer"], access_id=used.pk)
    # A Saturday is out of hours all day, but not for a role that works round the clock.
    _looks(world["officer"], [world["child"]], MONDAY + dt.timedelta(days=5))
    with time_machine.travel(MONDAY + dt.timedelta(days=6), tick=False):
        client = _signed_in(world["auditor"])
        page = client.get("/audit/flags/").content.decode()
        assert "Many children outside their relationships" in page
        assert "Opened 4 children whom their agency and team had no relationship with" in page
        assert "Break-glass used repeatedly" in page
        assert "Used break-glass access 2 times" in page
        assert (
            "Was refused a child&#39;s record 2 times" in page
            or "Was refused a child's record 2 times" in page
        )
        assert page.count("outside working hours") >= 2  # Tuesday evening and Saturday
        assert SECRET not in page
        settings.AUDIT_OUT_OF_HOURS_ROLES = "police_officer"
        assert "outside working hours" not in client.get("/audit/flags/").content.decode()
        settings.AUDIT_WORKING_HOURS = ""
        assert "outside working hours" not in client.get("/audit/flags/").content.decode()
        viewed = AuditEvent.objects.filter(action="audit_flags_viewed").order_by("seq")
        assert viewed.count() == 3
        assert "outside_relationship" in viewed[0].detail["rules"]
        # The evidence link is a search for that person on that day.
        evidence = client.get(
            "/audit/",
            {
                "practitioner": world["mash"].username,
                "from-day": "3",
                "from-month": "3",
                "from-year": "2026",
                "to-day": "3",
                "to-month": "3",
                "to-year": "2026",
            },
        )
        assert "4 rows" in evidence.content.decode()


def test_the_flags_period_is_checked(world: dict[str, Any]) -> None:
    client = _signed_in(world["auditor"])
    with time_machine.travel(MONDAY, tick=False):
        long = client.get(
            "/audit/flags/", {"from-day": "1", "from-month": "1", "from-year": "2026"}
        )
    assert long.status_code == 400
    assert "31 days or fewer" in long.content.decode()
    assert not AuditEvent.objects.filter(action="audit_flags_viewed").exists()


def test_a_system_scope_and_the_auditors_own_looks_are_in_the_log(world: dict[str, Any]) -> None:
    access.system_scope(actor=LINKER, purpose="link people across feeds")
    client = _signed_in(world["auditor"])
    client.get("/audit/", {"practitioner": "system"})
    page = client.get("/audit/", {"action": "audit_searched"}).content.decode()
    assert "Searched the audit log" in page
    assert "system:linker" in client.get("/audit/", {"practitioner": "linker"}).content.decode()
