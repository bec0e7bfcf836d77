"""Grants that end (starts_on, basis_key: one grant per involvement), uniqueness both databases
enforce, and the client address on every audit row.

SQLite ignored the old constraint's NULLS NOT DISTINCT, so a SQLite database may hold the same
agency-wide grant twice: the duplicates are removed (the earliest kept) before the new
constraints are added."""

from django.db import migrations, models


def drop_duplicate_agency_grants(apps, schema_editor):
    AccessGrant = apps.get_model("governance", "AccessGrant")
    seen = set()
    duplicates = []
    rows = (
        AccessGrant.objects.filter(team__isnull=True)
        .order_by("person_id", "agency_id", "basis", "id")
        .values_list("id", "person_id", "agency_id", "basis")
    )
    for pk, person_id, agency_id, basis in rows.iterator(chunk_size=5000):
        key = (person_id, agency_id, basis)
        if key in seen:
            duplicates.append(pk)
        else:
            seen.add(key)
    for start in range(0, len(duplicates), 2000):
        AccessGrant.objects.filter(pk__in=duplicates[start : start + 2000]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0003_fewer_indexes"),
        ("people", "0003_fewer_indexes"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="accessgrant", name="grant_unique"),
        migrations.AddField(
            model_name="accessgrant",
            name="basis_key",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="accessgrant",
            name="starts_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="client_address",
            field=models.GenericIPAddressField(blank=True, null=True),
        ),
        migrations.RunPython(drop_duplicate_agency_grants, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="accessgrant",
            constraint=models.UniqueConstraint(
                condition=models.Q(("team__isnull", True)),
                fields=("person", "agency", "basis", "basis_key"),
                name="grant_unique_agency",
            ),
        ),
        migrations.AddConstraint(
            model_name="accessgrant",
            constraint=models.UniqueConstraint(
                condition=models.Q(("team__isnull", False)),
                fields=("person", "agency", "team", "basis", "basis_key"),
                name="grant_unique_team",
            ),
        ),
    ]
