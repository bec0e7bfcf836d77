"""What someone with the database's keys might do to the audit table, for the chain's tests:
edit a row, delete one, slip one in, or rewrite the whole table so that it hangs together. The
triggers refuse UPDATE and DELETE, so the tests lift them first (as someone who owns the table
could), in the test's transaction: they are back when it rolls back, or when the block ends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

from sightline.governance import chain, triggers
from sightline.governance.models import AuditEvent

TABLE = AuditEvent._meta.db_table


@contextmanager
def triggers_lifted() -> Iterator[None]:
    with connection.cursor() as cursor:
        for sql in triggers.drop_sql(connection.vendor):
            cursor.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for sql in triggers.create_sql(connection.vendor):
                cursor.execute(sql)


def sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def ids_by_seq() -> dict[int, int]:
    return dict(AuditEvent.objects.order_by("seq").values_list("seq", "id"))


def edit(seq: int, *, purpose: str = "nothing to see here") -> None:
    """Change a row's content, leaving its hash as it was."""
    with triggers_lifted():
        sql(f'UPDATE "{TABLE}" SET "purpose" = %s WHERE "seq" = %s', [purpose, seq])  # noqa: S608


def edit_and_rehash(seq: int) -> None:
    """Change a row and give it the hash its new content would have (the next row still names
    the old one as its previous hash)."""
    with triggers_lifted():
        event = AuditEvent.objects.get(seq=seq)
        event.purpose = "rewritten"
        sql(
            f'UPDATE "{TABLE}" SET "purpose" = %s, "row_hash" = %s WHERE "seq" = %s',  # noqa: S608
            [event.purpose, chain.event_hash(event), seq],
        )


def delete(seq: int) -> None:
    with triggers_lifted():
        sql(f'DELETE FROM "{TABLE}" WHERE "seq" = %s', [seq])  # noqa: S608


def _insert(seq: int, pk: int, prev_hash: str, *, forge: bool) -> None:
    event = AuditEvent(
        pk=pk,
        seq=seq,
        occurred_at=dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC),
        actor_name="system:someone",
        action="story_viewed",
        object_type="person",
        object_id="SLT0000001",
        purpose="slipped in",
        detail={},
        prev_hash=prev_hash,
        row_hash="f" * 64,
    )
    if forge:
        event.row_hash = chain.event_hash(event)
    event.save(force_insert=True)


def insert_at_end(*, forge: bool = True) -> int:
    """A row after the last one, chained to it properly (but not through the chain head).
    Returns its seq."""
    last = AuditEvent.objects.order_by("-seq").first()
    seq, prev, top = (last.seq, last.row_hash, last.pk) if last else (0, chain.GENESIS, 0)
    biggest = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    _insert(seq + 1, max(top, biggest) + 1, prev, forge=forge)
    return seq + 1


def insert_before(seq: int, *, forge: bool = True) -> None:
    """A row slipped in at `seq`, the rows from there moved one place on (keeping their
    hashes), the new row chained to the one before."""
    with triggers_lifted():
        before = AuditEvent.objects.filter(seq=seq - 1).values_list("row_hash", flat=True).first()
        biggest = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        # Two steps: moving the rows by one in place would collide on the unique seq.
        sql(f'UPDATE "{TABLE}" SET "seq" = -"seq" - 1 WHERE "seq" >= %s', [seq])  # noqa: S608
        sql(f'UPDATE "{TABLE}" SET "seq" = -"seq" WHERE "seq" < 0')  # noqa: S608
        _insert(seq, biggest + 1, before or chain.GENESIS, forge=forge)


def rewrite_all(*, purpose: str = "rewritten") -> None:
    """Change one thing in every row and compute every hash again, the chain head included: a
    table that hangs together, which only an exported head can show is not the original."""
    with triggers_lifted():
        prev = chain.GENESIS
        for event in AuditEvent.objects.order_by("seq"):
            event.purpose = purpose
            event.prev_hash = prev
            event.row_hash = prev = chain.event_hash(event)
            sql(
                f'UPDATE "{TABLE}" SET "purpose" = %s, "prev_hash" = %s, "row_hash" = %s'  # noqa: S608
                ' WHERE "id" = %s',
                [event.purpose, event.prev_hash, event.row_hash, event.pk],
            )
        sql('UPDATE "governance_auditchainhead" SET "row_hash" = %s', [prev])
