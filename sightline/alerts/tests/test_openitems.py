"""The alerts answer the lower apps' questions: what is open for a child (closures, step downs,
last agency standing) and the front door's flags, each only for a viewer who may see the child."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sightline.alerts import openitems, services
from sightline.alerts.models import Alert
from sightline.alerts.tasks import EVALUATOR
from sightline.alerts.tests.conftest import facts, finding
from sightline.core.extensions import open_items_for, people_with_open
from sightline.governance.access import system_scope
from sightline.referrals.extensions import queue_flags_for

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 12, 1)


def raise_alert(person: Any, rule: str, severity: str = "high") -> Alert:
    services.alerts_apply(
        actor=EVALUATOR,
        person_id=person.pk,
        findings={rule: (facts(rule, severity=severity), finding("e1", rule=rule))},
        on=ON,
    )
    return Alert.objects.get(person=person, rule=rule)


def test_open_alerts_are_open_items_for_those_who_may_see_the_child(
    child: Any, mash_manager: Any, stranger: Any, social_worker: Any
) -> None:
    alert = raise_alert(child, "missing-escalating")
    items = open_items_for(mash_manager, child, kinds=["alert"])
    assert [(i.kind, i.title, i.url) for i in items] == [
        ("alert", "Missing episodes escalating (high)", f"/alerts/{alert.pk}/")
    ]
    assert open_items_for(stranger, child, kinds=["alert"]) == []
    services.alert_dismiss(actor=social_worker, alert=alert, reason="Known, planned.")
    assert open_items_for(mash_manager, child, kinds=["alert"]) == []


def test_the_system_sweeps_learn_who_has_open_alerts(child: Any) -> None:
    raise_alert(child, "missing-escalating")
    scope = system_scope(actor=EVALUATOR, purpose="test")
    assert openitems.people_with_open_alerts(scope) == {child.pk}
    assert people_with_open(scope, kind="alert") == {child.pk}


def test_the_front_door_flags_count_open_alerts(
    child: Any, mash_manager: Any, stranger: Any
) -> None:
    raise_alert(child, "missing-escalating", severity="medium")
    raise_alert(child, "missing-no-return-interview", severity="critical")
    flags = queue_flags_for(mash_manager, [child.pk, child.pk + 1000])
    assert [(f.text, f.tag) for f in flags[child.pk]] == [("2 open alerts", "govuk-tag--red")]
    assert not flags.get(child.pk + 1000)
    assert not queue_flags_for(stranger, [child.pk]).get(child.pk)
