"""A person's own details as most agencies record them, and the names that differ.

Agencies disagree: one keys a date of birth wrongly, another swaps a child's first and last
names. The details Sightline shows (`Person.given_names`, `family_name`, `birth_date`, `sex`,
`ethnicity`) are chosen here from what every current person record of the person says, by one
rule, the same for every field:

- each agency's value counts once: two records of one agency saying the same do not outvote a
  third agency;
- a value is *supported* by every agency that records it, or records something less precise that
  agrees with it: "2011" and "December 2011" support "1 December 2011"; "Max" supports
  "Max Karim"; an agency recording nothing (or "not known") does not take part;
- the value with the most support is shown. On a tie: the value recorded by the most preferred
  kind of agency (`PREFERENCE`: health first, whose records start from the birth notification,
  then children's social care, then education...), then the more precise or fuller value, then
  the first in a fixed order of the values themselves. Nothing depends on the order in which the
  records arrived.

Pure: plain values in, plain values out (tests/test_consensus.py, with hypothesis). Where the
result is stored and when it is recomputed: people.bulk.people_details_refresh, docs/identity.md.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Generic, TypeVar

import jellyfish

from sightline.people.search_keys import NICKNAME_ROOT, tokens

# Ties between values with equal support go to the value recorded by the earliest kind here.
# Health records (GP, hospital, school nursing, CAMHS) come from the NHS spine and the birth
# notification; social care and schools check a birth certificate; the others take what they
# are told. Kinds not listed come last, in the order of their code.
PREFERENCE: tuple[str, ...] = (
    "health_gp",
    "health_ae",
    "school_nursing",
    "camhs",
    "childrens_social_care",
    "mash",
    "school",
    "local_authority_education",
    "pru",
    "alternative_provision",
    "early_help",
    "youth_justice",
    "police",
    "police_other_force",
    "child_exploitation_team",
    "mace",
    "residential_care",
    "foster_care",
    "probation",
    "substance_misuse_service",
    "housing",
    "nrm_home_office",
    "voluntary_sector",
    "other",
)
_PREFERENCE_RANK = {kind: i for i, kind in enumerate(PREFERENCE)}
# Values that say "not known", which never outvote a known one.
NO_SEX = frozenset({"", "unknown"})
NO_ETHNICITY = frozenset({"", "NOBT", "REFU"})
_PRECISION_RANK = {"year": 0, "season": 1, "month": 2, "day": 3}


def preference_rank(agency_kind: str) -> tuple[int, str]:
    return (_PREFERENCE_RANK.get(agency_kind, len(PREFERENCE)), agency_kind)


@dataclass(frozen=True)
class Recorded:
    """What one person record says about the person, and which agency holds it."""

    agency_id: int
    agency_kind: str
    given_names: str = ""
    family_name: str = ""
    birth_date: dt.date | None = None
    birth_date_precision: str = "day"
    sex: str = ""
    ethnicity: str = ""


@dataclass(frozen=True, order=True)
class BirthDate:
    """A recorded date of birth: the first day of its period and how precise it is."""

    value: dt.date
    precision: str = "day"

    @property
    def period(self) -> tuple[dt.date, dt.date]:
        d = self.value
        if self.precision == "year":
            return dt.date(d.year, 1, 1), dt.date(d.year, 12, 31)
        if self.precision == "season":  # three months from the stored month
            end_month = d.month + 2
            year = d.year + (end_month - 1) // 12
            month = (end_month - 1) % 12 + 1
            return d.replace(day=1), dt.date(year, month, calendar.monthrange(year, month)[1])
        if self.precision == "month":
            return d.replace(day=1), d.replace(day=calendar.monthrange(d.year, d.month)[1])
        return d, d

    @property
    def rank(self) -> int:
        return _PRECISION_RANK.get(self.precision, 3)


def birth_date_supports(recorded: BirthDate, candidate: BirthDate) -> bool:
    """`recorded` agrees with `candidate` and is no more precise: its period holds the other's."""
    first, last = recorded.period
    c_first, c_last = candidate.period
    return first <= c_first and c_last <= last


def birth_dates_agree(a: BirthDate, b: BirthDate) -> bool:
    """Neither contradicts the other (one may be less precise)."""
    a_first, a_last = a.period
    b_first, b_last = b.period
    return a_first <= b_last and b_first <= a_last


NameKey = tuple[str, ...]


@lru_cache(maxsize=65536)
def name_key(text: str) -> NameKey:
    """The words of a name as compared: case, accents, hyphens and apostrophes do not count."""
    return tuple(tokens(text))


def _subsequence(short: Sequence[str], long: Sequence[str]) -> bool:
    words = iter(long)
    return all(any(word == w for w in words) for word in short)


def name_supports(recorded: NameKey, candidate: NameKey) -> bool:
    """A recorded name supports a fuller one it is part of ("Max" supports "Max Karim")."""
    return bool(recorded) and _subsequence(recorded, candidate)


def names_agree(a: NameKey, b: NameKey) -> bool:
    return _subsequence(a, b) or _subsequence(b, a)


V = TypeVar("V", bound=Hashable)


@dataclass(frozen=True)
class Vote(Generic[V]):
    agency_id: int
    agency_kind: str
    value: V


def choose(
    votes: Iterable[Vote[V]],
    *,
    supports: Callable[[V, V], bool],
    order: Callable[[V], tuple[object, ...]],
) -> V | None:
    """The value with the most support (agencies, each once); ties to the most preferred kind of
    agency recording exactly that value, then `order` (smallest first). None without votes."""
    recorded_by: dict[V, set[tuple[int, str]]] = defaultdict(set)
    for vote in votes:
        recorded_by[vote.value].add((vote.agency_id, vote.agency_kind))
    if len(recorded_by) <= 1:  # no votes, or every agency agrees (most people)
        return next(iter(recorded_by), None)

    def support(candidate: V) -> int:
        return len(
            {
                agency
                for value, agencies in recorded_by.items()
                if supports(value, candidate)
                for agency, _ in agencies
            }
        )

    def key(candidate: V) -> tuple[object, ...]:
        best = min(preference_rank(kind) for _, kind in recorded_by[candidate])
        return (-support(candidate), best, *order(candidate))

    return min(recorded_by, key=key)


def disagreeing(
    votes: Iterable[Vote[V]], shown: V | None, *, agree: Callable[[V, V], bool]
) -> list[Vote[V]]:
    """The votes of agencies none of whose values agrees with the value shown (each value of
    each such agency once, in a fixed order)."""
    cast = list(votes)
    if shown is None:
        return []
    agreeing = {v.agency_id for v in cast if agree(v.value, shown)}
    seen: set[tuple[int, V]] = set()
    out = []
    for vote in cast:
        if vote.agency_id in agreeing or (vote.agency_id, vote.value) in seen:
            continue
        seen.add((vote.agency_id, vote.value))
        out.append(vote)
    return sorted(out, key=lambda v: (preference_rank(v.agency_kind), v.agency_id, repr(v.value)))


# --- the fields --------------------------------------------------------------------------------


def birth_date_votes(records: Iterable[Recorded]) -> list[Vote[BirthDate]]:
    return [
        Vote(r.agency_id, r.agency_kind, BirthDate(r.birth_date, r.birth_date_precision or "day"))
        for r in records
        if r.birth_date is not None
    ]


def choose_birth_date(records: Iterable[Recorded]) -> BirthDate | None:
    return choose(
        birth_date_votes(records),
        supports=birth_date_supports,
        order=lambda b: (-b.rank, b.value.isoformat()),
    )


def _name_votes(records: Iterable[Recorded], part: str) -> list[Vote[NameKey]]:
    out = []
    for r in records:
        key = name_key(getattr(r, part))
        if key:
            out.append(Vote(r.agency_id, r.agency_kind, key))
    return out


def _choose_name(records: Sequence[Recorded], part: str) -> str:
    """The chosen name's words, written as the agencies recording exactly those words most
    often write them (then as the most preferred agency does, then the first in order)."""
    winner = choose(
        _name_votes(records, part),
        supports=name_supports,
        order=lambda key: (-len(key), key),
    )
    if winner is None:
        return ""
    spellings = [
        Vote(r.agency_id, r.agency_kind, " ".join(getattr(r, part).split()))
        for r in records
        if name_key(getattr(r, part)) == winner
    ]
    chosen = choose(spellings, supports=lambda a, b: a == b, order=lambda text: (text,))
    return chosen or ""


def choose_sex(records: Iterable[Recorded]) -> str | None:
    votes = [Vote(r.agency_id, r.agency_kind, r.sex) for r in records if r.sex not in NO_SEX]
    return choose(votes, supports=lambda a, b: a == b, order=lambda v: (v,))


def choose_ethnicity(records: Iterable[Recorded]) -> str | None:
    """A recorded ethnicity; failing any, "not obtained" or "refused" as recorded."""
    records = list(records)
    for wanted in (lambda e: e not in NO_ETHNICITY, lambda e: e != ""):
        votes = [
            Vote(r.agency_id, r.agency_kind, r.ethnicity) for r in records if wanted(r.ethnicity)
        ]
        if votes:
            return choose(votes, supports=lambda a, b: a == b, order=lambda v: (v,))
    return None


@dataclass(frozen=True)
class Details:
    """The details to show, chosen from every record."""

    given_names: str
    family_name: str
    birth_date: dt.date | None
    birth_date_precision: str
    sex: str
    ethnicity: str


def details_of(records: Sequence[Recorded]) -> Details:
    birth = choose_birth_date(records)
    return Details(
        given_names=_choose_name(records, "given_names"),
        family_name=_choose_name(records, "family_name"),
        birth_date=birth.value if birth else None,
        birth_date_precision=birth.precision if birth else "day",
        sex=choose_sex(records) or "unknown",
        ethnicity=choose_ethnicity(records) or "",
    )


def birth_date_dissent(
    records: Iterable[Recorded], shown: BirthDate | None
) -> list[Vote[BirthDate]]:
    """Agencies recording a date of birth that contradicts the one shown."""
    return disagreeing(birth_date_votes(records), shown, agree=birth_dates_agree)


def sex_dissent(records: Iterable[Recorded], shown: str) -> list[Vote[str]]:
    if shown in NO_SEX:
        return []
    votes = [Vote(r.agency_id, r.agency_kind, r.sex) for r in records if r.sex not in NO_SEX]
    return disagreeing(votes, shown, agree=lambda a, b: a == b)


# --- names that differ from the one shown --------------------------------------------------------


class NameFit(StrEnum):
    SAME = "same"  # the name shown, or part of it ("Max Holmes" for "Max Karim Holmes")
    SPELLING = "spelling"  # the same name keyed differently: a slip, a short form, names swapped
    OTHER = "other"  # another name


def _word_variant(word: str, shown: str) -> bool:
    """The same word keyed differently: one slip (two in a long word), a short form ("Max",
    "Maxwell") or a nickname of it ("Liam", "William")."""
    if word == shown:
        return True
    if NICKNAME_ROOT.get(word, word) == NICKNAME_ROOT.get(shown, shown):
        return True
    short, long_ = sorted((word, shown), key=len)
    if len(short) >= 3 and long_.startswith(short):
        return True
    allowed = 2 if min(len(word), len(shown)) >= 7 else 1
    return bool(jellyfish.damerau_levenshtein_distance(word, shown) <= allowed)


def _words_variant(words: NameKey, shown: NameKey) -> bool:
    """Every word of one side is a variant of a word of the other (the fuller side may have a
    middle name more)."""
    return all(any(_word_variant(w, s) for s in shown) for w in words) or all(
        any(_word_variant(w, s) for w in words) for s in shown
    )


def name_fit(given: str, family: str, *, shown_given: str, shown_family: str) -> NameFit:
    """How a recorded (given, family) name relates to the name shown."""
    g, f = name_key(given), name_key(family)
    sg, sf = name_key(shown_given), name_key(shown_family)
    if names_agree(g, sg) and names_agree(f, sf):
        return NameFit.SAME
    for mine_given, mine_family in ((g, f), (f, g)):  # as recorded, and first and last swapped
        if not mine_given and not mine_family:
            continue
        if _words_variant(mine_given, sg) and _words_variant(mine_family, sf):
            return NameFit.SPELLING
    if sorted(g + f) == sorted(sg + sf):
        return NameFit.SPELLING  # the same words in another order
    return NameFit.OTHER


def _full(given: str, family: str) -> str:
    return " ".join(f"{given} {family}".split())


@dataclass(frozen=True)
class OtherNames:
    also_known_as: list[str]  # other names agencies send, and different names they record
    recorded_spellings: list[str]  # the name shown, keyed differently by some agency


def other_names(
    *,
    shown_given: str,
    shown_family: str,
    recorded: Iterable[tuple[str, str]],
    aliases: Iterable[tuple[str, str]],
) -> OtherNames:
    """Sort a person's names for reading. Names a feed sends as other names ("also known as")
    are real other names; a recorded name is a *spelling* when it differs from the name shown
    only by keying (a slip, a short form, first and last swapped), and another name otherwise.
    Each name once, in alphabetical order."""
    shown = (name_key(shown_given), name_key(shown_family))
    also: dict[tuple[NameKey, NameKey], str] = {}
    spellings: dict[tuple[NameKey, NameKey], str] = {}
    for given, family in aliases:
        key = (name_key(given), name_key(family))
        if key != shown and (key[0] or key[1]):
            also.setdefault(key, _full(given, family))
    for given, family in recorded:
        key = (name_key(given), name_key(family))
        if key in also:
            continue
        fit = name_fit(given, family, shown_given=shown_given, shown_family=shown_family)
        if fit is NameFit.OTHER:
            also.setdefault(key, _full(given, family))
        elif fit is NameFit.SPELLING:
            spellings.setdefault(key, _full(given, family))
    for key in also:
        spellings.pop(key, None)
    return OtherNames(
        also_known_as=sorted(also.values(), key=str.casefold),
        recorded_spellings=sorted(spellings.values(), key=str.casefold),
    )
