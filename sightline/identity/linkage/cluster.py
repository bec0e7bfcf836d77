"""Group linked records into people: connected components with constraints (pure Python).

Edges are taken strongest first. An edge is refused when it would put two different valid NHS
numbers into one person (whatever the weight: a reviewer's confirmation cannot override it
either), or when one side of it was rejected against the other by a person (`cannot_link`).
Refused edges are returned so they can be shown for review rather than silently dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass
class Clusters:
    person_of: dict[str, str]  # record unique id -> cluster id (the smallest member id)
    refused: list[tuple[str, str, str]] = field(default_factory=list)  # (l, r, why)

    def members(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for uid, person in self.person_of.items():
            out.setdefault(person, []).append(uid)
        return out


def cluster(
    record_ids: Iterable[str],
    edges: Iterable[tuple[str, str, float]],
    *,
    nhs_numbers: Mapping[str, str | None] | None = None,
    cannot_link: Iterable[tuple[str, str]] = (),
) -> Clusters:
    """Connected components over `edges` (l, r, weight), strongest first, with the constraints."""
    parent: dict[str, str] = {}
    nhs: dict[str, str | None] = {}
    blocked: dict[str, set[str]] = {}  # root -> records its members were rejected against
    nhs_numbers = nhs_numbers or {}

    def find(x: str) -> str:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for uid in record_ids:
        parent[uid] = uid
        nhs[uid] = nhs_numbers.get(uid)
    for a, b in cannot_link:
        if a in parent and b in parent:
            blocked.setdefault(a, set()).add(b)
            blocked.setdefault(b, set()).add(a)

    refused: list[tuple[str, str, str]] = []
    for left, right, _weight in sorted(edges, key=lambda e: -e[2]):
        for uid in (left, right):
            if uid not in parent:
                parent[uid] = uid
                nhs[uid] = nhs_numbers.get(uid)
        ra, rb = find(left), find(right)
        if ra == rb:
            continue
        na, nb = nhs[ra], nhs[rb]
        if na and nb and na != nb:
            refused.append((left, right, "different_nhs_numbers"))
            continue
        if blocked and (
            any(find(x) == rb for x in blocked.get(ra, ()))
            or any(find(x) == ra for x in blocked.get(rb, ()))
        ):
            refused.append((left, right, "rejected_by_a_person"))
            continue
        # Union by smaller id, so a cluster's id is its smallest member.
        keep, gone = (ra, rb) if ra < rb else (rb, ra)
        parent[gone] = keep
        nhs[keep] = na or nb
        if blocked and gone in blocked:
            blocked.setdefault(keep, set()).update(blocked.pop(gone))
    return Clusters({uid: find(uid) for uid in parent}, refused)


def ambiguous_weak_links(
    strong: Iterable[tuple[str, str, float]],
    weak: Iterable[tuple[str, str, float]],
    *,
    person_of: Mapping[str, str] | None = None,
    attributes: Mapping[str, tuple[str | None, str | None]] | None = None,
) -> set[tuple[str, str]]:
    """Weak automatic links (no first name or no birth date on one side) that must go to review.

    A record lacking the detail that tells family members apart, linking to two people who
    differ (twins with different first names; a parent and child of one name, born years apart),
    could be either: none of its weak links stands. People are the components of the strong
    links, or `person_of` (for incremental runs). `attributes` gives each record's first name and
    birth date; without it any two people differ. Two people who share a first name and a birth
    year are probably one child split in two, and the record may join them."""
    strong = list(strong)
    weak = list(weak)
    ids = {uid for e in strong + weak for uid in e[:2]}
    known = person_of or {}
    groups = cluster(ids, strong).person_of

    def person(uid: str) -> str:
        return known.get(uid) or groups.get(uid, uid)

    names: dict[str, set[str]] = {}
    years: dict[str, set[int]] = {}
    for uid, (first_name, dob) in (attributes or {}).items():
        p = person(uid)
        if first_name:
            names.setdefault(p, set()).add(first_name)
        if dob:
            years.setdefault(p, set()).add(int(dob[:4]))

    def differ(a: str, b: str) -> bool:
        if attributes is None:
            return True
        if names.get(a) and names.get(b) and not names[a] & names[b]:
            return True
        ya, yb = years.get(a), years.get(b)
        return bool(ya and yb and all(abs(x - y) > 1 for x in ya for y in yb))

    reached: dict[str, set[str]] = {}
    for left, right, _ in weak:
        reached.setdefault(left, set()).add(person(right))
        reached.setdefault(right, set()).add(person(left))
    ambiguous = set()
    for uid, people in reached.items():
        others = sorted(people - {person(uid)})
        if any(differ(a, b) for i, a in enumerate(others) for b in others[i + 1 :]):
            ambiguous.add(uid)
    return {(left, right) for left, right, _ in weak if left in ambiguous or right in ambiguous}
