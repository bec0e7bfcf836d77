"""Reads of people, always for a viewer and through the access module.

`person_search_for` is "Find a child": a fuzzy name search over every name a person is known by,
an optional date of birth (matched against every date of birth an agency records, not only the
one shown), and an exact NHS number, UPN or agency reference. It finds only
people the viewer may see (governance.access.restrict_people): to anyone else a child who exists
elsewhere looks exactly like no child at all. People merged into another never appear.

How the name search stays fast (p95 < 150 ms over ~250k people; bench/bench_search.py):
1. one grouped query on the NameKey (key, person) index ranks person ids by how many query
   words they hit and how well (exact word > nickname > near miss or sound);
2. the access rule and the merge rule are applied to those ids, best first, a few hundred at a
   time (cheap index probes on both databases, whatever the size of the viewer's agency), until
   CANDIDATE_CAP visible people are found;
3. the candidates' names are fetched in one query and scored in Python with rapidfuzz
   (people.search_scoring);
4. addresses and the agencies holding records are fetched for the page of results only.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, cast

from django.db.models import Case, F, IntegerField, Max, Q, QuerySet, Value, When

from sightline.agencies.models import Agency
from sightline.core import clock
from sightline.core.dates import format_partial
from sightline.core.lookups import AnyOf
from sightline.governance import access, audit
from sightline.governance.audit import AuditAction
from sightline.governance.models import AccessGrant
from sightline.governance.policy import Capability
from sightline.people import consensus
from sightline.people.bulk import recorded_of
from sightline.people.models import (
    Address,
    Identifier,
    NameKey,
    Person,
    PersonName,
    RecordedDetails,
)
from sightline.people.search_keys import tokens
from sightline.people.search_scoring import (
    BIRTH_DATE_POINTS,
    NAME_THRESHOLD,
    NAME_THRESHOLD_WITH_BIRTH_DATE,
    BirthDateFit,
    BirthDateQuery,
    birth_date_fit,
    name_similarity,
    name_tokens,
    weighted_query_keys,
)

CANDIDATE_CAP = 500  # people scored in Python
_RANKED_CAP = 5000  # best-keyed ids considered before the access check
_BIRTH_DATE_ROWS_CAP = 20_000  # people read for a date of birth (a year alone can match many)
_ACCESS_CHUNK = 400  # small enough for PostgreSQL to use the primary key index
_IDENTIFIER_POINTS = 200
_HOLDING_BASES = (AccessGrant.Basis.HOLDS_RECORDS, AccessGrant.Basis.INVOLVEMENT)


def normalise_identifier(value: str) -> str:
    """Identifiers are matched exactly, ignoring spaces and letter case."""
    return "".join(value.split()).upper()


@dataclass(frozen=True)
class PersonMatch:
    """One person found, with what the results page may show about them and nothing more."""

    person: Person
    score: float
    name_score: float | None = None
    # The other name the person matched on, when it was not their main name ("also known as").
    matched_name: str | None = None
    # True when that name is the main name as an agency keyed it (people.consensus.name_fit),
    # not another name: the results say "recorded as" rather than "also known as".
    matched_spelling: bool = False
    birth_date_fit: BirthDateFit | None = None
    # The date of birth (and its precision) that matched, when it is not the one shown: another
    # agency's record of it.
    matched_birth_date: tuple[dt.date, str] | None = None
    identifier_matched: bool = False
    address: Address | None = None
    agency_names: tuple[str, ...] = ()
    # Found outside the viewer's relationships (the lock-down view): the result shows only
    # that the child exists and links to whom to contact; never an address or the agencies.
    locked: bool = False


@dataclass
class PersonSearchResult:
    matches: list[PersonMatch] = field(default_factory=list)
    # More people matched than were returned: the viewer should narrow the search.
    has_more: bool = False
    # Children outside the viewer's relationships the search found (the lock-down view).
    locked: list[PersonMatch] = field(default_factory=list)
    # The search could have found children outside the viewer's relationships had it been
    # specific enough (a name with a full date of birth, or an identifier).
    lockdown_possible: bool = False

    def __iter__(self) -> Iterator[PersonMatch]:
        return iter(self.matches)

    def __len__(self) -> int:
        return len(self.matches)


def person_search_for(
    *,
    viewer: Any,
    name: str = "",
    birth_date: BirthDateQuery | dt.date | None = None,
    identifier: str = "",
    limit: int = 25,
) -> PersonSearchResult:
    """Find people the viewer may see. At least one of name, birth_date and identifier.

    - name: fuzzy, over every name the person is known by (spelling variants, nicknames, other
      names, hyphenated family names, small typing slips);
    - birth_date: a year, a month or a full date; a recorded date that is less precise, or has
      day and month swapped, still matches but ranks lower; a contradicting one does not;
    - identifier: exact, on any scheme (NHS number, UPN, PNC id, agency reference), ignoring
      spaces and case; when given, only people holding it are returned.

    Audited (PERSON_SEARCHED) with the query terms, not the results."""
    if isinstance(birth_date, dt.date):
        birth_date = BirthDateQuery.from_date(birth_date)
    name = (name or "").strip()
    identifier = normalise_identifier(identifier or "")
    query_words = tokens(name)
    if not query_words and birth_date is None and not identifier:
        raise ValueError("person_search_for needs a name, a date of birth or an identifier")

    if identifier:
        candidate_ids = _identifier_candidates(viewer, identifier)
    else:
        candidate_ids = set()
        if query_words:
            candidate_ids |= _name_candidates(viewer, name)
        if birth_date is not None and (not query_words or birth_date.month is not None):
            candidate_ids |= _birth_date_candidates(viewer, birth_date)

    ranked = _rank(candidate_ids, query_words, birth_date, identifier_matched=bool(identifier))
    page = ranked[:limit]
    result = PersonSearchResult(
        matches=_with_context(page, identifier_matched=bool(identifier)),
        has_more=len(ranked) > limit,
        lockdown_possible=access.can_see_lockdown(viewer),
    )
    if result.lockdown_possible and _specific(query_words, birth_date, identifier):
        result.locked = _lockdown_matches(
            viewer,
            name,
            query_words,
            birth_date,
            identifier,
            seen={m.person.pk for m in result.matches},
        )
    detail: dict[str, Any] = {
        "name": name,
        "birth_date": birth_date.iso if birth_date else "",
        "identifier": identifier,
        "result_count": len(result.matches),
    }
    if result.locked:
        detail["lockdown_count"] = len(result.locked)
    audit.record(
        viewer,
        AuditAction.PERSON_SEARCHED,
        object_type="person_search",
        purpose="find a child",
        detail=detail,
    )
    return result


# --- the lock-down view: children outside the viewer's relationships ------------------------------
#
# A practitioner with `view_lockdown` finds a child their agency does not work with, to learn
# whom to contact (governance.access.lockdown_people). Only for a search that names one child:
# an identifier the viewer's agency may see, or a name with a full date of birth that fits
# exactly; at most LOCKDOWN_CAP, so the search is not a way to browse the partnership.

LOCKDOWN_CAP = 5


def _specific(query_words: list[str], birth_date: BirthDateQuery | None, identifier: str) -> bool:
    if identifier:
        return True
    return bool(query_words) and birth_date is not None and birth_date.day is not None


def _lockdown_matches(
    viewer: Any,
    name: str,
    query_words: list[str],
    birth_date: BirthDateQuery | None,
    identifier: str,
    *,
    seen: set[int],
) -> list[PersonMatch]:
    if identifier:
        candidates = _identifier_candidates(viewer, identifier, lockdown=True)
    else:
        assert birth_date is not None
        candidates = _name_candidates(viewer, name, lockdown=True) & _birth_date_candidates(
            viewer, birth_date, lockdown=True
        )
    candidates -= seen
    if not candidates:
        return []
    visible = set(
        access.restrict_people(
            viewer, Person.objects.filter(pk__in=sorted(candidates))
        ).values_list("pk", flat=True)
    )
    candidates -= visible
    ranked = _rank(candidates, query_words, birth_date, identifier_matched=bool(identifier))
    if not identifier:
        ranked = [m for m in ranked if m.birth_date_fit is BirthDateFit.EXACT]
    return [
        replace(match, address=None, agency_names=(), locked=True)
        for match in _with_context(ranked[:LOCKDOWN_CAP], identifier_matched=bool(identifier))
    ]


def _visible(
    viewer: Any, qs: QuerySet[Any], field: str, *, lockdown: bool = False
) -> QuerySet[Any]:
    if lockdown:
        return access.lockdown_people(viewer, qs, field=field)
    return access.restrict_people(viewer, qs, field=field)


def _name_candidates(viewer: Any, name: str, *, lockdown: bool = False) -> set[int]:
    """The best-keyed people for a name that the viewer may see (and not merged away).

    Access is checked on the ranked ids, a chunk at a time, rather than on every index row:
    the index rows are many (a common family name hits thousands), the people few, and the
    check on a short list of ids is cheap on both databases whatever the size of the viewer's
    agency. Checking stops once CANDIDATE_CAP visible people are found."""
    # Read as they are checked: a viewer who sees most people needs only the first few hundred
    # of the thousands ranked (on PostgreSQL a server-side cursor; reading every id cost more
    # than checking them).
    ranked = cast(
        Generator[int, None, None], name_candidate_query(name).iterator(chunk_size=_ACCESS_CHUNK)
    )
    found: list[int] = []
    try:
        while len(found) < CANDIDATE_CAP:
            chunk = list(itertools.islice(ranked, _ACCESS_CHUNK))
            if not chunk:
                break
            people = Person.objects.filter(AnyOf(F("pk"), chunk), merged_into__isnull=True)
            visible = set(
                _visible(viewer, people, "pk", lockdown=lockdown).values_list("pk", flat=True)
            )
            found += [person_id for person_id in chunk if person_id in visible]
    finally:
        ranked.close()  # the cursor, now rather than when collected
    return set(found[:CANDIDATE_CAP])


def name_candidate_query(name: str) -> QuerySet[Any]:
    """One grouped query over the NameKey (key, person) index: person ids, best first, by the
    sum over query words of the best key each word hits (exact word > nickname > near miss or
    sound). Not yet restricted to a viewer. (Public for bench/bench_search.py.)"""
    per_word = weighted_query_keys(name)
    all_keys = sorted({key for weights in per_word for key in weights})
    word_scores = {
        f"w{i}": Max(
            Case(
                *[When(key=key, then=Value(weight)) for key, weight in weights.items()],
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        for i, weights in enumerate(per_word)
    }
    total = sum((F(alias) for alias in word_scores), Value(0))
    return (
        NameKey.objects.filter(key__in=all_keys)
        .values("person_id")
        .annotate(**word_scores)
        .annotate(hit=total)
        .order_by("-hit", "person_id")
        .values_list("person_id", flat=True)[:_RANKED_CAP]
    )


def _birth_date_fits(query: BirthDateQuery) -> Q:
    """A stored date of birth fits: same period, or day and month swapped, or recorded only as
    the year (stored as 1 January) or the month (stored as its 1st)."""
    fits = Q(birth_date__range=(query.first_day, query.last_day)) | Q(
        birth_date=dt.date(query.year, 1, 1), birth_date_precision="year"
    )
    if query.month:
        fits |= Q(birth_date=dt.date(query.year, query.month, 1), birth_date_precision="month")
    if query.swapped:
        fits |= Q(birth_date=query.swapped)
    return fits


def _birth_date_candidates(
    viewer: Any, query: BirthDateQuery, *, lockdown: bool = False
) -> set[int]:
    """People whose date of birth fits: the one shown, or any one an agency records."""
    fits = _birth_date_fits(query)
    # Merged-away people are dropped here, and the cap applied after sorting, rather than in
    # SQL: with `merged_into IS NULL` or `ORDER BY id` in the query, SQLite (without table
    # statistics) walks every person instead of the birth-date index (90 ms at 250,000 people).
    people = _visible(viewer, Person.objects.filter(fits), "pk", lockdown=lockdown)
    rows = list(people.values_list("pk", "merged_into_id")[:_BIRTH_DATE_ROWS_CAP])
    recorded = _visible(
        viewer, RecordedDetails.objects.filter(fits), "source_record__person_id", lockdown=lockdown
    ).values_list("source_record__person_id", "source_record__person__merged_into_id")
    rows += list(recorded[:_BIRTH_DATE_ROWS_CAP])
    found = {pk for pk, merged_into in rows if pk is not None and merged_into is None}
    return set(sorted(found)[:CANDIDATE_CAP])


def _recorded_birth_dates(candidate_ids: set[int]) -> dict[int, set[tuple[dt.date, str]]]:
    """Every date of birth the agencies record for these people."""
    out: dict[int, set[tuple[dt.date, str]]] = defaultdict(set)
    for person_id, born, precision in RecordedDetails.objects.filter(
        AnyOf(F("source_record__person_id"), candidate_ids), birth_date__isnull=False
    ).values_list("source_record__person_id", "birth_date", "birth_date_precision"):
        if born is not None:
            out[person_id].add((born, precision))
    return out


# Better fits first; a date of birth not recorded, or one that contradicts, is worse than any.
_FIT_RANK = {BirthDateFit.EXACT: 0, BirthDateFit.CONSISTENT: 1, BirthDateFit.SWAPPED: 2}
# A date of birth only some agencies record ranks below the same fit on the one shown.
_RECORDED_ONLY_PENALTY = 10


def _fit_rank(fit: BirthDateFit | None) -> int:
    return _FIT_RANK.get(fit, 3) if fit is not None else 4


def _best_birth_date_fit(
    query: BirthDateQuery,
    shown: tuple[dt.date | None, str],
    recorded: set[tuple[dt.date, str]],
) -> tuple[BirthDateFit | None, tuple[dt.date, str] | None]:
    """The best fit of the query with the date of birth shown or any recorded one, and the
    recorded one that gave it when it fits better than the one shown."""
    best: tuple[BirthDateFit | None, tuple[dt.date, str] | None] = (
        birth_date_fit(query, *shown),
        None,
    )
    for value in sorted(recorded):
        fit = birth_date_fit(query, *value)
        if fit is not None and _fit_rank(fit) < _fit_rank(best[0]):
            best = (fit, value)
    return best


def _identifier_candidates(viewer: Any, identifier: str, *, lockdown: bool = False) -> set[int]:
    # Naming every scheme lets the (scheme, value) index serve the lookup on PostgreSQL too.
    held = Identifier.objects.filter(
        scheme__in=Identifier.Scheme.values, value=identifier, person__merged_into__isnull=True
    )
    held = _visible(viewer, held, "person_id", lockdown=lockdown)
    # Only on identifiers the viewer may see (governance's identifier policy): a school's search
    # by a PNC id must not confirm that a child has one.
    scope = access.scope_for(viewer)
    rows = held.values_list("person_id", "scheme", "source_record__source_system__agency__kind")
    return {
        person_id
        for person_id, scheme, kind in rows[: CANDIDATE_CAP * 4]
        if access.identifier_visible(scope, scheme=scheme, issuer_kind=kind)
    }


@dataclass(frozen=True)
class _Scored:
    person_id: int
    score: float
    sort_name: tuple[str, str, str]
    name_score: float | None
    matched_name: str | None
    birth_date_fit: BirthDateFit | None
    matched_birth_date: tuple[dt.date, str] | None = None
    matched_spelling: bool = False


def _rank(
    candidate_ids: set[int],
    query_words: list[str],
    birth_date: BirthDateQuery | None,
    *,
    identifier_matched: bool,
) -> list[_Scored]:
    """Score every candidate from plain values (no model instances: there may be hundreds)."""
    if not candidate_ids:
        return []
    people = Person.objects.filter(AnyOf(F("pk"), candidate_ids)).values_list(
        "id", "reference", "given_names", "family_name", "birth_date", "birth_date_precision"
    )
    other_names: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    if query_words:
        for person_id, given, family, kind in PersonName.objects.filter(
            AnyOf(F("person_id"), candidate_ids)
        ).values_list("person_id", "given_names", "family_name", "kind"):
            other_names[person_id].append((given, family, kind))
    recorded_births = _recorded_birth_dates(candidate_ids) if birth_date is not None else {}

    scored = []
    for person_id, reference, given, family, born, precision in people:
        points = float(_IDENTIFIER_POINTS if identifier_matched else 0)
        fit = None
        matched_birth = None
        if birth_date is not None:
            fit, matched_birth = _best_birth_date_fit(
                birth_date, (born, precision), recorded_births.get(person_id, set())
            )
            if fit is None and not identifier_matched:
                continue
            points += BIRTH_DATE_POINTS[fit] if fit else 0
            if matched_birth is not None:
                points -= _RECORDED_ONLY_PENALTY
        name_score = None
        matched_name = None
        matched_spelling = False
        if query_words:
            name_score, matched_name, matched_spelling = _best_name(
                query_words, (given, family), other_names.get(person_id, [])
            )
            threshold = (
                NAME_THRESHOLD_WITH_BIRTH_DATE if fit is BirthDateFit.EXACT else NAME_THRESHOLD
            )
            if name_score < threshold and not identifier_matched:
                continue
            points += name_score
        scored.append(
            _Scored(
                person_id=person_id,
                score=points,
                sort_name=(family.lower(), given.lower(), reference),
                name_score=name_score,
                matched_name=matched_name,
                matched_spelling=matched_spelling,
                birth_date_fit=fit,
                matched_birth_date=matched_birth,
            )
        )
    scored.sort(key=lambda m: (-m.score, m.sort_name))
    return scored


def _best_name(
    query_words: list[str], main_name: tuple[str, str], others: list[tuple[str, str, str]]
) -> tuple[float, str | None, bool]:
    """The best name score, the other name that gave it (None: the main name), and whether
    that other name is only a spelling of the main one."""
    main = name_tokens(*main_name)
    best = name_similarity(query_words, main)
    matched: tuple[str, str, str] | None = None
    for given, family, kind in others:
        words = name_tokens(given, family)
        if set(words) == set(main):
            continue
        score = name_similarity(query_words, words)
        if score > best:
            best, matched = score, (given, family, kind)
    if matched is None:
        return best, None, False
    given, family, kind = matched
    spelling = kind == PersonName.Kind.RECORDED and (
        consensus.name_fit(given, family, shown_given=main_name[0], shown_family=main_name[1])
        is not consensus.NameFit.OTHER
    )
    return best, f"{given} {family}".strip(), spelling


def _with_context(page: list[_Scored], *, identifier_matched: bool) -> list[PersonMatch]:
    """The page of results: the people, their partial address and the agencies holding records."""
    if not page:
        return []
    ids = [m.person_id for m in page]
    people = Person.objects.in_bulk(ids)
    addresses: dict[int, Address] = {}
    for address in Address.objects.filter(person_id__in=ids).order_by(
        "person_id", F("to_on").desc(nulls_first=True), F("from_on").desc(nulls_last=True), "-pk"
    ):
        addresses.setdefault(address.person_id, address)
    today = clock.today()
    agencies: dict[int, set[str]] = defaultdict(set)
    for person_id, agency_name in (
        AccessGrant.objects.filter(person_id__in=ids, basis__in=_HOLDING_BASES)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .values_list("person_id", "agency__name")
        .distinct()
    ):
        agencies[person_id].add(agency_name)
    return [
        PersonMatch(
            person=people[m.person_id],
            score=m.score,
            name_score=m.name_score,
            matched_name=m.matched_name,
            matched_spelling=m.matched_spelling,
            birth_date_fit=m.birth_date_fit,
            matched_birth_date=m.matched_birth_date,
            identifier_matched=identifier_matched,
            address=addresses.get(m.person_id),
            agency_names=tuple(sorted(agencies[m.person_id])),
        )
        for m in page
        if m.person_id in people
    ]


# --- a person's details as the agencies record them ---------------------------------------------


@dataclass(frozen=True)
class Disagreement:
    """Agencies recording a value other than the one shown."""

    text: str  # "2 agencies record another date of birth"
    values: list[str]  # "12 January 2011 (Child exploitation team)", or without the agency


@dataclass(frozen=True)
class RecordedIdentity:
    """How a person's records differ from the details shown (people.consensus)."""

    also_known_as: list[str]  # other names feeds send, and different names agencies record
    recorded_spellings: list[str]  # the name shown as some agencies keyed it
    disagreements: list[Disagreement]


def _names_agencies(scope: access.Scope, agency_id: int) -> bool:
    """Whether the viewer is told which agency records a value: the partnership-wide roles and
    identity reviewers are; a practitioner is told only of their own agency (whether another
    agency holds a record of the child is for those roles to see)."""
    return (
        scope.can(Capability.VIEW_ALL_CHILDREN)
        or scope.can(Capability.REVIEW_IDENTITY)
        or agency_id == scope.agency_id
    )


def _disagreement(
    dissent: list[consensus.Vote[Any]],
    *,
    noun: str,
    text_of: Any,
    scope: access.Scope,
    agency_names: dict[int, str],
) -> Disagreement | None:
    if not dissent:
        return None
    agencies = {vote.agency_id for vote in dissent}
    by_value: dict[Any, list[str]] = defaultdict(list)
    for vote in dissent:
        if _names_agencies(scope, vote.agency_id):
            name = agency_names.get(vote.agency_id, "an agency")
            if vote.agency_id == scope.agency_id:
                name += " (your agency)"
            by_value[vote.value].append(name)
        else:
            by_value.setdefault(vote.value, [])
    values = [
        text_of(value) + (f" ({', '.join(sorted(set(names)))})" if names else "")
        for value, names in by_value.items()
    ]
    n = len(agencies)
    verb = "records" if n == 1 else "record"
    return Disagreement(f"{n} {'agency' if n == 1 else 'agencies'} {verb} {noun}", values)


def person_details_for(*, viewer: Any, person: Person) -> RecordedIdentity:
    """How the records of a person differ from the details shown: their other names, the
    spellings of their name some agencies keyed, and the agencies recording another date of
    birth or sex (named to the viewers who may know which agencies hold a record of them).

    For a person the caller has already let the viewer see (chronology's `Child`, or an
    identity reviewer's pair)."""
    scope = access.scope_for(viewer)
    names = list(
        PersonName.objects.filter(person_id=person.pk)
        .order_by("pk")
        .values_list("given_names", "family_name", "kind", "source_record_id")
    )
    by_record: dict[int, tuple[str, str]] = {}
    for given, family, kind, record_id in names:
        if kind == PersonName.Kind.RECORDED and record_id is not None:
            by_record.setdefault(record_id, (given, family))
    recorded = recorded_of([person.pk], names=by_record).get(person.pk, [])
    sorted_names = consensus.other_names(
        shown_given=person.given_names,
        shown_family=person.family_name,
        recorded=[(g, f) for g, f, kind, _ in names if kind == PersonName.Kind.RECORDED],
        aliases=[(g, f) for g, f, kind, _ in names if kind == PersonName.Kind.ALIAS],
    )
    shown_birth = (
        consensus.BirthDate(person.birth_date, person.birth_date_precision)
        if person.birth_date
        else None
    )
    birth_dissent = consensus.birth_date_dissent(recorded, shown_birth)
    sex_dissent = consensus.sex_dissent(recorded, person.sex)
    agency_ids = {v.agency_id for v in birth_dissent} | {v.agency_id for v in sex_dissent}
    agency_names = (
        dict(Agency.objects.filter(pk__in=agency_ids).values_list("pk", "name"))
        if agency_ids
        else {}
    )
    disagreements = [
        d
        for d in (
            _disagreement(
                birth_dissent,
                noun="another date of birth",
                text_of=lambda b: format_partial(b.value, b.precision),
                scope=scope,
                agency_names=agency_names,
            ),
            _disagreement(
                sex_dissent,
                noun="a different sex",
                text_of=lambda sex: dict(Person.Sex.choices).get(sex, sex),
                scope=scope,
                agency_names=agency_names,
            ),
        )
        if d is not None
    ]
    return RecordedIdentity(
        also_known_as=sorted_names.also_known_as,
        recorded_spellings=sorted_names.recorded_spellings,
        disagreements=disagreements,
    )
