"""The audit log becomes a hash chain the database will not let anyone change (ADR 21).

Every row gets a sequence number, the previous row's hash and its own (rows already written
are chained in id order here, before the triggers exist), the actor's role, agency and team
(empty for rows written before: they were not recorded), and the one-row chain head. Then
triggers refuse UPDATE and DELETE on the table, on PostgreSQL and on SQLite. The SQL is written
out here as it was when this migration was made; governance.triggers holds the current form."""

from django.db import migrations, models

from sightline.governance.chain import GENESIS, content_hash

_COLUMNS = (
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
_CHUNK = 2000


def chain_existing_rows(apps, schema_editor):
    AuditEvent = apps.get_model("governance", "AuditEvent")
    AuditChainHead = apps.get_model("governance", "AuditChainHead")
    if schema_editor.connection.vendor == "postgresql":
        # No deferred checks left pending for the ALTER TABLE that follows in this transaction.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    seq, prev = 0, GENESIS
    ids = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), _CHUNK):
        rows = list(AuditEvent.objects.filter(id__in=ids[start : start + _CHUNK]).order_by("id"))
        for row in rows:
            seq += 1
            row.seq = seq
            row.prev_hash = prev
            row.row_hash = prev = content_hash([getattr(row, c) for c in _COLUMNS], prev)
        AuditEvent.objects.bulk_update(rows, ["seq", "prev_hash", "row_hash"])
    AuditChainHead.objects.create(id=1, seq=seq, row_hash=prev)


_MESSAGE = "the audit log is append-only: rows cannot be changed or removed"
_POSTGRES = [
    f"""
    CREATE OR REPLACE FUNCTION governance_audit_refuse() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{_MESSAGE} (% refused)', TG_OP USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    """
    CREATE TRIGGER governance_audit_append_only BEFORE UPDATE OR DELETE
    ON governance_auditevent FOR EACH ROW EXECUTE FUNCTION governance_audit_refuse()
    """,
]
_SQLITE = [
    f"""
    CREATE TRIGGER governance_audit_no_update BEFORE UPDATE ON governance_auditevent
    BEGIN SELECT RAISE(ABORT, '{_MESSAGE} (UPDATE refused)'); END
    """,
    f"""
    CREATE TRIGGER governance_audit_no_delete BEFORE DELETE ON governance_auditevent
    BEGIN SELECT RAISE(ABORT, '{_MESSAGE} (DELETE refused)'); END
    """,
]
_DROP = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS governance_audit_append_only ON governance_auditevent",
        "DROP FUNCTION IF EXISTS governance_audit_refuse()",
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS governance_audit_no_update",
        "DROP TRIGGER IF EXISTS governance_audit_no_delete",
    ],
}


def create_triggers(apps, schema_editor):
    for sql in {"postgresql": _POSTGRES, "sqlite": _SQLITE}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql, params=None)


def drop_triggers(apps, schema_editor):
    for sql in _DROP.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0004_grants_end_audit_address"),
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="row_hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="actor_role",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="actor_agency_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="actor_team_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seq", models.BigIntegerField(default=0)),
                ("row_hash", models.CharField(max_length=64)),
                ("appended_at", models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.RunPython(chain_existing_rows, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(unique=True),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["actor", "occurred_at"], name="audit_actor_when"),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
