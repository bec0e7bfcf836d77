"""AnyOf (the same rows as `__in`, on either database) and key_by_key (PostgreSQL), on a model
of Django's own: core sits below every app."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import F

from sightline.core.lookups import AnyOf, key_by_key

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


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_key_by_key_finds_each_key_with_the_condition() -> None:
    groups = [Group.objects.create(name=f"g{i}") for i in range(5)]
    sql = key_by_key(
        Group._meta.db_table, ["name", "id"], key="name", key_type="text", where='"id" <> %s'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [["g1", "g3", "g4", "nobody", "g1"], groups[4].pk])
        found = cursor.fetchall()
    # One row per key found (a key given twice, twice), none for a key without a row or for a
    # row the condition leaves out.
    assert sorted(found) == [("g1", groups[1].pk), ("g1", groups[1].pk), ("g3", groups[3].pk)]
