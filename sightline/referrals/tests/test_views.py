"""The referral pages as a practitioner uses them: make a referral from the child's page (with
GOV.UK errors), follow it, the front door's order, triage with the history at a glance, decide
(the consent rule explained; a second manager told), allocate, ask and answer, my work; and a
stranger gets "not found" everywhere."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from sightline.chronology.tests.factories import entry_for
from sightline.core.extensions import Panel, register_panel
from sightline.core.tests.pages import page_html as text
from sightline.governance.models import AuditEvent
from sightline.referrals import extensions
from sightline.referrals.models import Referral
from sightline.referrals.tests.conftest import CONCERNS, WEDNESDAY, World, decide, refer

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


FORM = {
    "service": "mash",
    "kind": "referral",
    "concerns": CONCERNS,
    "risk": "significant_harm",
    "fast_track": "0",
    "family_knows": "Mother knows.",
    "consent": "no",
    "consent_note": "She refused.",
    "sensitivity": "standard",
}


def test_the_child_page_offers_a_referral_and_lists_them(world: World) -> None:
    client = client_for(world.dsl)
    page = text(client.get(reverse("chronology:child", args=[world.child.reference])))
    assert "Make a referral" in page
    refer(world)
    page = text(client.get(reverse("chronology:child", args=[world.child.reference])))
    assert "Referral to MASH" in page
    assert "Received" in page


def test_making_a_referral_shows_every_problem_then_succeeds(world: World) -> None:
    client = client_for(world.dsl)
    url = reverse("referrals:new", args=[world.child.reference])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"fast_track": "1", "consent": "not_asked"})
    assert bad.status_code == 400
    page = text(bad)
    assert "There is a problem" in page
    assert "Select the service you are referring to" in page
    assert 'href="#concerns"' in page
    assert "Enter what the child said when they asked for help" in page
    assert "Say why the family were not asked" in page
    assert not Referral.objects.exists()
    done = client.post(url, FORM)
    referral = Referral.objects.get()
    assert done.status_code == 302
    assert done["Location"] == reverse("referrals:detail", args=[referral.pk])
    page = text(client.get(done["Location"]))
    assert "Referral made to Sallowshire MASH" in page
    assert CONCERNS in page
    assert "Ask about this referral" in page
    assert reverse("referrals:decide", args=[referral.pk]) not in page  # not the referrer's


def test_the_referrers_list_shows_status_decision_reason_and_allocation(world: World) -> None:
    referral = refer(world, risk="needs_support")
    decide(world, referral)
    page = text(client_for(world.dsl).get(reverse("referrals:mine")))
    assert "Jordan Ellis" in page
    assert "No further action" in page
    assert "The threshold for this service is not met" in page
    colleague = text(client_for(world.dsl_colleague).get(reverse("referrals:mine")))
    assert "Jordan Ellis" not in colleague
    agency = text(client_for(world.dsl_colleague).get(reverse("referrals:mine") + "?who=agency"))
    assert "Jordan Ellis" in agency


def test_the_front_door_puts_fast_track_first_then_the_nearest_deadline(world: World) -> None:
    with time_machine.travel(WEDNESDAY, tick=False):
        later = refer(world, concerns="Later one.")
    with time_machine.travel(WEDNESDAY.replace(day=10), tick=False):
        earlier = refer(world, concerns="Earlier one.")
    with time_machine.travel(WEDNESDAY.replace(day=11, hour=11), tick=False):
        fast = refer(world, fast_track=True, child_words="Please help me.")
        response = client_for(world.manager).get(reverse("referrals:front_door"))
    page = response.content.decode()
    order = [int(n) for n in re.findall(r'href="/referrals/(\d+)/"', page)]
    assert order == [fast.pk, earlier.pk, later.pk]
    assert "Fast track" in page
    assert AuditEvent.objects.filter(action="referral_queue_viewed").exists()


def test_the_front_door_shows_the_flags_other_apps_give(world: World) -> None:
    refer(world)
    extensions.register_queue_flags(
        "test_alerts",
        lambda viewer, ids: {i: [extensions.Flag("2 open alerts", "govuk-tag--red")] for i in ids},
    )
    try:
        page = text(client_for(world.manager).get(reverse("referrals:front_door")))
    finally:
        extensions.unregister_queue_flags("test_alerts")
    assert "2 open alerts" in page


def test_the_receiving_side_sees_the_history_at_a_glance_and_triage_panels(world: World) -> None:
    entry_for(
        world.child, agency=world.school, type="missing_episode", summary="Missing overnight."
    )
    referral = refer(world)
    register_panel(
        "referral",
        "triage",
        "test_alerts",
        lambda viewer, person: Panel(template="referrals/_child_panel.html", context={"rows": []}),
    )
    page = text(client_for(world.worker).get(reverse("referrals:detail", args=[referral.pk])))
    assert "The child's history at a glance" in page
    assert "Missing overnight." in page
    assert "Triage" in page
    referrer = text(client_for(world.dsl).get(reverse("referrals:detail", args=[referral.pk])))
    assert "history at a glance" not in referrer


def test_triage_page(world: World) -> None:
    referral = refer(world)
    client = client_for(world.worker)
    url = reverse("referrals:triage", args=[referral.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"rag": "red", "version": referral.version})
    assert bad.status_code == 400
    assert "Say why you rated it red" in text(bad)
    ok = client.post(url, {"rag": "amber", "version": referral.version})
    assert ok.status_code == 302
    assert Referral.objects.get(pk=referral.pk).rag == "amber"
    assert client_for(world.dsl).get(url).status_code == 403


def test_the_decision_page_explains_the_consent_rule(world: World) -> None:
    referral = refer(world)
    client = client_for(world.manager)
    url = reverse("referrals:decide", args=[referral.pk])
    page = text(client.get(url))
    assert "You do not need consent to share personal information" in page
    assert "Information sharing: advice for practitioners" in page
    refused = client.post(
        url,
        {
            "version": referral.version,
            "decision": "no_further_action",
            "reasons-no_further_action": ["lack_of_consent"],
            "text": "Mother said no.",
        },
    )
    assert refused.status_code == 400
    assert "cannot be the only reason" in text(refused)
    assert Referral.objects.get(pk=referral.pk).status == "received"
    empty = client.post(url, {"version": referral.version, "decision": "no_further_action"})
    assert "Select at least one reason" in text(empty)
    assert "why no further action is needed" in text(empty)


def test_a_second_manager_deciding_is_told_what_the_first_did(world: World) -> None:
    referral = refer(world, risk="needs_support")
    url = reverse("referrals:decide", args=[referral.pk])
    form = {
        "version": referral.version,
        "decision": "early_help",
        "reasons-early_help": ["needs_met_by_early_help"],
        "text": "",
    }
    first = client_for(world.manager).post(url, form)
    assert first.status_code == 302
    second = client_for(world.other_manager).post(
        url,
        {
            **form,
            "decision": "accepted_for_assessment",
            "reasons-accepted_for_assessment": ["other"],
            "text": "x",
        },
    )
    assert second.status_code == 409
    page = text(second)
    assert "There is a problem" in page
    assert "Morgan Reid (Sallowshire MASH) decided this referral" in page
    assert Referral.objects.get(pk=referral.pk).decision == "early_help"


def test_allocate_assess_ask_and_answer_pages(world: World) -> None:
    referral = refer(world)
    decided = decide(
        world, referral, decision="accepted_for_assessment", reasons=("exploitation_risk",), text=""
    )
    manager = client_for(world.manager)
    url = reverse("referrals:allocate", args=[referral.pk])
    assert world.social_worker.display_name in text(manager.get(url))
    assert manager.post(url, {"version": decided.version, "worker": "x"}).status_code == 400
    assert (
        manager.post(
            url, {"version": decided.version, "worker": world.social_worker.pk}
        ).status_code
        == 302
    )
    referrer = client_for(world.dsl)
    page = text(referrer.get(reverse("referrals:detail", args=[referral.pk])))
    assert world.social_worker.display_name in page.split("Allocated to")[1][:200]
    ask = reverse("referrals:ask", args=[referral.pk])
    assert referrer.post(ask, {"question": ""}).status_code == 400
    assert referrer.post(ask, {"question": "When will you visit?"}).status_code == 302
    worker = client_for(world.social_worker)
    detail = text(worker.get(reverse("referrals:detail", args=[referral.pk])))
    assert "Questions for you to answer" in detail
    question = referral.events.get(kind="question")
    answer = reverse("referrals:answer", args=[referral.pk, question.pk])
    assert worker.post(answer, {"answer": "Tomorrow."}).status_code == 302
    assessment = reverse("referrals:assessment", args=[referral.pk])
    fresh = Referral.objects.get(pk=referral.pk)
    assert worker.post(assessment, {"version": fresh.version, "summary": ""}).status_code == 400
    assert (
        worker.post(assessment, {"version": fresh.version, "summary": "Plan agreed."}).status_code
        == 302
    )
    assert Referral.objects.get(pk=referral.pk).status == "closed"
    history = text(referrer.get(reverse("referrals:detail", args=[referral.pk])))
    assert "Tomorrow." in history
    assert "Assessment completed" in history


def test_my_work_lists_what_waits_on_each_side(world: World) -> None:
    referral = refer(world)
    manager = text(client_for(world.manager).get(reverse("agencies:my_work")))
    assert f"Referral {referral.pk} to MASH" in manager
    referrer = text(client_for(world.dsl).get(reverse("agencies:my_work")))
    assert "Referrals you made" in referrer
    assert f"Referral {referral.pk} to MASH" in referrer


def test_a_stranger_finds_nothing(world: World) -> None:
    referral = refer(world)
    client = client_for(world.stranger)
    for name in ("detail", "triage", "decide", "allocate", "assessment", "ask"):
        response = client.get(reverse(f"referrals:{name}", args=[referral.pk]))
        assert response.status_code == 404, name
        assert "Jordan" not in response.content.decode()
    assert client.post(reverse("referrals:acknowledge", args=[referral.pk])).status_code == 404
    assert "Jordan" not in text(client.get(reverse("referrals:mine") + "?who=agency"))
    assert client.get(reverse("referrals:new", args=[world.child.reference])).status_code == 404


def test_the_managers_team_view_and_the_allocated_workers_work(world: World) -> None:
    referral = refer(world)
    decided = decide(
        world, referral, decision="accepted_for_assessment", reasons=("exploitation_risk",), text=""
    )
    from sightline.referrals import services

    services.referral_allocate(
        actor=world.manager,
        referral_id=referral.pk,
        expected_version=decided.version,
        worker_id=world.social_worker.pk,
    )
    team = text(client_for(world.manager).get(reverse("agencies:team_work")))
    assert f"Referral {referral.pk} to MASH" in team
    assert world.social_worker.display_name in team
    worker = text(client_for(world.social_worker).get(reverse("agencies:my_work")))
    assert "Referrals allocated to you" in worker
    assert (
        f"Referral {referral.pk} to MASH (children&#39;s social care front door): complete the assessment"
        in worker
    )
    assert AuditEvent.objects.filter(
        action="referral_queue_viewed", detail__page="my_work:allocated"
    ).exists()
