"""Looking up many keys at once.

`AnyOf`: a column's value is one of a list of ids, as one parameter on PostgreSQL.

`field__in=ids` sends one parameter per id: Django prepares each and psycopg quotes each into
the query text, which for a list of hundreds costs more than the query (the search's candidate
checks: about a third of its Python time). On PostgreSQL `AnyOf` sends the list as one array
(`col = ANY(%s)`); on SQLite it is `IN (…)`, as there is no array type.

    Person.objects.filter(AnyOf(F("pk"), ids))

For columns that are never NULL (ids, foreign keys that are set): negated, it leaves out rows
whose column is NULL, where `exclude(col__in=ids)` keeps them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Lookup


class AnyOf(Lookup):  # type: ignore[type-arg]  # generic only in the stubs
    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self) -> Any:
        return [int(value) for value in self.rhs]  # ids: checked once, cheaply

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        ids = list(self.rhs)
        if not ids:
            return "1 = 0", []
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, ids]
        marks = ", ".join(["%s"] * len(ids))
        return f"{lhs} IN ({marks})", [*lhs_params, *ids]


def key_by_key(
    table: str, columns: Sequence[str], *, key: str, key_type: str, where: str = ""
) -> str:
    """PostgreSQL SQL that looks up each key of an array (its first parameter) on its own, with
    `where` (more parameters) as a further condition, and returns `columns` of the rows found.

    Why: inside a long transaction (an import) the planner's statistics predate the rows the
    transaction has added. Asked for `key = ANY(array)` together with a condition on a column of
    few values (an agency, an identifier scheme, a source), it may match on that column alone,
    thinking it picks out a handful of rows, and read every row with that value, again for each
    chunk: cost that grows with the import. Each key looked up on its own (a LATERAL subquery,
    kept apart by OFFSET 0) uses the index that holds the key."""
    selected = ", ".join(f'r."{column}"' for column in columns)
    condition = f" AND ({where})" if where else ""
    return (
        f"SELECT {selected} FROM unnest(%s::{key_type}[]) AS k(key) CROSS JOIN LATERAL ("  # noqa: S608
        f'SELECT * FROM "{table}" t WHERE t."{key}" = k.key{condition} OFFSET 0) r'
    )
