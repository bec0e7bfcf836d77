"""Django's `flush`, able to empty the audit log on SQLite too.

Flushing wipes every table (the tests between transactional tests, a demo's reset). The audit
table's triggers refuse DELETE (governance.triggers); PostgreSQL's flush truncates, which row
triggers do not see, but SQLite's deletes. On SQLite the triggers are lifted for the flush and
put back in the same transaction, so a flush that fails leaves them as they were. The chain
starts again from its first row; an exported head no longer matches, as it should not."""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from sightline.governance import triggers


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "sqlite" or not triggers.present(connection):
            super().handle(**options)
            return
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                for sql in triggers.drop_sql("sqlite"):
                    cursor.execute(sql)
            super().handle(**options)
            with connection.cursor() as cursor:
                for sql in triggers.create_sql("sqlite"):
                    cursor.execute(sql)
