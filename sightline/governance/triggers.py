"""The database's refusal to change the audit log: triggers on governance_auditevent that refuse
every UPDATE and DELETE, on PostgreSQL and on SQLite (created by migration 0005; ADR 21).

Both refuse with an integrity error (SQLSTATE 23001 restrict_violation on PostgreSQL, a
constraint failure on SQLite), which Django raises as `django.db.IntegrityError`.

What legitimately empties the table: `flush` (the tests, a demo's reset) wipes every table.
PostgreSQL's TRUNCATE does not fire row triggers, so it works as before; SQLite's flush
deletes rows, so Sightline's own `flush` command (governance/management/commands/flush.py)
lifts the SQLite triggers for the flush and puts them back in the same transaction. Nothing
else may: retention of the log itself will be a recorded, audited procedure (ADR 21).

A migration that rebuilds the table on SQLite (Django remakes a table to alter a column)
drops its triggers: such a migration must create them again (`create_sql`). The tests check
the triggers refuse after every migration has run, and `sightline audit verify` reports them
missing."""

from __future__ import annotations

from typing import Any

TABLE = "governance_auditevent"
MESSAGE = "the audit log is append-only: rows cannot be changed or removed"

_POSTGRES_CREATE = [
    f"""
    CREATE OR REPLACE FUNCTION governance_audit_refuse() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE} (% refused)', TG_OP USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    f"DROP TRIGGER IF EXISTS governance_audit_append_only ON {TABLE}",
    f"""
    CREATE TRIGGER governance_audit_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION governance_audit_refuse()
    """,
]
_POSTGRES_DROP = [
    f"DROP TRIGGER IF EXISTS governance_audit_append_only ON {TABLE}",
    "DROP FUNCTION IF EXISTS governance_audit_refuse()",
]
_SQLITE_CREATE = [
    f"""
    CREATE TRIGGER IF NOT EXISTS governance_audit_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE} (UPDATE refused)'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS governance_audit_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE} (DELETE refused)'); END
    """,
]
_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS governance_audit_no_update",
    "DROP TRIGGER IF EXISTS governance_audit_no_delete",
]
NAMES = {
    "postgresql": ("governance_audit_append_only",),
    "sqlite": ("governance_audit_no_update", "governance_audit_no_delete"),
}


def create_sql(vendor: str) -> list[str]:
    return {"postgresql": _POSTGRES_CREATE, "sqlite": _SQLITE_CREATE}.get(vendor, [])


def drop_sql(vendor: str) -> list[str]:
    return {"postgresql": _POSTGRES_DROP, "sqlite": _SQLITE_DROP}.get(vendor, [])


def present(connection: Any) -> bool:
    """Whether this database has the triggers (False on a database Sightline has none for)."""
    names = NAMES.get(connection.vendor)
    if not names:
        return False
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal"
                " AND tgenabled <> 'D'",
                [TABLE],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE]
            )
        found = {row[0] for row in cursor.fetchall()}
    return set(names) <= found
