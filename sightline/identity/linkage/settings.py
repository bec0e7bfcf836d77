"""The linkage model's shape: which fields are compared, at which levels, and how pairs are blocked.

Every comparison's levels are ordered from strongest agreement to "all other comparisons". The
"disagree" levels on identifiers and sex have a fixed m (a floor), so one keying error can cost at
most about -5.6 bits and never vetoes a true match alone; training floors the rest (training.py).
The labels written here are what a reviewer reads in a link's explanation.
"""

from __future__ import annotations

from typing import Any, cast

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule

# Identifiers are unique per child in the population: u for "equal" is fixed from domain
# knowledge (random sampling finds no agreeing pair for the rare ones, e.g. PNC ids).
IDENTIFIER_EQUAL_U = 1e-5
# m for "both present and different": a floor, not learned (learned values collapse to ~0).
IDENTIFIER_DIFFERENT_M = {"nhs_number": 0.02, "upn": 0.05, "pnc_id": 0.02}
SEX_DIFFERENT_M = 0.02

IDENTIFIERS = ("nhs_number", "upn", "pnc_id")
IDENTIFIER_LABELS = {"nhs_number": "NHS number", "upn": "UPN", "pnc_id": "PNC ID"}

# Level labels that mean the given names agree (used by the household guard, guard.py).
FIRST_NAME_AGREES = (
    "exact",
    "names swapped",
    "similar spelling",
    "one letter different",
    "nickname or alias",
    "sounds alike",
)

# Forename and surname swapped. Each comparison reads the other name from its own copy column
# (sn_for_swap, fn_for_swap), so that an EM session blocked on one name can still train the other.
_FIRST_NAME_SWAPPED = (
    "jaro_winkler_similarity(first_name_l, sn_for_swap_r) >= 0.9 "
    "AND jaro_winkler_similarity(sn_for_swap_l, first_name_r) >= 0.9"
)
_SURNAME_SWAPPED = "surname_l = fn_for_swap_r AND fn_for_swap_l = surname_r"
_DOB_SWAPPED = (
    "substr(dob_l, 1, 4) = substr(dob_r, 1, 4) "
    "AND substr(dob_l, 6, 2) = substr(dob_r, 9, 2) "
    "AND substr(dob_l, 9, 2) = substr(dob_r, 6, 2)"
)


def _identifier(col: str) -> cl.CustomComparison:
    label = IDENTIFIER_LABELS[col]
    return cl.CustomComparison(
        output_column_name=col,
        comparison_description=label,
        comparison_levels=[
            cll.NullLevel(col).configure(label_for_charts="missing"),
            cll.ExactMatchLevel(col).configure(
                u_probability=IDENTIFIER_EQUAL_U,
                fix_u_probability=True,
                label_for_charts="exact",
            ),
            cll.ElseLevel().configure(
                m_probability=IDENTIFIER_DIFFERENT_M[col],
                fix_m_probability=True,
                label_for_charts="different",
            ),
        ],
    )


def _first_name() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="first_name",
        comparison_description="First name",
        comparison_levels=[
            cll.NullLevel("first_name").configure(label_for_charts="missing"),
            cll.ExactMatchLevel("first_name").configure(
                tf_adjustment_column="first_name", label_for_charts="exact"
            ),
            cll.CustomLevel(_FIRST_NAME_SWAPPED, label_for_charts="names swapped"),
            cll.JaroWinklerLevel("first_name", 0.92).configure(label_for_charts="similar spelling"),
            # Damerau-Levenshtein is slow in DuckDB: only for names already loosely similar.
            cll.CustomLevel(
                "jaro_winkler_similarity(first_name_l, first_name_r) >= 0.7 "
                "AND damerau_levenshtein(first_name_l, first_name_r) <= 1",
                label_for_charts="one letter different",
            ),
            cll.ArrayIntersectLevel("fn_variants", 1).configure(
                label_for_charts="nickname or alias"
            ),
            cll.ExactMatchLevel("fn_phonetic").configure(label_for_charts="sounds alike"),
            cll.CustomLevel(
                "list_contains(given_tokens_l, first_name_r) "
                "OR list_contains(given_tokens_r, first_name_l)",
                label_for_charts="first name is the other's middle name",
            ),
            cll.JaroWinklerLevel("first_name", 0.8).configure(label_for_charts="loosely similar"),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def _surname() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="surname",
        comparison_description="Surname",
        comparison_levels=[
            cll.NullLevel("surname").configure(label_for_charts="missing"),
            cll.ExactMatchLevel("surname").configure(
                tf_adjustment_column="surname", label_for_charts="exact"
            ),
            # Counted once, under the first name: here it weighs nothing.
            cll.CustomLevel(_SURNAME_SWAPPED, label_for_charts="names swapped").configure(
                m_probability=1e-4,
                u_probability=1e-4,
                fix_m_probability=True,
                fix_u_probability=True,
            ),
            cll.JaroWinklerLevel("surname", 0.92).configure(label_for_charts="similar spelling"),
            cll.ArrayIntersectLevel("sn_parts", 1).configure(
                label_for_charts="shares a surname part"
            ),
            cll.ExactMatchLevel("sn_phonetic").configure(label_for_charts="sounds alike"),
            cll.JaroWinklerLevel("surname", 0.8).configure(label_for_charts="loosely similar"),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def _middle_names() -> cl.CustomComparison:
    # Some agencies record middle names (GPs most): when both do, they tell namesakes apart.
    tokens_l = "string_split(middle_names_l, ' ')"
    tokens_r = "string_split(middle_names_r, ' ')"
    return cl.CustomComparison(
        output_column_name="middle_names",
        comparison_description="Middle names",
        comparison_levels=[
            cll.NullLevel("middle_names").configure(label_for_charts="missing"),
            cll.ExactMatchLevel("middle_names").configure(label_for_charts="exact"),
            cll.CustomLevel(
                f"list_has_any({tokens_l}, {tokens_r})", label_for_charts="one in common"
            ),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def _date_of_birth() -> cl.CustomComparison:
    partial = "(dob_l IS NULL OR dob_r IS NULL)"
    return cl.CustomComparison(
        output_column_name="dob",
        comparison_description="Date of birth",
        comparison_levels=[
            cll.CustomLevel("dob_year_l IS NULL OR dob_year_r IS NULL").configure(
                is_null_level=True, label_for_charts="missing"
            ),
            cll.ExactMatchLevel("dob").configure(label_for_charts="exact"),
            cll.CustomLevel(_DOB_SWAPPED, label_for_charts="day and month swapped"),
            # dob is always YYYY-MM-DD when present: Hamming distance counts keyed digits and
            # is ~8x cheaper in DuckDB than (Damerau-)Levenshtein.
            cll.CustomLevel("hamming(dob_l, dob_r) <= 1", label_for_charts="one digit different"),
            cll.CustomLevel(f"{partial} AND dob_ym_l = dob_ym_r").configure(
                label_for_charts="same month (partial date)"
            ),
            cll.CustomLevel(
                f"{partial} AND (dob_ym_l IS NULL OR dob_ym_r IS NULL) AND dob_year_l = dob_year_r"
            ).configure(label_for_charts="same year (partial date)"),
            cll.CustomLevel(
                "substr(dob_l, 6, 5) = substr(dob_r, 6, 5) AND abs(dob_year_l - dob_year_r) = 1",
                label_for_charts="year out by one",
            ),
            cll.CustomLevel("hamming(dob_l, dob_r) <= 2", label_for_charts="two digits different"),
            cll.AbsoluteDateDifferenceLevel(
                "dob", input_is_string=True, threshold=1, metric="month"
            ).configure(label_for_charts="within a month"),
            cll.AbsoluteDateDifferenceLevel(
                "dob", input_is_string=True, threshold=1, metric="year"
            ).configure(label_for_charts="within a year"),
            cll.AbsoluteDateDifferenceLevel(
                "dob", input_is_string=True, threshold=10, metric="year"
            ).configure(label_for_charts="within ten years"),
            cll.ElseLevel().configure(label_for_charts="a generation apart"),
        ],
    )


def _postcode() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="postcode",
        comparison_description="Postcode",
        comparison_levels=[
            cll.NullLevel("postcode").configure(label_for_charts="missing"),
            # No term-frequency adjustment: a rare postcode is one household, and households
            # are where the false links are (siblings, twins, parents of the same name).
            cll.ExactMatchLevel("postcode").configure(label_for_charts="exact"),
            cll.ArrayIntersectLevel("postcodes", 1).configure(
                label_for_charts="shared a past address"
            ),
            cll.ExactMatchLevel("pc_sector").configure(label_for_charts="same sector"),
            cll.ExactMatchLevel("pc_district").configure(label_for_charts="same district"),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def _sex() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="sex",
        comparison_description="Sex",
        comparison_levels=[
            cll.NullLevel("sex").configure(label_for_charts="missing"),
            cll.ExactMatchLevel("sex").configure(label_for_charts="exact"),
            cll.ElseLevel().configure(
                m_probability=SEX_DIFFERENT_M, fix_m_probability=True, label_for_charts="different"
            ),
        ],
    )


def comparisons() -> list[cl.CustomComparison]:
    return [
        _identifier("nhs_number"),
        _identifier("upn"),
        _identifier("pnc_id"),
        _first_name(),
        _middle_names(),
        _surname(),
        _date_of_birth(),
        _postcode(),
        _sex(),
    ]


# Blocking: each rule is an equi-join; later rules skip pairs earlier rules found. Sized with
# `count_comparisons_from_blocking_rules` at 1M records (docs/identity.md): no rule groups only on
# one name or only on surname + forename, which grow quadratically with Zipf-distributed names.
BLOCKING_RULES: list[tuple[str, ...] | str] = [
    ("nhs_number",),
    ("upn",),
    ("pnc_id",),
    ("first_name", "dob"),
    ("surname", "dob"),
    ("fn_phonetic", "dob_swap_key"),  # day/month swaps, first name misspelt
    ("first_name", "surname", "dob_year"),
    ("first_name", "postcode"),
    "l.first_name = r.surname AND l.dob = r.dob",  # forename and surname swapped
    "l.surname = r.first_name AND l.dob = r.dob",
    "l.first_name = r.surname AND l.postcode = r.postcode",
    "l.surname = r.first_name AND l.postcode = r.postcode",
    ("surname", "postcode"),  # households: siblings and twins, scored and guarded
    ("fn_phonetic", "sn_phonetic", "pc_district"),
    ("dob", "postcode"),
    ("dob", "pc_district"),
    ("first_name", "surname", "pc_district"),  # DOB missing on one side
]

# EM sessions: never on postcode or address (that learns "same household", not "same person").
# The given name's m comes from silver labels only: any EM rule that can estimate it (one not
# on the given name) puts twins (same surname, birth date and address) in its blocks.
TRAINING_BLOCKING_RULES: list[tuple[str, ...] | str] = [
    ("first_name", "surname"),  # estimates birth date, address, sex, identifiers (capped)
    ("first_name", "dob"),  # estimates surname, address, sex, identifiers
]
# Used only when there are no silver labels (e.g. FEBRL, which has no identifiers).
FIRST_NAME_TRAINING_RULE: tuple[str, ...] = ("surname", "dob")


def blocking_rules(rules: list[tuple[str, ...] | str] | None = None) -> list[Any]:
    return [
        CustomRule(rule) if isinstance(rule, str) else block_on(*rule)
        for rule in (rules or BLOCKING_RULES)
    ]


def settings_creator(*, blocking: list[tuple[str, ...] | str] | None = None) -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=cast(list[Any], comparisons()),
        blocking_rules_to_generate_predictions=blocking_rules(blocking),
        additional_columns_to_retain=["source"],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=True,
        max_iterations=20,
        em_convergence=0.001,
    )


def untuned_settings_creator() -> SettingsCreator:
    """A baseline an engineer might write first: library comparisons, defaults, no floors."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.ExactMatch("nhs_number"),
            cl.ExactMatch("upn"),
            cl.ExactMatch("pnc_id"),
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
            cl.ExactMatch("sex"),
        ],
        blocking_rules_to_generate_predictions=blocking_rules(),
        additional_columns_to_retain=["source"],
        retain_matching_columns=True,
    )


def settings_dict() -> dict[str, Any]:
    """The untrained model as a Splink settings dict (levels and labels, no m or u)."""
    return settings_creator().create_settings_dict("duckdb")
