"""Which person ids a Sightline reference stands for, and each id's reference: for pages of
lower apps that hold person ids and no access to people (governance's auditor pages, through
core.extensions.register_person_directory). Identity only: no names, no story."""

from __future__ import annotations

from collections.abc import Sequence

from sightline.people.models import Person

_IN = 2000


def ids_for_reference(reference: str) -> list[int]:
    """The person with this reference, the person they were merged into (followed to the end),
    and everyone merged into that person: one child, under every id they have had."""
    typed = reference.strip()
    row = Person.objects.filter(reference__in={typed, typed.upper()}).values_list(
        "pk", "merged_into_id"
    )
    found = row.first()
    if found is None:
        return []
    pk: int = found[0]
    into: int | None = found[1]
    seen = {pk}
    while into is not None and into not in seen:  # up to the survivor
        seen.add(into)
        pk = into
        into = Person.objects.filter(pk=pk).values_list("merged_into_id", flat=True).first()
    group, frontier = {pk}, [pk]
    while frontier:  # down to everyone merged into it
        frontier = [
            p
            for p in Person.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True)
            if p not in group
        ]
        group.update(frontier)
    return sorted(group)


def references(ids: Sequence[int]) -> dict[int, str]:
    wanted = sorted({i for i in ids if i is not None})
    out: dict[int, str] = {}
    for start in range(0, len(wanted), _IN):
        chunk = wanted[start : start + _IN]
        out.update(Person.objects.filter(pk__in=chunk).values_list("pk", "reference"))
    return out
