"""The lock-down view and break-glass where a practitioner meets them (docs/access.md): a
practitioner outside a child's relationships finds the child (name with a full date of birth,
or an identifier), sees which agencies work with them and whom to contact and nothing else;
a role with break-glass opens the child for a reason, is shown a banner with the end time on
every page, the lead practitioner and the information governance lead are told, every page is
audited with the reason, the access ends at its end, and the auditor reviews it. Synthetic
people; the clock is frozen at one Monday morning."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
import pytest
import time_machine
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sightline.accounts.models import Notification
from sightline.agencies.models import Agency
from sightline.agencies.tests.factories import AgencyFactory, practitioner
from sightline.cases.tests.world import involve
from sightline.chronology.tests.factories import entry_for, new_agency
from sightline.core.dates import LONDON
from sightline.core.tests.pages import page_html
from sightline.governance import access
from sightline.governance.models import AccessGrant, AuditEvent, BreakGlass
from sightline.people.models import Address, Identifier, Person
from sightline.people.tests.factories import person_named

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2027, 3, 1, 10, 0, tzinfo=LONDON)
SECRET = "Disclosed to the teacher that an older cousin takes them to flats in Brackenby"
NHS = "9434765919"
REASON = "immediate_risk"
WORDS = "Found alone at the bus station at night; says they cannot go home"


@dataclass
class Partnership:
    child: Person
    csc: Agency
    lead: Any  # the child's lead practitioner (children's social care)
    outsider: Any  # a social worker of another authority's children's services
    school_outsider: Any  # a school DSL of another school (lock-down, no break-glass)
    auditor: Any
    analyst: Any
    mash: Any


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(clock: Any) -> Partnership:
    child = person_named("Robin", "Marsh", birth_date=dt.date(2012, 5, 17), sex="female")
    Address.objects.create(person=child, line="14 Mill Lane", postcode="CV34 4AB")
    Identifier.objects.create(person=child, scheme="nhs_number", value=NHS, is_valid=True)
    csc = new_agency(
        code="csc", name="Hallowford Children's Services", kind="childrens_social_care"
    )
    csc.phone, csc.email = "01632 960000", "duty@csc.example.org"
    csc.save()
    lead = practitioner("social_worker", agency=csc)
    lead.first_name, lead.last_name, lead.email = "Alex", "Smith", "alex.smith@csc.example.org"
    lead.save()
    involvement = involve(child, csc, email=lead.email, since=dt.date(2025, 9, 1))
    involvement.practitioner_name = "Alex Smith"
    involvement.practitioner_role = "Social worker"
    involvement.practitioner_phone = "01632 960001"
    involvement.is_lead = True
    involvement.save()
    police = new_agency(code="police", name="Hallowford Police", kind="police")
    access.grant(person_id=child.pk, agency_id=police.pk, basis=AccessGrant.Basis.HOLDS_RECORDS)
    entry_for(child, agency=csc, summary=SECRET)
    elsewhere = new_agency(
        code="elsewhere-csc", name="Brackenby Children's Services", kind="childrens_social_care"
    )
    outsider = practitioner("social_worker", agency=elsewhere)
    outsider.first_name, outsider.last_name = "Jo", "Baker"
    outsider.save()
    school = new_agency(code="other-school", name="Brackenby Academy", kind="school")
    partnership = new_agency(code="partnership", name="The partnership", kind="other")
    mash_agency = new_agency(code="mash", name="Hallowford MASH", kind="mash")
    return Partnership(
        child=child,
        csc=csc,
        lead=lead,
        outsider=outsider,
        school_outsider=practitioner("school_dsl", agency=school),
        auditor=practitioner("auditor", agency=partnership),
        analyst=practitioner("analyst", agency=partnership),
        mash=practitioner("mash_manager", agency=mash_agency),
    )


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def search(client: Client, **fields: str) -> str:
    data = {"name": "", "identifier": "", "birth_date-day": "", "birth_date-month": ""}
    data |= {"birth_date-year": ""} | fields
    response = client.post("/children/", data)
    assert response.status_code == 303, response.content.decode()[:500]
    return page_html(client.get("/children/?results"))


FULL_DATE = {"birth_date-day": "17", "birth_date-month": "5", "birth_date-year": "2012"}


def break_glass(client: Client, child: Person, **fields: str) -> Any:
    data = {"reason": REASON, "reason_text": WORDS} | fields
    return client.post(f"/children/{child.reference}/break-glass", data)


# --- the lock-down view --------------------------------------------------------------------------


def test_a_name_with_a_full_date_of_birth_finds_the_child_outside_their_work(
    world: Partnership,
) -> None:
    client = signed_in(world.outsider)
    page = search(client, name="Robin Marsh", **FULL_DATE)
    assert "1 child known to other agencies" in page
    assert "Not in your work" in page
    assert f"/children/{world.child.reference}/lock-down" in page
    assert f'href="/children/{world.child.reference}/"' not in page  # not the child's page
    for hidden in ("Mill Lane", "CV34", "Hallowford Children", "Female", "Male"):
        assert hidden not in page
    searched = AuditEvent.objects.filter(action="person_searched").latest("seq")
    assert searched.detail["lockdown_count"] == 1


def test_a_name_alone_does_not_browse_the_partnership(world: Partnership) -> None:
    page = search(signed_in(world.outsider), name="Robin Marsh")
    assert "No children found" in page
    assert "Not in your work" not in page
    assert "full date of birth" in page  # how to find a child known elsewhere


def test_results_that_are_not_the_child_say_how_to_find_one_known_elsewhere(
    world: Partnership,
) -> None:
    from sightline.people.tests.factories import person_named

    theirs = person_named("Robin", "Marsh", birth_date=dt.date(2015, 1, 9))
    access.grant(
        person_id=theirs.pk,
        agency_id=world.outsider.membership.agency_id,
        basis=AccessGrant.Basis.INVOLVEMENT,
    )
    page = search(signed_in(world.outsider), name="Robin Marsh")
    assert f"/children/{theirs.reference}/" in page
    assert "Not the child you are looking for?" in page
    assert "full date of birth" in page


def test_an_identifier_finds_the_child_without_their_date_of_birth(world: Partnership) -> None:
    page = search(signed_in(world.outsider), identifier=NHS)
    assert "Not in your work" in page
    assert "Born" not in page  # the date of birth was not what matched


def test_the_lockdown_page_shows_whom_to_contact_and_nothing_of_the_record(
    world: Partnership,
) -> None:
    response = signed_in(world.outsider).get(f"/children/{world.child.reference}/lock-down")
    assert response.status_code == 200
    page = response.content.decode()
    assert "This child is known to other agencies" in page
    assert "Hallowford Children&#39;s Services" in page or "Hallowford Children's Services" in page
    assert "Hallowford Police" in page
    assert "Alex Smith" in page
    assert "Lead practitioner" in page
    assert "alex.smith@csc.example.org" in page
    assert "01632 960001" in page
    assert "Hallowford MASH" in page
    for hidden in (SECRET, "Mill Lane", "CV34", NHS, "17 May 2012"):
        assert hidden not in page
    assert "Break glass" in page
    event = AuditEvent.objects.get(action="lockdown_viewed")
    assert (event.person_id, event.purpose) == (world.child.pk, access.PURPOSE_LOCKDOWN)


def test_roles_without_the_lockdown_view_still_get_not_found(world: Partnership) -> None:
    for user in (world.analyst, world.auditor):
        response = signed_in(user).get(f"/children/{world.child.reference}/lock-down")
        assert response.status_code == 404
        assert "Robin" not in response.content.decode()
    assert signed_in(world.outsider).get("/children/SLNOBODY00/lock-down").status_code == 404
    # The child's page itself is still "not found" to the outsider.
    assert signed_in(world.outsider).get(f"/children/{world.child.reference}/").status_code == 404


def test_a_viewer_who_works_with_the_child_is_sent_to_their_page(world: Partnership) -> None:
    response = signed_in(world.lead).get(f"/children/{world.child.reference}/lock-down")
    assert response.status_code == 303
    assert response["Location"] == f"/children/{world.child.reference}/"


# --- break-glass ----------------------------------------------------------------------------------


def test_break_glass_asks_why_with_an_error_summary(world: Partnership) -> None:
    client = signed_in(world.outsider)
    response = break_glass(client, world.child, reason="", reason_text=" ")
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'href="#reason"' in page
    assert 'href="#reason_text"' in page
    assert not BreakGlass.objects.exists()
    assert SECRET not in page


def test_break_glass_opens_the_child_for_a_time_with_a_banner_and_notifications(
    world: Partnership, clock: Any, settings: Any
) -> None:
    settings.BREAK_GLASS_MINUTES = 60
    client = signed_in(world.outsider)
    response = break_glass(client, world.child)
    assert response.status_code == 303
    assert response["Location"] == f"/children/{world.child.reference}/"
    page = client.get(response["Location"]).content.decode()
    assert SECRET in page
    assert "Break-glass access" in page
    assert "until 11:00 on 1 March 2027" in page
    # The banner is on every page, not only the child's; its link to the record, only where
    # the record is not already open.
    assert "Open Robin" not in page
    elsewhere = client.get("/children/").content.decode()
    assert "until 11:00 on 1 March 2027" in elsewhere
    assert "Open Robin" in elsewhere

    used = BreakGlass.objects.get()
    assert (used.user, used.person, used.reason) == (world.outsider, world.child, REASON)
    opened = AuditEvent.objects.get(action="break_glass")
    assert opened.purpose.startswith("break-glass: The child may be at immediate risk")
    looked = AuditEvent.objects.filter(action="story_viewed", person_id=world.child.pk)
    assert looked.exists()
    assert all(WORDS in e.purpose and e.purpose.startswith("break-glass:") for e in looked)

    told = {n.recipient for n in Notification.objects.all()}
    assert told == {world.lead, world.auditor}
    for note in Notification.objects.all():
        assert "Robin" not in note.subject + note.body
        assert WORDS not in note.body

    clock.move_to(MONDAY + dt.timedelta(minutes=61))
    client = signed_in(world.outsider)  # the idle session timed out: signed in again
    # A reload of the child's page says the access ended and shows whom to contact.
    reload = client.get(f"/children/{world.child.reference}/", follow=True)
    assert reload.redirect_chain == [(f"/children/{world.child.reference}/lock-down", 302)]
    page = reload.content.decode()
    assert "break-glass access to Robin Marsh&#39;s record ended at 11:00 on 1 March 2027" in page
    assert SECRET not in page
    # Only for the practitioner who opened it: anyone else still sees "not found".
    other = practitioner("social_worker", agency=world.outsider.membership.agency)
    assert signed_in(other).get(f"/children/{world.child.reference}/").status_code == 404
    assert "Break-glass access" not in client.get("/children/").content.decode()


def test_ending_early_ends_the_access(world: Partnership) -> None:
    client = signed_in(world.outsider)
    break_glass(client, world.child)
    used = BreakGlass.objects.get()
    ended = client.post(f"/break-glass/{used.pk}/end", follow=True)
    assert ended.redirect_chain[0][1] == 303
    page = ended.content.decode()
    # Said once, on the page it led to; the banner of the access is gone.
    assert f"Your break-glass access to {world.child.reference} has ended" in page
    assert "until 11:00" not in page
    assert "has ended" not in client.get("/children/").content.decode()
    assert client.get(f"/children/{world.child.reference}/")["Location"].endswith("/lock-down")
    assert AuditEvent.objects.filter(action="break_glass_ended").count() == 1
    # Another practitioner cannot end it (nor tell that it exists).
    other = practitioner("social_worker", agency=world.csc)
    assert signed_in(other).post(f"/break-glass/{used.pk}/end").status_code == 404


def test_a_move_to_another_agency_ends_break_glass_at_once(world: Partnership) -> None:
    from sightline.agencies.services import membership_change

    client = signed_in(world.outsider)
    break_glass(client, world.child)
    assert client.get(f"/children/{world.child.reference}/").status_code == 200
    police = AgencyFactory.create(code="police-force", kind="police")
    membership_change(
        actor=world.auditor, user=world.outsider, role="police_officer", agency=police
    )
    client = signed_in(world.outsider)
    assert client.get(f"/children/{world.child.reference}/").status_code == 404
    assert "Break-glass access" not in client.get("/children/").content.decode()


def test_a_role_without_break_glass_sees_the_lockdown_view_only(world: Partnership) -> None:
    client = signed_in(world.school_outsider)
    page = client.get(f"/children/{world.child.reference}/lock-down").content.decode()
    assert "Alex Smith" in page
    assert "Break glass" not in page
    assert break_glass(client, world.child).status_code == 403
    assert not BreakGlass.objects.exists()


def test_the_auditor_reviews_each_use(world: Partnership) -> None:
    break_glass(signed_in(world.outsider), world.child)
    used = BreakGlass.objects.get()
    auditor = signed_in(world.auditor)
    listing = auditor.get("/audit/break-glass/").content.decode()
    assert "Not reviewed" in listing
    assert world.child.reference in listing
    assert "Robin" not in listing
    page = auditor.get(f"/audit/break-glass/{used.pk}/").content.decode()
    assert WORDS in page
    assert SECRET not in page
    refused = auditor.post(f"/audit/break-glass/{used.pk}/", {"outcome": "", "note": ""})
    assert refused.status_code == 400
    assert "There is a problem" in refused.content.decode()
    done = auditor.post(
        f"/audit/break-glass/{used.pk}/",
        {"outcome": "appropriate", "note": "Police confirmed the call that night."},
    )
    assert done.status_code == 303
    used.refresh_from_db()
    assert used.review_outcome == "appropriate"
    assert used.reviewed_by == world.auditor
    assert "No break-glass use is waiting" in auditor.get("/audit/break-glass/").content.decode()
    reviewed = auditor.get("/audit/break-glass/", {"show": "reviewed"}).content.decode()
    assert world.child.reference in reviewed
    who = auditor.get(f"/audit/children/{world.child.reference}/").content.decode()
    assert "break-glass: The child may be at immediate risk" in who


def test_the_repeated_break_glass_flag_counts_the_uses(world: Partnership, settings: Any) -> None:
    from sightline.governance import flags

    settings.AUDIT_FLAG_BREAK_GLASS_COUNT = 2
    client = signed_in(world.outsider)
    for _ in range(2):
        break_glass(client, world.child)
        client.post(f"/break-glass/{BreakGlass.objects.latest('pk').pk}/end")
    found = flags.flags_find(flags.Period(MONDAY.date(), MONDAY.date()))
    repeated = [f for f in found if f.rule == "break_glass_repeated"]
    assert [(f.actor_id, f.count) for f in repeated] == [(world.outsider.pk, 2)]


# --- the API --------------------------------------------------------------------------------------


def test_the_api_has_the_same_rules(world: Partnership) -> None:
    client = signed_in(world.outsider)
    url = f"/api/children/{world.child.reference}/lock-down"
    summary = client.get(url)
    assert summary.status_code == 200
    body = summary.json()
    assert body["can_break_glass"] is True
    assert [c["name"] for c in body["contacts"] if c["is_lead"]] == ["Alex Smith"]
    assert SECRET not in summary.content.decode()
    assert NHS not in summary.content.decode()
    found = client.get("/api/people/search", {"identifier": NHS}).json()["results"]
    assert [(r["reference"], r["lockdown"], r["area"]) for r in found] == [
        (world.child.reference, True, None)
    ]

    refused = client.post(
        f"/api/children/{world.child.reference}/break-glass",
        orjson.dumps({"reason": "because", "reason_text": ""}),
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert set(refused.json()["errors"]) == {"reason", "reason_text"}
    opened = client.post(
        f"/api/children/{world.child.reference}/break-glass",
        orjson.dumps({"reason": REASON, "reason_text": WORDS}),
        content_type="application/json",
    )
    assert opened.status_code == 201
    assert client.get(f"/api/children/{world.child.reference}/story").status_code == 200
    ended = client.post(f"/api/break-glass/{opened.json()['id']}/end")
    assert ended.status_code == 200
    assert client.get(f"/api/children/{world.child.reference}/story").status_code == 404

    for user in (world.analyst, world.auditor):
        assert signed_in(user).get(url).status_code == 404
    school = signed_in(world.school_outsider)
    assert school.get(url).status_code == 200
    no_glass = school.post(
        f"/api/children/{world.child.reference}/break-glass",
        orjson.dumps({"reason": REASON, "reason_text": WORDS}),
        content_type="application/json",
    )
    assert no_glass.status_code == 403


# --- fuzzing the form -----------------------------------------------------------------------------


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(reason=st.text(max_size=50), text=st.text(max_size=1200))
def test_any_break_glass_form_is_an_answer_not_a_500(
    world: Partnership, reason: str, text: str
) -> None:
    response = break_glass(signed_in(world.outsider), world.child, reason=reason, reason_text=text)
    assert response.status_code in (303, 400)
    BreakGlass.objects.all().delete()


@pytest.mark.parametrize(
    ("minutes", "said"),
    [(240, "4 hours"), (60, "1 hour"), (90, "90 minutes"), (1, "1 minute"), (120, "2 hours")],
)
def test_the_pages_say_how_long_break_glass_lasts(settings: Any, minutes: int, said: str) -> None:
    from sightline.governance.breakglass import duration_text

    settings.BREAK_GLASS_MINUTES = minutes
    assert duration_text() == said


def test_a_moment_is_said_in_england_s_time() -> None:
    from sightline.core.dates import time_on_day_text

    # 10:00 UTC in summer is 11:00 in England.
    assert time_on_day_text(dt.datetime(2027, 7, 1, 10, 0, tzinfo=dt.UTC)) == "11:00 on 1 July 2027"
