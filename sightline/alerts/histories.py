"""Children's histories (the engine's plain data) read from the database, for the system only.

The engine (sightline.alerts.engine) reads plain `History` values; this module builds them: for
one child (`history_for`, after a change to their story), and for everyone, fast
(`histories_for_all`, the daily sweep). Both read through an audited system scope
(governance.access, ADR 9) and follow merges as the child's page does: a merged-away reference
is read as the person it was merged into, whose story now holds both.

What a history holds (docs/alerts.md, "What the rules read"):
- the entries in which the child is the subject, a victim or a witness (their own story: an
  entry that names them as a parent, a sibling, an associate or a perpetrator is about someone
  else), every version, with both time axes, its precision, the agency and its kind, and the
  feed's source and source id;
- the child's involvements (which agencies and teams work with them, from when to when);
- the people related to them, each with their own history and alerts. A relationship line says
  what `from` is to `to`; read from the other side it is turned round (a parent's child is a
  child, a sibling's sibling a sibling, `INVERSE`).

The sweep reads rows as plain tuples ordered by person, converts dates with a cache (a London
date and offset per UTC hour), and builds no ORM object per row (ADR 16)."""

# ruff: noqa: S608 - SQL here is assembled from fixed column and table names and from integer ids
# (`_in` formats ints only); values from outside are parameters.
from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from sightline.alerts.engine.evaluate import Tokens, may_apply, reads_related
from sightline.alerts.engine.loader import Rule
from sightline.alerts.engine.model import Entry, History, Involvement, Related, RelatedAlert
from sightline.chronology.vocabulary import entry_types
from sightline.core import clock
from sightline.core.dates import LONDON, Precision, period_end
from sightline.governance import access

# The roles in which an entry is part of the child's own story.
OWN_ROLES = ("subject", "victim", "witness")
# What the related person is to the child, read from a line that says what the child is to them.
INVERSE = {
    "parent": "child",
    "child": "parent",
    "step_parent": "child",
    "parents_partner": "other",
    "carer": "other",
    "grandparent": "extended_family",
    "aunt_or_uncle": "extended_family",
    "suspected_exploiter": "other",
}
_SYMMETRIC = (
    "sibling",
    "half_sibling",
    "cousin",
    "extended_family",
    "family_friend",
    "partner",
    "peer",
    "associate",
    "other",
)
ACTIVE_STATUSES = ("open", "acknowledged")
_IN = 500  # ids per IN (...) list
_MAX_MERGE_HOPS = 10


def inverse(relationship: str) -> str:
    return relationship if relationship in _SYMMETRIC else INVERSE.get(relationship, "other")


# --- dates --------------------------------------------------------------------------------------

_UTC = dt.UTC
_GMT = dt.timezone(dt.timedelta(0), "GMT")
_BST = dt.timezone(dt.timedelta(hours=1), "BST")
_OFFSET = {_GMT: dt.timedelta(0), _BST: dt.timedelta(hours=1)}


class _Clock:
    """UTC instants as read from either database, turned into London ones, with a cache of the
    London offset per UTC hour (there are about 100,000 hours in a county's history and
    millions of instants). Fixed-offset zones, so an instant in the hour the clocks go back is
    never ambiguous; `.date()` of each is its London date."""

    def __init__(self) -> None:
        self._zones: dict[tuple[int, int, int, int], dt.timezone] = {}

    def zone(self, utc: dt.datetime) -> dt.timezone:
        key = (utc.year, utc.month, utc.day, utc.hour)
        zone = self._zones.get(key)
        if zone is None:
            offset = utc.replace(tzinfo=_UTC).astimezone(LONDON).utcoffset()
            zone = _BST if offset else _GMT
            self._zones[key] = zone
        return zone

    def london(self, value: Any) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        if value.tzinfo is not None:
            value = value.astimezone(_UTC).replace(tzinfo=None)
        zone = self.zone(value)
        moved: dt.datetime = value + _OFFSET[zone]
        return moved.replace(tzinfo=zone)


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def birth_range(birth: dt.date | None, precision: str) -> tuple[dt.date | None, dt.date | None]:
    if birth is None:
        return None, None
    return birth, period_end(birth, precision or Precision.DAY)


# --- the rows -----------------------------------------------------------------------------------


def _entry_sql(*, sources: bool, current: bool) -> str:
    """One query for the entries of a list of people, ordered by person. The instants come as
    text in UTC (SQLite's stored text, naive; PostgreSQL's in the connection's UTC, "+00"), which
    `_EntryBuilder` reads with a cache of London offsets, without the drivers' and Django's
    converters. `sources`: the feed's source and source id too (a join with the source records,
    which the app does not need: replay does)."""

    def instant(column: str) -> str:
        return f"CAST({column} AS TEXT)"

    source = "r.source_system_id, r.source_id" if sources else "NULL, NULL"
    join = "LEFT JOIN records_sourcerecord r ON r.id = e.source_record_id" if sources else ""
    # Evaluated "as known today", a history needs only the versions not yet superseded now:
    # every other one was superseded by today (the engine's "as known on" rule drops it).
    known = "AND (e.superseded_at IS NULL OR e.superseded_at > %s)" if current else ""
    return f"""
SELECT s.person_id, COALESCE(e.lineage, e.id), e.version, e.type, e.agency_id,
       {instant("e.occurred_at")}, e.precision, e.has_time, {instant("e.ended_at")},
       {instant("e.recorded_at")}, {instant("e.superseded_at")}, e.entered_in_error, e.grade,
       e.sensitivity, {source}
FROM chronology_entrysubject s
JOIN chronology_chronologyentry e ON e.id = s.entry_id
{join}
WHERE s.role IN ('subject', 'victim', 'witness') {known} AND s.person_id IN ({{ids}})
ORDER BY s.person_id, e.occurred_at, e.id
"""


# The lookups, read once and kept (agencies, feeds and teams are few and seldom change): cleared
# when one is saved in this process (AlertsConfig connects the signals), read again when a row
# names one not seen yet, and at most LOOKUPS_SECONDS old (another process may have renamed one).
_LOOKUPS: list[tuple[float, _Lookups]] = []
LOOKUPS_SECONDS = 300.0


def lookups_changed(**kwargs: Any) -> None:
    _LOOKUPS.clear()


@dataclass
class _Lookups:
    """The small tables every row refers to, read once."""

    agencies: dict[int, tuple[str, str, str]]  # id -> (code, kind, name)
    sources: dict[int, str]  # source system id -> code
    themes: dict[str, str]  # entry type -> theme
    teams: dict[int, str]  # team id -> name

    @classmethod
    def current(cls) -> _Lookups:
        """The lookups as kept (see _LOOKUPS)."""
        if _LOOKUPS and time.monotonic() - _LOOKUPS[0][0] < LOOKUPS_SECONDS:
            return _LOOKUPS[0][1]
        return cls.refreshed()

    @classmethod
    def refreshed(cls) -> _Lookups:
        found = cls.read()
        _LOOKUPS[:] = [(time.monotonic(), found)]
        return found

    def agency(self, pk: int) -> tuple[str, str, str]:
        found = self.agencies.get(pk)
        if found is None:
            fresh = self.refreshed()
            self.agencies, self.sources, self.teams = fresh.agencies, fresh.sources, fresh.teams
            found = self.agencies[pk]
        return found

    def team(self, pk: int) -> str | None:
        if pk not in self.teams:
            fresh = self.refreshed()
            self.agencies, self.sources, self.teams = fresh.agencies, fresh.sources, fresh.teams
        return self.teams.get(pk)

    @classmethod
    def read(cls) -> _Lookups:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, code, kind, name FROM agencies_agency")
            agencies = {row[0]: (row[1], row[2], row[3]) for row in cursor.fetchall()}
            cursor.execute("SELECT id, code FROM records_sourcesystem")
            sources = {row[0]: row[1] for row in cursor.fetchall()}
            cursor.execute("SELECT id, name FROM agencies_team")
            teams = {row[0]: row[1] for row in cursor.fetchall()}
        themes = {code: spec.theme for code, spec in entry_types().items()}
        return cls(agencies, sources, themes, teams)


class _EntryBuilder:
    """Rows of `_entry_sql` (less the person) to engine Entries, as fast as Python allows: the
    London day and zone of each UTC hour and the last day of each partial period are cached,
    and an entry without a time never builds its instant."""

    def __init__(self, lookups: _Lookups) -> None:
        self.lookups = lookups
        self.clock = _Clock()
        self._ends: dict[tuple[dt.date, str], dt.date] = {}
        self._days: dict[str, tuple[dt.date, dt.timezone]] = {}

    def _day(self, text: str) -> tuple[dt.date, dt.timezone]:
        """The London day and zone of a stored UTC instant ("2019-08-03 21:10:00")."""
        hour = text[:13]
        found = self._days.get(hour)
        if found is None:
            utc = dt.datetime.fromisoformat(hour.replace(" ", "T") if len(hour) == 13 else hour)
            zone = self.clock.zone(utc)
            local = utc + _OFFSET[zone]
            found = (local.date(), zone)
            self._days[hour] = found
        return found

    def _at(self, value: Any) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, str):
            return self.clock.london(value)
        zone = self._day(value)[1]
        utc = dt.datetime.fromisoformat(value)
        return (utc + _OFFSET[zone]).replace(tzinfo=zone)

    def __call__(self, row: Sequence[Any]) -> Entry:
        (
            key,
            version,
            type_,
            agency_id,
            occurred,
            precision,
            has_time,
            ended,
            recorded,
            superseded,
            in_error,
            grade,
            sensitivity,
            source_system_id,
            source_id,
        ) = row
        occurred_at: dt.datetime | None
        if isinstance(occurred, str):
            start = self._day(occurred)[0]
            occurred_at = self._at(occurred) if has_time else None
        else:
            occurred_at = self.clock.london(occurred)
            assert occurred_at is not None
            start = occurred_at.date()
            if not has_time:
                occurred_at = None
        if precision == "day":
            end = start
        else:
            end = self._ends.get((start, precision)) or self._ends.setdefault(
                (start, precision), period_end(start, precision)
            )
        code, kind, name = self.lookups.agency(agency_id)
        recorded_at = self._at(recorded)
        assert recorded_at is not None
        # Positional, in engine.model.Entry's order: keywords cost more on millions of rows.
        return Entry(
            str(key),
            version,
            type_,
            self.lookups.themes.get(type_, "other"),
            code,
            kind,
            name,
            start,
            end,
            precision,
            occurred_at,
            self._at(ended) if ended is not None else None,
            recorded_at,
            self._at(superseded) if superseded is not None else None,
            bool(in_error),
            grade,
            sensitivity,
            self.lookups.sources.get(source_system_id) if source_system_id else None,
            source_id,
        )


def _chunks(ids: Sequence[int], size: int = _IN) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _in(ids: Sequence[int]) -> str:
    return ",".join(str(int(i)) for i in ids)  # integers only: safe to inline


def _rows_of(
    ids: Sequence[int], *, current_only: bool, sources: bool = False
) -> dict[int, list[Sequence[Any]]]:
    """The rows of `_entry_sql` for these people, by person (each row still with its person)."""
    out: dict[int, list[Sequence[Any]]] = defaultdict(list)
    sql = _entry_sql(sources=sources, current=current_only)
    params = [connection.ops.adapt_datetimefield_value(clock.now())] if current_only else []
    with connection.cursor() as cursor:
        for chunk in _chunks(sorted(set(ids))):
            cursor.execute(sql.format(ids=_in(chunk)), params)
            while rows := cursor.fetchmany(5000):
                for row in rows:
                    out[row[0]].append(row)
    return out


def _involvements_of(ids: Sequence[int], lookups: _Lookups) -> dict[int, list[Involvement]]:
    out: dict[int, list[Involvement]] = defaultdict(list)
    with connection.cursor() as cursor:
        for chunk in _chunks(sorted(set(ids))):
            cursor.execute(
                "SELECT person_id, agency_id, team_id, started_on, ended_on FROM "
                f"cases_involvement WHERE person_id IN ({_in(chunk)}) ORDER BY person_id, id"
            )
            for person_id, agency_id, team_id, started, ended in cursor.fetchall():
                code, kind, name = lookups.agency(agency_id)
                out[person_id].append(
                    Involvement(
                        agency=code,
                        agency_kind=kind,
                        agency_name=name,
                        team=lookups.team(team_id) if team_id else None,
                        started_on=_date(started),
                        ended_on=_date(ended),
                    )
                )
    return out


@dataclass(frozen=True, slots=True)
class _Link:
    other: int
    relationship: str  # what `other` is to the person
    from_on: dt.date | None
    to_on: dt.date | None


def _survivors(ids: Iterable[int]) -> dict[int, int]:
    """Each person id -> the person it was merged into in the end (itself when not merged)."""
    wanted = set(ids)
    merged: dict[int, int] = {}
    with connection.cursor() as cursor:
        todo = sorted(wanted)
        for _ in range(_MAX_MERGE_HOPS):
            found: dict[int, int] = {}
            for chunk in _chunks(todo):
                cursor.execute(
                    "SELECT id, merged_into_id FROM people_person WHERE merged_into_id IS NOT "
                    f"NULL AND id IN ({_in(chunk)})"
                )
                found.update(dict(cursor.fetchall()))
            if not found:
                break
            merged.update(found)
            todo = sorted(set(found.values()) - set(merged))
    out = {}
    for pid in wanted:
        seen = pid
        for _ in range(_MAX_MERGE_HOPS):
            if seen not in merged:
                break
            seen = merged[seen]
        out[pid] = seen
    return out


def _links_of(ids: Sequence[int] | None) -> dict[int, list[_Link]]:
    """The relationships of these people (None: of everyone), from each side."""
    rows: list[tuple[int, int, str, Any, Any]] = []
    sql = "SELECT from_person_id, to_person_id, type, from_on, to_on FROM people_relationship"
    with connection.cursor() as cursor:
        if ids is None:
            cursor.execute(sql)
            rows = list(cursor.fetchall())
        else:
            for chunk in _chunks(sorted(set(ids))):
                listed = _in(chunk)
                cursor.execute(
                    f"{sql} WHERE from_person_id IN ({listed}) OR to_person_id IN ({listed})"
                )
                rows += cursor.fetchall()
    survivors = _survivors({r[0] for r in rows} | {r[1] for r in rows})
    out: dict[int, list[_Link]] = defaultdict(list)
    seen: set[tuple[int, int, str, Any, Any]] = set()
    for a, b, type_, from_on, to_on in rows:
        a, b = survivors[a], survivors[b]
        if a == b:
            continue
        start, end = _date(from_on), _date(to_on)
        # `a` is `type_` to `b`: from b's side the related person a is type_; from a's, inverse.
        for person, other, rel in ((b, a, type_), (a, b, inverse(type_))):
            key = (person, other, rel, start, end)
            if key not in seen:
                seen.add(key)
                out[person].append(_Link(other, rel, start, end))
    return out


def _alerts_of(ids: Sequence[int]) -> dict[int, list[RelatedAlert]]:
    out: dict[int, list[RelatedAlert]] = defaultdict(list)
    clock = _Clock()
    with connection.cursor() as cursor:
        for chunk in _chunks(sorted(set(ids))):
            cursor.execute(
                "SELECT person_id, rule, raised_at, status FROM alerts_alert WHERE status <> "
                f"'combined' AND person_id IN ({_in(chunk)}) ORDER BY person_id, raised_at"
            )
            for person_id, rule, raised_at, status in cursor.fetchall():
                raised = clock.london(raised_at)
                assert raised is not None
                out[person_id].append(
                    RelatedAlert(rule=rule, raised_on=raised.date(), open=status in ACTIVE_STATUSES)
                )
    return out


def _births_of(ids: Sequence[int]) -> dict[int, tuple[str, dt.date | None, str]]:
    out = {}
    with connection.cursor() as cursor:
        for chunk in _chunks(sorted(set(ids))):
            cursor.execute(
                "SELECT id, reference, birth_date, birth_date_precision FROM people_person "
                f"WHERE id IN ({_in(chunk)})"
            )
            for pid, reference, birth, precision in cursor.fetchall():
                out[pid] = (reference, _date(birth), precision)
    return out


@dataclass(frozen=True, slots=True)
class ChildHistory:
    """A child's history for the engine, and the child's person id."""

    person_id: int
    history: History


class _Builder:
    """Histories of a set of people, with the people related to them: every table read once for
    the whole set. `relationships`: the kinds of related people to read (the rules in force
    read only these; None: every kind). `sources`: each entry's feed source and source id."""

    def __init__(
        self,
        lookups: _Lookups | None = None,
        *,
        current_only: bool = False,
        relationships: frozenset[str] | None = None,
        sources: bool = False,
        rules: Sequence[Rule] | None = None,
    ) -> None:
        self.lookups = lookups or _Lookups.current()
        self.entry = _EntryBuilder(self.lookups)
        self.current_only = current_only
        self.relationships = relationships
        self.sources = sources
        self.rules = rules

    def links(self, links: list[_Link]) -> list[_Link]:
        if self.relationships is None:
            return links
        return [link for link in links if link.relationship in self.relationships]

    def _may_apply(
        self,
        ids: Sequence[int],
        rows: dict[int, list[Sequence[Any]]],
        chosen: dict[int, list[_Link]],
        alerts: dict[int, list[RelatedAlert]],
    ) -> list[int]:
        """The children some rule may hold for (`engine.evaluate.may_apply`, on counts of the
        rows' types and themes): no entry is built for the others, most of a county, whose
        every rule would find nothing. The sweep reads "no finding" for them, as it would."""
        themes = self.lookups.themes
        counted: dict[int, Tokens] = {}

        def own(pid: int) -> Tokens:
            found = counted.get(pid)
            if found is None:
                found = counted[pid] = Tokens(
                    Tokens.count((r[3], themes.get(r[3], "other")) for r in rows.get(pid, ()))
                )
            return found

        rules = self.rules or ()
        related_rules = [reads_related(rule) for rule in rules]
        kept = []
        for pid in ids:
            tokens = Tokens(
                own(pid).counts,
                tuple(
                    (
                        link.relationship,
                        own(link.other),
                        tuple((a.rule, a.open) for a in alerts.get(link.other, ())),
                    )
                    for link in chosen[pid]
                ),
            )
            applying = [i for i, rule in enumerate(rules) if may_apply(rule, tokens)]
            if applying:
                kept.append(pid)
                if not any(related_rules[i] for i in applying):
                    # No rule that may hold reads related people: their histories are not
                    # built for this child (a rule that reads them would find nothing).
                    chosen[pid] = []
        return kept

    def build(
        self, ids: Sequence[int], links: dict[int, list[_Link]] | None = None
    ) -> list[ChildHistory]:
        """The histories of `ids` (with `rules`, of those some rule may hold for)."""
        if self.relationships is not None and not self.relationships:
            links = {}
        links = _links_of(ids) if links is None else links
        chosen = {pid: self.links(links.get(pid, [])) for pid in ids}
        related_ids = {link.other for pid in ids for link in chosen[pid]}
        everyone = sorted(set(ids) | related_ids)
        rows = _rows_of(everyone, current_only=self.current_only, sources=self.sources)
        alerts = _alerts_of(sorted(related_ids)) if related_ids else {}
        if self.rules is not None:
            ids = self._may_apply(ids, rows, chosen, alerts)
            related_ids = {link.other for pid in ids for link in chosen[pid]}
            everyone = sorted(set(ids) | related_ids)
        build = self.entry
        entries = {pid: [build(row[1:]) for row in rows.get(pid, ())] for pid in everyone}
        involvements = _involvements_of(everyone, self.lookups) if everyone else {}
        births = _births_of(everyone) if everyone else {}

        def own(pid: int, related: tuple[Related, ...] = ()) -> History:
            reference, birth, precision = births.get(pid, (str(pid), None, "day"))
            start, end = birth_range(birth, precision)
            return History(
                person=reference,
                birth_start=start,
                birth_end=end,
                entries=tuple(entries.get(pid, ())),
                involvements=tuple(involvements.get(pid, ())),
                related=related,
            )

        out = []
        for pid in ids:
            related = tuple(
                Related(
                    relationship=link.relationship,
                    from_date=link.from_on,
                    to_date=link.to_on,
                    history=own(link.other),
                    alerts=tuple(alerts.get(link.other, ())),
                )
                for link in chosen[pid]
            )
            out.append(ChildHistory(pid, own(pid, related)))
        return out


def survivor_of(person_id: int) -> int:
    return _survivors([person_id])[person_id]


def history_for(
    *,
    viewer: Any,
    person_id: int,
    current_only: bool = False,
    relationships: frozenset[str] | None = None,
    resolved: bool = False,
) -> ChildHistory:
    """One child's history (the person they were merged into, if they were), for the system:
    every version of every entry with its feed source, or (`current_only`) only what is known
    today. `resolved`: the caller has already followed merges to `person_id`."""
    access.require_system(viewer)
    builder = _Builder(current_only=current_only, relationships=relationships, sources=True)
    return builder.build([person_id if resolved else survivor_of(person_id)])[0]


def people_to_evaluate(*, adults_before: dt.date | None = None) -> list[int]:
    """Everyone who is not merged away and has a story of their own. `adults_before`: leave out
    people certainly born before this day (too old for every rule in force), unless they have an
    alert still open or acknowledged, which must hear that its rule no longer holds."""
    adults = ""
    params: list[Any] = []
    if adults_before is not None:
        adults = (
            " AND NOT (p.birth_date IS NOT NULL AND p.birth_date < %s AND NOT EXISTS (SELECT 1 "
            "FROM alerts_alert a WHERE a.person_id = p.id AND a.status IN ('open', "
            "'acknowledged')))"
        )
        # birth_date is the first day a partial date may be; a year's last day is later, so
        # only people whose latest possible birthday is before the day are left out.
        params.append(connection.ops.adapt_datefield_value(adults_before - dt.timedelta(days=366)))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.id FROM people_person p WHERE p.merged_into_id IS NULL AND EXISTS (SELECT 1 "
            "FROM chronology_entrysubject s WHERE s.person_id = p.id AND s.role IN ('subject', "
            f"'victim', 'witness')){adults} ORDER BY p.id",
            params,
        )
        return [row[0] for row in cursor.fetchall()]


def _families(ids: Sequence[int], links: dict[int, list[_Link]], size: int) -> list[list[int]]:
    """`ids` in batches of about `size`, each family (people joined by relationships) kept in
    one batch where it fits, so a batch reads each related history once."""
    wanted = set(ids)
    done: set[int] = set()
    batches: list[list[int]] = []
    batch: list[int] = []
    for pid in ids:
        if pid in done:
            continue
        family = [pid]
        done.add(pid)
        stack = [pid]
        while stack:
            for link in links.get(stack.pop(), ()):
                if link.other in wanted and link.other not in done:
                    done.add(link.other)
                    family.append(link.other)
                    stack.append(link.other)
        if batch and len(batch) + len(family) > size:
            batches.append(batch)
            batch = []
        batch.extend(family)
    if batch:
        batches.append(batch)
    return batches


def histories_for_all(
    *,
    viewer: Any,
    batch_size: int = 2000,
    people: Sequence[int] | None = None,
    current_only: bool = False,
    relationships: frozenset[str] | None = None,
    adults_before: dt.date | None = None,
) -> Iterator[list[ChildHistory]]:
    """Everyone's history (or these people's), in batches of about `batch_size` children, for
    the system's daily sweep. Memory is a batch's histories, not the county's."""
    for _, batch in sweep_batches(
        viewer=viewer,
        batch_size=batch_size,
        people=people,
        current_only=current_only,
        relationships=relationships,
        adults_before=adults_before,
    ):
        yield batch


def sweep_batches(
    *,
    viewer: Any,
    batch_size: int = 2000,
    people: Sequence[int] | None = None,
    current_only: bool = False,
    relationships: frozenset[str] | None = None,
    adults_before: dt.date | None = None,
    rules: Sequence[Rule] | None = None,
) -> Iterator[tuple[list[int], list[ChildHistory]]]:
    """As `histories_for_all`, each batch as (its people, their histories); with `rules`, only
    the histories of the children some of these rules may hold for (`_Builder._may_apply`)."""
    access.require_system(viewer)
    ids = list(people) if people is not None else people_to_evaluate(adults_before=adults_before)
    builder = _Builder(current_only=current_only, relationships=relationships, rules=rules)
    if relationships is not None and not relationships:
        links: dict[int, list[_Link]] = {}
    else:
        links = {
            pid: builder.links(found)
            for pid, found in _links_of(None if people is None else ids).items()
        }
    for batch in _families(ids, links, batch_size):
        yield batch, builder.build(batch, links)
