"""The audit's "why" is never empty (docs/access.md, Purposes): the main pages walked as every
role (signing in with a password, searching, the child's page and its story, exports, the
workflow pages, the lock-down view and break-glass, the auditor's pages, signing out) leave no
audit row without a purpose, and each look at the child says which reason let the viewer see
them. Synthetic people; the clock is frozen at one Monday morning."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from sightline.agencies.models import Role
from sightline.agencies.tests.factories import practitioner
from sightline.cases.tests.world import build_world
from sightline.chronology.tests.factories import entry_for, new_agency
from sightline.core.dates import LONDON
from sightline.governance import access
from sightline.governance.models import AccessGrant, AuditEvent

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2027, 3, 1, 10, 0, tzinfo=LONDON)
PASSWORD = "a long synthetic password 7"


def _pages(reference: str) -> list[str]:
    return [
        "/",
        "/my-work/",
        "/my-work/team",
        "/children/?results",
        f"/children/{reference}/",
        f"/children/{reference}/story.csv",
        f"/children/{reference}/entries/new",
        f"/children/{reference}/lock-down",
        f"/children/{reference}/break-glass",
        f"/alerts/children/{reference}/",
        "/alerts/",
        "/referrals/",
        "/referrals/front-door/",
        f"/identity/people/{reference}/",
        "/identity/review/",
        "/audit/",
        f"/audit/?child={reference}",
        f"/audit/children/{reference}/",
        "/audit/flags/",
        "/audit/break-glass/",
        "/notifications/",
        f"/api/children/{reference}/story",
        f"/api/children/{reference}/lock-down",
        "/api/people/search?name=Riley+Hart",
    ]


def test_every_role_walking_the_main_pages_leaves_no_empty_purpose() -> None:
    with time_machine.travel(MONDAY, tick=False):
        world = build_world()
        child = world.child
        entry_for(child, agency=world.agencies["csc"], summary="Seen at home.")
        partnership = new_agency(code="partnership", name="The partnership", kind="other")
        users = dict(world.users)
        for role in (Role.AUDITOR, Role.DATA_OFFICER, Role.SYSADMIN):
            users[str(role)] = practitioner(str(role), agency=partnership)
        health = new_agency(code="health", name="Hallowford Hospital", kind="health_ae")
        users["nurse"] = practitioner("health_nurse", agency=health)
        yot = new_agency(code="yot", name="Youth justice", kind="youth_justice")
        users["yot"] = practitioner("youth_justice_worker", agency=yot)
        # A social worker of another authority: the lock-down view, then break-glass.
        elsewhere = new_agency(code="csc2", name="Brackenby Children's Services", kind="childrens_social_care")  # fmt: skip
        users["outsider"] = practitioner("social_worker", agency=elsewhere)
        assert {access.scope_for(u).role for u in users.values()} >= set(Role.values), (
            "walk every role"
        )
        for user in users.values():
            user.set_password(PASSWORD)
            user.save()

        for name, user in users.items():
            client = Client()
            assert client.post(
                "/sign-in", {"email": user.email, "password": PASSWORD}
            ).status_code in (302, 303), name
            client.post(
                "/children/",
                {"name": "Riley Hart", "birth_date-day": "9", "birth_date-month": "4",
                 "birth_date-year": "2011", "identifier": ""},
            )  # fmt: skip
            if name == "outsider":
                client.post(
                    f"/children/{child.reference}/break-glass",
                    {"reason": "out_of_hours", "reason_text": "Police called at night."},
                )
            for path in _pages(child.reference):
                client.get(path)
            client.post("/sign-out")
        client = Client()
        client.post("/sign-in", {"email": users["sw"].email, "password": "wrong"})

    empty = AuditEvent.objects.filter(purpose="")
    assert not empty.exists(), sorted(set(empty.values_list("action", "actor_role")))
    looks = AuditEvent.objects.filter(action="story_viewed", person_id=child.pk)
    why = dict(looks.values_list("actor_role", "purpose"))
    assert why["mash_manager"] == access.PURPOSE_MASH
    assert why["school_dsl"] == "involvement: their agency works with the child"
    assert why["police_officer"] == "their agency holds records on the child"
    outsider = looks.filter(actor=users["outsider"]).values_list("purpose", flat=True)
    assert outsider
    assert all(p.startswith("break-glass: Out of hours") for p in outsider)
    auditor = AuditEvent.objects.filter(actor=users["auditor"], action="audit_child_viewed")
    assert auditor.get().purpose.startswith("audit")


def test_the_purpose_is_shown_on_who_has_looked(settings: Any) -> None:
    with time_machine.travel(MONDAY, tick=False):
        world = build_world()
        auditor = practitioner("auditor", agency=world.agencies["mash"])
        for user in (world.users["mash"], world.users["dsl"]):
            client = Client()
            client.force_login(user)
            client.get(f"/children/{world.child.reference}/")
        client = Client()
        client.force_login(auditor)
        page = client.get(f"/audit/children/{world.child.reference}/").content.decode()
    assert access.PURPOSE_MASH in page
    assert "involvement: their agency works with the child" in page


@pytest.mark.parametrize("basis", list(AccessGrant.Basis))
@pytest.mark.parametrize("team", [False, True])
def test_every_basis_of_a_grant_names_a_purpose(basis: Any, team: bool) -> None:
    """A new basis of grant (a referral's, say) must say why its holder looks."""
    from sightline.agencies.tests.factories import TeamFactory
    from sightline.chronology.tests.factories import new_person

    agency = new_agency(code="p-agency", kind="childrens_social_care")
    group = TeamFactory.create(agency=agency) if team else None
    viewer = practitioner("social_worker", agency=agency, team=group)
    child = new_person()
    access.grant(
        person_id=child.pk,
        agency_id=agency.pk,
        team_id=group.pk if group else None,
        basis=basis,
    )
    purpose = access.purpose_for(viewer, person_id=child.pk, action="person_viewed")
    assert purpose
    assert not purpose.startswith(("own work", "no relationship"))
