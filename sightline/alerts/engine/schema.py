"""A rule file, as pydantic models: unknown fields are refused (`extra="forbid"`), so a misspelt
key is an error rather than a condition that silently never applies.

A condition is a mapping with exactly one key naming its primitive (`count`, `no_follow_up`,
`all`, ...): a discriminated union on that key. docs/alerts.md documents every primitive and
docs/schema/alert-rule.schema.json is generated from these models (`rule_json_schema`)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

RULE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SEVERITIES = ("low", "medium", "high", "critical")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


PositiveInt = Annotated[int, Field(ge=1)]
NonNegativeInt = Annotated[int, Field(ge=0)]


class Match(Strict):
    """Selects entries: OR within a field, AND across fields. An empty Match selects every
    entry."""

    types: list[str] = []
    themes: list[str] = []
    agency_kinds: list[str] = []
    not_agency_kinds: list[str] = []
    not_types: list[str] = []
    grades: list[str] = []
    sensitivities: list[str] = []


class AgeRange(Strict):
    at_least: NonNegativeInt | None = None
    under: PositiveInt | None = None

    @model_validator(mode="after")
    def _ordered(self) -> AgeRange:
        if self.at_least is None and self.under is None:
            raise ValueError("give at_least, under or both")
        if self.at_least is not None and self.under is not None and self.under <= self.at_least:
            raise ValueError("under must be greater than at_least")
        return self


class Within(Strict):
    """A period after an event: exactly one of hours, days, working_days."""

    hours: PositiveInt | None = None
    days: PositiveInt | None = None
    working_days: PositiveInt | None = None

    @model_validator(mode="after")
    def _one(self) -> Within:
        given = [n for n in (self.hours, self.days, self.working_days) if n is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of hours, days, working_days")
        return self


class Every(Strict):
    """A repeating period: exactly one of days, months, working_days."""

    days: PositiveInt | None = None
    months: PositiveInt | None = None
    working_days: PositiveInt | None = None

    @model_validator(mode="after")
    def _one(self) -> Every:
        given = [n for n in (self.days, self.months, self.working_days) if n is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of days, months, working_days")
        return self


# ---- the primitives -------------------------------------------------------------------------


class StateSpec(Strict):
    opened_by: Match
    closed_by: Match | None = None
    open_for_days: PositiveInt | None = None
    label: str | None = None  # "on a child in need plan"


class CountSpec(Strict):
    match: Match
    at_least: PositiveInt = 1
    within_days: PositiveInt | None = None
    agencies_at_least: PositiveInt = 1
    during: StateSpec | None = None  # count only the entries that occurred while it was open
    label: str | None = None  # "missing episodes": the plural noun in the explanation


class NoFollowUpSpec(Strict):
    after: Match
    expect: Match
    within: Within
    anchor: Literal["start", "end"] = "end"
    lookback_days: PositiveInt = 365
    after_label: str | None = None  # "the missing episode"
    expect_label: str | None = None  # "return interview"


class FollowedBySpec(Strict):
    first: Match
    then: Match
    within_days: PositiveInt
    lookback_days: PositiveInt = 365
    first_label: str | None = None
    then_label: str | None = None


class AbsentWhileSpec(Strict):
    state: StateSpec
    expect: Match
    every: Every
    expect_label: str | None = None  # "CIN review"


class ChildSpec(Strict):
    age: AgeRange


class InvolvementSpec(Strict):
    agency_kinds: list[str] = []
    open: bool = True
    label: str | None = None


class OpenInvolvementsSpec(Strict):
    agency_kinds: list[str] = []
    at_least: NonNegativeInt | None = None
    at_most: NonNegativeInt | None = None

    @model_validator(mode="after")
    def _bounded(self) -> OpenInvolvementsSpec:
        if self.at_least is None and self.at_most is None:
            raise ValueError("give at_least, at_most or both")
        return self


class RelatedAlertsSpec(Strict):
    rules: list[str] | Literal["any"] = "any"
    open: bool = True


class RelatedSpec(Strict):
    relationships: Annotated[list[str], Field(min_length=1)]
    condition: Condition | None = None
    alerts: RelatedAlertsSpec | None = None
    label: str | None = None  # "a sibling"

    @model_validator(mode="after")
    def _one(self) -> RelatedSpec:
        if (self.condition is None) == (self.alerts is None):
            raise ValueError("give exactly one of condition, alerts")
        return self


class SingleAgencySpec(Strict):
    within_days: PositiveInt
    closed_at_least: PositiveInt = 1


class Count(Strict):
    count: CountSpec


class NoFollowUp(Strict):
    no_follow_up: NoFollowUpSpec


class FollowedBy(Strict):
    followed_by: FollowedBySpec


class State(Strict):
    state: StateSpec


class AbsentWhile(Strict):
    absent_while: AbsentWhileSpec


class Child(Strict):
    child: ChildSpec


class InvolvementCond(Strict):
    involvement: InvolvementSpec


class OpenInvolvements(Strict):
    open_involvements: OpenInvolvementsSpec


class RelatedCond(Strict):
    related: RelatedSpec


class SingleAgency(Strict):
    single_agency: SingleAgencySpec


class AllOf(Strict):
    all: Annotated[list[Condition], Field(min_length=1)]


class AnyOf(Strict):
    any: Annotated[list[Condition], Field(min_length=1)]


class Not(Strict):
    not_: Condition = Field(alias="not")
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


PRIMITIVES: dict[str, type[Strict]] = {
    "count": Count,
    "no_follow_up": NoFollowUp,
    "followed_by": FollowedBy,
    "state": State,
    "absent_while": AbsentWhile,
    "child": Child,
    "involvement": InvolvementCond,
    "open_involvements": OpenInvolvements,
    "related": RelatedCond,
    "single_agency": SingleAgency,
    "all": AllOf,
    "any": AnyOf,
    "not": Not,
}
_TAG_OF = {cls: tag for tag, cls in PRIMITIVES.items()}


def _condition_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        keys = list(value)
        return keys[0] if len(keys) == 1 and keys[0] in PRIMITIVES else None
    return _TAG_OF.get(type(value))


Condition = Annotated[
    Annotated[Count, Tag("count")]
    | Annotated[NoFollowUp, Tag("no_follow_up")]
    | Annotated[FollowedBy, Tag("followed_by")]
    | Annotated[State, Tag("state")]
    | Annotated[AbsentWhile, Tag("absent_while")]
    | Annotated[Child, Tag("child")]
    | Annotated[InvolvementCond, Tag("involvement")]
    | Annotated[OpenInvolvements, Tag("open_involvements")]
    | Annotated[RelatedCond, Tag("related")]
    | Annotated[SingleAgency, Tag("single_agency")]
    | Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[Not, Tag("not")],
    Discriminator(
        _condition_tag,
        custom_error_type="condition",
        custom_error_message="a condition is a mapping with one key, one of: "
        + ", ".join(PRIMITIVES),
    ),
]


# ---- the rule's other parts -----------------------------------------------------------------


class AppliesTo(Strict):
    """Who the rule applies to. A child whose date of birth is not known is not left out."""

    age: AgeRange | None = None
    when: Condition | None = None  # a further condition (a status), not shown in the explanation


class Reference(Strict):
    id: str  # ../shared/reference/seed-requirements.md ids (e.g. QS-LP12)
    review: str
    paragraph: str  # "002:655": seed file prefix and line
    learning: str


class CaseInvolvement(Strict):
    agency_kind: str
    agency: str | None = None
    agency_name: str | None = None
    team: str | None = None
    started_on: dt.date | None = None
    ended_on: dt.date | None = None


class CaseChild(Strict):
    birth_date: str | None = None  # "2005", "2005-03" or "2005-03-04"
    involvements: list[CaseInvolvement] = []

    @field_validator("birth_date", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return value.isoformat() if isinstance(value, dt.date) else value


class CaseEntry(Strict):
    key: str
    type: str
    agency_kind: str
    on: str  # "2019", "2019-08", "2019-08-03" or "2019-08-03T22:10"
    version: PositiveInt = 1
    precision: Literal["day", "month", "season", "year"] | None = None
    agency: str | None = None
    agency_name: str | None = None
    theme: str | None = None
    ended: str | None = None
    recorded: str | None = None
    superseded: str | None = None
    entered_in_error: bool = False
    grade: str = "fact"
    sensitivity: str = "standard"
    source: str | None = None
    source_id: str | None = None

    @field_validator("on", "ended", "recorded", "superseded", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        # YAML reads 2019-08-03 as a date: accept it as the text it was written as.
        return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


class CaseRelatedAlert(Strict):
    rule: str
    raised_on: dt.date
    open: bool = True


class CaseRelated(Strict):
    relationship: str
    from_date: dt.date | None = None
    to_date: dt.date | None = None
    child: CaseChild = CaseChild()
    entries: list[CaseEntry] = []
    alerts: list[CaseRelatedAlert] = []


class CaseExpect(Strict):
    fires: bool
    first_held_on: dt.date | None = None
    evidence: list[str] | None = None  # exactly these keys, in date order
    certainty: Literal["definite", "possible"] | None = None
    explanation_contains: list[str] = []


class Case(Strict):
    name: str
    on: dt.date
    known_on: dt.date | None = None
    child: CaseChild = CaseChild()
    entries: list[CaseEntry] = []
    related: list[CaseRelated] = []
    expect: CaseExpect


class RuleSpec(Strict):
    """One rule file."""

    id: str
    version: PositiveInt
    title: str
    effective_from: dt.date
    effective_to: dt.date | None = None  # the last day it is in force
    severity: Literal["low", "medium", "high", "critical"]
    themes: list[str] = []
    applies_to: AppliesTo = AppliesTo()
    when: Condition
    prompt: str
    actions: list[str] = []
    suppress_days: PositiveInt
    reference: Annotated[list[Reference], Field(min_length=1)]
    cases: list[Case] = []

    @field_validator("id")
    @classmethod
    def _kebab(cls, value: str) -> str:
        if not RULE_ID.match(value):
            raise ValueError("a rule id is kebab-case: lower-case letters, digits and hyphens")
        return value

    @model_validator(mode="after")
    def _dates(self) -> RuleSpec:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        return self


for _model in (RelatedSpec, AllOf, AnyOf, Not, AppliesTo, RuleSpec):
    _model.model_rebuild()


SCHEMA_FILE = "docs/schema/alert-rule.schema.json"


def rule_json_schema() -> dict[str, Any]:
    """The JSON Schema of a rule file (docs/schema/alert-rule.schema.json)."""
    schema = RuleSpec.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://sightline.example/schema/alert-rule.schema.json",
        "title": "Sightline alert rule",
        "description": "One rule file under sightline/alerts/rules/ (docs/alerts.md).",
        **{k: v for k, v in schema.items() if k != "title"},
    }


def rule_json_schema_text() -> str:
    """The committed file's exact text (`python -m sightline.alerts.engine.schema` writes it)."""
    import json

    return json.dumps(rule_json_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    from pathlib import Path

    target = Path(__file__).resolve().parents[3] / SCHEMA_FILE
    target.write_text(rule_json_schema_text(), encoding="utf-8")
