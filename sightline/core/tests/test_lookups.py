"""AnyOf: the same rows as `__in`, on either database."""

from __future__ import annotations

import pytest
from django.db.models import F

from sightline.agencies.models import Agency
from sightline.core.lookups import AnyOf

pytestmark = pytest.mark.django_db


def test_any_of_finds_the_rows_in_the_list() -> None:
    agencies = [Agency.objects.create(code=f"a{i}", kind="police", name=f"A{i}") for i in range(5)]
    wanted = {agencies[1].pk, agencies[3].pk, 10_000_000}
    found = Agency.objects.filter(AnyOf(F("pk"), wanted)).values_list("pk", flat=True)
    assert set(found) == set(Agency.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    assert set(found) == {agencies[1].pk, agencies[3].pk}


def test_any_of_an_empty_list_finds_nothing() -> None:
    Agency.objects.create(code="a", kind="police", name="A")
    assert not Agency.objects.filter(AnyOf(F("pk"), [])).exists()
    assert Agency.objects.exclude(AnyOf(F("pk"), [])).count() == 1
