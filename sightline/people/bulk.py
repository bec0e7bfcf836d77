"""Writing people in bulk, for the ingest pipeline: new people, the names, identifiers,
addresses and own details each source record gives them, their name search keys, the details
shown for each person (chosen from every record, people.consensus), and relationships.

Rows are inserted with `core.fastinsert` (ids known in advance, values prepared once). Every
derived row points at the source record it came from, so a changed record replaces exactly its
own rows and a wrong link can be split exactly (people.models).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection

from sightline.core.fastinsert import Adapter, FastTable
from sightline.people import consensus
from sightline.people.identifiers import IdentifierCheck
from sightline.people.models import (
    Address,
    Identifier,
    NameKey,
    Person,
    PersonName,
    RecordedDetails,
    Relationship,
)
from sightline.people.search_keys import name_keys

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_IN_BATCH = 2000


@dataclass(slots=True)
class NewPerson:
    """A person's own fields, taken from the first record that names them."""

    given_names: str
    family_name: str
    birth_date: dt.date | None
    birth_date_precision: str
    sex: str
    ethnicity: str


@dataclass(slots=True)
class AddressValue:
    line: str
    postcode: str
    from_on: dt.date | None
    to_on: dt.date | None


@dataclass(slots=True)
class PersonDetails:
    """What one source record says about a person: recorded name, aliases, identifiers,
    addresses, and (with the agency holding it) date of birth, sex and ethnicity."""

    person_id: int
    source_record_id: int
    issuer: str  # the source system's code: local ids are unique only within it
    given_names: str
    family_name: str
    aliases: list[tuple[str, str]] = field(default_factory=list)
    identifiers: list[IdentifierCheck] = field(default_factory=list)
    addresses: list[AddressValue] = field(default_factory=list)
    agency_id: int | None = None  # None: no RecordedDetails row (nothing to vote with)
    birth_date: dt.date | None = None
    birth_date_precision: str = "day"
    sex: str = ""
    ethnicity: str = ""

    def names(self) -> list[tuple[str, str, str]]:
        """(given, family, kind) of every name this record gives."""
        out: list[tuple[str, str, str]] = []
        if self.given_names or self.family_name:
            out.append((self.given_names, self.family_name, PersonName.Kind.RECORDED.value))
        out += [(g, f, PersonName.Kind.ALIAS.value) for g, f in self.aliases]
        return out


@dataclass(slots=True)
class RelationshipValue:
    source_record_id: int
    previous_record_id: int | None
    from_person_id: int
    to_person_id: int
    type: str
    from_on: dt.date | None
    to_on: dt.date | None


def new_reference() -> str:
    """`SL` and eight random Crockford base-32 characters (no I, L, O, U: nothing to misread)."""
    n = int.from_bytes(secrets.token_bytes(5), "big")
    return "SL" + "".join(_CROCKFORD[(n >> shift) & 31] for shift in range(35, -1, -5))


def _unique_references(count: int) -> list[str]:
    refs: list[str] = []
    while len(refs) < count:
        wanted = {new_reference() for _ in range(count - len(refs))} - set(refs)
        taken = set(Person.objects.filter(reference__in=wanted).values_list("reference", flat=True))
        refs += [r for r in wanted if r not in taken]
    return refs


def people_create(people: Sequence[NewPerson], *, adapter: Adapter, now: dt.datetime) -> list[int]:
    """Insert people and return their ids, in order. Each gets a new unique reference."""
    if not people:
        return []
    table = FastTable(
        Person,
        [
            "reference",
            "given_names",
            "family_name",
            "birth_date",
            "birth_date_precision",
            "sex",
            "ethnicity",
            "merged_into_id",
            "created_at",
        ],
    )
    ids = list(table.allocate(len(people)))
    refs = _unique_references(len(people))
    created = adapter.datetime(now)
    date = adapter.date
    table.insert(
        [
            (
                pid,
                ref,
                p.given_names,
                p.family_name,
                date(p.birth_date),
                p.birth_date_precision,
                p.sex,
                p.ethnicity,
                None,
                created,
            )
            for pid, ref, p in zip(ids, refs, people, strict=True)
        ]
    )
    return ids


def person_details_write(
    details: Sequence[PersonDetails],
    *,
    adapter: Adapter,
    replacing: Collection[int] = (),
) -> None:
    """Insert the names, identifiers and addresses of source records. `replacing`: ids of
    earlier versions of those records, whose rows are removed first."""
    for chunk in _batches(list(replacing)):
        PersonName.objects.filter(source_record_id__in=chunk).delete()
        Identifier.objects.filter(source_record_id__in=chunk).delete()
        Address.objects.filter(source_record_id__in=chunk).delete()
        RecordedDetails.objects.filter(source_record_id__in=chunk).delete()
    if not details:
        return
    names = FastTable(
        PersonName, ["person_id", "given_names", "family_name", "kind", "source_record_id"]
    )
    identifiers = FastTable(
        Identifier,
        [
            "person_id",
            "scheme",
            "value",
            "issuer",
            "is_valid",
            "invalid_reason",
            "source_record_id",
        ],
    )
    addresses = FastTable(
        Address, ["person_id", "line", "postcode", "from_on", "to_on", "source_record_id"]
    )
    name_rows = [
        (d.person_id, g, f, k, d.source_record_id) for d in details for g, f, k in d.names()
    ]
    id_rows = [
        (
            d.person_id,
            c.scheme,
            c.value,
            d.issuer if c.scheme == "local_id" else "",
            c.is_valid,
            c.reason,
            d.source_record_id,
        )
        for d in details
        for c in d.identifiers
    ]
    date = adapter.date
    address_rows = [
        (d.person_id, a.line, a.postcode, date(a.from_on), date(a.to_on), d.source_record_id)
        for d in details
        for a in d.addresses
    ]
    recorded = FastTable(
        RecordedDetails,
        [
            "source_record_id",
            "agency_id",
            "birth_date",
            "birth_date_precision",
            "sex",
            "ethnicity",
        ],
    )
    recorded_rows = [
        (
            d.source_record_id,
            d.agency_id,
            date(d.birth_date),
            d.birth_date_precision,
            d.sex,
            d.ethnicity,
        )
        for d in details
        if d.agency_id is not None
    ]
    for table, rows in (
        (names, name_rows),
        (identifiers, id_rows),
        (addresses, address_rows),
        (recorded, recorded_rows),
    ):
        ids = table.allocate(len(rows))
        table.insert([(i, *row) for i, row in zip(ids, rows, strict=True)])


def name_keys_write(*, new_people: dict[int, set[str]], rebuild: Collection[int] = ()) -> None:
    """Search keys: `new_people` maps people created in this batch to the keys of their names;
    people in `rebuild` (existing people whose names changed) get theirs recomputed from all
    their names."""
    keys = {pid: set(k) for pid, k in new_people.items()}
    rebuild = [pid for pid in rebuild if pid not in keys]
    for chunk in _batches(rebuild):
        NameKey.objects.filter(person_id__in=chunk).delete()
        for pid, given, family in PersonName.objects.filter(person_id__in=chunk).values_list(
            "person_id", "given_names", "family_name"
        ):
            keys.setdefault(pid, set()).update(name_keys(given, family))
    rows = [(pid, key) for pid, person_keys in keys.items() for key in sorted(person_keys)]
    if rows:
        table = FastTable(NameKey, ["person_id", "key"])
        ids = table.allocate(len(rows))
        table.insert([(i, *row) for i, row in zip(ids, rows, strict=True)])


SHOWN_FIELDS = (
    "given_names",
    "family_name",
    "birth_date",
    "birth_date_precision",
    "sex",
    "ethnicity",
)


def recorded_of(
    person_ids: Collection[int], *, names: dict[int, tuple[str, str]] | None = None
) -> dict[int, list[consensus.Recorded]]:
    """What each current person record of these people says, by person: its details with its
    recorded name (`names`, by source record, when the caller has read them). A person with no
    RecordedDetails has no entry (its fields were never chosen from its records)."""
    out: dict[int, list[consensus.Recorded]] = {}
    for chunk in _batches(sorted(set(person_ids))):
        details = sorted(
            RecordedDetails.objects.filter(source_record__person_id__in=chunk).values_list(
                "source_record_id",
                "source_record__person_id",
                "agency_id",
                "agency__kind",
                "birth_date",
                "birth_date_precision",
                "sex",
                "ethnicity",
            )
        )
        if not details:
            continue
        chunk_names = names
        if chunk_names is None:
            chunk_names = {}
            for record_id, given, family in PersonName.objects.filter(
                person_id__in=chunk, kind=PersonName.Kind.RECORDED, source_record_id__isnull=False
            ).values_list("source_record_id", "given_names", "family_name"):
                chunk_names.setdefault(record_id, (given, family))
        for record_id, person_id, agency_id, kind, born, precision, sex, ethnicity in details:
            given, family = chunk_names.get(record_id, ("", ""))
            out.setdefault(person_id, []).append(
                consensus.Recorded(
                    agency_id=agency_id,
                    agency_kind=kind,
                    given_names=given,
                    family_name=family,
                    birth_date=born,
                    birth_date_precision=precision,
                    sex=sex,
                    ethnicity=ethnicity,
                )
            )
    return out


def people_details_refresh(person_ids: Collection[int]) -> dict[int, dict[str, object]]:
    """Choose again the details shown for these people from every one of their current records
    (people.consensus) and store them on Person, so every page reads them as they are. Called
    whenever the records of a person change: an import (new or re-sent person lines), a merge
    and a split. People without recorded details keep theirs. Returns, for each person changed,
    the fields as they were."""
    before: dict[int, dict[str, object]] = {}
    recorded = recorded_of(person_ids)
    if not recorded:
        return before
    changed: list[Person] = []
    for person in Person.objects.filter(pk__in=list(recorded)).only("pk", *SHOWN_FIELDS):
        chosen = consensus.details_of(recorded[person.pk])
        old = {name: getattr(person, name) for name in SHOWN_FIELDS}
        new = {name: getattr(chosen, name) for name in SHOWN_FIELDS}
        if old != new:
            before[person.pk] = old
            for name, value in new.items():
                setattr(person, name, value)
            changed.append(person)
    if changed:
        _update_shown(changed)
    return before


def _update_shown(people: list[Person]) -> None:
    """One parameterised UPDATE by primary key, executed for every person: Django's
    `bulk_update` builds a CASE per field over the whole batch, which cost most of this."""
    meta = Person._meta
    quote = connection.ops.quote_name
    fields = {f.name: f.column for f in meta.concrete_fields}
    sql = (
        f"UPDATE {quote(meta.db_table)} SET "  # noqa: S608 - names from the model, values bound
        + ", ".join(f"{quote(fields[name])} = %s" for name in SHOWN_FIELDS)
        + f" WHERE {quote(fields['id'])} = %s"
    )
    rows = [[getattr(p, name) for name in SHOWN_FIELDS] + [p.pk] for p in people]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def keys_of(names: Iterable[tuple[str, str, str]]) -> set[str]:
    keys: set[str] = set()
    for given, family, _ in names:
        keys |= name_keys(given, family)
    return keys


def relationships_write(items: Sequence[RelationshipValue], *, adapter: Adapter) -> None:
    """New relationships are inserted; a changed record updates the relationship its earlier
    version created (relationships are current facts; the history is in the source records)."""
    new = [i for i in items if i.previous_record_id is None]
    changed = {i.previous_record_id: i for i in items if i.previous_record_id is not None}
    if new:
        table = FastTable(
            Relationship,
            ["from_person_id", "to_person_id", "type", "from_on", "to_on", "source_record_id"],
        )
        ids = table.allocate(len(new))
        date = adapter.date
        table.insert(
            [
                (
                    rid,
                    i.from_person_id,
                    i.to_person_id,
                    i.type,
                    date(i.from_on),
                    date(i.to_on),
                    i.source_record_id,
                )
                for rid, i in zip(ids, new, strict=True)
            ]
        )
    if changed:
        rows = list(Relationship.objects.filter(source_record_id__in=list(changed)))
        for row in rows:
            item = changed.pop(row.source_record_id)  # type: ignore[arg-type]
            row.from_person_id = item.from_person_id
            row.to_person_id = item.to_person_id
            row.type = item.type
            row.from_on = item.from_on
            row.to_on = item.to_on
            row.source_record_id = item.source_record_id
        Relationship.objects.bulk_update(
            rows, ["from_person", "to_person", "type", "from_on", "to_on", "source_record"]
        )
        if changed:  # an earlier version without a relationship row: create one
            relationships_write(
                [
                    RelationshipValue(
                        source_record_id=i.source_record_id,
                        previous_record_id=None,
                        from_person_id=i.from_person_id,
                        to_person_id=i.to_person_id,
                        type=i.type,
                        from_on=i.from_on,
                        to_on=i.to_on,
                    )
                    for i in changed.values()
                ],
                adapter=adapter,
            )


def _batches(values: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(values), _IN_BATCH):
        yield values[start : start + _IN_BATCH]
