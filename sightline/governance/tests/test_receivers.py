"""Account events announced by lower apps (accounts, agencies) become audit rows."""

import datetime as dt

import pytest
import time_machine

from sightline.agencies.services import practitioner_create
from sightline.agencies.tests.factories import AgencyFactory, practitioner
from sightline.core.actors import SystemActor
from sightline.governance.audit import AuditAction
from sightline.governance.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def actions():
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def test_sign_in_and_sign_out_are_audited(client):
    user = practitioner("social_worker")
    client.post("/sign-in", {"email": user.username, "password": PASSWORD})
    client.post("/sign-out")
    assert actions() == [AuditAction.SIGNED_IN, AuditAction.SIGNED_OUT]
    signed_in, signed_out = AuditEvent.objects.order_by("id")
    assert signed_in.actor == signed_out.actor == user
    assert signed_in.object_id == str(user.pk)
    assert signed_in.client_address == signed_out.client_address == "127.0.0.1"
    assert signed_out.detail == {"reason": "signed_out"}


@pytest.mark.parametrize("username", ["nobody@example.org", "exists@example.org"])
def test_failed_sign_in_is_audited_without_the_password(client, username):
    user = practitioner("social_worker")
    user.username = "exists@example.org"
    user.save()
    client.post("/sign-in", {"email": username, "password": "not the password"})
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.SIGN_IN_FAILED
    assert event.actor is None
    assert event.actor_name == "anonymous"
    assert event.detail == {"username": username, "reason": "incorrect"}
    assert event.client_address == "127.0.0.1"
    assert "not the password" not in str(event.detail)


def test_throttled_sign_in_is_audited(client):
    for _ in range(6):
        client.post("/sign-in", {"email": "x@example.org", "password": "wrong"})
    reasons = [e.detail["reason"] for e in AuditEvent.objects.order_by("id")]
    assert reasons == ["incorrect"] * 5 + ["throttled"]


def test_time_out_is_audited(client):
    user = practitioner("social_worker")
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        client.force_login(user)
        client.get("/children/")
    with time_machine.travel(start + dt.timedelta(minutes=45), tick=False):
        client.get("/children/")
    event = AuditEvent.objects.get(action=AuditAction.SIGNED_OUT)
    assert event.actor == user
    assert event.detail["reason"] == "timed_out"


def test_account_creation_is_audited_with_its_actor():
    agency = AgencyFactory.create(code="csc")
    user = practitioner_create(
        actor=SystemActor("demo"),
        email="sw@example.org",
        given_name="Sam",
        family_name="Patel",
        password=PASSWORD,
        agency=agency,
        role="social_worker",
    )
    created, role = AuditEvent.objects.order_by("id")
    assert (created.action, role.action) == (AuditAction.ACCOUNT_CREATED, AuditAction.ROLE_GIVEN)
    assert created.actor_name == role.actor_name == "system:demo"
    assert created.object_id == role.object_id == str(user.pk)
    assert role.detail == {"agency": "csc", "team": None, "role": "social_worker"}
