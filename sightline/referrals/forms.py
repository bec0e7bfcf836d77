"""Reading the referral forms: what was submitted, into the services' fields, with GOV.UK
error messages in the order the fields appear. Pure: no database. Anything a browser (or
anyone) sends is read as text; what cannot be read is an error on its field, never a crash."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sightline.referrals.services import DecisionFields, ReferralFields

_INT = re.compile(r"[0-9]{1,12}")


def get_text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return str(value if value is not None else "").strip()


def _list(data: Any, name: str) -> list[str]:
    if hasattr(data, "getlist"):
        return [str(v).strip() for v in data.getlist(name)]
    value = data.get(name)
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value]
    return [str(value).strip()] if value not in (None, "") else []


def read_int(text: str) -> int | None:
    return int(text) if _INT.fullmatch(text) else None


@dataclass
class Form:
    """Submitted values (to show again), errors by field, in page order."""

    values: dict[str, Any]
    order: tuple[str, ...]
    errors: dict[str, str] = field(default_factory=dict)
    # The element an error on a field takes the user to, where it is not "#<field>".
    anchors: dict[str, str] = field(default_factory=dict)

    def add_errors(self, errors: Mapping[str, str]) -> None:
        for name, message in errors.items():
            self.errors.setdefault(name, message)

    def error_list(self) -> list[dict[str, str]]:
        ordered = sorted(
            self.errors.items(),
            key=lambda kv: self.order.index(kv[0]) if kv[0] in self.order else len(self.order),
        )
        return [
            {"text": message, "href": f"#{self.anchors.get(name, name)}"}
            for name, message in ordered
        ]


REFERRAL_ORDER = (
    "service",
    "kind",
    "concerns",
    "evidence",
    "risk",
    "risk_note",
    "fast_track",
    "child_words",
    "family_knows",
    "consent",
    "consent_note",
    "sensitivity",
)


def read_referral_form(data: Any) -> tuple[Form, ReferralFields]:
    values: dict[str, Any] = {name: get_text(data, name) for name in REFERRAL_ORDER}
    values["fast_track"] = get_text(data, "fast_track") in ("1", "yes", "true", "on")
    raw_evidence = _list(data, "evidence")
    evidence: list[int] = []
    form = Form(values=values, order=REFERRAL_ORDER)
    for text in raw_evidence:
        number = read_int(text)
        if number is None:
            form.errors["evidence"] = "Choose entries from this child's story"
        else:
            evidence.append(number)
    values["evidence"] = evidence
    fields = ReferralFields(
        service=values["service"],
        kind=values["kind"] or "referral",
        concerns=values["concerns"],
        family_knows=values["family_knows"],
        consent=values["consent"],
        consent_note=values["consent_note"],
        risk=values["risk"],
        risk_note=values["risk_note"],
        fast_track=values["fast_track"],
        child_words=values["child_words"],
        evidence=tuple(evidence),
        sensitivity=values["sensitivity"] or "standard",
    )
    return form, fields


DECISION_ORDER = ("decision", "reasons", "text")


def read_decision_form(data: Any) -> tuple[Form, DecisionFields, int | None]:
    decision = get_text(data, "decision")
    # Each decision has its own reasons' checkboxes ("reasons-<decision>"): only the chosen
    # decision's are read.
    codes = [c for c in _list(data, f"reasons-{decision}") if c] if decision else []
    text = get_text(data, "text")
    form = Form(values={"decision": decision, "reasons": codes, "text": text}, order=DECISION_ORDER)
    return (
        form,
        DecisionFields(decision=decision, reasons=tuple(codes), text=text),
        read_int(get_text(data, "version")),
    )


def read_version(data: Any) -> int | None:
    return read_int(get_text(data, "version"))


def read_text_form(data: Any, name: str) -> Form:
    return Form(values={name: get_text(data, name)}, order=(name,))
