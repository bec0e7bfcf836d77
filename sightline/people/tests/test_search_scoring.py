import datetime as dt

import pytest

from sightline.people.search_scoring import (
    BirthDateFit,
    BirthDateQuery,
    birth_date_fit,
    name_similarity,
    name_tokens,
    token_similarity,
    weighted_query_keys,
)

D = dt.date


@pytest.mark.parametrize(
    ("query", "value", "precision", "fit"),
    [
        (BirthDateQuery(2011, 3, 4), D(2011, 3, 4), "day", BirthDateFit.EXACT),
        (BirthDateQuery(2011, 3, 4), D(2011, 4, 3), "day", BirthDateFit.SWAPPED),
        (BirthDateQuery(2011, 3, 4), D(2011, 3, 1), "month", BirthDateFit.CONSISTENT),
        (BirthDateQuery(2011, 3, 4), D(2011, 4, 1), "month", BirthDateFit.SWAPPED),
        (BirthDateQuery(2011, 3, 4), D(2011, 1, 1), "year", BirthDateFit.CONSISTENT),
        (BirthDateQuery(2011, 3, 4), D(2011, 3, 1), "season", BirthDateFit.CONSISTENT),
        (BirthDateQuery(2011, 3, 4), None, "day", BirthDateFit.UNKNOWN),
        (BirthDateQuery(2011, 3, 4), D(2011, 3, 5), "day", None),
        (BirthDateQuery(2011, 3, 4), D(2012, 3, 4), "day", None),
        (BirthDateQuery(2011, 3, 4), D(2012, 1, 1), "year", None),
        (BirthDateQuery(2011, 3, 3), D(2011, 3, 3), "day", BirthDateFit.EXACT),
        (BirthDateQuery(2011, 3, 25), D(2011, 3, 25), "day", BirthDateFit.EXACT),
        (BirthDateQuery(2011, 3), D(2011, 3, 30), "day", BirthDateFit.CONSISTENT),
        (BirthDateQuery(2011, 3), D(2011, 4, 30), "day", None),
        (BirthDateQuery(2011), D(2011, 12, 31), "day", BirthDateFit.CONSISTENT),
        (BirthDateQuery(2011), D(2010, 12, 31), "day", None),
    ],
)
def test_birth_date_fit(query, value, precision, fit):
    assert birth_date_fit(query, value, precision) == fit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2010-05-17", BirthDateQuery(2010, 5, 17)),
        ("2010-05", BirthDateQuery(2010, 5)),
        ("2010", BirthDateQuery(2010)),
    ],
)
def test_birth_date_query_parse(text, expected):
    assert BirthDateQuery.parse(text) == expected
    assert expected.iso == text


@pytest.mark.parametrize("text", ["", "17/05/2010", "2010-02-30", "2010-13", "10-05-17", "x"])
def test_birth_date_query_parse_refuses(text):
    with pytest.raises(ValueError, match=r"."):
        BirthDateQuery.parse(text)


def test_swapped_only_when_it_is_another_real_date():
    assert BirthDateQuery(2011, 3, 4).swapped == D(2011, 4, 3)
    assert BirthDateQuery(2011, 3, 3).swapped is None
    assert BirthDateQuery(2011, 3, 13).swapped is None
    assert BirthDateQuery(2011, 3).swapped is None


def test_period_bounds():
    assert (BirthDateQuery(2012, 2).first_day, BirthDateQuery(2012, 2).last_day) == (
        D(2012, 2, 1),
        D(2012, 2, 29),
    )
    assert BirthDateQuery(2012).last_day == D(2012, 12, 31)


@pytest.mark.parametrize(
    ("query", "candidate", "at_least"),
    [
        ("william", "william", 100),
        ("liam", "william", 90),  # nickname
        ("smyth", "smith", 85),  # sounds the same
        ("smtih", "smith", 80),  # typo
        ("muhammad", "mohammed", 90),
    ],
)
def test_token_similarity(query, candidate, at_least):
    assert token_similarity(query, candidate) >= at_least


def test_unrelated_words_are_dissimilar():
    assert token_similarity("jones", "smith") < 40


def test_name_tokens_run_hyphenated_family_names_together():
    assert name_tokens("Kayden Lee", "Smith-Jones") == (
        "kayden",
        "lee",
        "smith",
        "jones",
        "smithjones",
    )


def test_name_similarity_averages_over_query_words():
    name = name_tokens("Oliver", "Smith")
    assert name_similarity(["oliver", "smith"], name) == 100
    assert name_similarity(["oliver", "jones"], name) < 75
    assert name_similarity([], name) == 0


def test_weighted_query_keys_per_word():
    oliver, smtih = weighted_query_keys("Oliver Smtih")
    assert oliver["t:oliver"] == 4
    assert oliver["n:oliver"] == 3
    assert oliver["p:OLFR"] == 2
    assert smtih["t:smith"] == 2  # near miss: two letters swapped
    assert "t:smtih" in smtih
