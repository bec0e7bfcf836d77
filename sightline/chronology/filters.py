"""The filters of the child's story, read from a query string (page, export and API alike).

Pure: `parse_story_filters` turns submitted values into a `StoryFilters` and GOV.UK error
messages; an invalid part is reported and not applied, the rest still filters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sightline.chronology.dateinput import (
    PARTS,
    DateError,
    DateResult,
    not_in_future,
    read_date,
)
from sightline.chronology.vocabulary import entry_types, themes


class QueryLike(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...
    def getlist(self, key: str) -> list[str]: ...


@dataclass(frozen=True)
class StoryFilters:
    agencies: tuple[int, ...] = ()
    themes: tuple[str, ...] = ()
    type: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    significant_only: bool = False
    as_known_on: dt.date | None = None

    @property
    def is_filtered(self) -> bool:
        """Whether any filter (other than "as known on") narrows the story."""
        return bool(
            self.agencies
            or self.themes
            or self.type
            or self.date_from
            or self.date_to
            or self.significant_only
        )

    def query(self, *, include_known_on: bool = True) -> list[tuple[str, str]]:
        """Canonical query-string pairs, for links that keep the filters (paging, export)."""
        pairs: list[tuple[str, str]] = [("agency", str(a)) for a in self.agencies]
        pairs += [("theme", t) for t in self.themes]
        if self.type:
            pairs.append(("type", self.type))
        if self.date_from:
            pairs.append(("from", self.date_from.isoformat()))
        if self.date_to:
            pairs.append(("to", self.date_to.isoformat()))
        if self.significant_only:
            pairs.append(("significant", "1"))
        if include_known_on and self.as_known_on:
            pairs.append(("as_known_on", self.as_known_on.isoformat()))
        return pairs

    def audit_detail(self) -> dict[str, Any]:
        """What the viewer asked for, for the audit log (ids and codes, no free text)."""
        detail: dict[str, Any] = {}
        for key, value in self.query():
            if key in ("agency", "theme"):
                detail.setdefault(key, []).append(value)
            else:
                detail[key] = value
        return detail

    def describe(self, agency_names: Mapping[int, str]) -> list[str]:
        """Human-readable lines ("Agency: Police, School"), for exports and the page."""
        lines = []
        if self.agencies:
            names = [agency_names.get(a, f"agency {a}") for a in self.agencies]
            lines.append("Agency: " + ", ".join(names))
        if self.themes:
            lines.append("Theme: " + ", ".join(themes().get(t, t) for t in self.themes))
        if self.type:
            lines.append("Entry type: " + entry_types()[self.type].label)
        if self.date_from:
            lines.append(f"From: {_long(self.date_from)}")
        if self.date_to:
            lines.append(f"To: {_long(self.date_to)}")
        if self.significant_only:
            lines.append("Significant entries only")
        return lines


def _long(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


@dataclass(frozen=True)
class ParsedFilters:
    filters: StoryFilters
    # field id (the box the error summary links to) -> message
    errors: dict[str, str] = field(default_factory=dict)
    # boxes of each date input to mark as in error, by date input prefix
    error_parts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # what the user typed, by date input prefix, to show back in the boxes
    raw_dates: dict[str, dict[str, str]] = field(default_factory=dict)


def _single(params: QueryLike, key: str) -> str:
    value = params.get(key)
    return value.strip() if isinstance(value, str) else ""


def _date_values(params: QueryLike, prefix: str) -> dict[str, str]:
    keys = (prefix, f"{prefix}-day", f"{prefix}-month", f"{prefix}-year")
    return {k: _single(params, k) for k in keys}


def parse_story_filters(params: QueryLike, *, today: dt.date) -> ParsedFilters:
    agencies = tuple(
        sorted({int(a) for a in params.getlist("agency") if a.strip().isdigit() and int(a) > 0})
    )
    known_themes = themes()
    chosen_themes = tuple(t for t in known_themes if t in set(params.getlist("theme")))
    type_code = _single(params, "type")
    entry_type = type_code if type_code in entry_types() else None
    significant_only = _single(params, "significant") in ("1", "true", "on", "yes")

    errors: dict[str, str] = {}
    error_parts: dict[str, tuple[str, ...]] = {}
    raw_dates: dict[str, dict[str, str]] = {}

    def take(result: DateResult, prefix: str) -> dt.date | None:
        raw_dates[prefix] = result.raw
        if result.error is not None:
            _add(errors, error_parts, prefix, result.error)
            return None
        return result.value

    from_result = read_date(_date_values(params, "from"), "from", "Date from")
    date_from = take(not_in_future(from_result, "from", "Date from", today), "from")
    date_to = take(read_date(_date_values(params, "to"), "to", "Date to"), "to")
    if date_from and date_to and date_to < date_from:
        _add(
            errors,
            error_parts,
            "to",
            DateError("Date to must be the same as or after date from", "to-day", PARTS),
        )
        date_to = None
    label = "The \u2018as known on\u2019 date"
    known = read_date(_date_values(params, "as_known_on"), "as_known_on", label)
    as_known_on = take(not_in_future(known, "as_known_on", label, today), "as_known_on")
    return ParsedFilters(
        StoryFilters(
            agencies=agencies,
            themes=chosen_themes,
            type=entry_type,
            date_from=date_from,
            date_to=date_to,
            significant_only=significant_only,
            as_known_on=as_known_on,
        ),
        errors,
        error_parts,
        raw_dates,
    )


def _add(
    errors: dict[str, str],
    error_parts: dict[str, tuple[str, ...]],
    prefix: str,
    error: DateError,
) -> None:
    errors[error.field] = error.message
    error_parts[prefix] = error.parts


def from_mapping(
    values: Mapping[str, str | Sequence[str] | None], *, today: dt.date
) -> ParsedFilters:
    """Parse from a plain mapping (the API's query parameters)."""

    class _Params:
        def get(self, key: str, default: Any = None) -> Any:
            value = values.get(key, default)
            if isinstance(value, list | tuple):
                return value[-1] if value else default
            return value

        def getlist(self, key: str) -> list[str]:
            value = values.get(key)
            if value is None:
                return []
            if isinstance(value, list | tuple):
                return [str(v) for v in value]
            return [str(value)]

    return parse_story_filters(_Params(), today=today)
