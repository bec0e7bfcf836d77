"""The system scope: the system's own reads (linking, the clock's jobs) through the access
module, for a system actor and a stated purpose, audited once when opened."""

from __future__ import annotations

import pytest

from sightline.agencies.tests.factories import AgencyFactory, practitioner
from sightline.core.actors import CLOCK, LINKER
from sightline.core.errors import AccessDenied
from sightline.governance import access
from sightline.governance.models import AuditEvent
from sightline.governance.policy import Capability
from sightline.people.models import Person
from sightline.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_opening_a_system_scope_is_audited_once_with_its_purpose() -> None:
    scope = access.system_scope(
        actor=LINKER, purpose="  link newly imported   records ", detail={"batch": 12}
    )
    [event] = AuditEvent.objects.filter(action="system_access")
    assert event.pk == scope.audit_event_id
    assert event.actor_name == "system:linker"
    assert event.actor is None
    assert event.purpose == "link newly imported records"
    assert event.detail == {"capabilities": ["view_all_children"], "batch": 12}
    assert (scope.actor, scope.purpose, scope.role) == (LINKER, event.purpose, "system")


def test_the_system_scope_reads_every_child_through_the_access_module() -> None:
    people = [PersonFactory.create() for _ in range(3)]
    scope = access.system_scope(actor=CLOCK, purpose="sweep every child's story")
    before = AuditEvent.objects.count()
    found = access.restrict_people(scope, Person.objects.all())
    assert set(found) == set(people)
    assert all(access.can_view_person(scope, p.pk) for p in people)
    assert access.require(scope, Capability.VIEW_ALL_CHILDREN) is scope
    assert AuditEvent.objects.count() == before, "one row per run, not per read"
    with pytest.raises(AccessDenied):
        access.require(scope, Capability.RECORD_ENTRIES)


def test_only_the_systems_actors_may_open_one_and_only_for_a_purpose() -> None:
    worker = practitioner("social_worker", agency=AgencyFactory.create())
    with pytest.raises(AccessDenied):
        access.system_scope(actor=worker, purpose="curiosity")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="purpose"):
        access.system_scope(actor=LINKER, purpose="   ")
    with pytest.raises(ValueError, match="200 characters"):
        access.system_scope(actor=LINKER, purpose="x" * 201)
    assert not AuditEvent.objects.filter(action="system_access").exists()
    # A person's scope is never taken for the system's.
    with pytest.raises(AccessDenied):
        access.require_system(access.scope_for(worker))
