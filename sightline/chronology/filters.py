"""The filters of the child's story, read from a query string (page, export and API alike).

Pure: `parse_story_filters` turns submitted values into a `StoryFilters` and GOV.UK error
messages; an invalid part is reported and not applied, the rest still filters."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sightline.chronology.vocabulary import entry_types, themes
from sightline.core.dateinput import (
    PARTS,
    DateError,
    DateResult,
    not_in_future,
    read_date,
)


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
    def selects_on_content(self) -> bool:
        """Whether a filter selects on what an entry is (its type, theme or significance),
        which a viewer not cleared to read an entry may not know: such filters leave restricted
        entries out rather than say whether they match."""
        return bool(self.themes or self.type or self.significant_only)

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

    @property
    def as_known_on_failed(self) -> bool:
        """An "as known on" date was asked for and could not be read: the story must not be
        shown (today's story would pass for the past one)."""
        return any(name.startswith("as_known_on") for name in self.errors)


def _single(params: QueryLike, key: str) -> str:
    value = params.get(key)
    return value.strip() if isinstance(value, str) else ""


def _date_values(params: QueryLike, prefix: str) -> dict[str, str]:
    keys = (prefix, f"{prefix}-day", f"{prefix}-month", f"{prefix}-year")
    return {k: _single(params, k) for k in keys}


# An agency is chosen by its id: a positive database integer (a bigger number is no agency,
# and the database would refuse to compare with it).
_AGENCY_ID = re.compile(r"[0-9]{1,19}")
_MAX_ID = 2**63 - 1
# The latest "Date to" (a later one means "to the end" anyway; dates must stay computable).
LATEST_TO = dt.date(2099, 12, 31)


def _agency_ids(values: list[str]) -> tuple[tuple[int, ...], bool]:
    """(the agency ids asked for, whether any value was not an agency id)."""
    ids: set[int] = set()
    bad = False
    for value in values:
        text = value.strip() if isinstance(value, str) else ""
        if not text:
            continue
        if _AGENCY_ID.fullmatch(text) and 0 < int(text) <= _MAX_ID:
            ids.add(int(text))
        else:
            bad = True
    return tuple(sorted(ids)), bad


def parse_story_filters(params: QueryLike, *, today: dt.date) -> ParsedFilters:
    errors: dict[str, str] = {}
    error_parts: dict[str, tuple[str, ...]] = {}
    raw_dates: dict[str, dict[str, str]] = {}

    agencies, bad_agency = _agency_ids(params.getlist("agency"))
    if bad_agency:
        errors["agency"] = "Select an agency from the list"
    known_themes = themes()
    asked_themes = {t.strip() for t in params.getlist("theme") if isinstance(t, str) and t.strip()}
    chosen_themes = tuple(t for t in known_themes if t in asked_themes)
    if asked_themes - set(known_themes):
        errors["theme"] = "Select a theme from the list"
    type_code = _single(params, "type")
    entry_type = type_code if type_code in entry_types() else None
    if type_code and entry_type is None:
        errors["type"] = "Select an entry type from the list"
    significant_only = _single(params, "significant") in ("1", "true", "on", "yes")

    def take(result: DateResult, prefix: str) -> dt.date | None:
        raw_dates[prefix] = result.raw
        if result.error is not None:
            _add(errors, error_parts, prefix, result.error)
            return None
        return result.value

    from_result = read_date(_date_values(params, "from"), "from", "Date from")
    date_from = take(not_in_future(from_result, "from", "Date from", today), "from")
    date_to = take(_not_after(read_date(_date_values(params, "to"), "to", "Date to")), "to")
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


def _not_after(result: DateResult) -> DateResult:
    if result.value is not None and result.value > LATEST_TO:
        return DateResult(
            None,
            result.raw,
            DateError("Date to must be before 1 January 2100", "to-year", ("year",)),
        )
    return result


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


def clean_purpose(value: Any) -> str:
    """The `?purpose=` a viewer gives, as the audit log keeps it: printable text, at most 200
    characters (PostgreSQL refuses a NUL in text; control characters have no place in a log)."""
    text = value if isinstance(value, str) else ""
    printable = "".join(c for c in text if unicodedata.category(c)[0] != "C")
    return printable.strip()[:200]
