"""Decisions on scored pairs: deterministic identifier links first, the household guard, bands.

Written as SQL over a predictions table (so a million pairs are decided inside DuckDB) and
mirrored by `decide()` in Python for one pair; tests hold the two to the same table of cases.

Rules, in order (a rule only ever lowers what the match weight alone would decide):
1. Two different valid NHS numbers: never linked, and not queued either (a person could not
   merge them: one person never holds two valid NHS numbers). The reason is kept.
2. A shared valid identifier (NHS number, UPN, PNC id) and no identifier conflict links
   deterministically, unless the first names disagree *and* the birth dates are years apart:
   then review (one number keyed against two children, e.g. a mother's on her baby).
3. No identifier agrees and the birth dates are years apart (full dates in different years,
   not a one-digit keying error or a day/month swap): a parent and child, or two siblings, of
   the same name. No link.
4. The household guard. No identifier agrees and the first names disagree: same surname,
   address and even birth date are what siblings and twins share.
   - Plainly different first names ("Oliver" and "Harry"): siblings or twins until a person says
     otherwise; no link, recorded as "possible twin" (same birth date) or "possible sibling".
   - First names only loosely alike (or one is another's middle name): never an automatic
     link; at or above the auto-link weight the pair goes to review, below it no link.
5. Another identifier differs (UPN or PNC id): review at most.
6. Otherwise the bands: auto-link at or above `auto_link`, review at or above `review`.

After these pair rules, `predict.resolve_ambiguous` sends to review the weak links (no first
name or no birth date on one side) of a record that would join two people who differ.
"""

# ruff: noqa: S608 - SQL here is assembled from the model's own column names and table names,
# never from input data.

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sightline.identity.linkage.settings import FIRST_NAME_AGREES, IDENTIFIERS


class Decision(StrEnum):
    AUTO_LINK = "auto_link"
    REVIEW = "review"
    NO_LINK = "no_link"


class Reason(StrEnum):
    NHS_CONFLICT = "different_nhs_numbers"
    IDENTIFIER_CONFLICT = "different_identifier"
    IDENTIFIER_DETAILS_CONFLICT = "shared_identifier_details_differ"
    POSSIBLE_TWIN = "possible_twin"
    POSSIBLE_SIBLING = "possible_sibling"
    POSSIBLE_PARENT_CHILD = "possible_parent_and_child"
    AMBIGUOUS = "matches_more_than_one_person"
    GREY_ZONE = "grey_zone"


REASON_TEXT = {
    Reason.NHS_CONFLICT: (
        "The records carry two different valid NHS numbers: they are never one person."
    ),
    Reason.IDENTIFIER_CONFLICT: "The records carry different identifiers (UPN or PNC ID).",
    Reason.IDENTIFIER_DETAILS_CONFLICT: (
        "The records share an identifier, but their names and dates of birth disagree."
    ),
    Reason.POSSIBLE_TWIN: (
        "Same surname and date of birth but different first names, and no shared identifier: "
        "possibly twins."
    ),
    Reason.POSSIBLE_SIBLING: (
        "The first names, or the dates of birth, disagree and no identifier is shared: "
        "possibly siblings."
    ),
    Reason.POSSIBLE_PARENT_CHILD: (
        "The dates of birth are a generation apart and no identifier is shared: possibly a "
        "parent and a child of the same name."
    ),
    Reason.AMBIGUOUS: (
        "One record has no first name or no date of birth and matches more than one person "
        "(possibly twins, or a parent and child of the same name)."
    ),
    Reason.GREY_ZONE: "The evidence is not strong enough to link automatically.",
}


@dataclass(frozen=True)
class Thresholds:
    """Match-weight bands (settings IDENTITY_AUTO_LINK_WEIGHT and IDENTITY_REVIEW_WEIGHT)."""

    auto_link: float = 6.0
    review: float = 5.0

    def __post_init__(self) -> None:
        if self.review > self.auto_link:
            raise ValueError("the review threshold must not be above the auto-link threshold")


@dataclass(frozen=True)
class Levels:
    """The comparison-vector values of the levels the rules need, read from a model."""

    identifier_exact: dict[str, int]
    identifier_different: dict[str, int]
    first_name_agrees: tuple[int, ...]
    first_name_different: int
    dob_exact: int
    dob_disagrees: tuple[int, ...]
    dob_generation: int
    dob_years_apart: tuple[int, ...]
    dob_two_digits: int

    @classmethod
    def from_model(cls, splink_settings: dict[str, Any]) -> Levels:
        table = level_table(splink_settings)
        by_label = {(name, level["label"]): gamma for (name, gamma), level in table.items()}
        return cls(
            identifier_exact={c: by_label[(c, "exact")] for c in IDENTIFIERS},
            identifier_different={c: by_label[(c, "different")] for c in IDENTIFIERS},
            first_name_agrees=tuple(
                by_label[("first_name", label)]
                for label in FIRST_NAME_AGREES
                if ("first_name", label) in by_label
            ),
            first_name_different=by_label[("first_name", "different")],
            dob_exact=by_label[("dob", "exact")],
            dob_disagrees=tuple(
                by_label[("dob", label)]
                for label in ("within ten years", "a generation apart")
                if ("dob", label) in by_label
            ),
            dob_generation=by_label[("dob", "a generation apart")],
            dob_two_digits=by_label[("dob", "two digits different")],
            dob_years_apart=tuple(
                by_label[("dob", label)]
                for label in ("within ten years", "a generation apart")
                if ("dob", label) in by_label
            ),
        )


def level_table(splink_settings: dict[str, Any]) -> dict[tuple[str, int], dict[str, Any]]:
    """(comparison, comparison-vector value) -> {label, description, m, u, tf column}.

    Splink numbers a comparison's non-null levels from the top, highest first, down to 0 for
    the last ("all other comparisons"); the null level is -1."""
    out: dict[tuple[str, int], dict[str, Any]] = {}
    for comparison in splink_settings["comparisons"]:
        name = comparison["output_column_name"]
        levels = comparison["comparison_levels"]
        non_null = [lv for lv in levels if not lv.get("is_null_level")]
        for level in levels:
            gamma = -1 if level.get("is_null_level") else len(non_null) - 1 - non_null.index(level)
            out[(name, gamma)] = {
                "label": level.get("label_for_charts") or level.get("sql_condition"),
                "comparison": comparison.get("comparison_description") or name,
                "m": level.get("m_probability"),
                "u": level.get("u_probability"),
                "tf": level.get("tf_adjustment_column"),
            }
    return out


def _in(col: str, values: tuple[int, ...]) -> str:
    return f"{col} IN ({', '.join(str(v) for v in values)})" if values else "FALSE"


def decision_sql(predictions: str, levels: Levels, thresholds: Thresholds) -> str:
    """SELECT every column of `predictions` plus decision, reason and method (see `decide`)."""
    ex, diff = levels.identifier_exact, levels.identifier_different
    id_agrees = " OR ".join(f"gamma_{c} = {ex[c]}" for c in IDENTIFIERS)
    other_conflict = " OR ".join(f"gamma_{c} = {diff[c]}" for c in IDENTIFIERS if c != "nhs_number")
    auto, review = thresholds.auto_link, thresholds.review
    R = Reason  # noqa: N806
    method = (
        "CASE "
        + " ".join(f"WHEN gamma_{c} = {ex[c]} THEN '{c}'" for c in IDENTIFIERS)
        + " ELSE 'probabilistic' END"
    )
    twin_or_sibling = (
        f"CASE WHEN _dob_exact THEN '{R.POSSIBLE_TWIN}' ELSE '{R.POSSIBLE_SIBLING}' END"
    )
    return f"""
    WITH flags AS (
      SELECT *,
        ({id_agrees}) AS _id_agrees,
        (gamma_nhs_number = {diff["nhs_number"]}) AS _nhs_conflict,
        ({other_conflict}) AS _other_conflict,
        ({_in("gamma_first_name", levels.first_name_agrees)}) AS _fn_agrees,
        (gamma_first_name = {levels.first_name_different}) AS _fn_different,
        (gamma_first_name = -1) AS _fn_missing,
        (gamma_dob = {levels.dob_exact}) AS _dob_exact,
        (gamma_dob = {levels.dob_generation}) AS _generation,
        (({_in("gamma_dob", levels.dob_years_apart)}) OR (gamma_dob = {levels.dob_two_digits}
          AND dob_year_l <> dob_year_r)) AS _years_apart
      FROM {predictions}
    ),
    decided AS (
      SELECT *,
        CASE
          WHEN _nhs_conflict THEN 'no_link|{R.NHS_CONFLICT}'
          WHEN _id_agrees AND NOT _other_conflict THEN
            CASE WHEN NOT _fn_agrees AND _years_apart
                 THEN 'review|{R.IDENTIFIER_DETAILS_CONFLICT}'
                 ELSE 'auto_link|' END
          WHEN NOT _id_agrees AND _generation THEN 'no_link|{R.POSSIBLE_PARENT_CHILD}'
          WHEN NOT _id_agrees AND _years_apart THEN 'no_link|{R.POSSIBLE_SIBLING}'
          WHEN NOT _id_agrees AND _fn_different THEN 'no_link|' || {twin_or_sibling}
          WHEN match_weight >= {auto} THEN
            CASE WHEN NOT _id_agrees AND NOT _fn_agrees AND NOT _fn_missing
                   THEN 'review|' || {twin_or_sibling}
                 WHEN _other_conflict THEN 'review|{R.IDENTIFIER_CONFLICT}'
                 ELSE 'auto_link|' END
          WHEN match_weight >= {review} THEN
            CASE WHEN _other_conflict THEN 'review|{R.IDENTIFIER_CONFLICT}'
                 WHEN NOT _id_agrees AND NOT _fn_agrees AND NOT _fn_missing
                   THEN 'no_link|' || {twin_or_sibling}
                 ELSE 'review|{R.GREY_ZONE}' END
          ELSE 'no_link|'
        END AS _decided
      FROM flags
    )
    SELECT * EXCLUDE (_id_agrees, _nhs_conflict, _other_conflict, _fn_agrees, _fn_different,
                      _fn_missing, _dob_exact, _generation, _years_apart, _decided),
      split_part(_decided, '|', 1) AS decision,
      nullif(split_part(_decided, '|', 2), '') AS reason,
      {method} AS method
    FROM decided
    """


def decide(
    row: dict[str, Any], levels: Levels, thresholds: Thresholds
) -> tuple[Decision, Reason | None, str]:
    """Decide one scored pair (a dict with gamma_* columns and match_weight)."""
    ex, diff = levels.identifier_exact, levels.identifier_different
    gamma = {c: row.get(f"gamma_{c}") for c in (*IDENTIFIERS, "first_name", "dob")}
    id_agrees = any(gamma[c] == ex[c] for c in IDENTIFIERS)
    other_conflict = any(gamma[c] == diff[c] for c in IDENTIFIERS if c != "nhs_number")
    fn_agrees = gamma["first_name"] in levels.first_name_agrees
    fn_missing = gamma["first_name"] == -1
    years_apart = gamma["dob"] in levels.dob_years_apart or (
        gamma["dob"] == levels.dob_two_digits
        and row.get("dob_year_l") is not None
        and row.get("dob_year_l") != row.get("dob_year_r")
    )
    twin_or_sibling = (
        Reason.POSSIBLE_TWIN if gamma["dob"] == levels.dob_exact else Reason.POSSIBLE_SIBLING
    )
    weight = float(row["match_weight"])
    method = next((c for c in IDENTIFIERS if gamma[c] == ex[c]), "probabilistic")
    auto, review = thresholds.auto_link, thresholds.review

    if gamma["nhs_number"] == diff["nhs_number"]:
        return Decision.NO_LINK, Reason.NHS_CONFLICT, method
    if id_agrees and not other_conflict:
        if not fn_agrees and years_apart:
            return Decision.REVIEW, Reason.IDENTIFIER_DETAILS_CONFLICT, method
        return Decision.AUTO_LINK, None, method
    if not id_agrees:
        if gamma["dob"] == levels.dob_generation:
            return Decision.NO_LINK, Reason.POSSIBLE_PARENT_CHILD, method
        if years_apart:
            return Decision.NO_LINK, Reason.POSSIBLE_SIBLING, method
        if gamma["first_name"] == levels.first_name_different:
            return Decision.NO_LINK, twin_or_sibling, method
    household = not id_agrees and not fn_agrees and not fn_missing
    if weight >= auto:
        if household:
            return Decision.REVIEW, twin_or_sibling, method
        if other_conflict:
            return Decision.REVIEW, Reason.IDENTIFIER_CONFLICT, method
        return Decision.AUTO_LINK, None, method
    if weight >= review:
        if other_conflict:
            return Decision.REVIEW, Reason.IDENTIFIER_CONFLICT, method
        if household:  # the guard only ever lowers a decision
            return Decision.NO_LINK, twin_or_sibling, method
        return Decision.REVIEW, Reason.GREY_ZONE, method
    return Decision.NO_LINK, None, method
