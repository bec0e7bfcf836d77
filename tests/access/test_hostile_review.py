"""A hostile practitioner against the information-governance features: a handling code C
entry read without a decision, sharing another agency's entry, odd agency ids, odd text. Each
test is a way in that must answer "not found", "not allowed" or a GOV.UK error, never a 500 or
the content. Synthetic people."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sightline.accounts.models import User
from sightline.agencies.tests.factories import practitioner
from sightline.chronology.tests.factories import entry_for, new_agency, new_person
from sightline.chronology.tests.pdftext import base_font, pdf_text
from sightline.governance import access, breakglass
from sightline.governance.models import AccessGrant, AuditEvent, BreakGlass, SharingDecision

pytestmark = pytest.mark.django_db

SECRET = "Intelligence that a cousin runs a county line from Brackenby"
C_GRADE = {
    "system": "3x5x2",
    "source": "2",
    "assessment": "B",
    "handling": "C",
    "conditions": "Not to be shared with the family",
}


@pytest.fixture
def police() -> Any:
    return new_agency(code="police", name="Hallowford Police", kind="police")


@pytest.fixture
def csc() -> Any:
    return new_agency(code="csc", name="Children's social care", kind="childrens_social_care")


@pytest.fixture
def mash() -> Any:
    return new_agency(code="mash", name="MASH", kind="mash")


@pytest.fixture
def child(police: Any, csc: Any) -> Any:
    person = new_person(given_names="Jordan", family_name="Ellis")
    for agency in (police, csc):
        access.grant(person_id=person.pk, agency_id=agency.pk, basis=AccessGrant.Basis.INVOLVEMENT)
    return person


@pytest.fixture
def c_entry(child: Any, police: Any) -> Any:
    entry = entry_for(
        child, agency=police, police_intelligence=True, intelligence_grade=C_GRADE, summary=SECRET
    )
    entry.lineage = entry.pk
    entry.save()
    return entry


@pytest.fixture
def officer(police: Any) -> Any:
    return practitioner("police_officer", agency=police)


@pytest.fixture
def mash_manager(mash: Any) -> Any:
    """Cleared for police intelligence, sees every child: only a decision opens a C code."""
    return practitioner("mash_manager", agency=mash)


@pytest.fixture
def social_worker(csc: Any) -> Any:
    return practitioner("social_worker", agency=csc)


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- a C-coded entry without a decision ----------------------------------------------------------


def test_a_c_code_entry_is_not_read_anywhere_without_a_decision(
    child: Any, c_entry: Any, mash_manager: Any, officer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = signed_in(mash_manager)
    ref = child.reference
    urls = [
        f"/children/{ref}/",
        f"/children/{ref}/story.csv",
        f"/children/{ref}/story.pdf",
        f"/children/{ref}/entries/{c_entry.pk}/history",
        f"/children/{ref}/sharing/new?entry={c_entry.pk}",
        f"/api/children/{ref}/story",
        f"/api/children/{ref}/sharing-decisions",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 403, 404), (url, response.status_code)
        assert SECRET.encode() not in response.getvalue(), url
    with base_font(monkeypatch):
        pdf = client.get(f"/children/{ref}/story.pdf")
        assert pdf.status_code == 200
        assert "county line" not in pdf_text(pdf.getvalue())
        # The police read it (the test would pass with the entry missing otherwise).
        police_pdf = signed_in(officer).get(f"/children/{ref}/story.pdf").getvalue()
        assert "county line" in pdf_text(police_pdf)
    assert SECRET in signed_in(officer).get(f"/children/{ref}/").content.decode()


def test_a_c_code_entry_attached_to_a_referral_is_not_read_by_the_receiving_agency(
    child: Any, c_entry: Any, mash_manager: Any, officer: Any
) -> None:
    from sightline.referrals import services as referrals

    referral = referrals.referral_make(
        actor=officer,
        person=child,
        fields=referrals.ReferralFields(
            service="mash",
            concerns="Seen with older males late at night near the station.",
            family_knows="Not yet: the family is part of the concern.",
            consent="not_asked",
            consent_note="Asking would put the child at risk.",
            risk="significant_harm",
            risk_note="Signs of criminal exploitation.",
            evidence=(c_entry.pk,),
        ),
    )
    response = signed_in(mash_manager).get(f"/referrals/{referral.pk}/")
    assert response.status_code == 200
    assert SECRET not in response.content.decode()


# --- recording sharing decisions ------------------------------------------------------------------

SHARED = {
    "outcome": "shared",
    "purpose": "The strategy discussion needs it.",
    "lawful_basis": "safeguarding_children",
}


def test_another_agencys_entry_cannot_be_shared_by_page_or_api(
    child: Any, c_entry: Any, social_worker: Any, csc: Any
) -> None:
    client = signed_in(social_worker)
    ref = child.reference
    page = client.post(
        f"/children/{ref}/sharing/new?entry={c_entry.pk}", {**SHARED, "recipient_agency": csc.pk}
    )
    api = client.post(
        f"/api/children/{ref}/sharing-decisions",
        {**SHARED, "entry": c_entry.pk, "recipient_agency": csc.pk},
        content_type="application/json",
    )
    assert (page.status_code, api.status_code) == (404, 404)
    assert not SharingDecision.objects.exists()


@pytest.mark.parametrize("agency", ["0", "-1", "999999", "9" * 18, "9" * 40, "1e3", " 1 ", "x"])
def test_sharing_with_an_agency_that_is_not_one_is_a_form_error(
    child: Any, officer: Any, c_entry: Any, agency: str
) -> None:
    response = signed_in(officer).post(
        f"/children/{child.reference}/sharing/new?entry={c_entry.pk}",
        {**SHARED, "recipient_agency": agency},
    )
    if agency.strip() == str(access.scope_for(officer).agency_id):
        return  # " 1 " may name the police itself: a real agency
    assert response.status_code == 400
    assert "Select an agency from the list" in response.content.decode()


@pytest.mark.parametrize("agency", [0, -1, 999999, 2**63, 10**30])
@pytest.mark.parametrize("entry", [None, -1, 0, 2**63, 10**30])
def test_sharing_over_the_api_with_odd_numbers_is_never_a_500(
    child: Any, officer: Any, agency: int, entry: int | None
) -> None:
    response = signed_in(officer).post(
        f"/api/children/{child.reference}/sharing-decisions",
        {**SHARED, "entry": entry, "recipient_agency": agency, "what": "Intelligence"},
        content_type="application/json",
    )
    assert response.status_code in (400, 404, 422), response.content[:300]


@pytest.mark.parametrize("field", ["what", "purpose", "recipient_other", "reason_text"])
@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f"])
def test_control_characters_in_a_sharing_decision_are_a_form_error(
    child: Any, officer: Any, csc: Any, field: str, char: str
) -> None:
    """PostgreSQL refuses a NUL in text: as everywhere else, a form error, not a 500."""
    values = {**SHARED, "what": "The strategy notes", "recipient_agency": str(csc.pk)}
    if field == "recipient_other":
        values["recipient_agency"] = ""
    if field == "reason_text":
        values |= {
            "outcome": "not_shared",
            "lawful_basis": "",
            "purpose": "",
            "reason_not_shared": "risk_to_investigation",
        }
    values[field] = f"Before{char}after"
    response = signed_in(officer).post(f"/children/{child.reference}/sharing/new", values)
    assert response.status_code == 400
    assert "must not contain control characters" in response.content.decode()
    api = signed_in(officer).post(
        f"/api/children/{child.reference}/sharing-decisions",
        {**values, "recipient_agency": int(values["recipient_agency"] or 0) or None},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert not SharingDecision.objects.exists()


HUGE = "9" * 30


def test_huge_numbers_in_the_new_addresses_are_not_found(
    child: Any, officer: Any, mash_manager: Any
) -> None:
    auditor = practitioner("auditor", agency=new_agency(code="ig", name="IG", kind="other"))
    ref = child.reference
    for user, method, url in [
        (officer, "get", f"/children/{ref}/entries/{HUGE}/history"),
        (officer, "get", f"/children/{ref}/sharing/new?entry={HUGE}"),
        (officer, "post", f"/break-glass/{HUGE}/end"),
        (auditor, "post", f"/break-glass/{HUGE}/end"),
        (auditor, "get", f"/audit/break-glass/{HUGE}/"),
        (auditor, "post", f"/audit/break-glass/{HUGE}/"),
        (auditor, "get", f"/audit/break-glass/?page={HUGE}"),
        (mash_manager, "get", f"/referrals/{HUGE}/"),
        (officer, "post", f"/api/break-glass/{HUGE}/end"),
        (auditor, "post", f"/api/break-glass/{HUGE}/end"),
        (officer, "post", "/api/break-glass/-1/end"),
    ]:
        response = getattr(signed_in(user), method)(url)
        assert response.status_code in (200, 400, 403, 404), (url, response.status_code)


# --- break-glass ----------------------------------------------------------------------------------

REASON = {"reason": "immediate_risk", "reason_text": "Found alone at the station at night"}


@pytest.fixture
def outsider() -> Any:
    """A social worker of another authority: the lock-down view and break-glass."""
    other = new_agency(code="other-csc", name="Other council", kind="childrens_social_care")
    return practitioner("social_worker", agency=other)


def test_break_glass_without_the_capability_is_refused(child: Any) -> None:
    school = new_agency(code="school", name="Brackenby Academy", kind="school")
    dsl = practitioner("school_dsl", agency=school)  # the lock-down view, no break-glass
    client = signed_in(dsl)
    assert client.get(f"/children/{child.reference}/lock-down").status_code == 200
    response = client.post(f"/children/{child.reference}/break-glass", REASON)
    api = client.post(
        f"/api/children/{child.reference}/break-glass", REASON, content_type="application/json"
    )
    assert (response.status_code, api.status_code) == (403, 403)
    assert not BreakGlass.objects.exists()


@pytest.mark.parametrize(
    "text", ["", "   ", "x" * 1001, "Found\x00alone", "Found\x1b[31malone", "\u200b"]
)
def test_break_glass_text_that_is_not_a_reason_is_a_form_error(
    child: Any, outsider: Any, text: str
) -> None:
    response = signed_in(outsider).post(
        f"/children/{child.reference}/break-glass", {**REASON, "reason_text": text}
    )
    if text == "\u200b":  # a zero-width space is text, if odd: it opens, and is audited
        assert response.status_code == 303
        return
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()
    assert not BreakGlass.objects.exists()


def test_break_glass_on_a_merged_childs_reference_opens_the_survivor(
    child: Any, outsider: Any
) -> None:
    old = new_person(given_names="Jordan", family_name="Ellis")
    old.merged_into = child
    old.save()
    client = signed_in(outsider)
    response = client.post(f"/children/{old.reference}/break-glass", REASON)
    assert response.status_code == 303
    assert response["Location"] == f"/children/{child.reference}/"
    assert list(BreakGlass.objects.values_list("person_id", flat=True)) == [child.pk]
    assert client.get(f"/children/{old.reference}/").status_code in (200, 301, 302)


def test_pressing_twice_is_one_use(child: Any, outsider: Any) -> None:
    client = signed_in(outsider)
    for _ in range(2):
        assert client.post(f"/children/{child.reference}/break-glass", REASON).status_code == 303
    assert BreakGlass.objects.count() == 1
    assert AuditEvent.objects.filter(action="break_glass").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="needs two connections to one database"
)
@pytest.mark.parametrize("attempt", range(3))
def test_two_presses_at_the_same_moment_are_one_use(
    child: Any, outsider: Any, attempt: int
) -> None:
    barrier = threading.Barrier(2)
    opened: list[int] = []

    def press() -> None:
        user = User.objects.get(pk=outsider.pk)
        barrier.wait(timeout=10)
        try:
            opened.append(breakglass.break_glass_open(actor=user, person_id=child.pk, **REASON).pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(opened) == 2, opened
    assert len(set(opened)) == 1, opened
    assert BreakGlass.objects.count() == 1


def test_break_glass_ends_at_its_end(child: Any, outsider: Any) -> None:
    start = dt.datetime(2027, 3, 1, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client = signed_in(outsider)
        client.post(f"/children/{child.reference}/break-glass", REASON)
        assert client.get(f"/children/{child.reference}/").status_code == 200
        clock.shift(dt.timedelta(minutes=breakglass.minutes(), seconds=1))
        client = signed_in(outsider)  # the idle session has ended too: sign in again
        # The page says the access ended (the lock-down view: whom to contact, no content).
        ended = client.get(f"/children/{child.reference}/")
        assert ended["Location"] == f"/children/{child.reference}/lock-down"
        assert client.get(f"/api/children/{child.reference}/story").status_code == 404
        assert client.get(f"/children/{child.reference}/story.csv").status_code == 404


def test_a_colleague_does_not_share_the_access(child: Any, outsider: Any) -> None:
    colleague = practitioner("social_worker", agency=outsider.membership.agency)
    signed_in(outsider).post(f"/children/{child.reference}/break-glass", REASON)
    assert signed_in(colleague).get(f"/children/{child.reference}/").status_code == 404


def test_someone_elses_break_glass_cannot_be_ended(child: Any, outsider: Any) -> None:
    signed_in(outsider).post(f"/children/{child.reference}/break-glass", REASON)
    row = BreakGlass.objects.get()
    other = practitioner("social_worker", agency=outsider.membership.agency)
    assert signed_in(other).post(f"/break-glass/{row.pk}/end").status_code == 404
    assert signed_in(outsider).get(f"/break-glass/{row.pk}/end").status_code == 405
    row.refresh_from_db()
    assert row.ended_at is None


ODD = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["appropriate", "not_appropriate", "1", "-1", HUGE, "\x00", "\ud7ff", " "]),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(form=st.dictionaries(st.sampled_from(["outcome", "note", "end"]), ODD))
def test_any_review_form_is_an_answer_not_a_500(child: Any, outsider: Any, form: Any) -> None:
    auditor = User.objects.filter(membership__role="auditor").first() or practitioner(
        "auditor", agency=new_agency(code="ig", name="IG", kind="other")
    )
    row = BreakGlass.objects.first() or breakglass.break_glass_open(
        actor=outsider, person_id=child.pk, **REASON
    )
    with transaction.atomic():
        response = signed_in(auditor).post(f"/audit/break-glass/{row.pk}/", form)
        assert response.status_code in (303, 400), response.status_code
        transaction.set_rollback(True)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    payload=st.dictionaries(
        st.sampled_from(["reason", "reason_text"]),
        st.one_of(ODD, st.integers(), st.none(), st.lists(st.integers(), max_size=2)),
    )
)
def test_any_break_glass_payload_is_an_answer_not_a_500(
    child: Any, outsider: Any, payload: Any
) -> None:
    with transaction.atomic():
        response = signed_in(outsider).post(
            f"/api/children/{child.reference}/break-glass", payload, content_type="application/json"
        )
        assert response.status_code in (201, 400, 422), response.content[:300]
        transaction.set_rollback(True)
