"""Each involvement now gives its own access grant, which ends when the involvement ends
(governance.access.InvolvementGrant). Grants written before gave one never-ending grant per
agency or team: they are replaced by one grant per involvement, to its team when its feed is
team-scoped and to its agency otherwise, keeping the date access was first granted."""

from django.db import migrations
from django.utils import timezone

_BATCH = 2000


def one_grant_per_involvement(apps, schema_editor):
    Involvement = apps.get_model("cases", "Involvement")
    AccessGrant = apps.get_model("governance", "AccessGrant")
    legacy = AccessGrant.objects.filter(basis="involvement", basis_key=0)
    first_granted = {
        (person_id, agency_id, team_id): (pk, granted_at)
        for pk, person_id, agency_id, team_id, granted_at in legacy.values_list(
            "id", "person_id", "agency_id", "team_id", "granted_at"
        ).iterator(chunk_size=5000)
    }
    replaced = set()
    now = timezone.now()
    batch = []
    rows = Involvement.objects.values_list(
        "id",
        "person_id",
        "agency_id",
        "team_id",
        "started_on",
        "ended_on",
        "source_record__source_system__access_scope",
    ).order_by("id")
    for pk, person_id, agency_id, team_id, started_on, ended_on, scope in rows.iterator(
        chunk_size=5000
    ):
        holder = (person_id, agency_id, team_id if scope == "team" else None)
        earlier = first_granted.get(holder)
        if earlier is not None:
            replaced.add(earlier[0])
        batch.append(
            AccessGrant(
                person_id=person_id,
                agency_id=agency_id,
                team_id=holder[2],
                basis="involvement",
                basis_key=pk,
                granted_at=earlier[1] if earlier else now,
                starts_on=started_on,
                ends_on=ended_on,
            )
        )
        if len(batch) >= _BATCH:
            AccessGrant.objects.bulk_create(batch)
            batch = []
    AccessGrant.objects.bulk_create(batch)
    # A legacy grant no involvement accounts for (granted by other means) stays as it was.
    ids = sorted(replaced)
    for start in range(0, len(ids), _BATCH):
        AccessGrant.objects.filter(pk__in=ids[start : start + _BATCH]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_fewer_indexes"),
        ("governance", "0004_grants_end_audit_address"),
        ("records", "0003_leaner_source_record_indexes"),
    ]

    operations = [
        migrations.RunPython(one_grant_per_involvement, migrations.RunPython.noop),
    ]
