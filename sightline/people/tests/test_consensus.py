"""The details shown for a person are the ones most agencies record (people.consensus): tables of
cases, and properties over any multiset of values a careless set of feeds could send."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sightline.people import consensus
from sightline.people.consensus import BirthDate, NameFit, Recorded, Vote

KINDS = ["child_exploitation_team", "childrens_social_care", "health_ae", "health_gp", "police"]
KINDS += ["youth_justice", "school", "housing", "not_a_kind"]


def rec(agency_id: int, kind: str, born: dt.date | None, **fields: str) -> Recorded:
    return Recorded(agency_id=agency_id, agency_kind=kind, birth_date=born, **fields)


MAX = [
    rec(1, "child_exploitation_team", dt.date(2011, 1, 12), given_names="Max", family_name="Holmes"),
    rec(2, "childrens_social_care", dt.date(2011, 12, 1), given_names="Max", family_name="Holmes"),
    rec(3, "health_ae", dt.date(2011, 12, 1), given_names="Maxwell", family_name="Holmees"),
    rec(4, "health_gp", dt.date(2011, 12, 1), given_names="Max", family_name="Holmes"),
    rec(5, "police", dt.date(2011, 12, 1), given_names="Ma Karim", family_name="Holmes"),
    rec(6, "youth_justice", dt.date(2011, 12, 1), given_names="Max", family_name="Holmes"),
    rec(7, "school", dt.date(2011, 12, 1), given_names="Max", family_name="Holmes"),
]  # fmt: skip


def test_the_date_of_birth_most_agencies_record_is_shown_whatever_came_first():
    chosen = consensus.details_of(MAX)
    assert chosen.birth_date == dt.date(2011, 12, 1)
    assert (chosen.given_names, chosen.family_name) == ("Max", "Holmes")
    dissent = consensus.birth_date_dissent(MAX, BirthDate(dt.date(2011, 12, 1)))
    assert [(v.agency_id, v.value.value) for v in dissent] == [(1, dt.date(2011, 1, 12))]


def test_names_swapped_by_the_first_agency_are_outvoted():
    records = [
        rec(1, "child_exploitation_team", None, given_names="Smith", family_name="Charlie"),
        rec(2, "childrens_social_care", None, given_names="Charlie", family_name="Smith"),
        rec(3, "school", None, given_names="Charlie", family_name="SMITH"),
    ]
    chosen = consensus.details_of(records)
    assert (chosen.given_names, chosen.family_name) == ("Charlie", "Smith")


def test_one_agency_counts_once_however_many_records_it_holds():
    records = [
        rec(1, "police", dt.date(2011, 1, 12)),
        rec(1, "police", dt.date(2011, 1, 12)),
        rec(1, "police", dt.date(2011, 1, 12)),
        rec(2, "school", dt.date(2011, 12, 1)),
        rec(3, "housing", dt.date(2011, 12, 1)),
    ]
    assert consensus.details_of(records).birth_date == dt.date(2011, 12, 1)


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        # One each: health before social care before school before police (PREFERENCE).
        (("police", "health_gp"), dt.date(2011, 12, 1)),
        (("health_gp", "police"), dt.date(2011, 1, 12)),
        (("school", "childrens_social_care"), dt.date(2011, 12, 1)),
        (("child_exploitation_team", "school"), dt.date(2011, 12, 1)),
    ],
)
def test_a_tie_goes_to_the_preferred_kind_of_agency(kinds, expected):
    first, second = kinds
    records = [rec(1, first, dt.date(2011, 1, 12)), rec(2, second, dt.date(2011, 12, 1))]
    assert consensus.details_of(records).birth_date == expected


def test_a_less_precise_date_supports_a_precise_one_that_agrees():
    records = [
        rec(1, "police", dt.date(2011, 1, 1), birth_date_precision="year"),
        rec(2, "housing", dt.date(2011, 12, 1), birth_date_precision="month"),
        rec(3, "youth_justice", dt.date(2011, 12, 1)),
        rec(4, "health_gp", dt.date(2011, 1, 12)),
        rec(5, "school", dt.date(2011, 1, 12)),
    ]
    chosen = consensus.details_of(records)
    # 1 December 2011: the year, the month and the day (3); 12 January: the year and two days.
    # A tie (3 each) goes to the health record's day.
    assert (chosen.birth_date, chosen.birth_date_precision) == (dt.date(2011, 1, 12), "day")
    records.append(rec(6, "other", dt.date(2011, 12, 1)))
    assert consensus.details_of(records).birth_date == dt.date(2011, 12, 1)
    # A year or month that agrees is not a disagreement.
    dissent = consensus.birth_date_dissent(records, BirthDate(dt.date(2011, 12, 1)))
    assert {v.agency_id for v in dissent} == {4, 5}


def test_not_known_never_outvotes_a_known_value():
    records = [
        rec(1, "health_gp", None, sex="unknown", ethnicity="NOBT"),
        rec(2, "police", None, sex="unknown", ethnicity="REFU"),
        rec(3, "other", dt.date(2012, 3, 4), sex="female", ethnicity="WBRI"),
    ]
    chosen = consensus.details_of(records)
    assert (chosen.birth_date, chosen.sex, chosen.ethnicity) == (
        dt.date(2012, 3, 4),
        "female",
        "WBRI",
    )
    assert consensus.details_of([]).sex == "unknown"
    # With no ethnicity recorded, "refused" or "not obtained" is kept, as an agency said it.
    assert consensus.details_of(records[:2]).ethnicity == "NOBT"


def test_a_middle_name_some_agencies_record_is_kept():
    records = [
        rec(1, "police", None, given_names="Max"),
        rec(2, "school", None, given_names="Max Karim"),
        rec(3, "housing", None, given_names="Max"),
    ]
    assert consensus.details_of(records).given_names == "Max Karim"


@pytest.mark.parametrize(
    ("given", "family", "fit"),
    [
        ("Max", "Holmes", NameFit.SAME),
        ("MAX", "holmes", NameFit.SAME),
        ("Max Karim", "Holmes", NameFit.SAME),  # a middle name more
        ("", "Holmes", NameFit.SAME),
        ("Maxwell", "Holmees", NameFit.SPELLING),  # a long form and a keying slip
        ("Ma Karim", "Holmes", NameFit.SPELLING),  # a dropped letter
        ("Holmes", "Max", NameFit.SPELLING),  # first and last swapped
        ("Mxa", "Hlomes", NameFit.SPELLING),  # transposed letters
        ("Max", "Jones", NameFit.OTHER),  # another family name
        ("Jimbo", "Holmes", NameFit.OTHER),
    ],
)
def test_how_a_recorded_name_relates_to_the_name_shown(given, family, fit):
    assert consensus.name_fit(given, family, shown_given="Max", shown_family="Holmes") is fit


def test_other_names_and_recorded_spellings_are_kept_apart():
    names = consensus.other_names(
        shown_given="Max",
        shown_family="Holmes",
        recorded=[
            ("Max", "Holmes"),
            ("Maxwell", "Holmees"),
            ("Ma Karim", "Holmes"),
            ("Max", "Jones"),
        ],
        aliases=[("Mackie", "Holmes"), ("Max", "Holmes")],
    )
    assert names.also_known_as == ["Mackie Holmes", "Max Jones"]
    assert names.recorded_spellings == ["Ma Karim Holmes", "Maxwell Holmees"]


# --- properties -----------------------------------------------------------------------------------

dates = st.dates(min_value=dt.date(2005, 1, 1), max_value=dt.date(2007, 12, 31))


def _at_precision(value: dt.date, precision: str) -> BirthDate:
    """As the importer stores a partial date: the first day of its period."""
    if precision == "year":
        return BirthDate(value.replace(month=1, day=1), "year")
    if precision == "month":
        return BirthDate(value.replace(day=1), "month")
    return BirthDate(value)


birth_dates = st.builds(_at_precision, dates, st.sampled_from(["day", "day", "month", "year"]))
# A few agencies and a few values, so that ties and repeats are common.
votes_of_dates = st.lists(
    st.tuples(st.integers(1, 6), st.sampled_from(KINDS), st.sampled_from(
        [BirthDate(dt.date(2011, 12, 1)), BirthDate(dt.date(2011, 1, 12)), BirthDate(dt.date(2011, 12, 1), "month"),
         BirthDate(dt.date(2011, 1, 1), "year"), BirthDate(dt.date(2010, 1, 1), "year"), BirthDate(dt.date(2011, 12, 3))]
    ) | birth_dates),
    max_size=12,
)  # fmt: skip


def _votes(rows: list[tuple[int, str, BirthDate]]) -> list[Vote[BirthDate]]:
    # One agency is of one kind: the kind of its first row.
    kinds: dict[int, str] = {}
    return [Vote(a, kinds.setdefault(a, k), v) for a, k, v in rows]


def _support(votes: list[Vote[BirthDate]], candidate: BirthDate) -> int:
    return len({v.agency_id for v in votes if consensus.birth_date_supports(v.value, candidate)})


def _choose(votes: list[Vote[BirthDate]]) -> BirthDate | None:
    records = [
        Recorded(
            v.agency_id,
            v.agency_kind,
            birth_date=v.value.value,
            birth_date_precision=v.value.precision,
        )
        for v in votes
    ]
    return consensus.choose_birth_date(records)


@given(votes_of_dates, st.randoms())
def test_the_date_shown_has_the_most_support_and_does_not_depend_on_order(rows, rnd):
    votes = _votes(rows)
    shown = _choose(votes)
    if not votes:
        assert shown is None
        return
    assert shown is not None
    assert shown in {v.value for v in votes}, "a value some agency records"
    best = max(_support(votes, v.value) for v in votes)
    assert _support(votes, shown) == best
    shuffled = votes[:]
    rnd.shuffle(shuffled)
    assert _choose(shuffled) == shown, "independent of the order the records arrived in"


@given(
    st.lists(st.tuples(st.integers(1, 8), st.sampled_from(KINDS), dates), max_size=12), st.randoms()
)
def test_with_full_dates_only_the_date_shown_is_a_most_common_one(rows, rnd):
    votes = _votes([(a, k, BirthDate(d)) for a, k, d in rows])
    shown = _choose(votes)
    if not votes:
        return
    # Each agency once per value: the multiset of (agency, value) pairs.
    counts: dict[BirthDate, int] = {}
    for value in {(v.agency_id, v.value) for v in votes}:
        counts[value[1]] = counts.get(value[1], 0) + 1
    assert shown is not None
    assert counts[shown] == max(counts.values())
    # The tie-break is the documented one: the most preferred kind, then the earliest date.
    tied = [value for value, n in counts.items() if n == counts[shown]]
    best_kind = {
        value: min(consensus.preference_rank(v.agency_kind) for v in votes if v.value == value)
        for value in tied
    }
    assert shown == min(tied, key=lambda value: (best_kind[value], value.value))
    rnd.shuffle(votes)
    assert _choose(votes) == shown


names = st.sampled_from(
    ["Max", "Maxwell", "Max Karim", "Ma Karim", "Charlie", "Holmes", "max", "Smith"]
)


@given(
    st.lists(st.tuples(st.integers(1, 6), st.sampled_from(KINDS), names, names), max_size=10),
    st.randoms(),
)
def test_the_name_shown_does_not_depend_on_order(rows, rnd):
    kinds: dict[int, str] = {}
    records = [
        Recorded(a, kinds.setdefault(a, k), given_names=g, family_name=f) for a, k, g, f in rows
    ]
    chosen = consensus.details_of(records)
    rnd.shuffle(records)
    again = consensus.details_of(records)
    assert (again.given_names, again.family_name) == (chosen.given_names, chosen.family_name)
    if records:
        given_keys = [consensus.name_key(r.given_names) for r in records]
        support = {
            key: len(
                {
                    r.agency_id
                    for r, k in zip(records, given_keys, strict=True)
                    if consensus.name_supports(k, key)
                }
            )
            for key in given_keys
        }
        assert support[consensus.name_key(chosen.given_names)] == max(support.values())


@given(votes_of_dates)
def test_disagreeing_agencies_record_nothing_that_agrees_with_the_date_shown(rows):
    votes = _votes(rows)
    shown = _choose(votes)
    records = [
        Recorded(
            v.agency_id,
            v.agency_kind,
            birth_date=v.value.value,
            birth_date_precision=v.value.precision,
        )
        for v in votes
    ]
    dissent = consensus.birth_date_dissent(records, shown)
    dissenting = {v.agency_id for v in dissent}
    for vote in votes:
        agrees = shown is not None and consensus.birth_dates_agree(vote.value, shown)
        if agrees:
            assert vote.agency_id not in dissenting
    assert dissenting == {v.agency_id for v in votes} - {
        v.agency_id
        for v in votes
        if shown is not None and consensus.birth_dates_agree(v.value, shown)
    }
