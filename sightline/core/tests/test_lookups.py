"""AnyOf: the same rows as `__in`, on either database (on a model of Django's own: core sits
below every app)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db.models import F

from sightline.core.lookups import AnyOf

pytestmark = pytest.mark.django_db


def test_any_of_finds_the_rows_in_the_list() -> None:
    groups = [Group.objects.create(name=f"g{i}") for i in range(5)]
    wanted = {groups[1].pk, groups[3].pk, 10_000_000}
    found = Group.objects.filter(AnyOf(F("pk"), wanted)).values_list("pk", flat=True)
    assert set(found) == set(Group.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    assert set(found) == {groups[1].pk, groups[3].pk}


def test_any_of_an_empty_list_finds_nothing() -> None:
    Group.objects.create(name="g")
    assert not Group.objects.filter(AnyOf(F("pk"), [])).exists()
    assert Group.objects.exclude(AnyOf(F("pk"), [])).count() == 1
