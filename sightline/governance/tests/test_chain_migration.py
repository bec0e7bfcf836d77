"""Migration 0005 on a database with audit rows already written: they are chained in id order,
the head is the last of them, the chain verifies, and the triggers refuse changes from then on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from sightline.agencies.tests.factories import UserFactory
from sightline.governance import chain, triggers

BEFORE = [("governance", "0004_grants_end_audit_address")]
AFTER = [("governance", "0005_audit_chain")]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_chain_are_chained() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor.loader.build_graph()
    old = executor.loader.project_state(BEFORE).apps.get_model("governance", "AuditEvent")
    when = dt.datetime(2025, 6, 1, 9, 30, tzinfo=dt.UTC)
    user = UserFactory.create()
    for n in range(5):
        old.objects.create(
            actor_id=user.pk if n % 2 else None,
            occurred_at=when + dt.timedelta(minutes=n),
            actor_name=user.username if n % 2 else "system:importer",
            action="batch_imported",
            object_type="import_batch",
            object_id=str(n),
            detail={"n": n, "weight": 2.5},
            client_address="192.0.2.1" if n % 2 else None,
        )
    assert not triggers.present(connection)
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest of every app
    report = chain.verify()
    assert report.ok, report.problem
    assert report.rows == 5
    assert chain.head_current().seq == 5
    assert triggers.present(connection)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute('DELETE FROM "governance_auditevent"')
