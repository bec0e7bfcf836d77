"""Every person's engine History, read from the replay's throwaway database in a few bulk
queries (a replay reads everyone, so one query per person would dominate a county's run).

This is the replay's own builder: the app's selector builds one child's History for evaluation
on the pages; both follow the model in docs/alerts.md (every version of every entry the person
is named in, whatever their role; involvements and relationships as given)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sightline.alerts.engine.model import Entry, History, Involvement, Related
from sightline.cases.models import Involvement as InvolvementRow
from sightline.chronology.models import ChronologyEntry, EntrySubject
from sightline.chronology.vocabulary import entry_types
from sightline.core.dates import LONDON, period_end
from sightline.governance import access
from sightline.governance.access import SystemScope
from sightline.people.models import Person, Relationship
from sightline.records.models import SourceRecord

# What the related person is to the child, when the relationship line runs the other way
# (`from` is the child): "A is the parent of B" makes A the child's... child. Relationships
# without a named converse read as the type itself (sibling, peer) or as "other".
CONVERSE = {
    "parent": "child",
    "child": "parent",
    "step_parent": "other",
    "parents_partner": "other",
    "carer": "other",
    "grandparent": "extended_family",
    "aunt_or_uncle": "extended_family",
    "suspected_exploiter": "other",
}
_CHUNK = 900  # SQLite's limit on query parameters is 999 on older builds


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
    """Each live person's facts and History, and each entry's feed record (for evidence)."""

    people: dict[int, PersonFacts] = field(default_factory=dict)
    histories: dict[int, History] = field(default_factory=dict)
    entries: dict[str, Entry] = field(default_factory=dict)  # key -> its latest version
    summaries: dict[str, str] = field(default_factory=dict)  # key -> its latest summary


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _live(person_id: int, merged_into: dict[int, int]) -> int:
    seen = 0
    while person_id in merged_into and seen < 100:  # a merge chain, never a cycle
        person_id = merged_into[person_id]
        seen += 1
    return person_id


def everyone(scope: SystemScope) -> Everyone:
    """Read every live person with their entries, involvements and relationships."""
    system = access.require_system(scope)
    found = Everyone()
    people_rows = access.restrict_people(system, Person.objects.all()).values_list(
        "pk", "reference", "given_names", "family_name", "birth_date",
        "birth_date_precision", "merged_into_id",
    )  # fmt: skip
    merged_into: dict[int, int] = {}
    facts: dict[int, tuple[str, str, dt.date | None, str]] = {}
    for pk, reference, given, family, birth, precision, merged in people_rows:
        if merged is not None:
            merged_into[pk] = merged
        else:
            name = f"{given} {family}".strip() or "Name not known"
            facts[pk] = (reference, name, birth, precision or "day")

    records: dict[int, list[tuple[str, str]]] = defaultdict(list)
    person_records = SourceRecord.objects.filter(
        kind=SourceRecord.Kind.PERSON, is_current=True, person__isnull=False
    )
    for person_id, code, source_id in access.restrict_people(
        system, person_records, field="person_id"
    ).values_list("person_id", "source_system__code", "source_id"):
        records[_live(person_id, merged_into)].append((code, source_id))

    types = entry_types()
    subjects: dict[int, set[int]] = defaultdict(set)  # entry id -> people
    for entry_id, person_id in access.restrict_people(
        system, EntrySubject.objects.all(), field="person_id"
    ).values_list("entry_id", "person_id"):
        subjects[entry_id].add(_live(person_id, merged_into))

    entries_of: dict[int, list[Entry]] = defaultdict(list)
    latest: dict[str, tuple[int, Entry, str]] = {}
    ids = sorted(subjects)
    for chunk in _chunks(ids):
        rows = ChronologyEntry.objects.filter(pk__in=chunk).values_list(
            "pk", "lineage", "version", "type", "agency__code", "agency__kind", "agency__name",
            "occurred_at", "precision", "has_time", "ended_at", "recorded_at", "superseded_at",
            "entered_in_error", "grade", "sensitivity", "source_record__source_system__code",
            "source_record__source_id", "summary",
        )  # fmt: skip
        for row in rows:
            (pk, lineage, version, type_, agency, kind, agency_name, occurred, precision,
             has_time, ended, recorded, superseded, in_error, grade, sensitivity, source,
             source_id, summary) = row  # fmt: skip
            start = occurred.astimezone(LONDON).date()
            key = str(lineage or pk)
            spec = types.get(type_)
            entry = Entry(
                key=key,
                version=version,
                type=type_,
                theme=spec.theme if spec else "other",
                agency=agency,
                agency_kind=kind,
                agency_name=agency_name,
                start=start,
                end=period_end(start, precision),
                precision=precision,
                occurred_at=occurred.astimezone(LONDON) if has_time else None,
                ended_at=ended.astimezone(LONDON) if ended else None,
                recorded_at=recorded.astimezone(LONDON),
                superseded_at=superseded.astimezone(LONDON) if superseded else None,
                entered_in_error=in_error,
                grade=grade,
                sensitivity=sensitivity,
                source=source,
                source_id=source_id,
            )
            for person_id in subjects[pk]:
                entries_of[person_id].append(entry)
            if key not in latest or version > latest[key][0]:
                latest[key] = (version, entry, summary)
    for key, (_, entry, summary) in latest.items():
        found.entries[key] = entry
        found.summaries[key] = summary

    involvements: dict[int, list[Involvement]] = defaultdict(list)
    for person_id, agency, kind, agency_name, team, started, ended in access.restrict_people(
        system, InvolvementRow.objects.all(), field="person_id"
    ).values_list(
        "person_id", "agency__code", "agency__kind", "agency__name", "team__name",
        "started_on", "ended_on",
    ):  # fmt: skip
        involvements[_live(person_id, merged_into)].append(
            Involvement(agency, kind, agency_name, team, started, ended)
        )

    bare: dict[int, History] = {}
    for pk, (reference, name, birth, precision) in facts.items():
        mine = sorted(entries_of.get(pk, []), key=lambda e: (e.start, e.key, e.version))
        bare[pk] = History(
            person=reference,
            birth_start=birth,
            birth_end=period_end(birth, precision) if birth else None,
            entries=tuple(mine),
            involvements=tuple(
                sorted(involvements.get(pk, []), key=lambda i: (i.started_on or dt.date.min))
            ),
        )
        found.people[pk] = PersonFacts(
            person_id=pk,
            reference=reference,
            name=name,
            birth_date=birth,
            birth_precision=precision,
            records=tuple(sorted(records.get(pk, []))),
        )

    related: dict[int, list[Related]] = defaultdict(list)
    rows = access.restrict_people(system, Relationship.objects.all(), field="from_person_id")
    seen: set[tuple[int, int, str]] = set()
    for from_id, to_id, type_, from_on, to_on in rows.values_list(
        "from_person_id", "to_person_id", "type", "from_on", "to_on"
    ):
        a, b = _live(from_id, merged_into), _live(to_id, merged_into)
        if a == b or a not in bare or b not in bare:
            continue
        # `a` is the `type` of `b`: for b, the related person a is its `type`; for a, b is the
        # converse.
        for child, other, what in ((b, a, type_), (a, b, CONVERSE.get(type_, type_))):
            if (child, other, what) in seen:  # several agencies record the same relationship
                continue
            seen.add((child, other, what))
            related[child].append(Related(what, from_on, to_on, bare[other]))
    for pk, history in bare.items():
        found.histories[pk] = (
            History(
                person=history.person,
                birth_start=history.birth_start,
                birth_end=history.birth_end,
                entries=history.entries,
                involvements=history.involvements,
                related=tuple(related[pk]),
            )
            if related.get(pk)
            else history
        )
    return found
