"""Extension points of the ingest pipeline, filled by apps the pipeline may not import
(docs/adr/0006-extension-points-across-layers.md).

`records` sits beside `chronology` and below `identity` and `cases` in the layer order, so:

- identity registers the **person resolver** that links a new person record to a person
  already known (deterministic identifiers) and records how each record was linked;
- the apps above `records | chronology` register the **writers** of the line kinds whose rows
  they own: `entry` (chronology.bulk, wired by cases.ingest) and `involvement` (cases);
- chronology's entry-type vocabulary and its text limits arrive the same way
  (`register_entry_types`, `register_entry_text_limits`).

Register in `AppConfig.ready()`; re-registration replaces (autoreload, tests).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sightline.core.fastinsert import Adapter
from sightline.records.ingest.lines import Line


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """The registered source system a line came from."""

    id: int
    code: str
    agency_id: int
    agency_kind: str
    access_scope: str  # "agency" or "team" (records.models.SourceSystem.AccessScope)


@dataclass(slots=True)
class WriteContext:
    actor: Any
    batch_id: int
    source: SourceInfo
    adapter: Adapter
    # agency kind -> the id of the agency a line of that kind belongs to (the source's own
    # agency when the kinds agree, else the partnership's agency of that kind).
    agency_for_kind: Callable[[str], int]
    # Kept for the whole batch (every chunk, every source): what a writer gathers across
    # chunks, such as the entries it announces once after commit (cases.ingest).
    batch_state: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class WriteItem:
    """One new or changed line to write, with everything it refers to already resolved."""

    line: Line
    source_record_id: int
    # The current version this one supersedes; None for a new record.
    previous_record_id: int | None
    # The agency the line's `agency` field names (entries, involvements).
    agency_id: int | None
    # Person ids of `line.references()`, in the same order.
    people: list[int] = field(default_factory=list)


LineWriter = Callable[[WriteContext, Sequence[WriteItem]], None]


@dataclass(frozen=True, slots=True)
class PersonCandidate:
    """A new person record to resolve: its position in the chunk and its VALID linking
    identifiers (scheme -> normalised value; invalid ones are never offered)."""

    index: int
    identifiers: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class PersonMatch:
    """The resolver's answer for one candidate: link to an existing person (`person_id`), to
    the person of an earlier candidate of the same chunk (`same_as`), or neither (a new
    person; `method` "first_seen")."""

    method: str
    person_id: int | None = None
    same_as: int | None = None
    explanation: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PersonLink:
    """How a person source record came to belong to its person (identity.IdentityLink)."""

    source_record_id: int
    person_id: int
    method: str
    explanation: Mapping[str, Any]


class PersonResolver(Protocol):
    def resolve(self, candidates: Sequence[PersonCandidate]) -> list[PersonMatch]:
        """One answer per candidate, in order. Must query per scheme, not per candidate."""
        ...

    def record(self, *, actor: Any, links: Sequence[PersonLink]) -> None:
        """Store the links (same transaction as the records)."""
        ...


_person_resolver: PersonResolver | None = None
_writers: dict[str, LineWriter] = {}
_entry_types: Callable[[], Mapping[str, bool]] | None = None
_entry_text_limits: Callable[[], Mapping[str, int]] | None = None


def register_person_resolver(resolver: PersonResolver) -> None:
    global _person_resolver
    _person_resolver = resolver


def person_resolver() -> PersonResolver | None:
    return _person_resolver


def register_line_writer(kind: str, writer: LineWriter) -> None:
    _writers[kind] = writer


def line_writer(kind: str) -> LineWriter | None:
    return _writers.get(kind)


def register_entry_types(provider: Callable[[], Mapping[str, bool]]) -> None:
    """`provider()` gives entry type code -> whether it is significant."""
    global _entry_types
    _entry_types = provider


def entry_types() -> Mapping[str, bool]:
    return _entry_types() if _entry_types is not None else {}


def register_entry_text_limits(provider: Callable[[], Mapping[str, int]]) -> None:
    """`provider()` gives the longest `summary` and `detail` an entry may have (characters):
    the chronology's own limits, so an imported entry and one typed into the form meet the
    same ones."""
    global _entry_text_limits
    _entry_text_limits = provider


def entry_text_limits() -> Mapping[str, int]:
    return _entry_text_limits() if _entry_text_limits is not None else {}
