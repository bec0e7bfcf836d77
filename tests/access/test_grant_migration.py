"""cases 0004: grants written before (one per agency or team, never ending) become one grant
per involvement, with its dates, keeping when access was first granted."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from sightline.agencies.tests.factories import TeamFactory
from sightline.cases.models import Involvement
from sightline.chronology.tests.factories import new_agency, new_person
from sightline.governance.models import AccessGrant
from sightline.identity.tests.factories import person_line, record_for
from sightline.records.models import SourceSystem

pytestmark = pytest.mark.django_db

migration = importlib.import_module("sightline.cases.migrations.0004_one_grant_per_involvement")
FIRST_GRANTED = dt.datetime(2019, 3, 4, 9, 0, tzinfo=dt.UTC)


def test_legacy_grants_become_one_per_involvement() -> None:
    schools = SourceSystem.objects.create(
        code="schools",
        name="Schools",
        agency=new_agency(code="school", kind="school"),
        access_scope="team",
        registered_at=timezone.now(),
    )
    child = record_for(schools, person_line("schools", "S-1")).person
    assert child is not None
    agency = schools.agency
    old, new = TeamFactory.create(agency=agency), TeamFactory.create(agency=agency)
    record = schools.records.get()
    left = Involvement.objects.create(
        person=child,
        agency=agency,
        team=old,
        started_on=dt.date(2015, 9, 1),
        ended_on=dt.date(2020, 7, 20),
        source_record=record,
    )
    on_roll = Involvement.objects.create(
        person=child, agency=agency, team=new, started_on=dt.date(2020, 9, 1)
    )
    legacy = AccessGrant.objects.create(
        person=child, agency=agency, team=old, basis="involvement", granted_at=FIRST_GRANTED
    )
    # Granted otherwise than by an involvement: left as it was.
    other = new_person()
    by_hand = AccessGrant.objects.create(
        person=other, agency=agency, basis="involvement", granted_at=FIRST_GRANTED
    )

    migration.one_grant_per_involvement(apps, None)

    assert not AccessGrant.objects.filter(pk=legacy.pk).exists()
    assert AccessGrant.objects.filter(pk=by_hand.pk).exists()
    grants = {g.basis_key: g for g in AccessGrant.objects.filter(person=child)}
    assert set(grants) == {left.pk, on_roll.pk}
    # The team-scoped feed's involvement grants its team; one without a record, its agency.
    assert (grants[left.pk].team_id, grants[left.pk].ends_on) == (old.pk, dt.date(2020, 7, 20))
    assert grants[left.pk].starts_on == dt.date(2015, 9, 1)
    assert grants[left.pk].granted_at == FIRST_GRANTED
    assert (grants[on_roll.pk].team_id, grants[on_roll.pk].ends_on) == (None, None)
