"""Pure scoring for "Find a child": how well a query's name and date of birth fit a person.

No ORM: plain values in, numbers out, tested with tables of cases (tests/test_search_scoring.py).
Candidates are gathered by people.selectors from the NameKey index; this module ranks them."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import jellyfish
from rapidfuzz import fuzz

from sightline.people.search_keys import NICKNAME_ROOT, query_keys, tokens

# Weights of the index keys a query token can hit, used to pre-rank candidates in the database.
KEY_WEIGHTS = {"t": 4, "n": 3, "v": 2, "p": 2}
# A name whose per-token similarity averages below this is not a match...
NAME_THRESHOLD = 75.0
# ...unless the date of birth matches exactly, which corroborates a looser spelling.
NAME_THRESHOLD_WITH_BIRTH_DATE = 55.0


@dataclass(frozen=True)
class BirthDateQuery:
    """A date of birth to search for: a year, a month of a year, or a full date."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise ValueError("a day needs a month")
        dt.date(self.year, self.month or 1, self.day or 1)  # raises ValueError if not real

    @classmethod
    def from_date(cls, value: dt.date) -> BirthDateQuery:
        return cls(value.year, value.month, value.day)

    @classmethod
    def parse(cls, text: str) -> BirthDateQuery:
        """ "2010-05-17", "2010-05" or "2010"; ValueError otherwise."""
        parts = text.strip().split("-")
        if not 1 <= len(parts) <= 3 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
            raise ValueError("must be a date like 2010-05-17, 2010-05 or 2010")
        numbers = [int(p) for p in parts]
        return cls(numbers[0], *(numbers[1:]))

    @property
    def iso(self) -> str:
        text = f"{self.year:04d}"
        if self.month:
            text += f"-{self.month:02d}"
        if self.day:
            text += f"-{self.day:02d}"
        return text

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def last_day(self) -> dt.date:
        if self.day:
            return self.first_day
        if self.month:
            return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        return dt.date(self.year, 12, 31)

    @property
    def swapped(self) -> dt.date | None:
        """The date with day and month exchanged, when that is a different real date."""
        if self.day is None or self.month is None or self.day == self.month or self.day > 12:
            return None
        return dt.date(self.year, self.day, self.month)


class BirthDateFit(StrEnum):
    EXACT = "exact"  # the same day
    CONSISTENT = "consistent"  # one side is less precise, and they agree as far as they go
    SWAPPED = "swapped"  # day and month the other way round
    UNKNOWN = "unknown"  # the person's date of birth is not recorded


BIRTH_DATE_POINTS = {
    BirthDateFit.EXACT: 30,
    BirthDateFit.CONSISTENT: 15,
    BirthDateFit.SWAPPED: 10,
    BirthDateFit.UNKNOWN: 3,
}


def birth_date_fit(
    query: BirthDateQuery, value: dt.date | None, precision: str
) -> BirthDateFit | None:
    """How a recorded date of birth (stored as the first day of its period, with a precision)
    fits the query; None when it contradicts it."""
    if value is None:
        return BirthDateFit.UNKNOWN
    if value.year != query.year:
        return None
    if precision not in ("day", "month"):  # a year (or a season): only the year is known
        return BirthDateFit.CONSISTENT
    if query.month is None:
        return BirthDateFit.CONSISTENT
    if precision == "month" or query.day is None:
        if value.month == query.month:
            return BirthDateFit.CONSISTENT
        if query.day is not None and value.month == query.day and query.swapped:
            return BirthDateFit.SWAPPED
        return None
    if (value.month, value.day) == (query.month, query.day):
        return BirthDateFit.EXACT
    if query.swapped is not None and value == query.swapped:
        return BirthDateFit.SWAPPED
    return None


def weighted_query_keys(text: str) -> list[dict[str, int]]:
    """For each word of a query, the index keys it may hit and the weight of each: the word
    itself, its nickname root, its sound (metaphone), and near misses (one letter dropped or two
    neighbours swapped) for typing slips the sound code does not absorb."""
    out = []
    for token in tokens(text):
        weights: dict[str, int] = {}
        for key in query_keys(token):
            weights[key] = max(weights.get(key, 0), KEY_WEIGHTS[key[0]])
        if len(token) >= 4:
            for variant in _near_misses(token):
                key = f"t:{variant}"
                weights[key] = max(weights.get(key, 0), KEY_WEIGHTS["v"])
        out.append(weights)
    return out


def _near_misses(token: str) -> set[str]:
    variants = {token[:i] + token[i + 1 :] for i in range(len(token))}
    variants |= {
        token[:i] + token[i + 1] + token[i] + token[i + 2 :] for i in range(len(token) - 1)
    }
    variants.discard(token)
    return {v for v in variants if len(v) > 2}


@lru_cache(maxsize=65536)
def _metaphone(token: str) -> str:
    return str(jellyfish.metaphone(token))


@lru_cache(maxsize=65536)
def token_similarity(query: str, candidate: str) -> float:
    """0 to 100: the same word, a nickname of it, a word that sounds the same, or how close the
    spelling is (rapidfuzz)."""
    if query == candidate:
        return 100.0
    scores = [fuzz.ratio(query, candidate)]
    if NICKNAME_ROOT.get(query, query) == NICKNAME_ROOT.get(candidate, candidate):
        scores.append(92.0)
    if min(len(query), len(candidate)) >= 3 and _metaphone(query) == _metaphone(candidate):
        scores.append(85.0)
    return max(scores)


@lru_cache(maxsize=131072)
def name_tokens(given_names: str, family_name: str) -> tuple[str, ...]:
    """The words of a name, plus a hyphenated family name run together ("smithjones")."""
    family = tokens(family_name)
    words = tokens(given_names) + family
    if len(family) > 1:
        words.append("".join(family))
    return tuple(words)


def name_similarity(query: list[str], candidate: tuple[str, ...]) -> float:
    """0 to 100: each query word's best match among the name's words, averaged over query words.
    Words of the name that the query does not mention cost nothing (a middle name, a second
    family name), so "Kayden Smith" finds "Kayden Lee Smith-Jones"."""
    if not query or not candidate:
        return 0.0
    return sum(max(token_similarity(q, c) for c in candidate) for q in query) / len(query)
