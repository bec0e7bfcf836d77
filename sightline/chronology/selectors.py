"""Reads of the child's story, always for one viewer, always through the access module.

`child_get_for` is the door: it resolves a reference (following merges to the surviving
person), checks the viewer may see the child, and returns a `Child` that the other selectors
take, so one page asks the access question once. An unrelated viewer gets the same NotFound as a
reference that does not exist."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from sightline.agencies.models import Agency
from sightline.chronology.bitemporal import known_at_q, known_cutoff
from sightline.chronology.filters import StoryFilters
from sightline.chronology.models import ChronologyEntry, EntrySubject
from sightline.chronology.vocabulary import entry_types, types_in_theme
from sightline.core import clock
from sightline.core.dates import LONDON, Precision
from sightline.core.errors import NotFound
from sightline.governance import access, sharing
from sightline.governance.vocabulary import sensitivities
from sightline.people.models import Address, Identifier, Person
from sightline.people.selectors import RecordedIdentity, person_details_for

PER_PAGE = 50
_EXPORT_CHUNK = 500
_MAX_MERGE_HOPS = 10
_NOT_FOUND = "No child found with that reference, or you do not have access to them."


@dataclass(frozen=True)
class Reader:
    """What decides which of one child's entries the viewer may read: their scope, what they
    are cleared for on this child (access.clearance_for), and the entries with handling code C
    shared with their agency (governance.sharing; read only when a story holds such an entry
    from another agency, and in the story's query as a subquery)."""

    scope: access.Scope
    person_id: int
    clearance: access.ChildClearance

    @cached_property
    def shared(self) -> frozenset[int]:
        return sharing.shared_lineages_for(self.scope, self.person_id)

    def can_read(self, *, agency_id: int, sensitivity: str, grade: Any, lineage: int) -> bool:
        restricted = handling_is_restricted(grade) and agency_id != self.scope.agency_id
        return access.can_read_content(
            self.scope,
            sensitivity=sensitivity,
            recorded_by_agency_id=agency_id,
            restricted_handling=restricted,
            shared=restricted and lineage in self.shared,
            clearance=self.clearance,
        )


def handling_is_restricted(grade: Any) -> bool:
    """Handling code C: the 3x5x2 code for intelligence whose sharing has conditions."""
    return isinstance(grade, dict) and grade.get("handling") == "C"


def reader_for(scope: access.Scope, person_id: int) -> Reader:
    return Reader(
        scope=scope, person_id=person_id, clearance=access.clearance_for(scope, person_id)
    )


@dataclass(frozen=True)
class Child:
    """A person the viewer has been allowed to see, with the viewer's scope."""

    person: Person
    scope: access.Scope
    requested_reference: str

    @property
    def was_merged(self) -> bool:
        return self.person.reference != self.requested_reference

    @cached_property
    def reader(self) -> Reader:
        # Read once per child per request, when the story is first read (a frozen dataclass
        # still takes a cached_property: it writes the instance's __dict__ directly).
        return reader_for(self.scope, self.person.pk)


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


def identifier_issuers_for(*, viewer: Any, child: Child) -> dict[str, str]:
    """Who issued each agency reference the child holds, by issuer code: the name of the agency
    whose feed sent it ("Agency reference (Hallowford Child Exploitation Team)", not the feed's
    code)."""
    found = (
        Identifier.objects.filter(person_id=child.person.pk, scheme=Identifier.Scheme.LOCAL_ID)
        .exclude(issuer="")
        .filter(source_record__isnull=False)
        .values_list("issuer", "source_record__source_system__agency__name")
        .distinct()
    )
    return {issuer: name for issuer, name in found if name}


# --- the story ------------------------------------------------------------------------------
#
# An entry the viewer is not cleared to read (access.can_read_content) never leaves this module
# as an entry: it becomes a `RestrictedRow`, which holds only what an uncleared viewer may
# know (that it exists, the agency, the month, whom to contact). The page, the exports, the
# history and the API are all built from these rows, so none of them can show more. The same
# rule decides what the filters may select on: type, theme and significance are never applied to
# a restricted entry (it is left out when one of them is chosen), dates only to its month, and
# "as known on" only to the month its lineage was first recorded in.


@dataclass(frozen=True)
class StoryRow:
    """An entry version the viewer may read, and the child's role in it."""

    entry: ChronologyEntry
    role: str
    readable: Literal[True] = True


@dataclass(frozen=True)
class AgencyContact:
    id: int
    name: str
    phone: str
    email: str


@dataclass(frozen=True)
class RestrictedRow:
    """An entry version the viewer is not cleared to read. Nothing else about it is here: not
    its number (numbers are given in recording order, so they would date it), type, theme,
    significance, day or time, grade, source, version or the child's role in it."""

    agency: AgencyContact
    # The first instant of the period shown: the month (or the season or year, when that is all
    # the agency knew), in Europe/London.
    period_start: dt.datetime
    precision: str
    readable: Literal[False] = False


Row = StoryRow | RestrictedRow


@dataclass(frozen=True)
class StoryPage:
    rows: list[Row]
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


def _month_after(value: dt.date) -> dt.datetime:
    first = value.replace(day=1) + dt.timedelta(days=32)
    return _start_of(first.replace(day=1))


def _from_q(date_from: dt.date, *, coarse: bool = False) -> Q:
    """Entries whose period overlaps [date_from, ...): a "March 2019" entry counts for a range
    starting 15 March 2019; a "2019" entry counts for any range starting in 2019. `coarse`:
    for restricted entries, a day is only known as its month."""
    day_start = _start_of(date_from)
    month_start = _start_of(date_from.replace(day=1))
    season_after = day_start - dt.timedelta(days=92)
    day_rule = Q(occurred_at__gte=month_start) if coarse else Q(occurred_at__gte=day_start)
    return Q(occurred_at__gte=_year_start(date_from)) & (
        day_rule
        | Q(entry__precision="month", occurred_at__gte=month_start)
        | Q(entry__precision="season", occurred_at__gt=season_after)
        | Q(entry__precision="year")
    )


def _significant_types() -> list[str]:
    return [code for code, spec in entry_types().items() if spec.significant]


def cleared_sensitivities(scope: access.Scope) -> frozenset[str]:
    """The sensitivities whose entries the viewer may read whoever recorded them (they may
    always read their own agency's)."""
    return frozenset(
        code
        for code in sensitivities()
        if access.can_read_content(scope, sensitivity=code, recorded_by_agency_id=None)
    )


def is_cleared_for_everything(scope: access.Scope) -> bool:
    return cleared_sensitivities(scope) == frozenset(sensitivities())


def _readable_q(reader: Reader) -> Q:
    """`Reader.can_read` (access.can_read_content) as a query filter on EntrySubject (the
    tests hold the two to the same answer)."""
    scope = reader.scope
    own = Q(entry__agency_id=scope.agency_id) if scope.agency_id is not None else Q(pk__in=[])
    codes = cleared_sensitivities(scope) | reader.clearance.sensitivities
    cleared = Q(entry__sensitivity__in=sorted(codes))
    # Written as "the code is C" and its complement spelled out: a JSON key that is absent (or
    # a grade that is null) compares as NULL, which a plain negation would count as C.
    restricted = Q(entry__intelligence_grade__handling="C")
    unrestricted = (
        Q(entry__intelligence_grade__isnull=True)
        | Q(entry__intelligence_grade__handling__isnull=True)
        | ~restricted
    )
    shared = Q(entry__lineage__in=sharing.shared_lineages_query(scope, reader.person_id)) | Q(
        entry__lineage__isnull=True,
        entry_id__in=sharing.shared_lineages_query(scope, reader.person_id),
    )
    return own | (cleared & unrestricted) | (cleared & shared)


def restricted_known_cutoff(on: dt.date) -> dt.datetime:
    """ "As known on" for a restricted entry: at the last end of a month on or before the end of
    `on` (the end of `on` itself when it is a month's last day). An uncleared viewer would
    otherwise learn the day a restricted entry was recorded, which is often the day it
    happened."""
    return _start_of((on + dt.timedelta(days=1)).replace(day=1))


def story_queryset(
    person_id: int, filters: StoryFilters, scope: access.Scope, reader: Reader | None = None
) -> QuerySet[EntrySubject]:
    """The story's rows (EntrySubject) before ordering and paging, for this viewer. Not
    access-checked for the child: callers are selectors that have a `Child`."""
    readable = _readable_q(reader_for(scope, person_id) if reader is None else reader)
    cutoff = known_cutoff(filters.as_known_on) if filters.as_known_on else None
    qs = EntrySubject.objects.filter(person_id=person_id).filter(
        known_at_q(cutoff, prefix="entry__")
    )
    if filters.as_known_on:
        first_recorded = (
            ChronologyEntry.objects.filter(lineage=OuterRef("entry__lineage"))
            .order_by("recorded_at")
            .values("recorded_at")[:1]
        )
        qs = qs.annotate(
            first_recorded=Coalesce(Subquery(first_recorded), F("entry__recorded_at"))
        ).filter(readable | Q(first_recorded__lt=restricted_known_cutoff(filters.as_known_on)))
    if filters.agencies:
        qs = qs.filter(entry__agency_id__in=filters.agencies)
    if filters.selects_on_content:
        # What the viewer may not read cannot be said to match: restricted entries are left out.
        qs = qs.filter(readable)
    if filters.themes:
        codes = [code for theme in filters.themes for code in types_in_theme(theme)]
        qs = qs.filter(entry__type__in=codes)
    if filters.type:
        qs = qs.filter(entry__type=filters.type)
    if filters.significant_only:
        qs = qs.filter(
            Q(entry__is_significant=True) | Q(entry__type__in=_significant_types())
        ).exclude(entry__entered_in_error=True)
    if filters.date_from:
        qs = qs.filter(
            (readable & _from_q(filters.date_from))
            | (~readable & _from_q(filters.date_from, coarse=True))
        )
    if filters.date_to:
        qs = qs.filter(
            (readable & Q(occurred_at__lt=known_cutoff(filters.date_to)))
            | (~readable & Q(occurred_at__lt=_month_after(filters.date_to)))
        )
    return qs


def restricted_period(occurred_at: dt.datetime, precision: str) -> tuple[dt.datetime, str]:
    """What a restricted entry shows of its date: the month, or its season or year when that is
    all that is known."""
    local = occurred_at.astimezone(LONDON)
    if precision == Precision.YEAR:
        return dt.datetime(local.year, 1, 1, tzinfo=LONDON), Precision.YEAR
    if precision == Precision.SEASON:
        return dt.datetime(local.year, local.month, 1, tzinfo=LONDON), Precision.SEASON
    return dt.datetime(local.year, local.month, 1, tzinfo=LONDON), Precision.MONTH


@dataclass(frozen=True)
class _Key:
    subject_id: int
    readable: bool
    order: tuple[dt.datetime, int, int, int]


def _ordered(qs: QuerySet[EntrySubject], reader: Reader) -> list[_Key]:
    """The story's row ids, newest first, in one narrow query. A readable entry sorts by when
    it happened; a restricted one by the start of the period it shows, so where it sits among
    the others never tells its day or time (within a month, restricted entries come after the
    readable ones of that month, by agency)."""
    keys = []
    for (
        pk,
        occurred_at,
        precision,
        agency_id,
        sensitivity,
        lineage,
        entry_id,
        grade,
    ) in qs.values_list(
        "pk",
        "occurred_at",
        "entry__precision",
        "entry__agency_id",
        "entry__sensitivity",
        "entry__lineage",
        "entry_id",
        "entry__intelligence_grade",
    ):
        if reader.can_read(
            agency_id=agency_id,
            sensitivity=sensitivity,
            grade=grade,
            lineage=lineage or entry_id,
        ):
            keys.append(_Key(pk, True, (occurred_at, 1, entry_id, 0)))
        else:
            start, _ = restricted_period(occurred_at, precision)
            keys.append(_Key(pk, False, (start, 0, -agency_id, lineage or entry_id)))
    keys.sort(key=lambda k: k.order, reverse=True)
    return keys


def _with_entry(qs: QuerySet[EntrySubject]) -> QuerySet[EntrySubject]:
    return qs.select_related(
        "entry__agency", "entry__author", "entry__source_record__source_system"
    ).defer("entry__source_record__payload")


def _restricted(entry: ChronologyEntry) -> RestrictedRow:
    agency = entry.agency
    start, precision = restricted_period(entry.occurred_at, entry.precision)
    return RestrictedRow(
        agency=AgencyContact(agency.pk, agency.name, agency.phone, agency.email),
        period_start=start,
        precision=precision,
    )


def _row(subject: EntrySubject, reader: Reader) -> Row:
    entry = subject.entry
    if reader.can_read(
        agency_id=entry.agency_id,
        sensitivity=entry.sensitivity,
        grade=entry.intelligence_grade,
        lineage=entry.lineage or entry.pk,
    ):
        return StoryRow(entry=entry, role=subject.role)
    return _restricted(entry)


def _rows(keys: list[_Key], reader: Reader) -> list[Row]:
    by_id = {
        s.pk: s
        for s in _with_entry(EntrySubject.objects.filter(pk__in=[k.subject_id for k in keys]))
    }
    return [_row(by_id[k.subject_id], reader) for k in keys if k.subject_id in by_id]


def story_for(
    *,
    viewer: Any,
    child: Child,
    filters: StoryFilters,
    page: int = 1,
    per_page: int = PER_PAGE,
    page_of: Collection[int] = (),
) -> StoryPage:
    """One page of the child's story in two queries, whatever its length: the ordered row ids
    (narrow: an index range scan on (person, occurred_at) and the entry's few columns the order
    needs), then the page's rows with their entries, agencies, authors and sources.

    `page_of`: entry ids (versions) to show; the page is the one holding the newest of them
    that the viewer may read (a link to highlighted entries), else `page`."""
    reader = child.reader
    keys = _ordered(story_queryset(child.person.pk, filters, child.scope, reader), reader)
    total = len(keys)
    if page_of:
        wanted = set(page_of)
        at = next((i for i, k in enumerate(keys) if k.readable and k.order[2] in wanted), None)
        if at is not None:
            page = at // per_page + 1
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    offset = (page - 1) * per_page
    rows = _rows(keys[offset : offset + per_page], reader)
    return StoryPage(rows=rows, total=total, page=page, pages=pages, per_page=per_page)


def story_rows_for(*, viewer: Any, child: Child, filters: StoryFilters) -> Iterator[Row]:
    """Every row of the story with these filters, for an export (read in chunks)."""
    reader = child.reader
    keys = _ordered(story_queryset(child.person.pk, filters, child.scope, reader), reader)
    for start in range(0, len(keys), _EXPORT_CHUNK):
        yield from _rows(keys[start : start + _EXPORT_CHUNK], reader)


def story_agencies_for(
    *, viewer: Any, child: Child, as_known_on: dt.date | None = None
) -> list[Agency]:
    """The agencies that have entries in this child's story (the agency filter's options)."""
    # The same rows the story would show, so an agency whose only entry is restricted and not
    # yet shown "as known on" that day is not offered either.
    shown = story_queryset(
        child.person.pk, StoryFilters(as_known_on=as_known_on), child.scope, child.reader
    )
    return list(Agency.objects.filter(pk__in=shown.values("entry__agency_id")).order_by("name"))


# --- one entry --------------------------------------------------------------------------------

_NO_ENTRY = "No entry found in this child's story with that number."


def _is_row_id(value: Any) -> bool:
    """A number a row could have: a larger one (from an address or the API) cannot reach the
    database (SQLite refuses it with an error, not an empty answer)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def entry_get_for(*, viewer: Any, child: Child, entry_id: int) -> StoryRow:
    """One entry version in this child's story that the viewer may read. A restricted entry is
    not found: the story never gives an uncleared viewer its number."""
    if not _is_row_id(entry_id):
        raise NotFound(_NO_ENTRY)
    subject = (
        _with_entry(EntrySubject.objects.filter(person_id=child.person.pk, entry_id=entry_id))
        .order_by()
        .first()
    )
    row = _row(subject, child.reader) if subject is not None else None
    if not isinstance(row, StoryRow):
        raise NotFound(_NO_ENTRY)
    return row


def entries_by_lineage_for(*, viewer: Any, child: Child, lineages: list[int]) -> dict[int, Row]:
    """The current version of each of these entries in this child's story, as this viewer may
    see it (a `StoryRow`, or a `RestrictedRow` when they are not cleared to read it), by
    lineage. Entries no longer in the child's story are left out. For surfaces that cite
    entries, such as an alert's evidence (ADR 14: they build on these rows)."""
    wanted = sorted({int(n) for n in lineages if _is_row_id(int(n))})
    if not wanted:
        return {}
    subjects = _with_entry(
        EntrySubject.objects.filter(person_id=child.person.pk, entry__superseded_at__isnull=True)
        .filter(Q(entry__lineage__in=wanted) | Q(entry_id__in=wanted, entry__lineage__isnull=True))
        .order_by("entry_id")
    )
    return {(s.entry.lineage or s.entry_id): _row(s, child.reader) for s in subjects}


def entry_history_for(*, viewer: Any, child: Child, lineage: int) -> list[Row]:
    """Every version of one entry, oldest first: who recorded or corrected it, when and why.
    Not found when the viewer may not read the current version; an earlier version they may
    not read is a `RestrictedRow`."""
    if not _is_row_id(lineage):
        raise NotFound(_NO_ENTRY)
    subjects = list(
        _with_entry(
            EntrySubject.objects.filter(person_id=child.person.pk).filter(
                Q(entry__lineage=lineage) | Q(entry_id=lineage, entry__lineage__isnull=True)
            )
        ).order_by("entry__version", "entry_id")
    )
    rows = [_row(s, child.reader) for s in subjects]
    if not rows or not isinstance(rows[-1], StoryRow):
        raise NotFound(_NO_ENTRY)
    return rows
