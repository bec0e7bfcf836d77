"""Validating sightline/1 lines: pure functions over parsed JSON, no database.

`LineValidator.validate` checks one line on its own (fields, types, vocabularies, dates,
consistency) and returns a typed line (lines.py) or the reasons it was refused. Rules that need
other lines — duplicate keys, references to person lines, registered sources — are checked by
the pipeline with the same error shape. Every reason is written for the data officer who has to
fix the feed: it names the field and says what a good value looks like.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import orjson

from sightline.core.dates import LONDON, PartialDateError, parse_partial
from sightline.core.text import CONTROL, CONTROL_MULTILINE
from sightline.people.identifiers import IdentifierCheck, check_identifier
from sightline.records.ingest import spec
from sightline.records.ingest.lines import (
    Address,
    EntryLine,
    InvolvementLine,
    Line,
    LineError,
    PersonLine,
    RelationshipLine,
    Subject,
)

FULL_DATE = "must be a date, like 2019-03-04"
PARTIAL_DATE = "must be a year, year-month or date, like 2019, 2019-03 or 2019-03-04"
TIMESTAMP = "must be a date, optionally with a time, like 2019-08-04 or 2019-08-04T09:30"


@dataclass(frozen=True)
class Vocabulary:
    """The controlled vocabularies a line is checked against (data, so tests can vary them)."""

    agency_kinds: frozenset[str]
    # entry type code -> whether it is significant (highlighted in the child's story)
    entry_types: Mapping[str, bool]
    # The longest summary and detail an entry may have: the chronology's own limits, the same
    # as its form's (hooks.register_entry_text_limits).
    entry_text_limits: Mapping[str, int] = field(default_factory=dict)


# Control characters (C0, DEL, C1) are never part of a name, a code or a sentence: a NUL or an
# escape sequence in a feed is a fault (or an attack on whoever reads the text in a terminal).
# Only the multi-line fields keep tabs and line breaks (core.text, the forms' rule too).
_CONTROL = CONTROL
_CONTROL_MULTILINE = CONTROL_MULTILINE


class When:
    """A parsed partial date (as core.dates.PartialDate, lighter: millions are made)."""

    __slots__ = ("has_time", "precision", "start")

    def __init__(self, start: dt.datetime, precision: str, has_time: bool) -> None:
        self.start = start
        self.precision = precision
        self.has_time = has_time


def _partial(value: str, precision: str | None) -> When:
    """`core.dates.parse_partial`, with a fast path for the shapes feeds send most
    (`2019-08-03T22:10` and `2019-08-03` at day precision) giving exactly the same result; the
    tests compare the two. Everything else, and every error, goes through parse_partial."""
    n = len(value)
    if (
        (n == 16 or n == 10)
        and (precision is None or precision == "day")
        and value[4] == "-"
        and value[7] == "-"
        and (n == 10 or (value[10] in "T " and value[13] == ":"))
        and value.isascii()
        and (value[0:4] + value[5:7] + value[8:10] + value[11:13] + value[14:16]).isdigit()
        and value[0:4] >= "1900"
    ):
        try:
            naive = dt.datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return When(naive.replace(tzinfo=LONDON), "day", n == 16)
    return _parse_partial(value, precision)


partial_when = _partial  # for the pipeline: a date it stored, read back


@lru_cache(maxsize=100_000)
def _parse_partial(value: str, precision: str | None) -> When:
    parsed = parse_partial(value, precision)
    return When(parsed.start, parsed.precision.value, parsed.has_time)


def canonical_hash(obj: Mapping[str, Any]) -> str:
    """SHA-256 of the line's canonical form: null members left out (in the line and in its
    objects and lists of objects), keys sorted. A line sent again with the same content
    (whatever its key order, or a CSV instead of JSON) hashes the same, so it is recognised as
    unchanged."""
    canonical: dict[str, Any] = {}
    for key, value in obj.items():
        if value is None:
            continue
        if value.__class__ is dict:
            value = _without_nulls(value)
        elif value.__class__ is list:
            value = [_without_nulls(v) if v.__class__ is dict else v for v in value]
        canonical[key] = value
    return hashlib.sha256(orjson.dumps(canonical, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _without_nulls(obj: dict[str, Any]) -> Any:
    # The format nests objects two deep at most (a list of objects); deeper values are hashed
    # as given.
    return {k: v for k, v in obj.items() if v is not None}


class _Errors:
    """Collects (field, reason) for one line."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, name: str, reason: str) -> None:
        self.items.append((name, reason))


class LineValidator:
    """Checks lines one at a time against the format and the vocabularies."""

    def __init__(self, vocabulary: Vocabulary, *, now: dt.datetime) -> None:
        self.vocabulary = vocabulary
        self.now = now
        self.today = now.astimezone(LONDON).date()
        self._kinds: dict[str, Callable[[dict[str, Any], _Errors], dict[str, Any] | None]] = {
            spec.PERSON: self._person,
            spec.ENTRY: self._entry,
            spec.RELATIONSHIP: self._relationship,
            spec.INVOLVEMENT: self._involvement,
        }
        self._allowed = {kind: frozenset(names) for kind, names in spec.FIELDS.items()}

    # -- the line ------------------------------------------------------------------------------

    def validate(
        self,
        obj: Any,
        line_no: int,
        *,
        payload: str,
        default_format: str | None = None,
    ) -> tuple[Line | None, list[LineError]]:
        """Check one parsed line. `default_format` is the format declared by the file's first
        line, which later lines may leave out. `payload` is the line's text as received."""
        errors = _Errors()
        if not isinstance(obj, dict):
            return None, [LineError(line_no, "line", "must be a JSON object {…}")]
        fmt = obj.get("format", default_format)
        if fmt is None:
            errors.add("format", f'is required (on every line, or on the first): "{spec.FORMAT}"')
        elif fmt != spec.FORMAT:
            errors.add("format", f'must be "{spec.FORMAT}" (this importer reads that version)')
        given_kind = obj.get("kind")
        handler = self._kinds.get(given_kind) if isinstance(given_kind, str) else None
        if handler is None:
            reason = (
                "is required" if given_kind is None else f"must be one of {', '.join(spec.KINDS)}"
            )
            errors.add("kind", reason)
            return None, [LineError(line_no, f, r) for f, r in errors.items]
        kind = str(given_kind)
        allowed = self._allowed[kind]
        if not allowed.issuperset(obj):
            for name in obj:
                if name not in allowed:
                    errors.add(shown(name), f"is not a field of {_article(kind)} line")
        source = self._text(obj, "source", errors, required=True, limit=spec.MAX_LENGTH["source"])
        source_id = self._text(
            obj, "source_id", errors, required=True, limit=spec.MAX_LENGTH["source_id"]
        )
        values = handler(obj, errors)
        if errors.items or values is None:
            return None, [LineError(line_no, f, r) for f, r in errors.items]
        if "format" not in obj:
            obj = {"format": fmt, **obj}
        line_class = _LINE_CLASSES[kind]
        line = line_class(
            line_no=line_no,
            kind=kind,
            source=source,
            source_id=source_id,
            payload=payload,
            payload_hash=canonical_hash(obj),
            raw="",
            **values,
        )
        return line, []

    # -- kinds ----------------------------------------------------------------------------------

    def _person(self, obj: dict[str, Any], errors: _Errors) -> dict[str, Any] | None:
        agency = self._agency(obj, errors, required=False)
        given = self._text(obj, "given_names", errors, limit=spec.MAX_LENGTH["given_names"])
        family = self._text(obj, "family_name", errors, limit=spec.MAX_LENGTH["family_name"])
        aliases: list[tuple[str, str]] = []
        name_limit = spec.MAX_LENGTH["given_names"]
        for i, name in enumerate(self._list(obj, "other_names", errors)):
            path = f"other_names[{i}]"
            if not isinstance(name, str) or not name.strip():
                errors.add(path, 'must be a name, like "Jim Smith"')
            elif not _clean(name, path, errors):
                pass
            elif len(name) > spec.MAX_LENGTH["other_names[]"]:
                errors.add(path, f"must be at most {spec.MAX_LENGTH['other_names[]']} characters")
            else:
                given_part, family_part = split_name(name)
                if len(given_part) > name_limit or len(family_part) > name_limit:
                    errors.add(
                        path,
                        f"its given names and its family name (the last word) must each be at "
                        f"most {name_limit} characters",
                    )
                else:
                    aliases.append((given_part, family_part))
        birth_date: dt.date | None = None
        birth_precision = "day"
        raw_birth = obj.get("birth_date")
        if raw_birth is not None:
            parsed = self._partial(raw_birth, None, "birth_date", errors)
            if parsed is not None:
                birth_date = parsed.start.date()
                birth_precision = parsed.precision
                if birth_date > self.today:
                    errors.add("birth_date", "must not be in the future")
        sex = self._choice(obj, "sex", spec.SEXES, errors) or "unknown"
        ethnicity = self._choice(obj, "ethnicity", spec.ETHNICITIES, errors) or ""
        identifiers = self._identifiers(obj, errors)
        addresses = self._addresses(obj, errors)
        return {
            "agency_kind": agency,
            "given_names": given,
            "family_name": family,
            "aliases": aliases,
            "birth_date": birth_date,
            "birth_date_precision": birth_precision,
            "sex": sex,
            "ethnicity": ethnicity,
            "identifiers": identifiers,
            "addresses": addresses,
        }

    def _entry(self, obj: dict[str, Any], errors: _Errors) -> dict[str, Any] | None:
        agency = self._agency(obj, errors, required=True)
        entry_type = obj.get("type")
        significant = False
        if entry_type is None:
            errors.add("type", "is required")
        elif not isinstance(entry_type, str) or entry_type not in self.vocabulary.entry_types:
            errors.add("type", "is not a known entry type (docs/exchange-format.md#entry-types)")
        else:
            significant = self.vocabulary.entry_types[entry_type]
        precision = self._choice(obj, "precision", spec.PRECISIONS, errors)
        occurred: When | None = None
        raw_occurred = obj.get("occurred_at")
        if raw_occurred is None:
            errors.add("occurred_at", "is required")
        else:
            occurred = self._partial(raw_occurred, precision, "occurred_at", errors)
        ended_at: dt.datetime | None = None
        raw_ended = obj.get("ended_at")
        if raw_ended is not None:
            ended = self._partial(raw_ended, None, "ended_at", errors)
            if ended is not None:
                ended_at = ended.start
                if occurred is not None and ended_at < occurred.start:
                    errors.add("ended_at", "must not be before occurred_at")
        recorded_at = self._recorded_at(obj, occurred, errors)
        subjects = self._subjects(obj, errors)
        limits = self.vocabulary.entry_text_limits
        summary = self._text(
            obj, "summary", errors, required=True, limit=limits.get("summary"), multiline=True
        )
        detail = self._text(obj, "detail", errors, limit=limits.get("detail"), multiline=True)
        grade = self._choice(obj, "grade", spec.GRADES, errors, required=True)
        sensitivity = self._choice(obj, "sensitivity", spec.SENSITIVITIES, errors, required=True)
        intelligence = self._intelligence_grade(obj, grade, errors)
        postcode, label = "", ""
        location = self._object(obj, "location", errors)
        if location is not None:
            postcode = self._postcode(location.get("postcode"), "location.postcode", errors)
            label = self._text(
                location,
                "label",
                errors,
                path="location.label",
                limit=spec.MAX_LENGTH["location.label"],
            )
        if occurred is None or recorded_at is None:
            return None
        return {
            "agency_kind": agency,
            "type": entry_type,
            "occurred_at": occurred.start,
            "precision": occurred.precision,
            "has_time": occurred.has_time,
            "ended_at": ended_at,
            "recorded_at": recorded_at,
            "subjects": subjects,
            "summary": summary,
            "detail": detail,
            "grade": grade,
            "sensitivity": sensitivity,
            "intelligence_grade": intelligence,
            "location_postcode": postcode,
            "location_label": label,
            "is_significant": significant,
        }

    def _relationship(self, obj: dict[str, Any], errors: _Errors) -> dict[str, Any] | None:
        limit = spec.MAX_LENGTH["source_id"]
        from_id = self._text(obj, "from", errors, required=True, limit=limit)
        to_id = self._text(obj, "to", errors, required=True, limit=limit)
        if from_id and from_id == to_id:
            errors.add("to", "must be a different person from `from`")
        rel_type = self._choice(obj, "type", spec.RELATIONSHIP_TYPES, errors, required=True)
        from_on = self._date(obj.get("from_date"), "from_date", errors)
        to_on = self._date(obj.get("to_date"), "to_date", errors)
        if from_on and to_on and to_on < from_on:
            errors.add("to_date", "must not be before from_date")
        return {
            "from_id": from_id,
            "to_id": to_id,
            "type": rel_type,
            "from_on": from_on,
            "to_on": to_on,
        }

    def _involvement(self, obj: dict[str, Any], errors: _Errors) -> dict[str, Any] | None:
        person = self._text(
            obj, "person", errors, required=True, limit=spec.MAX_LENGTH["source_id"]
        )
        agency = self._agency(obj, errors, required=True)
        team = self._text(obj, "team", errors, limit=spec.MAX_LENGTH["team"])
        practitioner = self._object(obj, "practitioner", errors) or {}
        values: dict[str, str] = {}
        for sub in spec.OBJECT_FIELDS["practitioner"]:
            path = f"practitioner.{sub}"
            values[sub] = self._text(
                practitioner, sub, errors, path=path, limit=spec.MAX_LENGTH[path]
            )
        if values["email"] and "@" not in values["email"]:
            errors.add("practitioner.email", "must be an email address, like name@example.org")
        is_lead = obj.get("is_lead")
        if is_lead is None:
            is_lead = False
        elif not isinstance(is_lead, bool):
            errors.add("is_lead", "must be true or false")
        started = obj.get("from")
        started_on = None
        if started is None:
            errors.add("from", "is required")
        else:
            started_on = self._date(started, "from", errors)
        ended_on = self._date(obj.get("to"), "to", errors)
        if started_on and ended_on and ended_on < started_on:
            errors.add("to", "must not be before from")
        if started_on is None:
            return None
        return {
            "person": person,
            "agency_kind": agency,
            "team": team,
            "practitioner_name": values["name"],
            "practitioner_role": values["role"],
            "practitioner_email": values["email"],
            "practitioner_phone": values["phone"],
            "is_lead": bool(is_lead),
            "started_on": started_on,
            "ended_on": ended_on,
        }

    # -- fields ---------------------------------------------------------------------------------

    def _text(
        self,
        obj: Mapping[str, Any],
        name: str,
        errors: _Errors,
        *,
        required: bool = False,
        limit: int | None = None,
        path: str | None = None,
        multiline: bool = False,
    ) -> str:
        value = obj.get(name)
        if value is None or value == "":
            if required:
                errors.add(path or name, "is required")
            return ""
        if not isinstance(value, str):
            errors.add(path or name, "must be text")
            return ""
        if (_CONTROL_MULTILINE if multiline else _CONTROL).search(value) is not None:
            _clean(value, path or name, errors, multiline=multiline)
            return ""  # before trimming: a line break at the end of a name is no less wrong
        value = value.strip()
        if required and not value:
            errors.add(path or name, "is required")
        if limit is not None and len(value) > limit:
            errors.add(path or name, f"must be at most {limit:,} characters")
            return ""
        return value

    def _choice(
        self,
        obj: Mapping[str, Any],
        name: str,
        choices: Collection[str],
        errors: _Errors,
        *,
        required: bool = False,
        path: str | None = None,
    ) -> str | None:
        value = obj.get(name)
        if value is None:
            if required:
                errors.add(path or name, "is required")
            return None
        if not isinstance(value, str) or value not in choices:
            errors.add(path or name, f"must be one of {', '.join(choices)}")
            return None
        return value

    def _agency(self, obj: Mapping[str, Any], errors: _Errors, *, required: bool) -> str | None:
        value = obj.get("agency")
        if value is None:
            if required:
                errors.add("agency", "is required")
            return None
        if not isinstance(value, str) or value not in self.vocabulary.agency_kinds:
            errors.add(
                "agency",
                "is not a known agency kind, like police or school "
                "(docs/exchange-format.md#agency-kinds)",
            )
            return None
        return value

    def _partial(
        self, value: Any, precision: str | None, path: str, errors: _Errors
    ) -> When | None:
        if not isinstance(value, str):
            errors.add(path, PARTIAL_DATE)
            return None
        try:
            return _partial(value, precision)
        except PartialDateError as exc:
            errors.add(path, str(exc))
            return None

    def _date(self, value: Any, path: str, errors: _Errors) -> dt.date | None:
        """A full calendar date (DateField columns)."""
        if value is None:
            return None
        if not isinstance(value, str) or len(value) != 10:
            errors.add(path, FULL_DATE)
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            errors.add(path, FULL_DATE)
            return None

    def _recorded_at(
        self, obj: Mapping[str, Any], occurred: When | None, errors: _Errors
    ) -> dt.datetime | None:
        raw = obj.get("recorded_at")
        if raw is None:
            errors.add("recorded_at", "is required")
            return None
        if not isinstance(raw, str):
            errors.add("recorded_at", TIMESTAMP)
            return None
        try:
            recorded = _partial(raw, None)
        except PartialDateError as exc:
            errors.add("recorded_at", str(exc))
            return None
        if recorded.precision != "day":
            errors.add("recorded_at", TIMESTAMP)
            return None
        if recorded.start > self.now:
            errors.add("recorded_at", "must not be in the future")
        if occurred is not None:
            if recorded.has_time:
                early = recorded.start < occurred.start
            else:  # a date without a time: the same day as occurred_at is fine
                early = recorded.start.date() < occurred.start.date()
            if early:
                errors.add("recorded_at", "must not be before occurred_at (when it happened)")
        return recorded.start

    def _list(self, obj: Mapping[str, Any], name: str, errors: _Errors) -> list[Any]:
        value = obj.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            errors.add(name, "must be a list […]")
            return []
        if len(value) > spec.MAX_ITEMS[name]:
            errors.add(name, f"must have at most {spec.MAX_ITEMS[name]} items")
            return []
        return value

    def _object(self, obj: Mapping[str, Any], name: str, errors: _Errors) -> dict[str, Any] | None:
        value = obj.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            errors.add(name, "must be an object {…} or null")
            return None
        allowed = spec.OBJECT_FIELDS[name]
        for key in value:
            if key not in allowed:
                errors.add(f"{name}.{shown(key)}", f"is not a field of {name}")
        return value

    def _postcode(self, value: Any, path: str, errors: _Errors) -> str:
        if value is None or value == "":
            return ""
        if not isinstance(value, str):
            errors.add(path, "must be text")
            return ""
        if not _clean(value, path, errors):
            return ""
        if len(value.strip()) > spec.MAX_LENGTH["postcode"]:
            errors.add(path, f"must be at most {spec.MAX_LENGTH['postcode']} characters")
            return ""
        return normalise_postcode(value)

    def _identifiers(self, obj: Mapping[str, Any], errors: _Errors) -> list[IdentifierCheck]:
        given = self._object(obj, "identifiers", errors)
        if not given:
            return []
        checks = []
        limit = spec.MAX_LENGTH["identifier"]
        for scheme in spec.OBJECT_FIELDS["identifiers"]:
            value = given.get(scheme)
            if value is None or value == "":
                continue
            path = f"identifiers.{scheme}"
            if not isinstance(value, str):
                errors.add(path, "must be text")
            elif not _clean(value, path, errors):
                pass
            elif len(value.strip()) > limit:
                errors.add(path, f"must be at most {limit} characters")
            elif value.strip():
                # An invalid identifier is kept (and never used to link), not refused.
                checks.append(check_identifier(scheme, value))
        return checks

    def _addresses(self, obj: Mapping[str, Any], errors: _Errors) -> list[Address]:
        addresses = []
        allowed = spec.LIST_ITEM_FIELDS["addresses"]
        for i, item in enumerate(self._list(obj, "addresses", errors)):
            path = f"addresses[{i}]"
            if not isinstance(item, dict):
                errors.add(path, "must be an object {line, postcode, from, to}")
                continue
            for key in item:
                if key not in allowed:
                    errors.add(f"{path}.{shown(key)}", "is not a field of an address")
            line = self._text(
                item, "line", errors, path=f"{path}.line", limit=spec.MAX_LENGTH["address.line"]
            )
            postcode = self._postcode(item.get("postcode"), f"{path}.postcode", errors)
            if not line and not postcode:
                errors.add(path, "needs a line or a postcode")
            from_on = self._date(item.get("from"), f"{path}.from", errors)
            to_on = self._date(item.get("to"), f"{path}.to", errors)
            if from_on and to_on and to_on < from_on:
                errors.add(f"{path}.to", "must not be before from")
            addresses.append(Address(line=line, postcode=postcode, from_on=from_on, to_on=to_on))
        return addresses

    def _subjects(self, obj: Mapping[str, Any], errors: _Errors) -> list[Subject]:
        value = obj.get("subjects")
        if value is None or value == []:
            errors.add("subjects", "is required: at least one person the entry is about")
            return []
        if not isinstance(value, list):
            errors.add("subjects", "must be a list […]")
            return []
        if len(value) > spec.MAX_ITEMS["subjects"]:
            errors.add("subjects", f"must have at most {spec.MAX_ITEMS['subjects']} items")
            return []
        subjects: list[Subject] = []
        seen: set[str] = set()
        allowed = spec.LIST_ITEM_FIELDS["subjects"]
        limit = spec.MAX_LENGTH["source_id"]
        for i, item in enumerate(value):
            path = f"subjects[{i}]"
            if not isinstance(item, dict):
                errors.add(path, 'must be an object {"source_id": …, "role": …}')
                continue
            for key in item:
                if key not in allowed:
                    errors.add(f"{path}.{shown(key)}", "is not a field of a subject")
            source_id = self._text(
                item, "source_id", errors, path=f"{path}.source_id", required=True, limit=limit
            )
            role = (
                self._choice(item, "role", spec.SUBJECT_ROLES, errors, path=f"{path}.role")
                or "subject"
            )
            if source_id in seen:
                errors.add(f"{path}.source_id", f"{source_id} is listed twice")
            elif source_id:
                seen.add(source_id)
                subjects.append(Subject(source_id=source_id, role=role))
        return subjects

    def _intelligence_grade(
        self, obj: Mapping[str, Any], grade: str | None, errors: _Errors
    ) -> dict[str, Any] | None:
        value = self._object(obj, "intelligence_grade", errors)
        if value is None:
            if grade == "intelligence" and "intelligence_grade" not in errors_fields(errors):
                errors.add("intelligence_grade", "is required when grade is intelligence")
            return None
        if grade is not None and grade != "intelligence":
            errors.add("intelligence_grade", "must be null unless grade is intelligence")
            return None
        system = value.get("system")
        if system not in spec.INTELLIGENCE_SYSTEMS:
            errors.add(
                "intelligence_grade.system",
                f"must be one of {', '.join(spec.INTELLIGENCE_SYSTEMS)}",
            )
            return None
        for part, choices in spec.INTELLIGENCE_SYSTEMS[system].items():
            given = value.get(part)
            if given is None:
                errors.add(f"intelligence_grade.{part}", f"is required for a {system} grade")
            elif given not in choices:
                errors.add(
                    f"intelligence_grade.{part}",
                    f"must be one of {', '.join(choices)} in {system}",
                )
        return {k: value[k] for k in spec.OBJECT_FIELDS["intelligence_grade"] if k in value}


def _clean(value: str, path: str, errors: _Errors, *, multiline: bool = False) -> bool:
    """Whether text holds no control character (multi-line text may hold tabs and line
    breaks); if it does, say which and where."""
    found = (_CONTROL_MULTILINE if multiline else _CONTROL).search(value)
    if found is None:
        return True
    allowed = " (only line breaks and tabs are allowed)" if multiline else ""
    errors.add(
        path,
        f"must not hold control characters{allowed}: U+{ord(found.group()):04X} at "
        f"character {found.start() + 1}",
    )
    return False


def shown(name: str) -> str:
    """A field name from the feed as it may be printed: control characters escaped, and not
    more than 60 characters."""
    if _CONTROL.search(name):
        name = name.encode("unicode_escape").decode("ascii")
    return name if len(name) <= 60 else name[:59] + "…"


def errors_fields(errors: _Errors) -> set[str]:
    return {name for name, _ in errors.items}


def normalise_postcode(value: str) -> str:
    """Upper case, one space before the inward code: "xs15pd" and "XS1  5PD" are "XS1 5PD".
    Text that is not shaped like a UK postcode is kept (upper-cased, spaces collapsed)."""
    compact = "".join(value.split()).upper()
    if 5 <= len(compact) <= 7 and compact[-3].isdigit() and compact[-2:].isalpha():
        return f"{compact[:-3]} {compact[-3:]}"
    return " ".join(value.upper().split())


def split_name(text: str) -> tuple[str, str]:
    """ "Jim Smith" -> ("Jim", "Smith"): the last word is the family name; one word is taken to
    be a given name (an alias like "Jimbo")."""
    words = text.split()
    if len(words) == 1:
        return words[0], ""
    return " ".join(words[:-1]), words[-1]


def _article(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


_LINE_CLASSES: dict[str, type[Line]] = {
    spec.PERSON: PersonLine,
    spec.ENTRY: EntryLine,
    spec.RELATIONSHIP: RelationshipLine,
    spec.INVOLVEMENT: InvolvementLine,
}
