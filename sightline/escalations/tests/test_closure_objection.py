"""An objection to a closure opens a professional disagreement: cases announces it, this app's
receiver queues a task, the task raises the disagreement (once)."""

from __future__ import annotations

import pytest
from django.test import TestCase

from sightline.cases import closures
from sightline.escalations.models import Escalation
from sightline.escalations.tests.helpers import story_of

pytestmark = pytest.mark.django_db


def test_an_objection_opens_a_disagreement_about_the_closure(world, run_tasks):
    proposal = closures.closure_propose(
        actor=world.users["sw"],
        person=world.child,
        fields=closures.ClosureFields(
            reason="work_complete", reason_text="Plan complete.", remaining_risks="None.",
            next_step="universal",
        ),
    )  # fmt: skip
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = closures.closure_respond(
            actor=world.users["police"], proposal=proposal, kind="objection",
            reason="He was seen with adults of concern last week.",
        )  # fmt: skip
    outcomes = run_tasks()
    # Every task ran (the disagreement's, and the alerts' evaluation of the changed story).
    assert {o.result for o in outcomes} == {"done"}
    escalation = Escalation.objects.get()
    assert (escalation.subject_kind, escalation.subject_id) == ("closure", proposal.pk)
    assert escalation.raised_by == world.users["police"]
    assert escalation.about_agency == world.agencies["csc"]
    assert escalation.about_user == world.users["sw"]
    assert escalation.closure_objection_id == response.pk
    assert escalation.disagreement == "He was seen with adults of concern last week."
    assert "proposing to close its involvement" in escalation.subject_label
    # Running the task again (at least once delivery) opens nothing more.
    from sightline.escalations.tasks import open_for_objection

    open_for_objection(scope=None, response_id=response.pk)
    assert Escalation.objects.count() == 1
    # One story entry for the objection: written with it, saying the disagreement is opened;
    # raising that disagreement (even twice) adds no second one.
    (entry,) = story_of(world.child)
    assert "Hallowford Police objected to Children's social care's proposal" in entry.summary
    assert "a professional disagreement is opened" in entry.summary
    assert "He was seen with adults of concern last week." in entry.detail
