from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from sightline.people.models import Person


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    class Meta:
        model = Person

    reference = factory.Sequence(lambda n: f"SLT{n:07d}")
    given_names = factory.Faker("first_name", locale="en_GB")
    family_name = factory.Faker("last_name", locale="en_GB")
    birth_date = dt.date(2010, 5, 17)
    birth_date_precision = "day"
    sex = "unknown"
    created_at = factory.LazyFunction(timezone.now)


def person_named(
    given_names: str,
    family_name: str,
    *,
    other_names: tuple[tuple[str, str], ...] = (),
    **fields: object,
) -> Person:
    """A person with their recorded name, other names ("also known as") and the NameKey search
    index built from every one of them, as the importer builds it."""
    from sightline.people.models import NameKey, PersonName
    from sightline.people.search_keys import name_keys

    person = PersonFactory.create(given_names=given_names, family_name=family_name, **fields)
    names = [(given_names, family_name, PersonName.Kind.RECORDED)]
    names += [(g, f, PersonName.Kind.ALIAS) for g, f in other_names]
    keys: set[str] = set()
    for given, family, kind in names:
        PersonName.objects.create(person=person, given_names=given, family_name=family, kind=kind)
        keys |= name_keys(given, family)
    NameKey.objects.bulk_create([NameKey(person=person, key=key) for key in sorted(keys)])
    return person
