"""Critical alerts tell the head of service over the team working with the child, in the app
and by email (once per raising, never naming the child); "my work" and a manager's team view
list the alerts waiting on them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from sightline.accounts.models import Notification, OutboxEmail
from sightline.agencies.models import Role, Team
from sightline.agencies.tests.factories import MembershipFactory
from sightline.alerts import services
from sightline.alerts.models import Alert
from sightline.alerts.tasks import EVALUATOR
from sightline.alerts.tests.conftest import facts, finding
from sightline.cases.models import Involvement

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 11, 10)


@pytest.fixture
def team(csc: Any, child: Any, social_worker: Any) -> Team:
    team = Team.objects.create(agency=csc, code="north", name="North")
    Involvement.objects.create(person=child, agency=csc, team=team, started_on=dt.date(2026, 1, 1),
                               practitioner_email=social_worker.email)  # fmt: skip
    return team


@pytest.fixture
def head(csc: Any, team: Team) -> Any:
    membership = MembershipFactory.create(role=Role.HEAD_OF_SERVICE, agency=csc)
    membership.heads_teams.add(team)
    user = membership.user
    user.first_name, user.last_name = "Dana", "Kerr"
    user.save()
    return user


def raise_(child: Any, severity: str, *keys: str) -> Any:
    return services.alerts_apply(
        actor=EVALUATOR, person_id=child.pk,
        findings={"exploitation": (facts("exploitation", severity=severity, title="Exploitation"),
                                   finding(*keys, rule="exploitation"))},
        on=ON,
    )  # fmt: skip


def test_a_critical_alert_tells_the_head_of_service_once(child: Any, head: Any) -> None:
    raise_(child, "critical", "1")
    alert = Alert.objects.get()
    [note] = Notification.objects.filter(recipient=head)
    assert note.url == f"/alerts/{alert.pk}/"
    assert child.given_names not in note.subject + note.body
    assert OutboxEmail.objects.count() == 1
    told = alert.events.get(kind="notified")
    assert told.note == "Told Dana Kerr (head of service)."
    raise_(child, "critical", "1")  # the same facts: nobody told again
    assert Notification.objects.count() == 1
    raise_(child, "critical", "1", "2")  # grown while open: not a new raising
    assert Notification.objects.count() == 1
    call_command("tick")  # the outbox is sent through Django's email backend (locmem in tests)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [head.email]
    assert child.family_name not in mail.outbox[0].body


def test_raised_again_after_a_decision_tells_again(
    child: Any, head: Any, social_worker: Any
) -> None:
    raise_(child, "critical", "1")
    services.alert_dismiss(actor=social_worker, alert=Alert.objects.get(), reason="Known.")
    raise_(child, "critical", "1", "2")  # new evidence since the decision
    assert Notification.objects.filter(recipient=head).count() == 2


def test_a_high_alert_tells_nobody(child: Any, head: Any) -> None:
    raise_(child, "high", "1")
    assert not Notification.objects.exists()


def test_with_no_head_of_service_the_history_says_so(child: Any, team: Team) -> None:
    raise_(child, "critical", "1")
    assert "nobody was told" in Alert.objects.get().events.get(kind="notified").note


def test_the_head_of_service_can_open_it(child: Any, head: Any) -> None:
    raise_(child, "critical", "1")
    client = Client()
    client.force_login(head)
    assert client.get(Notification.objects.get().url).status_code == 200


def test_my_work_lists_the_alerts_on_my_children(
    child: Any, social_worker: Any, team: Team, head: Any
) -> None:
    raise_(child, "high", "1")
    client = Client()
    client.force_login(social_worker)
    page = client.get(reverse("agencies:my_work")).content.decode()
    assert "Alerts to act on" in page
    assert "Exploitation (high)" in page
    assert "New: acknowledge it" in page
    client.force_login(head)
    page = client.get(reverse("agencies:team_work")).content.decode()
    assert "Exploitation (high)" in page
    assert "Jordan Ellis" in page
