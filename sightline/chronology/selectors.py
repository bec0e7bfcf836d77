"""Reads of the child's story, always for one viewer, always through the access module.

`child_get_for` is the door: it resolves a reference (following merges to the surviving
person), checks the viewer may see the child, and returns a `Child` that the other selectors
take, so one page asks the access question once. An unrelated viewer gets the same NotFound as a
reference that does not exist."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet

from sightline.agencies.models import Agency
from sightline.chronology.bitemporal import known_at_q, known_cutoff
from sightline.chronology.filters import StoryFilters
from sightline.chronology.models import ChronologyEntry, EntrySubject
from sightline.chronology.vocabulary import entry_types, types_in_theme
from sightline.core import clock
from sightline.core.dates import LONDON
from sightline.core.errors import NotFound
from sightline.governance import access
from sightline.people.models import Address, Identifier, Person
from sightline.people.selectors import RecordedIdentity, person_details_for

PER_PAGE = 50
_MAX_MERGE_HOPS = 10
_NOT_FOUND = "No child found with that reference, or you do not have access to them."


@dataclass(frozen=True)
class Child:
    """A person the viewer has been allowed to see, with the viewer's scope."""

    person: Person
    scope: access.Scope
    requested_reference: str

    @property
    def was_merged(self) -> bool:
        return self.person.reference != self.requested_reference


def child_get_for(*, viewer: Any, reference: str) -> Child:
    """The child with this Sightline reference, or the person it was merged into."""
    person = Person.objects.filter(reference=reference).first()
    hops = 0
    while person is not None and person.merged_into_id is not None and hops < _MAX_MERGE_HOPS:
        person = Person.objects.filter(pk=person.merged_into_id).first()
        hops += 1
    found = person is not None and person.merged_into_id is None
    # No such child refuses (and audits) as a child the viewer may not see does.
    scope = access.require_person(
        viewer, person.pk if person and found else None, detail={"reference": reference[:40]}
    )
    assert person is not None
    return Child(person=person, scope=scope, requested_reference=reference)


@dataclass(frozen=True)
class ChildIdentity:
    person: Person
    identifiers: list[Identifier]
    address: Address | None
    other_names: list[str]
    # Spellings of the name and agencies recording another date of birth (people.selectors).
    recorded: RecordedIdentity | None = None


def child_identity_for(*, viewer: Any, child: Child) -> ChildIdentity:
    person = child.person
    # One line per distinct identifier: a child linked from five feeds holds the same NHS
    # number five times (one row per source record, kept for splitting).
    identifiers: list[Identifier] = []
    seen: set[tuple[str, str, str, bool]] = set()
    # Only the identifiers the viewer's agency may see (governance's identifier policy), judged
    # by scheme and by the kind of agency whose feed issued each.
    held = Identifier.objects.filter(person_id=person.pk).annotate(
        issuer_kind=F("source_record__source_system__agency__kind")
    )
    for identifier in held.order_by("id"):
        if not access.identifier_visible(
            child.scope, scheme=identifier.scheme, issuer_kind=identifier.issuer_kind
        ):
            continue
        issuer = identifier.issuer if identifier.scheme == Identifier.Scheme.LOCAL_ID else ""
        key = (identifier.scheme, identifier.value, issuer, identifier.is_valid)
        if key not in seen:
            seen.add(key)
            identifiers.append(identifier)
    today = clock.today()
    address = (
        Address.objects.filter(person_id=person.pk)
        .filter(Q(to_on__isnull=True) | Q(to_on__gte=today))
        .filter(Q(from_on__isnull=True) | Q(from_on__lte=today))
        .order_by("-from_on", "-id")
        .first()
    )
    recorded = person_details_for(viewer=viewer, person=person)
    return ChildIdentity(person, identifiers, address, recorded.also_known_as, recorded)


# --- the story ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoryRow:
    entry: ChronologyEntry
    role: str
    readable: bool


@dataclass(frozen=True)
class StoryPage:
    rows: list[StoryRow]
    total: int
    page: int
    pages: int
    per_page: int

    @property
    def first_number(self) -> int:
        return 0 if self.total == 0 else (self.page - 1) * self.per_page + 1

    @property
    def last_number(self) -> int:
        return min(self.page * self.per_page, self.total)


def _year_start(value: dt.date) -> dt.datetime:
    return dt.datetime(value.year, 1, 1, tzinfo=LONDON)


def _start_of(value: dt.date) -> dt.datetime:
    return dt.datetime.combine(value, dt.time.min, tzinfo=LONDON)


def _from_q(date_from: dt.date) -> Q:
    """Entries whose period overlaps [date_from, ...): a "March 2019" entry counts for a range
    starting 15 March 2019; a "2019" entry counts for any range starting in 2019."""
    day_start = _start_of(date_from)
    month_start = _start_of(date_from.replace(day=1))
    season_after = day_start - dt.timedelta(days=92)
    return Q(occurred_at__gte=_year_start(date_from)) & (
        Q(occurred_at__gte=day_start)
        | Q(entry__precision="month", occurred_at__gte=month_start)
        | Q(entry__precision="season", occurred_at__gt=season_after)
        | Q(entry__precision="year")
    )


def _significant_types() -> list[str]:
    return [code for code, spec in entry_types().items() if spec.significant]


def story_queryset(person_id: int, filters: StoryFilters) -> QuerySet[EntrySubject]:
    """The story's rows (EntrySubject, newest first) before paging. Not access-checked: callers
    are selectors that have a `Child`."""
    cutoff = known_cutoff(filters.as_known_on) if filters.as_known_on else None
    qs = EntrySubject.objects.filter(person_id=person_id).filter(
        known_at_q(cutoff, prefix="entry__")
    )
    if filters.agencies:
        qs = qs.filter(entry__agency_id__in=filters.agencies)
    if filters.themes:
        codes = [code for theme in filters.themes for code in types_in_theme(theme)]
        qs = qs.filter(entry__type__in=codes)
    if filters.type:
        qs = qs.filter(entry__type=filters.type)
    if filters.date_from:
        qs = qs.filter(_from_q(filters.date_from))
    if filters.date_to:
        qs = qs.filter(occurred_at__lt=known_cutoff(filters.date_to))
    if filters.significant_only:
        qs = qs.filter(Q(entry__is_significant=True) | Q(entry__type__in=_significant_types()))
    return qs.order_by("-occurred_at", "-entry_id")


def _with_entry(qs: QuerySet[EntrySubject]) -> QuerySet[EntrySubject]:
    return qs.select_related(
        "entry__agency", "entry__author", "entry__source_record__source_system"
    ).defer("entry__source_record__payload")


def _row(subject: EntrySubject, scope: access.Scope) -> StoryRow:
    entry = subject.entry
    return StoryRow(
        entry=entry,
        role=subject.role,
        readable=access.can_read_content(
            scope, sensitivity=entry.sensitivity, recorded_by_agency_id=entry.agency_id
        ),
    )


def story_for(
    *, viewer: Any, child: Child, filters: StoryFilters, page: int = 1, per_page: int = PER_PAGE
) -> StoryPage:
    """One page of the child's story in three narrow queries, whatever its length: a count, the
    page's row ids (an index range scan on (person, occurred_at), nothing wide sorted), then
    those rows with their entries, agencies, authors and sources."""
    qs = story_queryset(child.person.pk, filters)
    total = qs.count()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    offset = (page - 1) * per_page
    ids = list(qs.values_list("pk", flat=True)[offset : offset + per_page])
    by_id = {s.pk: s for s in _with_entry(EntrySubject.objects.filter(pk__in=ids))}
    rows = [_row(by_id[pk], child.scope) for pk in ids if pk in by_id]
    return StoryPage(rows=rows, total=total, page=page, pages=pages, per_page=per_page)


def story_rows_for(*, viewer: Any, child: Child, filters: StoryFilters) -> Iterator[StoryRow]:
    """Every row of the story with these filters, for an export (streamed in chunks)."""
    for subject in _with_entry(story_queryset(child.person.pk, filters)).iterator(chunk_size=500):
        yield _row(subject, child.scope)


def story_agencies_for(
    *, viewer: Any, child: Child, as_known_on: dt.date | None = None
) -> list[Agency]:
    """The agencies that have entries in this child's story (the agency filter's options)."""
    cutoff = known_cutoff(as_known_on) if as_known_on else None
    agency_ids = (
        EntrySubject.objects.filter(person_id=child.person.pk)
        .filter(known_at_q(cutoff, prefix="entry__"))
        .values("entry__agency_id")
    )
    return list(Agency.objects.filter(pk__in=agency_ids).order_by("name"))


# --- one entry --------------------------------------------------------------------------------


def entry_get_for(*, viewer: Any, child: Child, entry_id: int) -> StoryRow:
    """One entry version in this child's story."""
    subject = (
        _with_entry(EntrySubject.objects.filter(person_id=child.person.pk, entry_id=entry_id))
        .order_by()
        .first()
    )
    if subject is None:
        raise NotFound("No entry found in this child's story with that number.")
    return _row(subject, child.scope)


def entry_history_for(*, viewer: Any, child: Child, lineage: int) -> list[StoryRow]:
    """Every version of one entry, oldest first: who recorded or corrected it, when and why."""
    subjects = list(
        _with_entry(
            EntrySubject.objects.filter(person_id=child.person.pk).filter(
                Q(entry__lineage=lineage) | Q(entry_id=lineage, entry__lineage__isnull=True)
            )
        ).order_by("entry__version", "entry_id")
    )
    if not subjects:
        raise NotFound("No entry found in this child's story with that number.")
    return [_row(s, child.scope) for s in subjects]
