"""Everyone in the replay's database: their History (the app's own builder,
sightline.alerts.histories, so a replay reads a child exactly as the daily sweep does), who they
are and which feed records are theirs, and the entries their alerts will cite."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import BigIntegerField, F
from django.db.models.functions import Coalesce

from sightline.alerts.engine.model import Entry, History
from sightline.alerts.histories import histories_for_all
from sightline.chronology.models import ChronologyEntry
from sightline.governance import access
from sightline.governance.access import SystemScope
from sightline.people.models import Person
from sightline.records.models import SourceRecord

_CHUNK = 500


@dataclass(frozen=True)
class PersonFacts:
    """A person as the replay reports them: who they are and which records are theirs."""

    person_id: int
    reference: str
    name: str
    birth_date: dt.date | None
    birth_precision: str
    records: tuple[tuple[str, str], ...]  # (source, source_id), sorted


@dataclass
class Everyone:
    people: dict[int, PersonFacts] = field(default_factory=dict)
    histories: dict[int, History] = field(default_factory=dict)
    entries: dict[str, Entry] = field(default_factory=dict)  # key -> its latest version


def everyone(scope: SystemScope) -> Everyone:
    """Every person with a story of their own (not merged away), read through the system
    scope."""
    system = access.require_system(scope)
    found = Everyone()
    for batch in histories_for_all(viewer=system):
        for child in batch:
            found.histories[child.person_id] = child.history
            for entry in child.history.entries:
                held = found.entries.get(entry.key)
                if held is None or entry.version > held.version:
                    found.entries[entry.key] = entry
    ids = sorted(found.histories)
    records: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        rows = SourceRecord.objects.filter(
            kind=SourceRecord.Kind.PERSON, is_current=True, person_id__in=chunk
        )
        for person_id, code, source_id in access.restrict_people(
            system, rows, field="person_id"
        ).values_list("person_id", "source_system__code", "source_id"):
            records[person_id].append((code, source_id))
        people = access.restrict_people(system, Person.objects.filter(pk__in=chunk))
        for pk, reference, given, family, birth, precision in people.values_list(
            "pk", "reference", "given_names", "family_name", "birth_date", "birth_date_precision"
        ):
            found.people[pk] = PersonFacts(
                person_id=pk,
                reference=reference,
                name=f"{given} {family}".strip() or "Name not known",
                birth_date=birth,
                birth_precision=precision or "day",
                records=tuple(sorted(records.get(pk, []))),
            )
    return found


@dataclass(frozen=True)
class Cited:
    """What a report says of an evidence entry besides what the engine holds: its feed record
    and its latest summary."""

    source: str | None
    source_id: str | None
    summary: str


def cited(keys: Iterable[str]) -> dict[str, Cited]:
    """Each entry's (by key, its lineage) feed source, source id and latest summary. Read once
    for the entries the alerts cite: the sweep's history builder leaves the feed out."""
    wanted = sorted({int(k) for k in keys if k.isdigit()})
    out: dict[str, tuple[int, Cited]] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        rows = (
            ChronologyEntry.objects.annotate(
                key=Coalesce(F("lineage"), F("id"), output_field=BigIntegerField())
            )
            .filter(key__in=chunk)
            .values_list(
                "key",
                "version",
                "summary",
                "source_record__source_system__code",
                "source_record__source_id",
            )
        )
        for key, version, summary, source, source_id in rows:
            text = str(key)
            if text not in out or version > out[text][0]:
                out[text] = (version, Cited(source, source_id, summary))
    return {k: v for k, (_, v) in out.items()}
