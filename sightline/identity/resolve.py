"""Deterministic linking of new person records, for the ingest pipeline.

A new record joins an existing person when one of its VALID identifiers — NHS number, then
UPN, then PNC id — matches a valid identifier of the same scheme held by exactly one person,
and that person does not hold a different valid NHS number or UPN than the record (two valid
NHS numbers, or two UPNs, are two children however alike the names). Invalid identifiers are
never offered (records.ingest.lines.PersonLine.linking_identifiers).

When the strongest scheme that matches anyone matches several people, the record is not
linked at all: which of them it is becomes a question for probabilistic linkage and a person.

Records of the same chunk are linked to each other by the same rules (two lines with one
valid NHS number are one child), so a file links the same whether it is read in one chunk or
many: earlier chunks are already in the database when later ones are resolved.

`decide` is the pure rule; `IdentifierResolver.resolve` gathers its facts with one query per
scheme (plus one for conflicts and one for merges), whatever the chunk size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from sightline.core.lookups import key_by_key
from sightline.identity import services
from sightline.people.identifiers import EXCLUSIVE_SCHEMES, LINKING_SCHEMES
from sightline.people.models import Identifier, Person
from sightline.records.ingest.hooks import PersonCandidate, PersonLink, PersonMatch

_IN_BATCH = 2000

# A target is an existing person ("person", id) or a new person started by an earlier
# candidate of the chunk ("new", candidate position).
Target = tuple[str, int]


@dataclass
class Known:
    """What the database holds about the identifiers of a chunk: scheme -> value -> people
    holding it; and person -> scheme -> the valid values they hold (exclusive schemes)."""

    holders: dict[str, dict[str, set[int]]] = field(default_factory=dict)
    held: dict[int, dict[str, set[str]]] = field(default_factory=dict)


def decide(candidates: Sequence[PersonCandidate], known: Known) -> list[PersonMatch]:
    """Link each candidate (pure; see the module docstring)."""
    holders: dict[str, dict[str, set[Target]]] = {
        scheme: {v: {("person", p) for p in people} for v, people in values.items()}
        for scheme, values in known.holders.items()
    }
    held: dict[Target, dict[str, set[str]]] = {
        ("person", p): {s: set(v) for s, v in schemes.items()} for p, schemes in known.held.items()
    }
    matches: list[PersonMatch] = []
    for position, candidate in enumerate(candidates):
        ids = candidate.identifiers
        match, target = None, None
        for scheme in LINKING_SCHEMES:
            value = ids.get(scheme)
            if not value:
                continue
            found = {
                t
                for t in holders.get(scheme, {}).get(value, set())
                if not _conflicts(held.get(t, {}), ids)
            }
            if len(found) > 1:
                people = sorted(_describe(t) for t in found)
                match = PersonMatch(
                    method="first_seen",
                    explanation={"ambiguous": scheme, "value": value, "people": people},
                )
                break
            if found:
                target = found.pop()
                explanation = {"scheme": scheme, "value": value}
                if target[0] == "person":
                    match = PersonMatch(method=scheme, person_id=target[1], explanation=explanation)
                else:
                    match = PersonMatch(method=scheme, same_as=target[1], explanation=explanation)
                break
        if match is None:
            match = PersonMatch(
                method="first_seen", explanation={"reason": "no identifier matched"}
            )
        if target is None:
            target = ("new", position)
        matches.append(match)
        # Later candidates of the chunk see this one's identifiers on its person.
        for scheme, value in ids.items():
            holders.setdefault(scheme, {}).setdefault(value, set()).add(target)
            if scheme in EXCLUSIVE_SCHEMES:
                held.setdefault(target, {}).setdefault(scheme, set()).add(value)
    return matches


def _conflicts(held: Mapping[str, set[str]], ids: Mapping[str, str]) -> bool:
    for scheme in EXCLUSIVE_SCHEMES:
        value = ids.get(scheme)
        if value and held.get(scheme) and value not in held[scheme]:
            return True
    return False


def _describe(target: Target) -> str:
    if target[0] == "person":
        return f"person {target[1]}"
    return f"line {target[1] + 1} of this chunk"


def known_for(candidates: Sequence[PersonCandidate]) -> Known:
    """Gather, from the database, who holds the candidates' identifiers."""
    known = Known()
    for scheme in LINKING_SCHEMES:
        values = sorted({c.identifiers[scheme] for c in candidates if c.identifiers.get(scheme)})
        found: dict[str, set[int]] = defaultdict(set)
        for start in range(0, len(values), _IN_BATCH):
            for value, person_id in _holding(scheme, values[start : start + _IN_BATCH]):
                found[value].add(person_id)
        known.holders[scheme] = dict(found)
    people = {p for values in known.holders.values() for ps in values.values() for p in ps}
    survivors = _survivors(people)
    if any(survivors[p] != p for p in people):
        known.holders = {
            scheme: {v: {survivors[p] for p in ps} for v, ps in values.items()}
            for scheme, values in known.holders.items()
        }
        people = set(survivors.values())
    ids = sorted(people)
    held: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for start in range(0, len(ids), _IN_BATCH):
        for person_id, scheme, value in Identifier.objects.filter(
            person_id__in=ids[start : start + _IN_BATCH],
            scheme__in=EXCLUSIVE_SCHEMES,
            is_valid=True,
        ).values_list("person_id", "scheme", "value"):
            held[person_id][scheme].add(value)
    known.held = {p: dict(s) for p, s in held.items()}
    return known


def _holding(scheme: str, values: list[str]) -> list[tuple[str, int]]:
    """(value, person id) of the valid identifiers of this scheme with these values."""
    if connection.vendor != "postgresql":
        return list(
            Identifier.objects.filter(scheme=scheme, is_valid=True, value__in=values).values_list(
                "value", "person_id"
            )
        )
    # Value by value (core.lookups.key_by_key): a scheme the statistics had seen little of (a
    # police feed's first PNC ids) was matched on the scheme alone, reading every identifier of
    # it for every chunk.
    sql = key_by_key(
        Identifier._meta.db_table,
        ["value", "person_id"],
        key="value",
        key_type="text",
        where='"scheme" = %s AND "is_valid"',
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [values, scheme])
        return [(value, person_id) for value, person_id in cursor.fetchall()]


def _survivors(people: set[int]) -> dict[int, int]:
    """Each person -> the person they were merged into (followed to the end), or themselves."""
    survivor = {p: p for p in people}
    pending = set(people)
    for _ in range(10):  # merge chains are short; stop rather than loop on a cycle
        if not pending:
            break
        ids = sorted(pending)
        merged: dict[int, int] = {}
        for start in range(0, len(ids), _IN_BATCH):
            merged.update(
                Person.objects.filter(
                    pk__in=ids[start : start + _IN_BATCH], merged_into__isnull=False
                ).values_list("pk", "merged_into_id")
            )
        pending = set()
        for p, target in survivor.items():
            if target in merged:
                survivor[p] = merged[target]
                pending.add(merged[target])
    return survivor


class IdentifierResolver:
    """The person resolver identity registers with the ingest pipeline."""

    def resolve(self, candidates: Sequence[PersonCandidate]) -> list[PersonMatch]:
        if not candidates:
            return []
        return decide(candidates, known_for(candidates))

    def record(self, *, actor: Any, links: Sequence[PersonLink]) -> None:
        services.identity_links_record(actor=actor, links=links)
