"""Standardise person lines of the exchange format into the columns the linkage model compares.

Pure Python (no Splink, no database): one function per field, each tested with tables of cases.
Input rows are `kind: person` lines of the exchange format (DESIGN.md, "The exchange format"):
source, source_id, given_names, family_name, other_names, birth_date (partial), sex,
identifiers {nhs_number, upn, pnc_id, local_id}, addresses [{line, postcode, from, to}].

Identifiers are checked here: an NHS number must pass mod 11 and not be a run of one digit, a UPN
must pass `stdnum.gb.upn` (check letter and a known LA code), a PNC id must have the PNC shape.
An invalid identifier is never used to link; its column is null and `invalid_identifiers` names it.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jellyfish
import pyarrow as pa
from anyascii import anyascii
from stdnum.gb import nhs as stdnum_nhs
from stdnum.gb import upn as stdnum_upn

from sightline.identity.linkage.nicknames import variant_keys

# -- Names ----------------------------------------------------------------------------------

_NON_LETTER = re.compile(r"[^a-z]+")
_TITLES = frozenset(["mr", "mrs", "miss", "ms", "mx", "master", "dr", "sir", "rev"])
# Words that stand in for a name nobody knew yet: never evidence (NHS England keeps a similar list).
_PLACEHOLDER_WORDS = frozenset(
    [
        "baby",
        "babyboy",
        "babygirl",
        "infant",
        "unborn",
        "unknown",
        "unk",
        "nk",
        "notknown",
        "twin",
        "triplet",
        "boy",
        "girl",
        "child",
        "male",
        "female",
        "newborn",
        "tbc",
        "tba",
        "na",
        "none",
        "null",
        "nil",
        "test",
        "anon",
        "anonymous",
        "noname",
    ]
)
_PLACEHOLDER_PHRASES = (
    re.compile(r"^(baby|infant|twin|triplet|unborn)\s*(of|\d|[ab]\b|one|two)"),
    re.compile(r"^(not known|no name|name unknown|unknown name)"),
)


def name_tokens(text: str | None) -> list[str]:
    """Lower-case ASCII tokens of a name: accents folded, apostrophes dropped, hyphens, dots and
    spaces split. Titles are dropped. ("Zoë O'Brien-Núñez" -> ["zoe", "obrien", "nunez"])."""
    if not text:
        return []
    folded = anyascii(str(text)).lower().replace("'", "").replace("`", "").replace("\u2019", "")
    return [t for t in _NON_LETTER.split(folded) if t and t not in _TITLES]


def is_placeholder_name(text: str | None) -> bool:
    """True for "Baby", "Baby of Jane Smith", "Twin 1", "Unknown", "NK" and the like."""
    if not text:
        return True
    folded = " ".join(_NON_LETTER.split(anyascii(str(text)).lower())).strip()
    if not folded:
        return True
    if any(p.match(folded) for p in _PLACEHOLDER_PHRASES):
        return True
    tokens = folded.split()
    return all(t in _PLACEHOLDER_WORDS or len(t) == 1 for t in tokens)


@lru_cache(maxsize=200_000)
def phonetic(token: str) -> str | None:
    """A phonetic code (metaphone) for a name token; None for empty tokens."""
    if not token:
        return None
    code = jellyfish.metaphone(token)
    return code or None


def _mc(token: str) -> str:
    # MacDonald and McDonald are the same name; only the phonetic key folds them.
    if token.startswith("mac") and len(token) > 5:
        return "mc" + token[3:]
    return token


@dataclass(frozen=True)
class Forenames:
    first_name: str | None
    middle_names: str | None
    tokens: tuple[str, ...]


@lru_cache(maxsize=200_000)
def standardise_forenames(given_names: str | None) -> Forenames:
    if is_placeholder_name(given_names):
        return Forenames(None, None, ())
    tokens = tuple(t for t in name_tokens(given_names) if t not in _PLACEHOLDER_WORDS)
    if not tokens:
        return Forenames(None, None, ())
    return Forenames(tokens[0], " ".join(tokens[1:]) or None, tokens)


@dataclass(frozen=True)
class Surname:
    surname: str | None  # parts joined with no separator: Smith-Jones, Smith Jones -> smithjones
    parts: tuple[str, ...]


@lru_cache(maxsize=200_000)
def standardise_surname(family_name: str | None) -> Surname:
    if is_placeholder_name(family_name):
        return Surname(None, ())
    parts = tuple(t for t in name_tokens(family_name) if t not in _PLACEHOLDER_WORDS)
    if not parts:
        return Surname(None, ())
    # Particles ("de", "van", "al", "o") belong to the surname but are not a surname part alone.
    keep = tuple(p for p in parts if len(p) > 2) or parts
    return Surname("".join(parts), keep)


def forename_variants(tokens: Iterable[str]) -> list[str]:
    """Every token and the nickname groups it belongs to, sorted (an array for intersection)."""
    return list(_forename_variants_cached(tuple(tokens)))


@lru_cache(maxsize=200_000)
def _forename_variants_cached(tokens: tuple[str, ...]) -> tuple[str, ...]:
    keys: set[str] = set()
    for token in tokens:
        keys.add(token)
        keys |= variant_keys(token)
    return tuple(sorted(keys))


@lru_cache(maxsize=200_000)
def _split_other_name(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """An alias "Jim Smith": given-name tokens and the family name (the last token)."""
    tokens = tuple(name_tokens(text))
    if len(tokens) <= 1:
        return tokens, ()
    return tokens[:-1], tokens[-1:]


# -- Dates ----------------------------------------------------------------------------------

_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ].*)?$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
PLACEHOLDER_DATES = frozenset({"1900-01-01", "1901-01-01", "1800-01-01", "9999-12-31"})
MIN_YEAR = 1900


@dataclass(frozen=True)
class BirthDate:
    """A date of birth as recorded: `dob` only when the full date is known and plausible."""

    dob: str | None  # YYYY-MM-DD
    year: int | None
    year_month: str | None  # YYYY-MM
    swap_key: str | None  # YYYY-min(mm,dd)-max(mm,dd): equal for day/month swaps
    precision: str | None  # "day", "month", "year"


NO_DATE = BirthDate(None, None, None, None, None)


def standardise_birth_date(value: Any, *, today: dt.date | None = None) -> BirthDate:
    """Parse a year, year-month or full date (ISO, DD/MM/YYYY or YYYYMMDD).

    Placeholders (1900-01-01 and similar), impossible dates and dates in the future are null."""
    if value is None:
        return NO_DATE
    if isinstance(value, dt.datetime):
        value = value.date()
    text = value.isoformat() if isinstance(value, dt.date) else str(value).strip()
    if not text:
        return NO_DATE
    return _birth_date_cached(text, today or dt.date.today())  # noqa: DTZ011


@lru_cache(maxsize=200_000)
def _birth_date_cached(text: str, today: dt.date) -> BirthDate:
    year = month = day = None
    if m := _ISO.match(text):
        year = int(m.group(1))
        month = int(m.group(2)) if m.group(2) else None
        day = int(m.group(3)) if m.group(3) else None
    elif m := _DMY.match(text):
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := _COMPACT.match(text):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        return NO_DATE
    if year < MIN_YEAR or year > today.year:
        return NO_DATE
    if month is not None and not 1 <= month <= 12:
        return NO_DATE
    if day is not None and month is not None:
        try:
            full = dt.date(year, month, day)
        except ValueError:
            return NO_DATE
        iso = full.isoformat()
        if iso in PLACEHOLDER_DATES or full > today:
            return NO_DATE
        low, high = sorted((month, day))
        return BirthDate(iso, year, iso[:7], f"{year:04d}-{low:02d}-{high:02d}", "day")
    if month is not None:
        if (year, month) > (today.year, today.month):
            return NO_DATE
        return BirthDate(None, year, f"{year:04d}-{month:02d}", None, "month")
    return BirthDate(None, year, None, None, "year")


# -- Sex ------------------------------------------------------------------------------------

_SEX = {"m": "m", "male": "m", "boy": "m", "1": "m", "f": "f", "female": "f", "girl": "f", "2": "f"}


def standardise_sex(value: Any) -> str | None:
    if value is None:
        return None
    return _SEX.get(str(value).strip().lower())


# -- Postcodes ------------------------------------------------------------------------------

_POSTCODE = re.compile(r"^([A-Z]{1,2})([0-9][A-Z0-9]?) ([0-9])([A-Z]{2})$")
# No fixed abode, NHS pseudo-postcodes (ZZ99 ...) and other "not a place" values.
_PSEUDO_POSTCODE = re.compile(r"^(ZZ99|NFA|NK|UNKNOWN|NONE)")


@dataclass(frozen=True)
class Postcode:
    postcode: str  # "CV34 4AB"
    sector: str  # "CV34 4"
    district: str  # "CV34"
    area: str  # "CV"


@lru_cache(maxsize=200_000)
def standardise_postcode(value: Any) -> Postcode | None:
    """Upper case, one space before the inward code, validated; None when not a UK postcode."""
    if not value:
        return None
    compact = re.sub(r"[^A-Z0-9]", "", str(value).upper())
    if len(compact) < 5 or len(compact) > 7 or _PSEUDO_POSTCODE.match(compact):
        return None
    text = f"{compact[:-3]} {compact[-3:]}"
    m = _POSTCODE.match(text)
    if not m:
        return None
    area, district_tail, sector_digit, _unit = m.groups()
    district = area + district_tail
    return Postcode(text, f"{district} {sector_digit}", district, area)


def standardise_other_postcode(value: Any) -> str | None:
    """For non-UK test data (FEBRL's Australian postcodes): letters and digits, upper case."""
    if not value:
        return None
    compact = re.sub(r"[^A-Z0-9]", "", str(value).upper())
    return compact or None


# -- Identifiers ----------------------------------------------------------------------------

_PNC = re.compile(r"^(\d{2}|\d{4})/?(\d{1,7})([A-Z])$")


@lru_cache(maxsize=100_000)
def standardise_nhs_number(value: Any) -> str | None:
    """Ten digits passing mod 11; runs of one digit (0000000000, 1111111111) are rejected."""
    if value is None:
        return None
    digits = re.sub(r"[\s\-]", "", str(value))
    if len(digits) != 10 or not digits.isdigit() or len(set(digits)) == 1:
        return None
    return digits if stdnum_nhs.is_valid(digits) else None


@lru_cache(maxsize=100_000)
def standardise_upn(value: Any) -> str | None:
    """A UPN with a correct check letter and a known LA code (python-stdnum)."""
    if value is None:
        return None
    text = re.sub(r"[^A-Za-z0-9]", "", str(value)).upper()
    if len(text) != 13:
        return None
    return text if stdnum_upn.is_valid(text) else None


@lru_cache(maxsize=100_000)
def standardise_pnc_id(value: Any) -> str | None:
    """A PNC id has the shape YY/NNNNNNNX (no public check-letter algorithm: shape only).

    Normalised to two-digit year, seven-digit zero-padded serial and the letter."""
    if value is None:
        return None
    text = re.sub(r"\s", "", str(value)).upper()
    m = _PNC.match(text)
    if not m:
        return None
    year, serial, letter = m.groups()
    return f"{year[-2:]}/{int(serial):07d}{letter}"


# -- Records --------------------------------------------------------------------------------

# The columns of a standardised record, in order, with their Arrow types. Array columns are
# sorted lists of distinct strings (empty when nothing is known, never null).
SCHEMA = pa.schema(
    [
        ("unique_id", pa.string()),
        ("source", pa.string()),
        ("source_id", pa.string()),
        ("first_name", pa.string()),
        ("middle_names", pa.string()),
        ("surname", pa.string()),
        ("fn_variants", pa.list_(pa.string())),
        ("given_tokens", pa.list_(pa.string())),
        ("fn_phonetic", pa.string()),
        ("fn_for_swap", pa.string()),
        ("sn_parts", pa.list_(pa.string())),
        ("sn_phonetic", pa.string()),
        ("sn_for_swap", pa.string()),
        ("dob", pa.string()),
        ("dob_year", pa.int32()),
        ("dob_ym", pa.string()),
        ("dob_swap_key", pa.string()),
        ("sex", pa.string()),
        ("postcode", pa.string()),
        ("pc_sector", pa.string()),
        ("pc_district", pa.string()),
        ("postcodes", pa.list_(pa.string())),
        ("nhs_number", pa.string()),
        ("upn", pa.string()),
        ("pnc_id", pa.string()),
        ("invalid_identifiers", pa.list_(pa.string())),
    ]
)
COLUMNS = tuple(SCHEMA.names)


def record_key(source: str, source_id: str) -> str:
    """The unique id of a source record in the linkage tables: "source|source_id"."""
    return f"{source}|{source_id}"


def _current_address_first(addresses: list[Any]) -> list[Mapping[str, Any]]:
    """The current address (no end date, latest start) first; the rest are history."""
    found: list[Mapping[str, Any]] = [a for a in addresses if isinstance(a, dict)]
    if len(found) > 1:
        found.sort(key=lambda a: str(a.get("from") or ""), reverse=True)
        found.sort(key=lambda a: 1 if a.get("to") else 0)
    return found


@lru_cache(maxsize=200_000)
def _given_block(given_names: Any) -> tuple[str | None, str | None, tuple[str, ...], str | None]:
    """(first name, middle names, all given-name tokens, phonetic code of the first name)."""
    names = standardise_forenames(given_names)
    first = names.first_name
    return first, names.middle_names, tuple(sorted(set(names.tokens))), phonetic(first or "")


@lru_cache(maxsize=200_000)
def _family_block(family_name: Any) -> tuple[str | None, tuple[str, ...], str | None]:
    """(surname, its parts, phonetic code)."""
    surname = standardise_surname(family_name)
    sn = surname.surname
    return sn, surname.parts, phonetic(_mc(sn)) if sn else None


def _cacheable(value: Any) -> Any:
    return value if value is None or isinstance(value, str) else str(value)


_IDENTIFIER_CHECKS = (
    ("nhs_number", standardise_nhs_number),
    ("upn", standardise_upn),
    ("pnc_id", standardise_pnc_id),
)


def _record_values(row: Mapping[str, Any], uk_postcodes: bool, today: dt.date | None) -> list[Any]:
    """The standardised values of one person line, in `COLUMNS` order."""
    source = str(row.get("source") or "")
    source_id = str(row.get("source_id") or "")
    first, middle, given_tokens, fn_phonetic = _given_block(_cacheable(row.get("given_names")))
    sn, parts, sn_phonetic = _family_block(_cacheable(row.get("family_name")))

    # Variants of the first name and of alias first names; middle names are kept apart (a
    # sibling's first name is often another child's middle name, and a mother's too).
    fn_tokens: tuple[str, ...] = (first,) if first else ()
    sn_parts: tuple[str, ...] | set[str] = parts
    others = row.get("other_names")
    if others:
        sn_parts = set(parts)
        for other in others:
            if not isinstance(other, str) or is_placeholder_name(other):
                continue
            given, family = _split_other_name(other)
            fn_tokens += given
            sn_parts.update(p for p in family if len(p) > 2)

    dob = standardise_birth_date(row.get("birth_date"), today=today)

    ids = row.get("identifiers")
    if not isinstance(ids, dict):
        ids = {}
    invalid: list[str] = []
    checked: list[str | None] = []
    for name, check in _IDENTIFIER_CHECKS:
        raw = ids.get(name)
        if raw is None:
            raw = row.get(name)
        if raw is None or raw == "":
            checked.append(None)
            continue
        value = check(_cacheable(raw))
        if value is None:
            invalid.append(name)
        checked.append(value)

    postcode = sector = district = None
    postcodes: list[str] = []
    addresses = row.get("addresses")
    if addresses and isinstance(addresses, list):
        for address in _current_address_first(addresses):
            raw_code = address.get("postcode")
            if uk_postcodes:
                parsed = standardise_postcode(_cacheable(raw_code))
                code = parsed.postcode if parsed else None
                if parsed and postcode is None:
                    postcode, sector, district = parsed.postcode, parsed.sector, parsed.district
            else:
                code = standardise_other_postcode(raw_code)
                if code and postcode is None:
                    # Coarser areas by dropping trailing characters (FEBRL: 4-digit codes).
                    postcode, sector = code, code[:-1] or None
                    district = code[:-2] if len(code) >= 4 else None
            if code and code not in postcodes:
                postcodes.append(code)
        postcodes.sort()

    return [
        record_key(source, source_id),
        source,
        source_id,
        first,
        middle,
        sn,
        list(_forename_variants_cached(fn_tokens)),
        list(given_tokens),
        fn_phonetic,
        first,
        sorted(sn_parts),
        sn_phonetic,
        sn,
        dob.dob,
        dob.year,
        dob.year_month,
        dob.swap_key,
        standardise_sex(row.get("sex")),
        postcode,
        sector,
        district,
        postcodes,
        checked[0],
        checked[1],
        checked[2],
        invalid,
    ]


def standardise_record(
    row: Mapping[str, Any], *, uk_postcodes: bool = True, today: dt.date | None = None
) -> dict[str, Any]:
    """One person line in, one standardised record (a dict with `COLUMNS`) out."""
    return dict(zip(COLUMNS, _record_values(row, uk_postcodes, today), strict=True))


def standardise_records(
    rows: Iterable[Mapping[str, Any]],
    *,
    uk_postcodes: bool = True,
    today: dt.date | None = None,
    batch_size: int = 50_000,
) -> pa.Table:
    """Standardise person lines into an Arrow table (columns `COLUMNS`), streaming in batches so
    a million rows never sit in memory as Python dicts at once. Later duplicates of the same
    (source, source_id) replace earlier ones, as a re-import supersedes."""
    today = today or dt.date.today()  # noqa: DTZ011
    # The cyclic garbage collector would rescan every buffered row on each pass (3x slower at a
    # million rows); standardising creates no reference cycles.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        table = _standardise_batches(rows, uk_postcodes, today, batch_size)
    finally:
        if gc_was_enabled:
            gc.enable()
    return table


def _standardise_batches(
    rows: Iterable[Mapping[str, Any]], uk_postcodes: bool, today: dt.date, batch_size: int
) -> pa.Table:
    batches: list[pa.RecordBatch] = []
    buffer: dict[str, list[Any]] = {c: [] for c in COLUMNS}
    seen: dict[str, tuple[int, int]] = {}
    superseded: set[tuple[int, int]] = set()

    columns = [buffer[c] for c in COLUMNS]

    def flush() -> None:
        if buffer["unique_id"]:
            batches.append(pa.record_batch([buffer[c] for c in COLUMNS], schema=SCHEMA))
            for c in COLUMNS:
                buffer[c].clear()

    for row in rows:
        values = _record_values(row, uk_postcodes, today)
        key = values[0]
        position = (len(batches), len(buffer["unique_id"]))
        if key in seen:
            superseded.add(seen[key])
        seen[key] = position
        for column, value in zip(columns, values, strict=True):
            column.append(value)
        if len(buffer["unique_id"]) >= batch_size:
            flush()
    flush()
    table = pa.Table.from_batches(batches, schema=SCHEMA)
    if superseded:
        offsets = [0]
        for batch in batches:
            offsets.append(offsets[-1] + batch.num_rows)
        drop = {offsets[b] + i for b, i in superseded}
        keep = [i for i in range(table.num_rows) if i not in drop]
        table = table.take(pa.array(keep, type=pa.int64()))
    return table
