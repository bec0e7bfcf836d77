"""The audit chain: appends, verification and the exported head (docs/audit.md, ADR 21).

Every audit row gets the next sequence number, the previous row's hash and its own hash:
SHA-256 over the row's canonical content (below) with the previous hash in it. Changing a
row's content breaks its hash; removing a row leaves a gap in the sequence and a previous hash
that matches nothing; a row slipped in has an id or a hash out of place. Rewriting the whole
table consistently is found by comparing with a head exported earlier (`head_export`), kept
where the database's users cannot change it.

Appends are serialised on one row, the chain head (`AuditChainHead`, locked with SELECT ...
FOR UPDATE on PostgreSQL; SQLite has one writer and Sightline's transactions begin IMMEDIATE),
read and updated in the writing transaction, so two connections appending at once make one
chain, in commit order. The lock is held until the transaction commits: a long transaction
should append its rows at its end (`governance.audit.deferred`).

**The canonical content** of a row is the JSON object (keys sorted, no whitespace, non-ASCII
escaped: Python's `json.dumps(sort_keys=True, separators=(",", ":"))`) of:

    v (1), seq, id, occurred_at (UTC, ISO 8601 with microseconds), actor (the user's id or
    null), actor_name, actor_role, actor_agency, actor_team, action, object_type, object_id,
    person, purpose, detail, client_address, prev (the previous row's hash)

and `row_hash` is the lower-case hex SHA-256 of its UTF-8 bytes. The first row's previous
hash is 64 zeros. Never change this definition: it is what every existing row was hashed
with (a new definition would need a new `v`, and rows keep theirs).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from json.encoder import encode_basestring_ascii
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from sightline.core import clock
from sightline.core.fastinsert import Adapter, FastTable
from sightline.governance.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64
VERSION = 1
HEAD_ID = 1
HEAD_FORMAT = "sightline-audit-head/1"
_UTC = dt.UTC

# The columns a row's hash covers, in the order verify reads them (besides prev_hash and
# row_hash, which it reads after them).
COLUMNS = (
    "seq",
    "id",
    "occurred_at",
    "actor_id",
    "actor_name",
    "actor_role",
    "actor_agency_id",
    "actor_team_id",
    "action",
    "object_type",
    "object_id",
    "person_id",
    "purpose",
    "detail",
    "client_address",
)
_IP_FIELD = AuditEvent._meta.get_field("client_address")


# --- the canonical content ---------------------------------------------------------------------


def _when(value: dt.datetime | str) -> str:
    """UTC, ISO 8601, always with microseconds and a Z. A string is taken to be in that form
    already (verify converts SQLite's text itself: `_sqlite_when`)."""
    if isinstance(value, str):
        return value
    return value.astimezone(_UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _stored_when(value: dt.datetime | str) -> str:
    """A datetime as the driver gives it: aware (PostgreSQL), naive UTC (SQLite's converter,
    which Django registers) or SQLite's text."""
    if isinstance(value, str):
        return _sqlite_when(value)
    if value.tzinfo is None:
        return value.isoformat(timespec="microseconds") + "Z"
    return _when(value)


def _sqlite_when(text: str) -> str:
    """SQLite's stored datetime (naive UTC, `YYYY-MM-DD HH:MM:SS[.ffffff]`, as Django writes
    it) in the canonical form, without parsing it into a datetime and formatting it again."""
    if len(text) == 19 and text[10] == " ":
        return f"{text[:10]}T{text[11:]}.000000Z"
    if len(text) == 26 and text[10] == " " and text[19] == ".":
        return f"{text[:10]}T{text[11:]}Z"
    parsed = dt.datetime.fromisoformat(text)
    return _when(parsed if parsed.tzinfo else parsed.replace(tzinfo=_UTC))


def canonical_address(value: str | None) -> str | None:
    """An address as the database gives it back: IPv6 compressed and lower-case (PostgreSQL's
    inet does this; Django's field does the same before it stores one)."""
    if not value:
        return None
    return str(_IP_FIELD.get_prep_value(value))


def canonical_detail(value: Any) -> Any:
    """`detail` as both databases give it back: plain JSON (tuples as lists, keys as strings),
    and a float with no fraction as an integer (PostgreSQL's jsonb writes 1e16 back as
    10000000000000000). Refuses NaN and infinities, which JSON has no words for."""

    def walk(v: Any) -> Any:
        if isinstance(v, float):
            if not math.isfinite(v):
                raise ValueError("an audit detail cannot hold NaN or an infinity")
            return int(v) if v.is_integer() else v
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [walk(x) for x in v]
        return v

    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError("an audit detail is a mapping of names to JSON values")
    return json.loads(json.dumps(walk(value)))


_str = encode_basestring_ascii  # exactly how json.dumps writes a string (non-ASCII escaped)
_detail_json = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode


def _int(v: int | None) -> str:
    return "null" if v is None else str(v)


def canonical_text(values: Sequence[Any], prev_hash: str) -> str:
    """The canonical content of a row given its COLUMNS values (as stored) and the previous
    row's hash: the same text as `reference_text`, written out key by key (in sorted order)
    because verify writes it for every row of the table."""
    (
        seq,
        pk,
        occurred_at,
        actor_id,
        actor_name,
        actor_role,
        actor_agency_id,
        actor_team_id,
        action,
        object_type,
        object_id,
        person_id,
        purpose,
        detail,
        client_address,
    ) = values
    return (
        f'{{"action":{_str(action)},"actor":{_int(actor_id)},'
        f'"actor_agency":{_int(actor_agency_id)},"actor_name":{_str(actor_name)},'
        f'"actor_role":{_str(actor_role)},"actor_team":{_int(actor_team_id)},'
        f'"client_address":{_str(address) if (address := canonical_address(client_address)) else "null"},'
        f'"detail":{_detail_json(detail)},"id":{_int(pk)},"object_id":{_str(object_id)},'
        f'"object_type":{_str(object_type)},"occurred_at":"{_when(occurred_at)}",'
        f'"person":{_int(person_id)},"prev":"{prev_hash}","purpose":{_str(purpose)},'
        f'"seq":{_int(seq)},"v":{VERSION}}}'
    )


def reference_text(values: Sequence[Any], prev_hash: str) -> str:
    """The definition of the canonical content (module docstring), as plainly as it can be
    written; `canonical_text` must give the same text (a property test checks it)."""
    names = dict(zip(COLUMNS, values, strict=True))
    content = {
        "v": VERSION,
        "seq": names["seq"],
        "id": names["id"],
        "occurred_at": _when(names["occurred_at"]),
        "actor": names["actor_id"],
        "actor_name": names["actor_name"],
        "actor_role": names["actor_role"],
        "actor_agency": names["actor_agency_id"],
        "actor_team": names["actor_team_id"],
        "action": names["action"],
        "object_type": names["object_type"],
        "object_id": names["object_id"],
        "person": names["person_id"],
        "purpose": names["purpose"],
        "detail": names["detail"],
        "client_address": canonical_address(names["client_address"]),
        "prev": prev_hash,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"))


def content_hash(values: Sequence[Any], prev_hash: str) -> str:
    """The hash of a row given its COLUMNS values (as stored) and the previous row's hash."""
    return hashlib.sha256(canonical_text(values, prev_hash).encode("ascii")).hexdigest()


def event_hash(event: AuditEvent) -> str:
    return content_hash([getattr(event, c) for c in COLUMNS], event.prev_hash)


# --- appending ---------------------------------------------------------------------------------


_HEAD_TABLE = AuditChainHead._meta.db_table
_TABLE = AuditEvent._meta.db_table


_SEQUENCE: dict[str, str] = {}  # database name -> the id column's sequence (PostgreSQL)
_INSERTED = [c for c in COLUMNS if c != "id"] + ["prev_hash", "row_hash"]
_INSERT_COLUMNS = ", ".join(f'"{c}"' for c in ["id", *_INSERTED])
_ROW_MARKS = "(" + ", ".join(["%s"] * (len(_INSERTED) + 1)) + ")"
_INSERT = f'INSERT INTO "{_TABLE}" ({_INSERT_COLUMNS}) VALUES '  # noqa: S608
_HEAD_UPDATE = (
    f'UPDATE "{_HEAD_TABLE}" SET "seq" = %s, "row_hash" = %s, "appended_at" = %s'  # noqa: S608
    ' WHERE "id" = %s'
)
_COPY_FROM = 100  # rows: PostgreSQL's COPY is quicker than a long INSERT from about here


def _head_make() -> None:
    """A database emptied by a flush (the tests) has no chain head: it is made again from the
    table's last row, or the genesis."""
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "row_hash").first()
    seq, row_hash = last or (0, GENESIS)
    AuditChainHead.objects.bulk_create(
        [AuditChainHead(pk=HEAD_ID, seq=seq, row_hash=row_hash)], ignore_conflicts=True
    )


def _claim(cursor: Any, count: int) -> tuple[int, str, Sequence[int]]:
    """The chain head (seq, hash), locked until the transaction ends, and ids for `count` rows
    about to be inserted: known before the insert, because the hash covers the id.

    PostgreSQL: one statement locks the head and draws the first id from the table's sequence.
    SQLite: the caller holds the write lock (IMMEDIATE transactions); ids follow the largest
    ever used."""
    if connection.vendor == "postgresql":
        key = str(connection.settings_dict["NAME"])
        if key not in _SEQUENCE:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [_TABLE])
            _SEQUENCE[key] = cursor.fetchone()[0]
        # The UPDATE takes the head's row lock; RETURNING is evaluated once it is held, so ids
        # are drawn in the order rows join the chain (verify checks ids rise with seq).
        sql = (
            f'UPDATE "{_HEAD_TABLE}" SET "seq" = "seq" WHERE "id" = %s'  # noqa: S608
            ' RETURNING "seq", "row_hash", nextval(%s::regclass)'
        )
        cursor.execute(sql, [HEAD_ID, _SEQUENCE[key]])
        head = cursor.fetchone()
        if head is None:
            _head_make()
            cursor.execute(sql, [HEAD_ID, _SEQUENCE[key]])
            head = cursor.fetchone()
        ids = [int(head[2])]
        if count > 1:
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
                [_SEQUENCE[key], count - 1],
            )
            ids += [int(r[0]) for r in cursor.fetchall()]
        return int(head[0]), str(head[1]), ids
    # SQLite: one statement reads the head and the largest id ever used.
    select = (
        f'SELECT h."seq", h."row_hash", max(coalesce((SELECT max("id") FROM "{_TABLE}"), 0),'  # noqa: S608
        " coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))"
        f' FROM "{_HEAD_TABLE}" h WHERE h."id" = %s'
    )
    cursor.execute(select, [_TABLE, HEAD_ID])
    head = cursor.fetchone()
    if head is None:
        _head_make()
        cursor.execute(select, [_TABLE, HEAD_ID])
        head = cursor.fetchone()
    start = int(head[2]) + 1
    return int(head[0]), str(head[1]), range(start, start + count)


def _write(cursor: Any, rows: list[tuple[Any, ...]], head: list[Any]) -> None:
    """Insert the rows and move the head. PostgreSQL: one statement for both (a data-modifying
    WITH), or COPY for a long batch; SQLite (in-process, no round trips): two."""
    if connection.vendor == "postgresql":
        if len(rows) >= _COPY_FROM:
            FastTable(AuditEvent, _INSERTED).insert(rows)
            cursor.execute(_HEAD_UPDATE, head)
            return
        values = ", ".join([_ROW_MARKS] * len(rows))
        cursor.execute(
            f"WITH appended AS ({_INSERT}{values}) {_HEAD_UPDATE}",
            [v for row in rows for v in row] + head,
        )
        return
    cursor.executemany(_INSERT + _ROW_MARKS, rows)
    cursor.execute(_HEAD_UPDATE, head)


def append(events: Sequence[AuditEvent]) -> None:
    """Give each unsaved event its place in the chain and insert them, in order, in the
    current transaction (or one of their own). Written with the driver's cursor: a page view
    appends one row, and the ORM's statements cost several times the database's work."""
    if not events:
        return
    for event in events:  # before the transaction: a detail JSON cannot hold fails alone
        event.client_address = canonical_address(event.client_address)
        event.detail = canonical_detail(event.detail)
    adapter = Adapter()
    in_transaction = connection.in_atomic_block
    with transaction.atomic(savepoint=not in_transaction), connection.cursor() as cursor:
        seq, prev, ids = _claim(cursor, len(events))
        rows = []
        for event, pk in zip(events, ids, strict=True):
            seq += 1
            event.pk = pk
            event.seq = seq
            event.prev_hash = prev
            event.row_hash = prev = event_hash(event)
            event._state.adding = False
            rows.append(
                (
                    pk,
                    *(
                        adapter.datetime(event.occurred_at)
                        if name == "occurred_at"
                        else json.dumps(event.detail, separators=(",", ":"))
                        if name == "detail"
                        else getattr(event, name)
                        for name in _INSERTED
                    ),
                )
            )
        _write(cursor, rows, [seq, prev, adapter.datetime(clock.now()), HEAD_ID])


# --- the head ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Head:
    seq: int
    row_hash: str

    def as_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.row_hash}


def head_current() -> Head:
    """The chain's last committed row (the genesis for an empty chain)."""
    head = AuditChainHead.objects.filter(pk=HEAD_ID).values_list("seq", "row_hash").first()
    if head is None:
        last = AuditEvent.objects.order_by("-seq").values_list("seq", "row_hash").first()
        head = last or (0, GENESIS)
    return Head(int(head[0]), str(head[1]))


def head_export_dir() -> Path:
    configured = getattr(settings, "AUDIT_HEAD_EXPORT_DIR", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "audit-heads"


@dataclass(frozen=True)
class ExportedHead:
    head: Head
    path: Path
    exported_at: dt.datetime


def head_write(directory: Path | None = None) -> ExportedHead:
    """Write the current head to a new file in `directory` (AUDIT_HEAD_EXPORT_DIR by default),
    atomically (a reader never sees half a file). Audited by the caller (`audit.head_export`)."""
    directory = directory or head_export_dir()
    directory.mkdir(parents=True, exist_ok=True)
    head = head_current()
    now = clock.now()
    body = {
        "format": HEAD_FORMAT,
        **head.as_json(),
        "exported_at": now.astimezone(_UTC).isoformat(),
        "database": connection.vendor,
    }
    path = directory / f"audit-head-{now.astimezone(_UTC):%Y%m%dT%H%M%S%fZ}-{head.seq}.json"
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".audit-head-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(body, fh, indent=2)
            fh.write("\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return ExportedHead(head, path, now)


class HeadFileError(ValueError):
    """A file given to `verify --against` that is not an exported head."""


def head_read(path: Path) -> Head:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HeadFileError(f"{path}: cannot be read as an exported audit head ({exc})") from exc
    if not isinstance(data, dict) or data.get("format") != HEAD_FORMAT:
        raise HeadFileError(f"{path}: not an exported audit head (format {HEAD_FORMAT})")
    seq, row_hash = data.get("seq"), data.get("hash")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise HeadFileError(f"{path}: its seq is not a whole number")
    if not isinstance(row_hash, str) or len(row_hash) != 64:
        raise HeadFileError(f"{path}: its hash is not 64 hexadecimal digits")
    return Head(seq, row_hash.lower())


# --- verifying ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Where the chain first goes wrong: the sequence number, the row found there (None when
    it is missing) and what is wrong, in words."""

    seq: int
    row_id: int | None
    what: str

    def text(self) -> str:
        row = f"id {self.row_id}" if self.row_id is not None else "no row"
        return f"seq {self.seq} ({row}): {self.what}"


@dataclass(frozen=True)
class HeadCheck:
    source: str
    head: Head
    found: str | None  # the chain's hash at that seq, None when the chain is shorter
    ok: bool

    def text(self) -> str:
        if self.ok:
            return f"{self.source}: seq {self.head.seq} is on the chain"
        if self.found is None:
            return (
                f"{self.source}: seq {self.head.seq} is not in the table: rows exported then "
                "have been removed"
            )
        return (
            f"{self.source}: seq {self.head.seq} has hash {self.found}, the export says "
            f"{self.head.row_hash}: the table was rewritten up to or before that row"
        )


@dataclass
class Report:
    rows: int = 0
    last: Head = field(default_factory=lambda: Head(0, GENESIS))
    head: Head = field(default_factory=lambda: Head(0, GENESIS))
    problem: Problem | None = None
    heads: list[HeadCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem is None and all(h.ok for h in self.heads)


def _json_value(value: Any) -> Any:
    # json, not orjson: orjson reads an integer wider than 64 bits as a float.
    return json.loads(value) if isinstance(value, str | bytes) else value


def _rows(chunk: int) -> Iterator[tuple[Any, ...]]:
    """Every row in seq order, `chunk` at a time (keyset pages on the seq index), so a million
    rows are never in memory at once; read with the driver's cursor and converted here, which
    is several times quicker than the ORM's converters."""
    meta = AuditEvent._meta
    # SQLite: the datetime read as text, past the driver's converter (the slowest part).
    when_sql = 'CAST("occurred_at" AS TEXT)' if connection.vendor == "sqlite" else '"occurred_at"'
    columns = ", ".join(when_sql if c == "occurred_at" else f'"{c}"' for c in COLUMNS)
    sql = (
        f'SELECT {columns}, "prev_hash", "row_hash" FROM "{meta.db_table}"'  # noqa: S608
        ' WHERE "seq" > %s ORDER BY "seq" LIMIT %s'
    )
    when, detail = COLUMNS.index("occurred_at"), COLUMNS.index("detail")
    after = -(2**63)
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, [after, chunk])
            page = cursor.fetchall()
        if not page:
            return
        for raw in page:
            row = list(raw)
            row[when] = _stored_when(row[when])
            row[detail] = _json_value(row[detail])
            yield tuple(row)
        after = page[-1][0]


def verify(
    *,
    against: Iterable[tuple[str, Head]] = (),
    chunk: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Walk the chain from its first row; stop at the first row that is wrong. `against`:
    heads exported earlier (a name for each, for the report), each checked to be on the chain."""
    report = Report(head=head_current())
    wanted: dict[int, list[str]] = {}
    exported = list(against)
    for source, head in exported:
        wanted.setdefault(head.seq, []).append(source)
    found: dict[int, str] = {0: GENESIS}
    expected, prev, prev_id = 1, GENESIS, 0
    before_prev: str | None = None  # the hash of the row before the previous one
    for values in _rows(chunk):
        *content, prev_hash, row_hash = values
        seq, pk = int(content[0]), int(content[1])
        if seq in wanted:
            found[seq] = row_hash
        problem = None
        if seq < expected:
            problem = Problem(seq, pk, "numbered before the chain's first row: inserted")
        elif seq > expected:
            missing = f"row {expected}" if seq == expected + 1 else f"rows {expected} to {seq - 1}"
            problem = Problem(
                expected, None, f"missing: {missing} deleted (the next row is seq {seq}, id {pk})"
            )
        elif prev_hash != prev:
            problem = _broken_link(seq, pk, content, prev_hash, row_hash, before_prev, prev_id)
        elif pk <= prev_id:
            problem = Problem(
                seq, pk, f"its id is not after row {seq - 1}'s (id {prev_id}): inserted"
            )
        elif content_hash(content, prev_hash) != row_hash:
            problem = Problem(seq, pk, "its content does not match its hash: edited")
        if problem is not None:
            report.problem = problem
            break
        report.rows += 1
        before_prev = prev
        expected, prev, prev_id = seq + 1, row_hash, pk
        if progress is not None and report.rows % chunk == 0:
            progress(report.rows)
    report.last = Head(expected - 1, prev)
    if report.problem is None:
        report.problem = _head_problem(report)
    if exported:
        # Heads past where the walk stopped are looked up directly.
        for seq in wanted:
            if seq not in found:
                row = AuditEvent.objects.filter(seq=seq).values_list("row_hash", flat=True).first()
                if row is not None:
                    found[seq] = row
        for source, head in exported:
            at = found.get(head.seq)
            report.heads.append(HeadCheck(source, head, at, at == head.row_hash))
    return report


def _broken_link(
    seq: int,
    pk: int,
    content: Sequence[Any],
    prev_hash: str,
    row_hash: str,
    before_prev: str | None,
    prev_id: int,
) -> Problem:
    """A row whose previous hash is not the previous row's hash: which row is the bad one.
    Chained to the row before the previous one, the previous row was slipped in between them;
    a row that is itself intact (its hash covers its previous hash) says the previous row was
    changed and given a new hash; otherwise this row is the one changed."""
    if before_prev is not None and prev_hash == before_prev:
        return Problem(
            seq - 1,
            prev_id,
            f"inserted: row {seq} (id {pk}) was chained to the row before this one",
        )
    intact = content_hash(content, prev_hash) == row_hash
    if intact and prev_id == 0:
        return Problem(
            seq,
            pk,
            "the first row is chained to a row before it: rows before it were deleted and the "
            "rest numbered again",
        )
    if intact:
        return Problem(
            seq - 1,
            prev_id,
            f"edited and given a new hash: row {seq} (id {pk}) was chained to a different row "
            f"{seq - 1}",
        )
    return Problem(
        seq, pk, f"its previous hash and its content do not match: edited (row {seq - 1} is intact)"
    )


def _head_problem(report: Report) -> Problem | None:
    head, last = report.head, report.last
    if head.seq > last.seq:
        rows = (
            f"row {head.seq}" if head.seq == last.seq + 1 else f"rows {last.seq + 1} to {head.seq}"
        )
        return Problem(
            last.seq + 1,
            None,
            f"missing: the chain head says {head.seq} rows were appended, the table ends at "
            f"{last.seq} ({rows} deleted)",
        )
    if head.seq < last.seq:
        row_id = AuditEvent.objects.filter(seq=head.seq + 1).values_list("id", flat=True).first()
        return Problem(
            head.seq + 1,
            row_id,
            f"after the chain head (seq {head.seq}): not appended through the chain (inserted)",
        )
    if head.row_hash != last.row_hash:
        row_id = AuditEvent.objects.filter(seq=last.seq).values_list("id", flat=True).first()
        return Problem(
            last.seq,
            row_id,
            "edited and given a new hash: its hash is not the one the chain head recorded",
        )
    return None


def heads_of(paths: Iterable[Path]) -> list[tuple[str, Head]]:
    return [(str(path), head_read(path)) for path in paths]


def latest_heads(events: Iterable[Mapping[str, Any]]) -> list[Head]:
    """The heads recorded by `audit_head_exported` events (their detail), for the pages."""
    return [
        Head(int(e["seq"]), str(e["hash"]))
        for e in events
        if isinstance(e.get("seq"), int) and isinstance(e.get("hash"), str)
    ]
