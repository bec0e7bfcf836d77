"""The disagreement pages through the Django test client: raise one (with the GOV.UK error
summary when something is missing), follow it, answer, escalate, resolve, withdraw; the child's
page panel; my work; the partnership's report; and what an unrelated practitioner gets."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sightline.core.tests.pages import page_html as text
from sightline.escalations.models import Escalation
from sightline.escalations.tests.conftest import at
from sightline.escalations.tests.helpers import raise_one
from sightline.governance.models import AuditEvent

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_raise_page_shows_a_govuk_error_summary(world):
    school = client_for(world.users["dsl"])
    url = f"/children/{world.child.reference}/disagreements/new"
    page = school.get(url)
    assert page.status_code == 200
    assert "Raise a professional disagreement" in text(page)
    refused = school.post(url, {"subject": "other"})
    body = text(refused)
    assert refused.status_code == 400
    assert "There is a problem" in body
    assert 'href="#disagreement"' in body
    assert "Enter what you disagree with" in body
    assert "Enter what the disagreement is about" in body
    assert "<title>Error:" in body
    assert not Escalation.objects.exists()


def test_raising_from_the_page(world):
    school = client_for(world.users["dsl"])
    response = school.post(
        f"/children/{world.child.reference}/disagreements/new",
        {
            "subject": "missed_action",
            "subject_label": "No strategy discussion after the disclosure",
            "about_agency": str(world.agencies["csc"].pk),
            "disagreement": "Riley disclosed being collected by an older man.",
            "outcome_sought": "Hold a strategy discussion this week.",
        },
    )
    escalation = Escalation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/disagreements/{escalation.pk}/"
    page = text(school.get(response["Location"]))
    assert "Disagreement raised with Children&#39;s social care" in page
    assert "Stage 1 of 4: Practitioner to practitioner" in page
    assert "must answer by 3 March 2027" in page
    assert AuditEvent.objects.filter(action="disagreement_viewed").exists()


def test_the_other_side_answers_and_the_raiser_resolves(world):
    escalation = raise_one(world)
    csc = client_for(world.users["sw"])
    page = text(csc.get(f"/disagreements/{escalation.pk}/"))
    assert "Answer stage 1" in page
    assert "Escalate" not in page.split("Stages")[1]
    empty = csc.post(f"/disagreements/{escalation.pk}/respond", {"stage": "1", "response": ""})
    assert empty.status_code == 400
    assert "Enter your response" in text(empty)
    done = csc.post(
        f"/disagreements/{escalation.pk}/respond", {"stage": "1", "response": "We will reassess."}
    )
    assert done.status_code == 302
    again = csc.post(
        f"/disagreements/{escalation.pk}/respond", {"stage": "1", "response": "Twice."}
    )
    assert again.status_code == 409
    assert "already answered by Alex Smith" in text(again)
    school = client_for(world.users["dsl"])
    page = text(school.get(f"/disagreements/{escalation.pk}/"))
    assert "Answered by Alex Smith, Children&#39;s social care" in page
    assert "Record the outcome" in page
    school.post(
        f"/disagreements/{escalation.pk}/resolve",
        {"stage": "1", "outcome": "agreed", "text": "A joint visit on Friday."},
    )
    escalation.refresh_from_db()
    assert escalation.outcome == "agreed"


def test_escalating_and_withdrawing_from_the_page(world):
    escalation = raise_one(world)
    school = client_for(world.users["dsl"])
    school.post(f"/disagreements/{escalation.pk}/escalate", {"stage": "1", "reason": "No answer."})
    escalation.refresh_from_db()
    assert escalation.stage == 2
    stale = school.post(
        f"/disagreements/{escalation.pk}/escalate", {"stage": "1", "reason": "Again."}
    )
    assert stale.status_code == 409
    assert "moved to stage 2 (Managers)" in text(stale)
    empty = school.post(f"/disagreements/{escalation.pk}/withdraw", {"stage": "2", "reason": ""})
    assert 'href="#withdraw-reason"' in text(empty)
    school.post(
        f"/disagreements/{escalation.pk}/withdraw", {"stage": "2", "reason": "Resolved by phone."}
    )
    escalation.refresh_from_db()
    assert escalation.status == "withdrawn"


def test_the_child_page_shows_the_disagreement_to_the_agencies_involved(world):
    escalation = raise_one(world)
    for who in ("dsl", "sw", "police", "mash"):
        page = text(client_for(world.users[who]).get(f"/children/{world.child.reference}/"))
        assert "Professional disagreements" in page
        assert f"/disagreements/{escalation.pk}/" in page
    assert (
        client_for(world.users["stranger"]).get(f"/disagreements/{escalation.pk}/").status_code
        == 404
    )


def test_my_work_lists_disagreements_for_each_side(world, monday):
    escalation = raise_one(world)
    csc = text(client_for(world.users["sw"]).get("/my-work/"))
    assert "Disagreements to answer" in csc
    assert "Hallowford Academy disagrees" in csc
    school = text(client_for(world.users["dsl"]).get("/my-work/"))
    assert "Your disagreement with Children&#39;s social care" in school
    monday.move_to(at(2027, 3, 4, 12))
    assert "Overdue" in text(client_for(world.users["sw"]).get("/my-work/"))
    team = text(client_for(world.users["tm"]).get("/my-work/team"))
    assert "Disagreements involving your teams" in team
    assert f"/disagreements/{escalation.pk}/" in team


def test_the_report_counts_without_naming_a_child(world, monday):
    first = raise_one(world)
    raise_one(world, about="police", subject_label="No return home interview")
    client_for(world.users["dsl"]).post(
        f"/disagreements/{first.pk}/resolve", {"stage": "1", "outcome": "upheld", "text": "Stands."}
    )
    for who in ("mash", "analyst"):
        page = text(
            client_for(world.users[who]).get("/disagreements/report?from=2027-01-01&to=2027-12-31")
        )
        assert '<dd class="govuk-summary-list__value" id="raised">2</dd>' in page
        assert "Hallowford Academy" in page
        assert "The decision was upheld" in page
        assert "Riley" not in page
        assert "Hart" not in page
    assert client_for(world.users["dsl"]).get("/disagreements/report").status_code == 403
    bad = client_for(world.users["mash"]).get("/disagreements/report?from=2027-02-31&to=x")
    assert bad.status_code == 400
    assert "Date from must be a real date" in text(bad)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.dictionaries(
        st.sampled_from(
            ["subject", "subject_label", "about_agency", "disagreement", "outcome_sought"]
        ),
        st.text(max_size=300)
        | st.sampled_from(["other", "missed_action", "step_decision:1", "1", "-1", "9" * 30]),
    )
)
def test_any_raise_form_is_an_answer_not_a_500(world, data):
    response = client_for(world.users["dsl"]).post(
        f"/children/{world.child.reference}/disagreements/new", data
    )
    assert response.status_code in (302, 400)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    action=st.sampled_from(["respond", "escalate", "resolve", "withdraw"]),
    data=st.dictionaries(
        st.sampled_from(["stage", "response", "reason", "outcome", "text"]),
        st.text(max_size=200)
        | st.sampled_from(["1", "2", "agreed", "upheld", "0", "99999999999999999999"]),
    ),
)
def test_any_action_form_is_an_answer_not_a_500(world, action, data):
    escalation = Escalation.objects.first() or raise_one(world)
    who = "sw" if action == "respond" else "dsl"
    response = client_for(world.users[who]).post(f"/disagreements/{escalation.pk}/{action}", data)
    assert response.status_code in (302, 400, 409)


def test_at_the_partnership_stage_the_front_door_has_it_to_answer(world):
    from sightline.escalations import services

    escalation = raise_one(world, about="police")
    assert "Hallowford Academy disagrees" not in text(
        client_for(world.users["mash"]).get("/my-work/")
    )
    for stage in (1, 2, 3):
        services.escalation_escalate(
            actor=world.users["dsl"], escalation=escalation, stage=stage, reason="On."
        )
    assert "Hallowford Academy disagrees" in text(client_for(world.users["mash"]).get("/my-work/"))
