"""Chronology entries for tests. Synthetic people only."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import factory
from django.apps import apps
from django.utils import timezone

from sightline.agencies.models import Agency
from sightline.agencies.tests.factories import AgencyFactory
from sightline.chronology.models import ChronologyEntry, EntrySubject
from sightline.core.dates import LONDON
from sightline.people.models import Person
from sightline.people.tests.factories import PersonFactory


class EntryFactory(factory.django.DjangoModelFactory[ChronologyEntry]):
    class Meta:
        model = ChronologyEntry
        skip_postgeneration_save = True

    agency = factory.SubFactory(AgencyFactory)
    type = "home_visit"
    occurred_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=30))
    precision = "day"
    recorded_at = factory.LazyFunction(timezone.now)
    summary = "Home visit. Child seen alone in their bedroom; said things are fine at home."
    grade = ChronologyEntry.Grade.FACT
    sensitivity = ChronologyEntry.Sensitivity.STANDARD
    version = 1

    class Params:
        significant = factory.Trait(is_significant=True)
        police_intelligence = factory.Trait(
            type="intelligence_received",
            grade=ChronologyEntry.Grade.INTELLIGENCE,
            sensitivity=ChronologyEntry.Sensitivity.POLICE_INTELLIGENCE,
            intelligence_grade={
                "system": "3x5x2",
                "source": "2",
                "assessment": "B",
                "handling": "P",
            },
            summary="Seen getting into a car with older males known for county lines activity.",
        )
        health = factory.Trait(
            type="ae_attendance",
            sensitivity=ChronologyEntry.Sensitivity.HEALTH_CONFIDENTIAL,
            summary="Attended A&E with a laceration to the left forearm.",
        )

    @factory.post_generation
    def _lineage(obj: ChronologyEntry, create: bool, extracted: object, **kwargs: object) -> None:  # noqa: N805
        if create and obj.lineage is None:
            obj.lineage = obj.pk
            obj.save(update_fields=["lineage"])


def at(year: int, month: int = 1, day: int = 1, hour: int = 0, minute: int = 0) -> dt.datetime:
    """A London time, as the story stores and shows it."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def entry_for(
    person: Person, *, role: str = EntrySubject.Role.SUBJECT, **fields: Any
) -> ChronologyEntry:
    """An entry in this person's story (the entry and its EntrySubject row)."""
    entry = EntryFactory.create(**fields)
    EntrySubject.objects.create(
        entry=entry, person=person, role=role, occurred_at=entry.occurred_at
    )
    return entry


def new_person(**fields: Any) -> Person:
    """A person (PersonFactory, typed)."""
    return cast(Person, PersonFactory(**fields))


def new_agency(**fields: Any) -> Agency:
    """An agency (AgencyFactory, typed)."""
    return cast(Agency, AgencyFactory(**fields))


def source_record_for(agency: Agency, *, name: str = "Police records feed") -> Any:
    """A source record of an agency feed, for imported entries. (The records app sits beside
    chronology in the layer order, so its models are looked up, not imported.)"""
    SourceSystem = apps.get_model("records", "SourceSystem")
    ImportBatch = apps.get_model("records", "ImportBatch")
    SourceRecord = apps.get_model("records", "SourceRecord")
    system, _ = SourceSystem.objects.get_or_create(
        code=f"{agency.code}-feed",
        defaults={"name": name, "agency": agency, "registered_at": timezone.now()},
    )
    batch = ImportBatch.objects.create(
        filename="feed.jsonl", file_sha256="0" * 64, started_at=timezone.now()
    )
    count = SourceRecord.objects.filter(source_system=system).count()
    return SourceRecord.objects.create(
        source_system=system,
        source_id=f"E-{count + 1}",
        kind="entry",
        payload={"kind": "entry"},
        payload_hash="0" * 64,
        batch=batch,
        line_number=count + 1,
    )
