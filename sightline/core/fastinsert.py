"""Inserting many rows fast, with their ids known before they are written.

Django's `bulk_create` spends about 3.5 µs of Python per field per row preparing values; an
import of a county's feeds writes tens of millions of rows, so the ingest pipeline prepares its
values itself (already in the database's form) and hands them to the driver in one call:
`executemany` on SQLite, `COPY` on PostgreSQL (docs/adr/0002-ingest-pipeline.md).

Ids are allocated before the insert, so rows can point at each other (an entry at its source
record, a version at its lineage) without reading anything back:

- PostgreSQL: `nextval` on the table's identity sequence, safe under concurrency;
- SQLite: after the largest id ever used (`sqlite_sequence`) — safe because SQLite has one
  writer, and the caller must already hold the write lock (inside `transaction.atomic()` after
  a first write; Sightline's SQLite transactions begin IMMEDIATE).

No model logic runs: callers give the listed columns of each row (columns they leave out get
their field's default) and answer for the values' validity. Use only for append-heavy paths.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import Model

UTC = dt.UTC


class FastTable:
    """One table's insert statement: `columns` are model attribute names (`agency_id`), in the
    order the rows give them, after the id."""

    def __init__(self, model: type[Model], columns: Sequence[str]) -> None:
        meta = model._meta
        fields = {f.attname: f for f in meta.concrete_fields}
        unknown = [c for c in columns if c not in fields]
        if unknown:
            raise ValueError(f"{meta.label} has no columns {unknown}")
        self.model = model
        self.table = meta.db_table
        pk = meta.pk
        assert pk is not None
        self.pk_column = pk.column
        self.columns = [fields[c].column for c in columns]
        # Columns the caller leaves out get their field default, so a field added to the model
        # later (with a default or null=True) does not break the insert.
        given = {*columns, pk.attname}
        rest = [f for f in meta.concrete_fields if f.attname not in given]
        self.columns += [f.column for f in rest]
        self.defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)

    # -- ids ------------------------------------------------------------------------------------

    def allocate(self, count: int) -> Sequence[int]:
        """`count` fresh ids for rows this transaction is about to insert."""
        if count <= 0:
            return []
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # The sequence is named once: `pg_get_serial_sequence` in the select list is
                # evaluated for every id and made the allocation ten times slower.
                cursor.execute(
                    "SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
                    [_sequence(self.table, self.pk_column), count],
                )
                return [row[0] for row in cursor.fetchall()]
            cursor.execute(f'SELECT max("{self.pk_column}") FROM "{self.table}"')  # noqa: S608
            largest = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [self.table])
            row = cursor.fetchone()
            start = max(largest, row[0] if row else 0) + 1
            return range(start, start + count)

    # -- rows -----------------------------------------------------------------------------------

    def insert(self, rows: Sequence[Sequence[Any]]) -> None:
        """Insert rows of (id, *columns), values already in database form (`adapter()`)."""
        if not rows:
            return
        if self.defaults:
            defaults = self.defaults
            rows = [(*row, *defaults) for row in rows]
        names = ", ".join(f'"{c}"' for c in [self.pk_column, *self.columns])
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                raw = cursor.cursor  # the psycopg cursor: COPY is several times executemany
                with raw.copy(f'COPY "{self.table}" ({names}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            marks = ", ".join(["%s"] * (len(self.columns) + 1))
            cursor.executemany(
                f'INSERT INTO "{self.table}" ({names}) VALUES ({marks})',  # noqa: S608
                rows,
            )


_SEQUENCES: dict[tuple[str, str, str], str] = {}


def _sequence(table: str, column: str) -> str:
    """The PostgreSQL sequence behind an identity column (looked up once per database)."""
    key = (str(connection.settings_dict["NAME"]), table, column)
    if key not in _SEQUENCES:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
            _SEQUENCES[key] = cursor.fetchone()[0]
    return _SEQUENCES[key]


class Adapter:
    """Converts Python values to what the current database's driver stores, quickly:
    `datetime` (aware) and `date` for their columns, `json` for JSONField columns."""

    def __init__(self) -> None:
        postgres = connection.vendor == "postgresql"
        self.datetime: Callable[[dt.datetime | None], Any] = (
            _identity if postgres else _sqlite_datetime
        )
        self.date: Callable[[dt.date | None], Any] = _identity if postgres else _iso_date
        self.json: Callable[[Any], Any] = _json_text


def _identity(value: Any) -> Any:
    return value


def _sqlite_datetime(value: dt.datetime | None) -> str | None:
    """Django stores aware datetimes in SQLite as naive UTC text, `YYYY-MM-DD HH:MM:SS` (with
    `.ffffff` when there are microseconds). Formatting a datetime costs ~3 µs; the day and the
    time of day are cached separately (at most one string per day and per second of a day)."""
    if value is None:
        return None
    utc = value.astimezone(UTC)
    if utc.microsecond:
        return str(utc.replace(tzinfo=None))
    return _day_text(utc.year, utc.month, utc.day) + _time_text(utc.hour, utc.minute, utc.second)


@lru_cache(maxsize=200_000)
def _day_text(year: int, month: int, day: int) -> str:
    return f"{year:04d}-{month:02d}-{day:02d} "


@lru_cache(maxsize=86_400)
def _time_text(hour: int, minute: int, second: int) -> str:
    return f"{hour:02d}:{minute:02d}:{second:02d}"


def _iso_date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _json_text(value: Any) -> Any:
    """JSON as text: strings are taken to be JSON already (the ingest pipeline stores the line
    exactly as received); anything else is encoded."""
    if value is None:
        return None
    if isinstance(value, str | bytes):
        return value.decode() if isinstance(value, bytes) else value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
