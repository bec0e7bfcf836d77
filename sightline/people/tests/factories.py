from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from sightline.people.models import Person


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    reference = factory.Sequence(lambda n: f"SLT{n:07d}")
    given_names = factory.Faker("first_name", locale="en_GB")
    family_name = factory.Faker("last_name", locale="en_GB")
    birth_date = dt.date(2010, 5, 17)
    birth_date_precision = "day"
    sex = "unknown"
    created_at = factory.LazyFunction(timezone.now)
