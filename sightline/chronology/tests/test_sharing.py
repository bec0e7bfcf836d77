"""Sharing decisions (governance.sharing) through the page and the selectors, and what they
change: an entry with handling code C is read outside the police only by an agency it was
shared with by a recorded decision; health-confidential detail is for health agencies and the
child's lead social worker."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sightline.agencies.tests.factories import practitioner
from sightline.chronology import selectors
from sightline.chronology.filters import StoryFilters
from sightline.chronology.models import EntrySubject
from sightline.chronology.selectors import RestrictedRow, StoryRow
from sightline.chronology.tests.factories import entry_for, new_agency, new_person
from sightline.core.errors import AccessDenied, NotFound, ValidationFailed
from sightline.core.tests.pages import page_text as text
from sightline.governance import access
from sightline.governance.audit import AuditAction
from sightline.governance.models import AccessGrant, AuditEvent, SharingDecision
from sightline.governance.sharing import (
    SharedEntry,
    SharingFields,
    sharing_decision_record,
    sharing_decisions_for,
)

pytestmark = pytest.mark.django_db

C_GRADE = {
    "system": "3x5x2",
    "source": "2",
    "assessment": "B",
    "handling": "C",
    "conditions": "Not to be shared with the family",
}


def story(viewer: Any, child: Any) -> list[Any]:
    found = selectors.child_get_for(viewer=viewer, reference=child.reference)
    return selectors.story_for(viewer=viewer, child=found, filters=StoryFilters()).rows


def share(officer: Any, child: Any, entry: Any, agency: Any, **fields: Any) -> SharingDecision:
    values = {
        "outcome": "shared",
        "recipient_agency_id": agency.pk,
        "purpose": "The social worker needs it for the strategy discussion.",
        "lawful_basis": "safeguarding_children",
        **fields,
    }
    return sharing_decision_record(
        actor=officer,
        person_id=child.pk,
        fields=SharingFields(**values),
        entry=SharedEntry(
            lineage=entry.lineage or entry.pk, agency_id=entry.agency_id, summary=entry.summary
        ),
    )


# --- handling code C -----------------------------------------------------------------------------


def test_handling_code_c_is_read_outside_the_police_only_once_shared(
    child, officer, mash_manager, social_worker, police, csc
):
    entry = entry_for(child, agency=police, police_intelligence=True, intelligence_grade=C_GRADE)
    mash = access.scope_for(mash_manager).agency_id
    # MASH is cleared for police intelligence, but a C code needs a recorded decision.
    assert [r.readable for r in story(mash_manager, child)] == [False]
    assert [r.readable for r in story(officer, child)] == [True]
    # A decision not to share, or to share with someone else, changes nothing for MASH.
    sharing_decision_record(
        actor=officer,
        person_id=child.pk,
        fields=SharingFields(
            outcome="not_shared",
            recipient_agency_id=mash,
            reason_not_shared="risk_to_investigation",
            reason_text="A live investigation; review after the arrest.",
        ),
        entry=SharedEntry(lineage=entry.lineage or entry.pk, agency_id=police.pk, summary=""),
    )
    share(officer, child, entry, csc)
    assert [r.readable for r in story(mash_manager, child)] == [False]
    share(officer, child, entry, type(csc).objects.get(pk=mash))
    rows = story(type(mash_manager).objects.get(pk=mash_manager.pk), child)
    assert [r.readable for r in rows] == [True]
    # Shared with social care, but social care is not cleared for police intelligence.
    assert [r.readable for r in story(social_worker, child)] == [False]


def test_a_c_code_entry_shared_can_be_read_in_every_version(child, officer, mash_manager, police):
    entry = entry_for(child, agency=police, police_intelligence=True, intelligence_grade=C_GRADE)
    entry.lineage = entry.pk
    entry.save()
    share(
        officer, child, entry, type(police).objects.get(pk=access.scope_for(mash_manager).agency_id)
    )
    rows = story(type(mash_manager).objects.get(pk=mash_manager.pk), child)
    assert isinstance(rows[0], StoryRow)
    assert "Handling conditions" not in rows[0].entry.summary  # the content, now readable


# --- health-confidential --------------------------------------------------------------------------


def test_health_confidential_is_for_health_and_the_lead_social_worker(
    child, social_worker, csc, mash_manager
):
    ae = new_agency(code="ae", name="Hallowford A&E", kind="health_ae")
    access.grant(person_id=child.pk, agency_id=ae.pk, basis=AccessGrant.Basis.INVOLVEMENT)
    nurse = practitioner("health_nurse", agency=ae)
    entry_for(child, agency=ae, health=True, summary="Overdose")
    assert [r.readable for r in story(nurse, child)] == [True]
    assert [r.readable for r in story(social_worker, child)] == [False]
    assert [r.readable for r in story(mash_manager, child)] == [False]
    Involvement = apps.get_model("cases", "Involvement")
    lead = Involvement.objects.create(
        person=child, agency=csc, is_lead=True, practitioner_email=social_worker.email
    )
    assert [
        r.readable for r in story(type(social_worker).objects.get(pk=social_worker.pk), child)
    ] == [True]
    # Lead of another child only, or an involvement that has ended: not cleared.
    lead.person = new_person()
    lead.save()
    assert [
        r.readable for r in story(type(social_worker).objects.get(pk=social_worker.pk), child)
    ] == [False]


# --- the service's rules -------------------------------------------------------------------------


def test_a_decision_needs_its_reasons(child, officer, csc):
    def errors(**fields: Any) -> dict[str, str]:
        with pytest.raises(ValidationFailed) as caught:
            sharing_decision_record(
                actor=officer, person_id=child.pk, fields=SharingFields(**fields)
            )
        return caught.value.errors

    assert set(errors(outcome="")) >= {"outcome", "what", "recipient_agency"}
    shared = errors(outcome="shared", what="The risk assessment", recipient_agency_id=csc.pk)
    assert set(shared) == {"purpose", "lawful_basis"}
    not_shared = errors(outcome="not_shared", what="x", recipient_agency_id=csc.pk)
    assert set(not_shared) == {"reason_not_shared"}
    assert set(
        errors(
            outcome="not_shared", what="x", recipient_agency_id=csc.pk, reason_not_shared="other"
        )
    ) == {"reason_text"}
    assert "recipient_other" in errors(
        outcome="shared",
        what="x",
        recipient_agency_id=csc.pk,
        recipient_other="Someone",
        purpose="p",
        lawful_basis="public_task",
    )
    assert "recipient_agency" in errors(
        outcome="shared",
        what="x",
        recipient_agency_id=10**12,
        purpose="p",
        lawful_basis="public_task",
    )
    assert not SharingDecision.objects.exists()


def test_only_the_recording_agency_decides_to_share_an_entry(
    child, officer, social_worker, police, csc
):
    entry = entry_for(child, agency=police, summary="Intelligence")
    with pytest.raises(AccessDenied):
        share(social_worker, child, entry, csc)
    decision = share(officer, child, entry, csc)
    assert decision.what == "Intelligence"  # what was shared: the entry, when not said
    event = AuditEvent.objects.get(action=AuditAction.SHARING_DECIDED)
    assert event.person_id == child.pk
    assert event.purpose


def test_a_child_the_viewer_may_not_see_is_not_found(stranger, csc):
    hidden = new_person()
    with pytest.raises(NotFound):
        sharing_decision_record(
            actor=stranger,
            person_id=hidden.pk,
            fields=SharingFields(
                outcome="shared",
                what="x",
                recipient_agency_id=csc.pk,
                purpose="p",
                lawful_basis="public_task",
            ),
        )
    assert sharing_decisions_for(viewer=stranger, person_id=hidden.pk) == []


def test_who_sees_a_decision(
    child, officer, social_worker, teacher, mash_manager, police, csc, school
):
    entry = entry_for(child, agency=police)
    share(officer, child, entry, csc)
    sharing_decision_record(
        actor=officer,
        person_id=child.pk,
        fields=SharingFields(
            outcome="not_shared",
            recipient_agency_id=school.pk,
            reason_not_shared="risk_to_investigation",
            reason_text="Live investigation",
        ),
        entry=SharedEntry(lineage=entry.lineage or entry.pk, agency_id=police.pk, summary=""),
    )

    def seen(viewer: Any) -> list[str]:
        return sorted(d.outcome for d in sharing_decisions_for(viewer=viewer, person_id=child.pk))

    assert seen(officer) == ["not_shared", "shared"]  # its own
    assert seen(social_worker) == ["shared"]  # shared with it
    assert seen(teacher) == []  # a decision not to share with the school is not shown to it
    assert seen(mash_manager) == ["not_shared", "shared"]  # the partnership-wide front door


# --- the page ------------------------------------------------------------------------------------


def test_recording_a_decision_through_the_page(client, child, officer, police, csc):
    entry = entry_for(child, agency=police, police_intelligence=True, intelligence_grade=C_GRADE)
    client.force_login(officer)
    page = reverse("chronology:child", args=[child.reference])
    assert "Record a sharing decision" in text(client.get(page))
    url = reverse("chronology:sharing_new", args=[child.reference]) + f"?entry={entry.pk}"
    form = client.get(url)
    assert form.status_code == 200
    assert "handling code C" in text(form)
    refused = client.post(
        url, {"entry": entry.pk, "outcome": "shared", "recipient_agency": str(csc.pk)}
    )
    assert refused.status_code == 400
    shown = text(refused)
    assert "There is a problem" in shown
    assert "Select the lawful basis for sharing" in shown
    assert not SharingDecision.objects.exists()
    done = client.post(
        url,
        {
            "entry": entry.pk,
            "outcome": "shared",
            "recipient_agency": str(csc.pk),
            "purpose": "For the strategy discussion",
            "lawful_basis": "public_task",
        },
    )
    assert done.status_code == 302
    after = text(client.get(done["Location"]))
    assert "Sharing decision recorded" in after
    assert "For the strategy discussion" in after
    assert "Public task" in after


def test_another_agencys_entry_is_not_the_viewers_to_share(client, child, social_worker, police):
    entry = entry_for(child, agency=police, summary="Police entry")
    client.force_login(social_worker)
    url = reverse("chronology:sharing_new", args=[child.reference]) + f"?entry={entry.pk}"
    response = client.get(url)
    assert response.status_code == 403
    assert "Only the agency that recorded this entry" in text(response)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    form=st.dictionaries(
        st.sampled_from(
            [
                "entry",
                "outcome",
                "what",
                "recipient_agency",
                "recipient_other",
                "purpose",
                "lawful_basis",
                "reason_not_shared",
                "reason_text",
            ]
        ),
        st.one_of(
            st.text(max_size=30),
            st.sampled_from(
                [
                    "shared",
                    "not_shared",
                    "public_task",
                    "other",
                    "1",
                    "-1",
                    "99999999999999999999",
                    "\x00",
                ]
            ),
        ),
    )
)
def test_the_form_never_fails_whatever_is_posted(client, child, officer, form):
    client.force_login(officer)
    url = reverse("chronology:sharing_new", args=[child.reference])
    with transaction.atomic():
        response = client.post(url, form)
        assert response.status_code in (302, 400, 403, 404)
        transaction.set_rollback(True)


# --- the query and the rule give the same answer ---------------------------------------------------

KINDS = {
    "csc": ("childrens_social_care", "social_worker"),
    "police": ("police", "police_officer"),
    "ae": ("health_ae", "health_nurse"),
    "school": ("school", "school_dsl"),
}


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    entries=st.lists(
        st.tuples(
            st.sampled_from(sorted(KINDS)),
            st.sampled_from(
                [
                    "standard",
                    "health_confidential",
                    "police_intelligence",
                    "informant_protected",
                    "not_for_family_disclosure",
                ]
            ),
            st.sampled_from([None, "P", "C", "no_code"]),
            st.booleans(),
        ),
        min_size=1,
        max_size=6,
    ),
    viewer_key=st.sampled_from([*sorted(KINDS), "mash"]),
    lead=st.booleans(),
)
def test_the_story_query_reads_as_the_rule_does(entries, viewer_key, lead):
    """`_readable_q` (what filters may select on) and `Reader.can_read` (what a row shows)
    agree on every entry, whatever its sensitivity, handling code and sharing."""
    with transaction.atomic():
        child = new_person()
        agencies = {}
        for key, (kind, _) in KINDS.items():
            agencies[key] = new_agency(code=f"q-{key}", name=f"Agency {key}", kind=kind)
            access.grant(
                person_id=child.pk, agency_id=agencies[key].pk, basis=AccessGrant.Basis.INVOLVEMENT
            )
        if viewer_key == "mash":
            viewer = practitioner("mash_manager", agency=new_agency(code="q-mash", kind="mash"))
        else:
            viewer = practitioner(KINDS[viewer_key][1], agency=agencies[viewer_key])
        if lead:
            apps.get_model("cases", "Involvement").objects.create(
                person=child, agency=agencies["csc"], is_lead=True, practitioner_email=viewer.email
            )
        scope = access.scope_for(viewer)
        made = []
        for key, sensitivity, handling, shared in entries:
            grade = (
                None
                if handling is None
                else (
                    {"system": "3x5x2"}
                    if handling == "no_code"
                    else {"system": "3x5x2", "handling": handling}
                )
            )
            entry = entry_for(
                child, agency=agencies[key], sensitivity=sensitivity, intelligence_grade=grade
            )
            made.append(entry)
            if shared and scope.agency_id is not None:
                SharingDecision.objects.create(
                    person=child,
                    entry_lineage=entry.lineage or entry.pk,
                    what="x",
                    recipient_agency_id=scope.agency_id,
                    outcome="shared",
                    purpose="p",
                    lawful_basis="public_task",
                    decided_by=viewer,
                    decided_by_agency=agencies[key],
                    decided_at=entry.recorded_at,
                )
        reader = selectors.reader_for(scope, child.pk)
        by_rule = {
            e.pk
            for e in made
            if reader.can_read(
                agency_id=e.agency_id,
                sensitivity=e.sensitivity,
                grade=e.intelligence_grade,
                lineage=e.lineage or e.pk,
            )
        }
        by_query = set(
            EntrySubject.objects.filter(person_id=child.pk)
            .filter(selectors._readable_q(reader))
            .values_list("entry_id", flat=True)
        )
        assert by_query == by_rule
        found = selectors.child_get_for(viewer=viewer, reference=child.reference)
        rows = selectors.story_for(viewer=viewer, child=found, filters=StoryFilters()).rows
        assert {r.entry.pk for r in rows if isinstance(r, StoryRow)} == by_rule
        assert sum(isinstance(r, RestrictedRow) for r in rows) == len(made) - len(by_rule)
        transaction.set_rollback(True)


# --- the API ---------------------------------------------------------------------------------------


def test_sharing_decisions_over_the_api(client, child, officer, social_worker, police, csc):
    entry = entry_for(child, agency=police, summary="Intelligence")
    client.force_login(officer)
    url = f"/api/children/{child.reference}/sharing-decisions"
    bad = client.post(
        url,
        {"outcome": "shared", "entry": entry.pk, "recipient_agency": 10**30},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "recipient_agency" in bad.json()["errors"]
    made = client.post(
        url,
        {
            "outcome": "shared",
            "entry": entry.pk,
            "recipient_agency": csc.pk,
            "purpose": "Strategy discussion",
            "lawful_basis": "public_task",
        },
        content_type="application/json",
    )
    assert made.status_code == 201
    assert made.json()["entry_lineage"] == (entry.lineage or entry.pk)
    client.force_login(social_worker)
    listed = client.get(url)
    assert [d["what"] for d in listed.json()] == ["Intelligence"]
    refused = client.post(
        url,
        {
            "outcome": "shared",
            "entry": entry.pk,
            "recipient_agency": csc.pk,
            "purpose": "p",
            "lawful_basis": "public_task",
        },
        content_type="application/json",
    )
    assert refused.status_code == 403
