"""Validated lines: plain values, already parsed (dates, identifiers), ready to write.

`payload` is the line as received (JSON text) and `payload_hash` the SHA-256 of its canonical
form, which decides whether a line seen before has changed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sightline.people.identifiers import LINKING_SCHEMES, IdentifierCheck


@dataclass(frozen=True, slots=True)
class LineError:
    """One reason a line was refused. `line` 0 means the file as a whole."""

    line: int
    field: str
    reason: str


@dataclass(slots=True, kw_only=True)
class Line:
    line_no: int
    kind: str
    source: str
    source_id: str
    payload: str
    payload_hash: str
    raw: str = ""

    def references(self) -> list[str]:
        """The source_ids of the person lines this line refers to."""
        return []

    def reference_field(self, index: int) -> str:
        """The field holding `references()[index]`, for error messages."""
        return ""


@dataclass(slots=True, kw_only=True)
class Address:
    line: str
    postcode: str
    from_on: dt.date | None
    to_on: dt.date | None


@dataclass(slots=True, kw_only=True)
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


@dataclass(slots=True, kw_only=True)
class Subject:
    source_id: str
    role: str


@dataclass(slots=True, kw_only=True)
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


@dataclass(slots=True, kw_only=True)
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


@dataclass(slots=True, kw_only=True)
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
