"""The alert services with hand-made findings: raising, growing, suppression after a decision,
reminders after the window, idempotent re-evaluation, people's decisions (audited, refused when
someone got there first), and the one-open-alert constraint."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError, transaction

from sightline.alerts import services
from sightline.alerts.models import Alert, AlertEvent
from sightline.alerts.tasks import EVALUATOR
from sightline.alerts.tests.conftest import facts, finding
from sightline.core.errors import AccessDenied, InvalidTransition, NotFound, ValidationFailed
from sightline.governance.models import AuditEvent

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 12, 1)


def apply(person: Any, f: Any, *, on: dt.date = ON, rule: str = "missing-escalating") -> Any:
    return services.alerts_apply(
        actor=EVALUATOR, person_id=person.pk, findings={rule: (facts(rule), f)}, on=on
    )


def only(person: Any) -> Alert:
    return Alert.objects.get(person=person)


def test_a_finding_raises_an_alert_with_what_the_rule_says(child: Any) -> None:
    applied = apply(child, finding("1", "2"))
    assert applied.counts == {"raise": 1}
    alert = only(child)
    assert (alert.status, alert.rule, alert.rule_version, alert.severity) == (
        "open", "missing-escalating", 1, "high")  # fmt: skip
    assert alert.evidence == ["1", "2"]
    assert alert.seen_evidence == ["1", "2"]
    assert alert.prompt == "Hold a strategy discussion."
    assert alert.reference[0]["id"] == "QS-LP12"
    event = alert.events.get()
    assert (event.kind, event.added, event.actor_name) == ("raised", ["1", "2"], "system:alerts")
    audited = AuditEvent.objects.get(action="alert_raised")
    assert audited.person_id == child.pk
    assert audited.object_id == str(alert.pk)


def test_the_same_facts_never_raise_twice(child: Any) -> None:
    apply(child, finding("1", "2"))
    for _ in range(3):
        assert apply(child, finding("1", "2")).counts == {}
    assert Alert.objects.count() == 1
    assert AlertEvent.objects.count() == 1


def test_new_evidence_grows_the_open_alert_and_says_what_is_new(child: Any) -> None:
    apply(child, finding("1", "2"))
    applied = apply(child, finding("1", "2", "3"))
    assert applied.counts == {"add_evidence": 1}
    alert = only(child)
    assert alert.evidence == ["1", "2", "3"]
    assert alert.status == "open"
    grown = alert.events.get(kind="evidence_added")
    assert grown.added == ["3"]
    assert Alert.objects.count() == 1


def test_other_words_for_the_same_evidence_refresh_quietly(child: Any) -> None:
    apply(child, finding("1"))
    assert apply(child, finding("1", certainty="possible")).counts == {"refresh": 1}
    assert only(child).certainty == "possible"
    assert AlertEvent.objects.count() == 1


def test_an_acknowledged_alert_is_suppressed_unless_new_evidence_arrives(
    child: Any, social_worker: Any
) -> None:
    apply(child, finding("1", "2"))
    services.alert_acknowledge(actor=social_worker, alert=only(child), note="On it.")
    assert apply(child, finding("1", "2")).counts == {}
    assert only(child).status == "acknowledged"
    applied = apply(child, finding("1", "2", "3"))
    assert applied.counts == {"reopen": 1}
    alert = only(child)
    assert alert.status == "open"
    assert alert.suppressed_until is None
    reopened = alert.events.get(kind="evidence_added")
    assert reopened.added == ["3"]
    assert reopened.detail["reopened_from"] == "acknowledged"
    assert reopened.detail["since_decision"] == alert.events.get(kind="acknowledged").pk


def test_a_dismissed_alert_stays_down_within_its_window_and_reminds_after(
    child: Any, social_worker: Any
) -> None:
    apply(child, finding("1"))
    with time_machine.travel(dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC), tick=False):
        services.alert_dismiss(actor=social_worker, alert=only(child), reason="Known, planned.")
    alert = only(child)
    assert alert.suppressed_until == dt.date(2026, 12, 29)  # 28 days
    assert apply(child, finding("1"), on=dt.date(2026, 12, 28)).counts == {}
    assert apply(child, finding("1"), on=dt.date(2026, 12, 29)).counts == {"remind": 1}
    alert = only(child)
    assert alert.status == "open"
    assert alert.events.filter(kind="reminded").count() == 1
    assert apply(child, finding("1"), on=dt.date(2026, 12, 30)).counts == {}


def test_a_rule_that_stops_holding_is_marked_and_people_decide(child: Any) -> None:
    apply(child, finding("1"))
    assert apply(child, None).counts == {"stopped": 1}
    alert = only(child)
    assert alert.status == "open"
    assert not alert.holds
    assert alert.stopped_holding_on == ON
    assert apply(child, None).counts == {}
    assert apply(child, finding("1")).counts == {"holds_again": 1}
    assert only(child).holds


def test_a_new_run_after_a_decision_is_a_new_alert(child: Any, social_worker: Any) -> None:
    apply(child, finding("1"))
    services.alert_action(actor=social_worker, alert=only(child), action="Strategy discussion held")
    apply(child, None)  # the rule stopped holding
    later = finding("1", "4", first=dt.date(2026, 11, 28))
    assert apply(child, later).counts == {"raise": 1}
    first, second = Alert.objects.order_by("id")
    assert (first.status, second.status) == ("actioned", "open")
    raised = second.events.get()
    assert raised.added == ["4"]
    assert raised.detail["after"] == first.pk


def test_one_open_alert_per_child_and_rule_is_a_database_constraint(child: Any) -> None:
    apply(child, finding("1"))
    alert = only(child)
    alert.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        alert.save()


def test_other_rules_are_other_alerts(child: Any) -> None:
    apply(child, finding("1"))
    apply(child, finding("1", rule="missing-from-care"), rule="missing-from-care")
    assert Alert.objects.filter(status="open").count() == 2


# --- people's decisions ---------------------------------------------------------------------


def test_acknowledge_action_dismiss_are_audited_and_in_the_history(
    child: Any, social_worker: Any
) -> None:
    apply(child, finding("1"))
    alert = only(child)
    services.alert_acknowledge(actor=social_worker, alert=alert)
    services.alert_action(actor=social_worker, alert=alert.pk, action="Strategy discussion held")
    services.alert_action(actor=social_worker, alert=alert.pk, action="Called the school", note="x")
    services.alert_dismiss(actor=social_worker, alert=alert.pk, reason="Risk now managed.")
    kinds = list(alert.events.values_list("kind", "action", "actor_name"))
    who = social_worker.username
    assert kinds == [
        ("raised", "", "system:alerts"),
        ("acknowledged", "", who),
        ("actioned", "Strategy discussion held", who),
        ("actioned", "Called the school", who),
        ("dismissed", "", who),
    ]
    assert alert.events.get(kind="actioned", action="Called the school").detail == {"chosen": False}
    actions = set(AuditEvent.objects.filter(object_type="alert").values_list("action", flat=True))
    assert {"alert_acknowledged", "alert_actioned", "alert_dismissed"} <= actions
    assert only(child).decided_by == social_worker


def test_acknowledging_twice_says_who_got_there_first(child: Any, social_worker: Any) -> None:
    apply(child, finding("1"))
    services.alert_acknowledge(actor=social_worker, alert=only(child))
    with pytest.raises(InvalidTransition, match=social_worker.username):
        services.alert_acknowledge(actor=social_worker, alert=only(child))


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda a, u: services.alert_dismiss(actor=u, alert=a, reason="  "), "reason"),
        (lambda a, u: services.alert_action(actor=u, alert=a, action=""), "action"),
        (lambda a, u: services.alert_action(actor=u, alert=a, action="x" * 501), "action"),
        (lambda a, u: services.alert_acknowledge(actor=u, alert=a, note="bad\x00note"), "note"),
    ],
)
def test_decisions_check_what_is_written(
    child: Any, social_worker: Any, call: Any, field: str
) -> None:
    apply(child, finding("1"))
    with pytest.raises(ValidationFailed) as failed:
        call(only(child), social_worker)
    assert field in failed.value.errors
    assert only(child).status == "open"


def test_a_practitioner_who_cannot_see_the_child_cannot_act(child: Any, stranger: Any) -> None:
    apply(child, finding("1"))
    with pytest.raises(NotFound):
        services.alert_acknowledge(actor=stranger, alert=only(child))
    assert AuditEvent.objects.filter(action="access_refused").exists()


def test_a_role_that_does_not_record_cannot_act(child: Any) -> None:
    from sightline.agencies.tests.factories import AgencyFactory, practitioner
    from sightline.governance import access
    from sightline.governance.models import AccessGrant

    apply(child, finding("1"))
    analyst = practitioner("analyst", agency=AgencyFactory.create(code="insight", kind="other"))
    access.grant(person_id=child.pk, agency_id=analyst.membership.agency_id,
                 basis=AccessGrant.Basis.MANUAL)  # fmt: skip
    with pytest.raises((AccessDenied, NotFound)):
        services.alert_acknowledge(actor=analyst, alert=only(child))
