"""Step up and step down: asking (with evidence), each agency's view, deciding (two at once,
what is still open before a step down), how long it took in working days, a refused step up
offering a disagreement; the pages, the API and hypothesis on both."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sightline.accounts.models import Notification
from sightline.cases.tests.world import World, build_world
from sightline.chronology.models import ChronologyEntry, EntrySubject
from sightline.chronology.tests.factories import entry_for
from sightline.core import extensions
from sightline.core.dates import LONDON
from sightline.core.errors import AccessDenied, InvalidTransition, NotFound, ValidationFailed
from sightline.core.tests.pages import page_html as text
from sightline.decisions import services
from sightline.decisions.models import StepRequest
from sightline.governance import access

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2027, 3, 1, 10, 0, tzinfo=LONDON)


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(db: None, clock: Any) -> World:
    return build_world()


def ask(
    world: World, *, by: str = "eh", of: str = "csc", up: bool = True, **changes: Any
) -> StepRequest:
    values: dict[str, Any] = {
        "from_level": "targeted" if up else "specialist",
        "to_level": "specialist" if up else "early_help",
        "deciding_agency_id": world.agencies[of].pk,
        "reason": "Adult males at the home at night; mother cannot keep him safe.",
        "risk": "Criminal exploitation; his younger sibling is in the home.",
        **changes,
    }
    return services.step_request_make(
        actor=world.users[by], person=world.child, fields=services.StepFields(**values)
    )


def decide(
    world: World, request: StepRequest, decision: str = "refused", *, by: str = "sw", **changes: Any
) -> StepRequest:
    values: dict[str, Any] = {
        "decision": decision,
        "reason": "Needs can be met by early help and the exploitation team.",
        "participants": "Alex Smith (CSC), Ash Moss (early help), Dev Kaur (police) at MACE",
        **changes,
    }
    return services.step_decide(
        actor=world.users[by], request=request, fields=services.DecisionFields(**values)
    )


def story(world: World, type: str) -> list[ChronologyEntry]:
    ids = EntrySubject.objects.filter(person=world.child).values_list("entry_id", flat=True)
    return list(ChronologyEntry.objects.filter(pk__in=ids, type=type).order_by("id"))


@pytest.fixture
def early_help_knows(world: World) -> None:
    access.grant(person_id=world.child.pk, agency_id=world.agencies["eh"].pk, basis="involvement")


def test_a_step_up_request_with_its_evidence(world, early_help_knows):
    evidence = entry_for(world.child, agency=world.agencies["police"], type="arrest_out_of_area",
                         occurred_at=MONDAY - dt.timedelta(days=40), summary="Arrested in another county.")  # fmt: skip
    request = ask(world, evidence=[evidence.pk])
    assert (request.direction, request.status, request.levels_version) == ("up", "waiting", 1)
    assert list(request.evidence.values_list("entry_id", flat=True)) == [evidence.pk]
    (entry,) = story(world, "step_up_requested")
    assert "Early help asked Children's social care to step up" in entry.summary
    assert Notification.objects.filter(recipient=world.users["sw"]).exists()
    assert Notification.objects.filter(recipient=world.users["tm"]).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"from_level": "nowhere"}, "from_level"),
        ({"to_level": "targeted"}, "to_level"),
        ({"deciding_agency_id": None}, "deciding_agency"),
        ({"reason": ""}, "reason"),
        ({"risk": "x" * 6000}, "risk"),
        ({"evidence": [987654]}, "evidence"),
    ],
)
def test_a_request_is_refused_with_its_reasons(world, early_help_knows, changes, field):
    with pytest.raises(ValidationFailed) as caught:
        ask(world, **changes)
    assert field in caught.value.errors


def test_the_request_is_to_another_agency_about_a_child_you_know(world, early_help_knows):
    with pytest.raises(ValidationFailed) as caught:
        ask(world, of="eh")
    assert "another agency" in caught.value.errors["deciding_agency"]
    with pytest.raises(NotFound):
        ask(world, by="stranger")


def test_a_deciding_agency_that_does_not_know_the_child_is_given_access_to_decide(world):
    assert not access.can_view_person(world.users["eh"], world.child.pk)
    ask(world, by="sw", of="eh", up=False)
    assert access.can_view_person(world.users["eh"], world.child.pk)


def test_views_then_a_refusal_offering_a_disagreement(world, early_help_knows, clock):
    request = ask(world)
    with pytest.raises(ValidationFailed):
        services.step_view_give(
            actor=world.users["police"], request=request, view="opposes", comment=""
        )
    services.step_view_give(
        actor=world.users["police"], request=request, view="supports", comment="Intelligence."
    )
    services.step_view_give(
        actor=world.users["police"], request=request, view="supports", comment="Again."
    )
    assert request.views.get().comment == "Again."
    with pytest.raises(AccessDenied):
        services.step_view_give(
            actor=world.users["sw"], request=request, view="supports", comment=""
        )
    with pytest.raises(AccessDenied):
        decide(world, request, by="police")
    clock.move_to(dt.datetime(2027, 3, 19, 15, tzinfo=LONDON))  # three weeks, as Sam waited
    decided = decide(world, request)
    assert decided.status == "refused"
    assert decided.working_days_taken == 15
    (entry,) = story(world, "step_up_refused")
    assert "refused the step up" in entry.summary
    assert "15 working days" in entry.summary
    note = Notification.objects.get(recipient=world.users["eh"])
    assert note.subject == "Children's social care refused your agency's step up request"
    assert services.disagree_url(decided) == (
        f"/children/{world.child.reference}/disagreements/new?subject=step_decision%3A{decided.pk}"
    )
    with pytest.raises(InvalidTransition) as caught:
        decide(world, request, "agreed", by="tm")
    assert "already decided (refused) by Alex Smith" in caught.value.message


def test_a_step_down_shows_what_is_still_open_before_it_is_agreed(world):
    extensions.register_open_items(
        "test_referrals", "referral",
        lambda viewer, person: [extensions.OpenItem(kind="referral", title="Referral to CAMHS", agency="CAMHS")],
    )  # fmt: skip
    try:
        request = ask(world, by="sw", of="eh", up=False)
        with pytest.raises(ValidationFailed) as caught:
            decide(world, request, "agreed", by="eh")
        assert (
            "Confirm you have considered what is still open"
            in caught.value.errors["open_items_seen"]
        )
        decided = decide(world, request, "agreed", by="eh", open_items_seen=True)
    finally:
        extensions._open_items.pop("test_referrals", None)
    assert decided.open_items[0]["title"] == "Referral to CAMHS"
    assert "agreed the step down" in story(world, "step_down")[0].summary


def test_withdrawing(world, early_help_knows):
    request = ask(world)
    with pytest.raises(AccessDenied):
        services.step_withdraw(actor=world.users["sw"], request=request, reason="x")
    services.step_withdraw(actor=world.users["eh"], request=request, reason="Family moved.")
    request.refresh_from_db()
    assert request.status == "withdrawn"


# --- pages and API --------------------------------------------------------------------------------


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_pages(world, early_help_knows):
    eh = client_for(world.users["eh"])
    url = f"/children/{world.child.reference}/step-requests/new"
    assert "Ask for a step up or step down" in text(eh.get(url))
    refused = eh.post(url, {"from_level": "targeted"})
    assert refused.status_code == 400
    assert "Select the level of need you are asking for" in text(refused)
    made = eh.post(url, {"from_level": "targeted", "to_level": "specialist",
                         "deciding_agency": str(world.agencies["csc"].pk), "reason": "Why.", "risk": "Risk."})  # fmt: skip
    assert made.status_code == 302
    request = StepRequest.objects.get()
    csc = client_for(world.users["sw"])
    page = text(csc.get(f"/step-requests/{request.pk}/"))
    assert "Record the decision" in page
    csc.post(f"/step-requests/{request.pk}/decide", {"decision": "refused", "reason": "Not at threshold.",
                                                    "participants": "CSC and early help"})  # fmt: skip
    page = text(eh.get(f"/step-requests/{request.pk}/"))
    assert "Disagree with this decision" in page
    assert (
        f"/children/{world.child.reference}/disagreements/new?subject=step_decision%3A{request.pk}"
        in page
    )
    raise_page = text(
        eh.get(
            f"/children/{world.child.reference}/disagreements/new?subject=step_decision:{request.pk}"
        )
    )
    assert f'value="step_decision:{request.pk}" checked' in raise_page
    assert "Step up request to Children&#39;s social care, 1 March 2027: refused" in raise_page
    assert (
        client_for(world.users["stranger"]).get(f"/step-requests/{request.pk}/").status_code == 404
    )
    assert "Step up and step down decisions waiting" not in text(csc.get("/my-work/"))


def test_my_work_lists_the_decisions_waiting(world, early_help_knows):
    ask(world)
    assert "Step up and step down decisions waiting" in text(
        client_for(world.users["sw"]).get("/my-work/")
    )
    assert "Step requests your agency made" in text(client_for(world.users["eh"]).get("/my-work/"))


def test_the_api(world, early_help_knows):
    eh = client_for(world.users["eh"])
    made = eh.post(f"/api/children/{world.child.reference}/step-requests", json.dumps({
        "from_level": "targeted", "to_level": "specialist",
        "deciding_agency": world.agencies["csc"].pk, "reason": "Why.", "risk": "Risk."}),
        content_type="application/json")  # fmt: skip
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    decided = client_for(world.users["sw"]).post(
        f"/api/step-requests/{pk}/decide",
        json.dumps({"decision": "refused", "reason": "No.", "participants": "CSC"}),
        content_type="application/json",
    )
    assert decided.json()["status"] == "refused"
    assert decided.json()["disagree_url"].endswith(f"subject=step_decision%3A{pk}")
    stranger = client_for(world.users["stranger"])
    assert (
        stranger.get(f"/api/step-requests/{pk}").json()
        == stranger.get("/api/step-requests/987654321").json()
    )


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.dictionaries(
        st.sampled_from(
            ["from_level", "to_level", "deciding_agency", "reason", "risk", "evidence"]
        ),
        st.text(max_size=80)
        | st.sampled_from(["targeted", "specialist", "1", "99999999999999999999"]),
    )
)
def test_any_request_form_is_an_answer_not_a_500(world, data):
    response = client_for(world.users["sw"]).post(
        f"/children/{world.child.reference}/step-requests/new", data
    )
    assert response.status_code in (302, 400)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    action=st.sampled_from(["view", "decide", "withdraw"]),
    data=st.dictionaries(
        st.sampled_from(
            [
                "view",
                "comment",
                "decision",
                "reason",
                "participants",
                "discussed_on",
                "open_items_seen",
            ]
        ),
        st.text(max_size=60)
        | st.sampled_from(["agreed", "refused", "supports", "2027-02-30", "2027-03-01", "yes"]),
    ),
)
def test_any_action_form_is_an_answer_not_a_500(world, action, data):
    request = StepRequest.objects.first() or ask(world, by="sw", of="eh", up=False)
    who = {"view": "police", "decide": "eh", "withdraw": "sw"}[action]
    response = client_for(world.users[who]).post(f"/step-requests/{request.pk}/{action}", data)
    assert response.status_code in (302, 400, 409)
