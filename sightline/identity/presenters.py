"""Identity data for people to read: how a record was linked, a match's waterfall (which
comparison added or took away how much), and two records side by side. No queries here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sightline.chronology.vocabulary import entry_types
from sightline.core.dates import LONDON, MONTHS
from sightline.identity.models import CandidateLink, IdentityLink, PersonMerge

COMPARISON_LABELS = {
    "nhs_number": "NHS number",
    "upn": "UPN",
    "pnc_id": "PNC ID",
    "first_name": "First name",
    "middle_names": "Middle names",
    "surname": "Last name",
    "dob": "Date of birth",
    "postcode": "Postcode",
    "sex": "Sex",
}
# How each comparison is named in "linked by name, date of birth and postcode".
EVIDENCE_WORDS = {
    "nhs_number": "NHS number",
    "upn": "UPN",
    "pnc_id": "PNC ID",
    "first_name": "name",
    "middle_names": "name",
    "surname": "name",
    "dob": "date of birth",
    "postcode": "postcode",
    "sex": "sex",
}
METHOD_TEXT = {
    IdentityLink.Method.FIRST_SEEN: "The first record of this person in Sightline",
    IdentityLink.Method.NHS_NUMBER: "Linked on NHS number",
    IdentityLink.Method.UPN: "Linked on unique pupil number (UPN)",
    IdentityLink.Method.PNC_ID: "Linked on PNC ID",
    IdentityLink.Method.SAME_SOURCE_KEY: "An updated version of the same record",
}
# Why a pair is waiting for a person (identity.linkage.guard.Reason), as a short tag and a
# sentence.
REASONS: dict[str, tuple[str, str]] = {
    "grey_zone": ("Not conclusive", "The evidence is not strong enough to link automatically."),
    "different_nhs_numbers": (
        "Different NHS numbers",
        "The records carry two different valid NHS numbers: they cannot be merged unless an "
        "agency corrects one.",
    ),
    "different_identifier": (
        "Different identifiers",
        "The records carry different identifiers (UPN or PNC ID).",
    ),
    "shared_identifier_details_differ": (
        "Shared number, different details",
        "The records share an identifier, but their names and dates of birth disagree.",
    ),
    "possible_twin": (
        "Possible twin",
        "Same last name and date of birth but different first names, and no shared "
        "identifier: possibly twins.",
    ),
    "possible_sibling": (
        "Possible sibling",
        "The first names disagree and no identifier is shared: possibly siblings.",
    ),
    "possible_parent_and_child": (
        "Possible parent and child",
        "The dates of birth are a generation apart: possibly a parent and child of one name.",
    ),
    "matches_more_than_one_person": (
        "Matches more than one person",
        "One record has no first name or date of birth and matches more than one person.",
    ),
}
STATUS_TAGS = {
    CandidateLink.Status.PENDING: ("Waiting for review", ""),
    CandidateLink.Status.ASK_SOURCE: ("Asked the source agency", "govuk-tag--yellow"),
    CandidateLink.Status.CONFIRMED: ("Same child", "govuk-tag--green"),
    CandidateLink.Status.REJECTED: ("Different children", "govuk-tag--red"),
    CandidateLink.Status.WITHDRAWN: ("No longer needed", "govuk-tag--grey"),
}
SEX_TEXT = {"male": "Male", "female": "Female", "unknown": "Not known", "m": "Male", "f": "Female"}


def long_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(LONDON).date()
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def short_name(user: Any) -> str:
    """ "J. Smith" for a user with a name; the username otherwise."""
    if user is None:
        return "Sightline"
    first, last = (user.first_name or "").strip(), (user.last_name or "").strip()
    if first and last:
        return f"{first[0]}. {last}"
    return last or first or str(user.get_username())


def weight_text(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def signed(value: float) -> str:
    text = f"{abs(value):.1f}"
    if text == "0.0":
        return "0.0"
    return f"+{text}" if value > 0 else f"−{text}"  # noqa: RUF001 - a minus sign, for reading


def listed(words: Sequence[str]) -> str:
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " and " + words[-1]


def _step_total(step: Mapping[str, Any]) -> float:
    return float(step.get("weight") or 0) + float(step.get("frequency_adjustment") or 0)


def evidence_words(steps: Iterable[Mapping[str, Any]]) -> list[str]:
    """The fields that added weight, named as a person would: ["name", "date of birth"]."""
    words: list[str] = []
    for step in steps:
        if _step_total(step) > 0:
            code = str(step.get("comparison"))
            word = EVIDENCE_WORDS.get(code) or humanise(code).lower()
            if word not in words:
                words.append(word)
    return words


def evidence_text(method: str, weight: float | None, explanation: Mapping[str, Any]) -> str:
    """ "linked on NHS number" or "linked by name, date of birth and postcode (weight 14.2)"."""
    steps = explanation.get("steps") or []
    if method in ("nhs_number", "upn", "pnc_id"):
        text = METHOD_TEXT[IdentityLink.Method(method)]
        return text[0].lower() + text[1:]
    words = evidence_words(steps)
    text = f"linked by {listed(words)}" if words else "linked by name and other details"
    if weight is not None:
        text += f" (weight {weight:.1f})"
    return text


def link_sentence(link: IdentityLink | None) -> str:
    """How one record came to its person, in a sentence."""
    if link is None:
        return "Not linked by Sightline's identity resolution"
    method = link.method
    if method in (IdentityLink.Method.PROBABILISTIC, IdentityLink.Method.CONFIRMED):
        text = evidence_text(method, link.match_weight, link.explanation or {})
        text = text[0].upper() + text[1:]
        if method == IdentityLink.Method.CONFIRMED:
            text += f", confirmed by {short_name(link.decided_by)} on {long_date(link.decided_at)}"
        else:
            text += f", linked automatically on {long_date(link.decided_at)}"
        return text
    if method in ("nhs_number", "upn", "pnc_id") and link.match_weight is not None:
        return f"{METHOD_TEXT[IdentityLink.Method(method)]} (weight {link.match_weight:.1f})"
    return METHOD_TEXT.get(IdentityLink.Method(method), str(method))


def merge_sentence(merge: PersonMerge) -> str:
    who = "automatically" if merge.merged_by_id is None else f"by {short_name(merge.merged_by)}"
    evidence = evidence_text(merge.method, merge.match_weight, merge.explanation or {})
    if merge.method == IdentityLink.Method.CONFIRMED:
        return f"Merged {who} on {long_date(merge.merged_at)}: {evidence}, confirmed on review"
    return f"Merged {who} on {long_date(merge.merged_at)}: {evidence}"


def humanise(code: str) -> str:
    """A code no vocabulary names, readable rather than raw ("middle_names" → "Middle names")."""
    text = str(code or "").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def comparison_label(code: str) -> str:
    return COMPARISON_LABELS.get(code) or humanise(code)


def reason_tag(code: str) -> str:
    if not code:
        return ""
    return REASONS.get(code, (humanise(code), ""))[0]


def reason_sentence(code: str) -> str:
    return REASONS.get(code, ("", ""))[1]


def status_tag(status: str) -> dict[str, str]:
    text, classes = STATUS_TAGS.get(CandidateLink.Status(status), (status, ""))
    return {"text": text, "classes": classes}


# --- the waterfall ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WaterfallRow:
    label: str
    left: str
    right: str
    level: str
    weight: float
    adjustment: float
    total: float
    running: float
    tone: str  # "agree", "disagree" or "neutral"
    bar: float  # the bar's width, percent of the chart (a waterfall: it floats)
    offset: float  # where it starts, percent from the chart's left
    total_text: str
    running_text: str
    detail: str


@dataclass(frozen=True)
class Waterfall:
    prior: float
    prior_bar: float
    prior_offset: float
    zero: float  # where weight 0 is on the chart, percent from the left
    prior_text: str
    rows: list[WaterfallRow]
    final: float
    final_text: str
    probability: str
    agree: list[str]
    disagree: list[str]
    missing: list[str]


def level_text(level: str) -> str:
    level = str(level or "")
    if level == "exact":
        return "Exact match"
    if level == "missing":
        return ""
    return level[:1].upper() + level[1:]


def _value_text(comparison: str, value: Any) -> str:
    if value is None or value == "":
        return "Not recorded"
    if comparison == "sex":
        return SEX_TEXT.get(str(value), str(value))
    if comparison in ("first_name", "surname"):
        return str(value).title()
    if comparison == "dob":
        return birth_text(value)
    return str(value)


# Pairs the guard held back because the model cannot see what tells the two apart: its
# probability is not the chance they are one child (twins agree on everything it compares but a
# first name, so it scores them as one child), and is not shown for them.
GUARDED_REASONS = frozenset(
    {
        "possible_twin",
        "possible_sibling",
        "possible_parent_and_child",
        "matches_more_than_one_person",
        "different_nhs_numbers",
        "different_identifier",
        "shared_identifier_details_differ",
    }
)
WITHHELD = {
    "possible_twin": "twins share a last name, a date of birth and an address, which the model "
    "counts as evidence of one child",
    "possible_sibling": "siblings share a last name and an address, which the model counts as "
    "evidence of one child",
    "possible_parent_and_child": "a parent and child can share a name and an address, which the "
    "model counts as evidence of one person",
    "matches_more_than_one_person": "one record matches more than one person equally well",
    "different_nhs_numbers": "the records carry two different valid NHS numbers",
    "different_identifier": "the records carry different identifiers",
    "shared_identifier_details_differ": "a shared number with names and dates of birth that "
    "disagree is more often a keying error than one child",
}


def probability_text(p: float | None) -> str:
    """The model's probability, rounded to what it can honestly claim: whole percentages, and
    never closer to certainty than 99% (its inputs are agencies' keying)."""
    if p is None:
        return ""
    if p >= 0.99:
        return "more than 99%"
    if p < 0.01:
        return "less than 1%"
    return f"about {round(p * 100)}%"


@dataclass(frozen=True)
class Chance:
    """How strong the evidence is, said plainly: the match weight, what the comparisons added
    to the starting point, and the probability when the model's probability means something."""

    weight: str  # "7.4"
    evidence: str  # "+15.6": what the comparisons added (the weight of evidence)
    prior: str  # "-8.2" (with a minus sign): where every pair starts
    probability: str  # "about 98%", or "" when withheld
    withheld: str  # why no probability is given, or ""


def chance_of(explanation: Mapping[str, Any], *, weight: float | None, reason: str) -> Chance:
    final = float(explanation.get("match_weight", weight if weight is not None else 0.0))
    prior = float(explanation.get("prior_weight") or 0)
    withheld = WITHHELD.get(reason, "") if reason in GUARDED_REASONS else ""
    probability = "" if withheld else probability_text(explanation.get("match_probability"))
    return Chance(
        weight=_minus(f"{final:.1f}"),
        evidence=signed(final - prior),
        prior=signed(prior),
        probability=probability,
        withheld=withheld,
    )


def present_waterfall(explanation: Mapping[str, Any], *, reason: str = "") -> Waterfall:
    """Rows of the waterfall: each comparison's weight, and the running total from the prior
    to the match weight. Bars float: each starts where the running total was. No probability
    for a pair the guard held back (`reason`, GUARDED_REASONS)."""
    prior = float(explanation.get("prior_weight") or 0)
    steps = list(explanation.get("steps") or [])
    totals = [_step_total(s) for s in steps]
    points = [0.0, prior]
    for total in totals:
        points.append(points[-1] + total)
    lo, hi = min(points), max(points)
    span = (hi - lo) or 1.0

    def at(value: float) -> float:
        return round((value - lo) / span * 100, 2)

    def bar(start: float, end: float) -> tuple[float, float]:
        if start == end:
            return 0.0, at(start)
        return max(0.5, round(abs(end - start) / span * 100, 2)), at(min(start, end))

    rows = []
    running = prior
    agree, disagree, missing = [], [], []
    for step, total in zip(steps, totals, strict=True):
        before, running = running, running + total
        comparison = str(step.get("comparison"))
        label = comparison_label(comparison)
        level = str(step.get("level") or "")
        if level == "missing":
            tone = "neutral"
            missing.append(label)
        elif total > 0:
            tone = "agree"
            agree.append(label)
        elif total < 0:
            tone = "disagree"
            disagree.append(label)
        else:
            tone = "neutral"
        adjustment = float(step.get("frequency_adjustment") or 0)
        detail = ""
        if adjustment:
            common = "a rare" if adjustment > 0 else "a common"
            detail = f"{signed(adjustment)} because it is {common} value"
        width, offset = bar(before, running)
        rows.append(
            WaterfallRow(
                label=label,
                left=_value_text(comparison, step.get("left")),
                right=_value_text(comparison, step.get("right")),
                level=level_text(level),
                weight=float(step.get("weight") or 0),
                adjustment=adjustment,
                total=total,
                running=running,
                tone=tone,
                bar=width,
                offset=offset,
                total_text=signed(total),
                running_text=_minus(f"{running:.1f}"),
                detail=detail,
            )
        )
    final = float(explanation.get("match_weight", running))
    prior_bar, prior_offset = bar(0.0, prior)
    return Waterfall(
        prior=prior,
        prior_bar=prior_bar,
        prior_offset=prior_offset,
        zero=at(0.0),
        prior_text=signed(prior),
        rows=rows,
        final=final,
        final_text=_minus(f"{final:.1f}"),
        probability=""
        if reason in GUARDED_REASONS
        else probability_text(explanation.get("match_probability")),
        agree=agree,
        disagree=disagree,
        missing=missing,
    )


def _minus(text: str) -> str:
    return text.replace("-", "\u2212")


# --- two records side by side ----------------------------------------------------------------


@dataclass(frozen=True)
class ComparisonRow:
    label: str
    left: str
    right: str
    tone: str  # "agree", "disagree", "neutral" (from the model where it compared the field)
    verdict: str


def _payload_name(payload: Mapping[str, Any]) -> tuple[str, str]:
    return str(payload.get("given_names") or ""), str(payload.get("family_name") or "")


def _payload_identifier(payload: Mapping[str, Any], scheme: str) -> str:
    ids = payload.get("identifiers") or {}
    value = ids.get(scheme) if isinstance(ids, Mapping) else None
    return str(value) if value else ""


def _payload_address(payload: Mapping[str, Any]) -> str:
    addresses = [a for a in payload.get("addresses") or [] if isinstance(a, Mapping)]
    if not addresses:
        return ""
    current = [a for a in addresses if not a.get("to")] or addresses
    address = current[0]
    return ", ".join(
        p for p in (str(address.get("line") or ""), str(address.get("postcode") or "")) if p
    )


def birth_text(value: Any) -> str:
    if not value:
        return ""
    text = str(value)
    try:
        if len(text) == 10:
            return long_date(dt.date.fromisoformat(text))
        if len(text) == 7:
            year, month = text.split("-")
            return f"{MONTHS[int(month) - 1]} {year}"
    except (ValueError, IndexError):
        return text
    return text


def present_comparison(
    payload_a: Mapping[str, Any], payload_b: Mapping[str, Any], waterfall: Waterfall
) -> list[ComparisonRow]:
    """The two records' own fields side by side, with the model's verdict where it compared."""
    tones = {row.label: (row.tone, row.level) for row in waterfall.rows}
    given_a, family_a = _payload_name(payload_a)
    given_b, family_b = _payload_name(payload_b)
    fields: list[tuple[str, str, str, str | None]] = [
        ("First names", given_a, given_b, "First name"),
        ("Last name", family_a, family_b, "Last name"),
        (
            "Other names",
            ", ".join(map(str, payload_a.get("other_names") or [])),
            ", ".join(map(str, payload_b.get("other_names") or [])),
            None,
        ),
        (
            "Date of birth",
            birth_text(payload_a.get("birth_date")),
            birth_text(payload_b.get("birth_date")),
            "Date of birth",
        ),
        (
            "Sex",
            SEX_TEXT.get(str(payload_a.get("sex") or ""), str(payload_a.get("sex") or "")),
            SEX_TEXT.get(str(payload_b.get("sex") or ""), str(payload_b.get("sex") or "")),
            "Sex",
        ),
        (
            "NHS number",
            _payload_identifier(payload_a, "nhs_number"),
            _payload_identifier(payload_b, "nhs_number"),
            "NHS number",
        ),
        (
            "UPN",
            _payload_identifier(payload_a, "upn"),
            _payload_identifier(payload_b, "upn"),
            "UPN",
        ),
        (
            "PNC ID",
            _payload_identifier(payload_a, "pnc_id"),
            _payload_identifier(payload_b, "pnc_id"),
            "PNC ID",
        ),
        ("Address", _payload_address(payload_a), _payload_address(payload_b), "Postcode"),
    ]
    rows = []
    for label, left, right, compared in fields:
        if not left and not right:
            continue
        tone, verdict = tones.get(compared or "", ("neutral", ""))
        if not compared:
            verdict = "Not compared"
        rows.append(
            ComparisonRow(label, left or "Not recorded", right or "Not recorded", tone, verdict)
        )
    return rows


def sex_text(value: str) -> str:
    return SEX_TEXT.get(value, value)


def identifier_text(identifier: Any, issuers: Mapping[str, str]) -> str:
    """ "NHS number", or "Agency reference (Hallowford Police)": an agency reference is named
    by the agency whose feed issued it (`issuers`: feed code to agency name), never its code."""
    label = str(identifier.get_scheme_display())
    if identifier.scheme == "local_id" and identifier.issuer:
        return f"{label} ({issuers.get(identifier.issuer) or humanise(identifier.issuer)})"
    return label


def type_label(code: str) -> str:
    found = entry_types().get(code)
    return found.label if found else code.replace("_", " ").capitalize()
