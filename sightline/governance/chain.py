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
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from sightline.core import clock
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


def _when(value: dt.datetime) -> str:
    return value.astimezone(_UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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

    return json.loads(json.dumps(walk(value if value is not None else {})))


def content_hash(values: Sequence[Any], prev_hash: str) -> str:
    """The hash of a row given its COLUMNS values (as stored) and the previous row's hash."""
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
    content = {
        "v": VERSION,
        "seq": seq,
        "id": pk,
        "occurred_at": _when(occurred_at),
        "actor": actor_id,
        "actor_name": actor_name,
        "actor_role": actor_role,
        "actor_agency": actor_agency_id,
        "actor_team": actor_team_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "person": person_id,
        "purpose": purpose,
        "detail": detail,
        "client_address": canonical_address(client_address),
        "prev": prev_hash,
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def event_hash(event: AuditEvent) -> str:
    return content_hash([getattr(event, c) for c in COLUMNS], event.prev_hash)


# --- appending ---------------------------------------------------------------------------------


def _head_locked() -> AuditChainHead:
    """The chain head, locked until the transaction ends. A database emptied by a flush (the
    tests) has none: it is made again from the table's last row, or the genesis."""
    head = AuditChainHead.objects.select_for_update().filter(pk=HEAD_ID).first()
    if head is not None:
        return head
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "row_hash").first()
    seq, row_hash = last or (0, GENESIS)
    AuditChainHead.objects.bulk_create(
        [AuditChainHead(pk=HEAD_ID, seq=seq, row_hash=row_hash)], ignore_conflicts=True
    )
    return AuditChainHead.objects.select_for_update().get(pk=HEAD_ID)


def _allocate_ids(count: int) -> Sequence[int]:
    """Ids for rows about to be inserted: known before the insert, because the hash covers it.
    PostgreSQL: the table's identity sequence. SQLite: after the largest ever used (the caller
    holds the write lock)."""
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f'SELECT max(coalesce((SELECT max(id) FROM "{table}"), 0),'  # noqa: S608
            " coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        start = int(cursor.fetchone()[0]) + 1
        return range(start, start + count)


def append(events: Sequence[AuditEvent]) -> None:
    """Give each unsaved event its place in the chain and insert them, in order, in the
    current transaction (or one of their own)."""
    if not events:
        return
    with transaction.atomic():
        head = _head_locked()
        seq, prev = head.seq, head.row_hash
        for event, pk in zip(events, _allocate_ids(len(events)), strict=True):
            seq += 1
            event.pk = pk
            event.seq = seq
            event.prev_hash = prev
            event.client_address = canonical_address(event.client_address)
            event.detail = canonical_detail(event.detail)
            event.row_hash = prev = event_hash(event)
        AuditEvent.objects.bulk_create(events)
        AuditChainHead.objects.filter(pk=HEAD_ID).update(
            seq=seq, row_hash=prev, appended_at=clock.now()
        )


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


def _rows(chunk: int) -> Iterator[tuple[Any, ...]]:
    """Every row in seq order, `chunk` at a time (keyset pages on the seq index): a million
    rows are never in memory at once."""
    after: int | None = None
    while True:
        rows = AuditEvent.objects.order_by("seq")
        if after is not None:
            rows = rows.filter(seq__gt=after)
        page = list(rows.values_list(*COLUMNS, "prev_hash", "row_hash")[:chunk])
        if not page:
            return
        yield from page
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
            problem = Problem(
                seq,
                pk,
                f"its previous hash does not match row {seq - 1}'s hash: that row was changed "
                "after this one was appended, or this row was inserted",
            )
        elif pk <= prev_id:
            problem = Problem(seq, pk, f"its id is not after row {seq - 1}'s (id {prev_id}): inserted")
        elif content_hash(content, prev_hash) != row_hash:
            problem = Problem(seq, pk, "its content does not match its hash: edited")
        if problem is not None:
            report.problem = problem
            break
        report.rows += 1
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


def _head_problem(report: Report) -> Problem | None:
    head, last = report.head, report.last
    if head.seq > last.seq:
        rows = f"row {head.seq}" if head.seq == last.seq + 1 else f"rows {last.seq + 1} to {head.seq}"
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
            last.seq, row_id, "its hash is not the one the chain head recorded: rewritten"
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
