"""The closure pages and API through the Django test client: propose (GOV.UK errors, the
non-engagement rule), answer, withdraw, the child's page panels and my work."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sightline.cases import closures
from sightline.cases.models import ClosureProposal
from sightline.cases.tests.test_closures import fields
from sightline.core import extensions
from sightline.core.tests.pages import page_html as text

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_proposing_on_the_page(world, alerts):
    alerts.append(
        extensions.OpenItem(kind="alert", title="Repeat missing episodes", agency="Sightline")
    )
    csc = client_for(world.users["sw"])
    url = f"/children/{world.child.reference}/closure/new"
    page = text(csc.get(url))
    assert "Propose to close your agency's involvement" in page
    assert "Repeat missing episodes" in page
    assert "Hallowford Academy, Hallowford Police will be told" in page
    refused = csc.post(url, {"reason": "non_engagement", "reason_text": "Not engaging.",
                             "remaining_risks": "High.", "next_step": "universal"})  # fmt: skip
    assert refused.status_code == 400
    assert "needs a multi-agency discussion of the risk" in text(refused)
    done = csc.post(url, {
        "reason": "non_engagement", "reason_text": "Not engaging.", "remaining_risks": "High.",
        "next_step": "universal", "discussion": "new", "discussion_held_on": "2027-02-26",
        "discussion_participants": "CSC, school, police", "discussion_summary": "Risk remains.",
    })  # fmt: skip
    assert done.status_code == 302, text(done)
    proposal = ClosureProposal.objects.get()
    assert done["Location"] == f"/closures/{proposal.pk}/"
    assert "Closure proposed" in text(csc.get(done["Location"]))


def test_the_other_agencies_answer_on_the_page(world):
    proposal = closures.closure_propose(
        actor=world.users["sw"], person=world.child, fields=fields()
    )
    police = client_for(world.users["police"])
    page = text(police.get(f"/closures/{proposal.pk}/"))
    assert "Does your agency object to the closure?" in page
    empty = police.post(f"/closures/{proposal.pk}/respond", {"kind": "objection"})
    assert empty.status_code == 400
    assert "Enter why your agency objects" in text(empty)
    police.post(
        f"/closures/{proposal.pk}/respond", {"kind": "objection", "reason": "Risk remains."}
    )
    proposal.refresh_from_db()
    assert proposal.status == "blocked"
    child_page = text(client_for(world.users["dsl"]).get(f"/children/{world.child.reference}/"))
    assert "Children&#39;s social care proposes to close" in child_page
    assert "Blocked" in child_page
    assert client_for(world.users["stranger"]).get(f"/closures/{proposal.pk}/").status_code == 404


def test_my_work_lists_closures_to_respond_to(world):
    closures.closure_propose(actor=world.users["sw"], person=world.child, fields=fields())
    school = text(client_for(world.users["dsl"]).get("/my-work/"))
    assert "Closures to respond to" in school
    assert "Children&#39;s social care proposes to close its involvement" in school
    csc = text(client_for(world.users["sw"]).get("/my-work/"))
    assert "Closures your agency proposed" in csc


def test_the_api(world):
    csc = client_for(world.users["sw"])
    made = csc.post(
        f"/api/children/{world.child.reference}/closures",
        json.dumps({"reason": "work_complete", "reason_text": "Done.", "remaining_risks": "None.",
                    "next_step": "early_help"}),
        content_type="application/json",
    )  # fmt: skip
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    police = client_for(world.users["police"])
    answered = police.post(
        f"/api/closures/{pk}/respond", json.dumps({"kind": "objection", "reason": "No."}),
        content_type="application/json",
    )  # fmt: skip
    assert answered.json()["status"] == "blocked"
    stranger = client_for(world.users["stranger"])
    assert (
        stranger.get(f"/api/closures/{pk}").json() == stranger.get("/api/closures/987654321").json()
    )


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.dictionaries(
        st.sampled_from(
            [
                "reason",
                "reason_text",
                "remaining_risks",
                "next_step",
                "next_step_detail",
                "discussion",
                "discussion_held_on",
                "discussion_participants",
                "discussion_summary",
            ]
        ),
        st.text(max_size=100)
        | st.sampled_from(["non_engagement", "other_service", "new", "2027-02-30", "1"]),
    )
)
def test_any_proposal_form_is_an_answer_not_a_500(world, data):
    ClosureProposal.objects.all().delete()
    response = client_for(world.users["sw"]).post(
        f"/children/{world.child.reference}/closure/new", data
    )
    assert response.status_code in (302, 400)
