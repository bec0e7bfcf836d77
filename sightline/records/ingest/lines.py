"""Validated lines: plain values, already parsed (dates, identifiers), ready to write.

`payload` is the line as received (JSON text) and `payload_hash` the SHA-256 of its canonical
form, which decides whether a line seen before has changed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import Any

from sightline.people.identifiers import LINKING_SCHEMES, IdentifierCheck


@dataclass(frozen=True, slots=True)
class LineError:
    """One reason a line was refused. `line` 0 means the file as a whole."""

    line: int
    field: str
    reason: str


# Lines are built by keyword (validate.py) but rebuilt positionally from a packed tuple
# (line_unpack), which a dataclass's own __init__ does fastest: so no field has a default but
# the last of EntryLine.
@dataclass(slots=True)
class Line:
    line_no: int
    kind: str
    source: str
    source_id: str
    payload: str
    payload_hash: str
    raw: str  # the line as received ("" until the reader sets it)

    def references(self) -> list[str]:
        """The source_ids of the person lines this line refers to."""
        return []

    def reference_field(self, index: int) -> str:
        """The field holding `references()[index]`, for error messages."""
        return ""


@dataclass(slots=True)
class Address:
    line: str
    postcode: str
    from_on: dt.date | None
    to_on: dt.date | None


@dataclass(slots=True)
class PersonLine(Line):
    agency_kind: str | None
    given_names: str
    family_name: str
    aliases: list[tuple[str, str]]
    birth_date: dt.date | None
    birth_date_precision: str
    sex: str
    ethnicity: str
    identifiers: list[IdentifierCheck]
    addresses: list[Address]

    def linking_identifiers(self) -> dict[str, str]:
        """Valid identifiers that may link this record to others (scheme -> value)."""
        return {
            check.scheme: check.value
            for check in self.identifiers
            if check.is_valid and check.scheme in LINKING_SCHEMES
        }


@dataclass(slots=True)
class Subject:
    source_id: str
    role: str


@dataclass(slots=True)
class EntryLine(Line):
    agency_kind: str
    type: str
    occurred_at: dt.datetime
    precision: str
    has_time: bool
    ended_at: dt.datetime | None
    recorded_at: dt.datetime
    subjects: list[Subject]
    summary: str
    detail: str
    grade: str
    sensitivity: str
    intelligence_grade: dict[str, Any] | None
    location_postcode: str
    location_label: str
    is_significant: bool = False

    def references(self) -> list[str]:
        return [s.source_id for s in self.subjects]

    def reference_field(self, index: int) -> str:
        return f"subjects[{index}].source_id"


@dataclass(slots=True)
class RelationshipLine(Line):
    from_id: str
    to_id: str
    type: str
    from_on: dt.date | None
    to_on: dt.date | None

    def references(self) -> list[str]:
        return [self.from_id, self.to_id]

    def reference_field(self, index: int) -> str:
        return ("from", "to")[index]


@dataclass(slots=True)
class InvolvementLine(Line):
    person: str
    agency_kind: str
    team: str
    practitioner_name: str
    practitioner_role: str
    practitioner_email: str
    practitioner_phone: str
    is_lead: bool
    started_on: dt.date
    ended_on: dt.date | None

    def references(self) -> list[str]:
        return [self.person]

    def reference_field(self, index: int) -> str:
        return "person"


@dataclass(slots=True)
class Counts:
    read: int = 0
    created: int = 0
    superseded: int = 0
    unchanged: int = 0
    rejected: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "created": self.created,
            "superseded": self.superseded,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "by_kind": dict(self.by_kind),
        }


# -- packing lines as plain tuples -----------------------------------------------------------
#
# Lines checked in another process (reading.py) cross a pipe. Pickle rebuilds a slotted
# dataclass through a Python-level path several times slower than a tuple of its values, so a
# line travels as (kind code, *values), its nested objects as tuples too.

_LINE_CLASSES: tuple[type[Line], ...] = (PersonLine, EntryLine, RelationshipLine, InvolvementLine)
_CODES = {cls: code for code, cls in enumerate(_LINE_CLASSES)}
_NAMES = {cls: tuple(f.name for f in fields(cls)) for cls in _LINE_CLASSES}
# The fields holding lists of objects, and how each item is packed and rebuilt.
_NESTED: dict[str, tuple[Any, Any]] = {
    "subjects": (lambda s: (s.source_id, s.role), lambda t: Subject(*t)),
    "addresses": (
        lambda a: (a.line, a.postcode, a.from_on, a.to_on),
        lambda t: Address(*t),
    ),
    "identifiers": (
        lambda c: (c.scheme, c.value, c.is_valid, c.reason),
        lambda t: IdentifierCheck(*t),
    ),
}
_NESTED_AT = {
    cls: tuple((i, _NESTED[name]) for i, name in enumerate(_NAMES[cls]) if name in _NESTED)
    for cls in _LINE_CLASSES
}


def line_pack(line: Line) -> tuple[Any, ...]:
    """The line as (kind code, *field values), nested objects as tuples."""
    cls = line.__class__
    values = [getattr(line, name) for name in _NAMES[cls]]
    for index, (pack, _) in _NESTED_AT[cls]:
        values[index] = [pack(item) for item in values[index]]
    return (_CODES[cls], *values)


def line_unpack(packed: tuple[Any, ...]) -> Line:
    """The line `line_pack` packed."""
    cls = _LINE_CLASSES[packed[0]]
    line: Line = cls(*packed[1:])
    for index, (_, unpack) in _NESTED_AT[cls]:
        name = _NAMES[cls][index]
        setattr(line, name, [unpack(item) for item in getattr(line, name)])
    return line
