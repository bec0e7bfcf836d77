"""The record-an-entry and correct-an-entry form: read what was submitted, with GOV.UK error
messages, into the service's `EntryFields`. Pure: no database.

"When" is asked at the precision the practitioner really knows it (DESIGN.md: a review says
"summer 2018", not 01/06/2018): an exact date (and time if known), a month, a season or a year.
Each choice reveals its own boxes (GOV.UK conditional radios: without JavaScript they all show,
and only the chosen one is read)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sightline.chronology.services import BirthDate, EntryFields, validate_entry_fields
from sightline.core.dateinput import read_date
from sightline.core.dates import LONDON, PartialDate, Precision, season_of

PRECISIONS = (
    (Precision.DAY, "The exact date"),
    (Precision.MONTH, "The month"),
    (Precision.SEASON, "The season"),
    (Precision.YEAR, "The year only"),
)
SEASONS = (("spring", 3), ("summer", 6), ("autumn", 9), ("winter", 12))
SEASON_START = dict(SEASONS)
_TIME = re.compile(r"^(?P<h>\d{1,2})[:.]?(?P<m>\d{2})$")

# The order fields appear on the page, so the error summary lists errors in that order, and
# the element each error links to.
FIELD_ORDER = (
    "type",
    "precision",
    "occurred",
    "time",
    "summary",
    "detail",
    "grade",
    "intelligence_source",
    "intelligence_assessment",
    "intelligence_handling",
    "intelligence_conditions",
    "sensitivity",
    "reason",
)
TEXT_FIELDS = (
    "type",
    "precision",
    "occurred-day",
    "occurred-month",
    "occurred-year",
    "occurred-time",
    "month-month",
    "month-year",
    "season",
    "season-year",
    "year-year",
    "summary",
    "detail",
    "grade",
    "intelligence_source",
    "intelligence_assessment",
    "intelligence_handling",
    "intelligence_conditions",
    "sensitivity",
    "reason",
)


@dataclass
class EntryForm:
    values: dict[str, str]
    is_significant: bool = False
    errors: dict[str, str] = field(default_factory=dict)
    # For date inputs: which boxes to mark in error.
    error_parts: tuple[str, ...] = ()
    fields: EntryFields | None = None

    @property
    def precision(self) -> str:
        return self.values.get("precision", "")

    def anchor(self, name: str) -> str:
        """The id of the element an error on `name` should take the user to."""
        if name == "occurred":
            precision = self.precision or Precision.DAY
            first = {
                Precision.DAY: f"occurred-{(self.error_parts or ('day',))[0]}",
                Precision.MONTH: f"month-{(self.error_parts or ('month',))[0]}",
                Precision.SEASON: "season" if "season" in self.error_parts else "season-year",
                Precision.YEAR: "year-year",
            }
            return first.get(Precision(precision), "occurred-day")
        if name == "time":
            return "occurred-time"
        return name

    def error_list(self) -> list[dict[str, str]]:
        ordered = sorted(
            self.errors.items(),
            key=lambda kv: FIELD_ORDER.index(kv[0]) if kv[0] in FIELD_ORDER else len(FIELD_ORDER),
        )
        return [{"text": message, "href": f"#{self.anchor(name)}"} for name, message in ordered]

    def add_errors(self, errors: Mapping[str, str]) -> None:
        for name, message in errors.items():
            key = "occurred" if name == "ended" else name
            self.errors.setdefault(key, message)


def _time(text: str) -> tuple[int, int] | None:
    match = _TIME.match(text.strip())
    if not match:
        return None
    hour, minute = int(match["h"]), int(match["m"])
    if hour > 23 or minute > 59:
        return None
    return hour, minute


def _occurred(data: Mapping[str, str], form: EntryForm) -> PartialDate | None:
    precision = form.values.get("precision", "")
    if precision == Precision.DAY:
        result = read_date(data, "occurred", "The date it happened", required=True)
        time_text = form.values.get("occurred-time", "").strip()
        hour_minute = _time(time_text) if time_text else None
        if time_text and hour_minute is None:
            form.errors["time"] = "Enter a real time, like 09:30 or 22:10"
        if result.error:
            form.errors["occurred"] = result.error.message
            form.error_parts = result.error.parts
            return None
        if result.value is None or "time" in form.errors:
            return None
        hour, minute = hour_minute or (0, 0)
        start = dt.datetime.combine(result.value, dt.time(hour, minute), tzinfo=LONDON)
        return PartialDate(start=start, precision=Precision.DAY, has_time=hour_minute is not None)
    if precision == Precision.MONTH:
        result = read_date(
            data, "month", "The month it happened", required=True, parts=("month", "year")
        )
        if result.error or result.value is None:
            form.errors["occurred"] = result.error.message if result.error else "Enter the month"
            form.error_parts = result.error.parts if result.error else ("month",)
            return None
        start = dt.datetime.combine(result.value, dt.time.min, tzinfo=LONDON)
        return PartialDate(start=start, precision=Precision.MONTH, has_time=False)
    if precision == Precision.SEASON:
        season = form.values.get("season", "")
        year_result = read_date(data, "season", "The year", required=True, parts=("year",))
        if season not in SEASON_START:
            form.errors["occurred"] = "Select the season it happened"
            form.error_parts = ("season",)
            return None
        if year_result.error or year_result.value is None:
            message = year_result.error.message if year_result.error else "Enter the year"
            form.errors["occurred"] = message.replace("The year", "The year of the season")
            form.error_parts = ("year",)
            return None
        start = dt.datetime(year_result.value.year, SEASON_START[season], 1, tzinfo=LONDON)
        return PartialDate(start=start, precision=Precision.SEASON, has_time=False)
    if precision == Precision.YEAR:
        result = read_date(data, "year", "The year it happened", required=True, parts=("year",))
        if result.error or result.value is None:
            form.errors["occurred"] = result.error.message if result.error else "Enter the year"
            form.error_parts = ("year",)
            return None
        start = dt.datetime(result.value.year, 1, 1, tzinfo=LONDON)
        return PartialDate(start=start, precision=Precision.YEAR, has_time=False)
    form.errors["precision"] = "Select how precisely you know when it happened"
    return None


def read_entry_form(data: Mapping[str, Any], *, with_reason: bool = False) -> EntryForm:
    """Read a submitted entry form. `form.fields` is set when the input could be read; the
    service then applies the rules (the summary is required, the grade must be complete…)."""
    values = {name: str(data.get(name) or "").strip() for name in TEXT_FIELDS}
    # keep line breaks the user typed in long text
    for name in ("summary", "detail", "intelligence_conditions", "reason"):
        values[name] = str(data.get(name) or "").strip()
    form = EntryForm(values=values, is_significant=bool(data.get("is_significant")))
    occurred = _occurred(data, form)
    grade = values["grade"]
    intelligence = None
    if grade == "intelligence":
        intelligence = {
            "source": values["intelligence_source"],
            "assessment": values["intelligence_assessment"],
            "handling": values["intelligence_handling"],
            "conditions": values["intelligence_conditions"],
        }
    if not grade:
        form.errors["grade"] = "Select what kind of information this is"
    if not values["sensitivity"]:
        form.errors["sensitivity"] = "Select who may read this entry"
    if with_reason and not values["reason"]:
        form.errors["reason"] = "Enter why you are correcting this entry"
    if occurred is not None:
        form.fields = EntryFields(
            type=values["type"],
            occurred=occurred,
            summary=values["summary"],
            detail=values["detail"],
            grade=grade or "fact",
            sensitivity=values["sensitivity"] or "standard",
            intelligence_grade=intelligence,
            is_significant=form.is_significant,
        )
    return form


def check_entry_form(form: EntryForm, *, now: dt.datetime, born: BirthDate | None = None) -> None:
    """Add the service's rules (summary required, grade complete…) to the form's own errors,
    so the user sees every problem at once, even when the date could not be read."""
    fields = form.fields
    if fields is None:
        values = form.values
        intelligence = {
            "source": values["intelligence_source"],
            "assessment": values["intelligence_assessment"],
            "handling": values["intelligence_handling"],
            "conditions": values["intelligence_conditions"],
        }
        fields = EntryFields(
            type=values["type"],
            occurred=PartialDate(start=now, precision=Precision.DAY, has_time=False),
            summary=values["summary"],
            detail=values["detail"],
            grade=values["grade"] or "fact",
            sensitivity=values["sensitivity"] or "standard",
            intelligence_grade=intelligence if values["grade"] == "intelligence" else None,
        )
        errors = validate_entry_fields(fields, now=now)
        errors.pop("occurred", None)
    else:
        errors = validate_entry_fields(fields, now=now, born=born)
    form.add_errors(errors)


def initial_form(*, today: dt.date) -> EntryForm:
    return EntryForm(
        values=dict.fromkeys(TEXT_FIELDS, "")
        | {"precision": Precision.DAY, "grade": "fact", "sensitivity": "standard"}
    )


def form_from_entry(entry: Any) -> EntryForm:
    """The correction form, filled in with the entry's current version."""
    local = entry.occurred_at.astimezone(LONDON)
    values = dict.fromkeys(TEXT_FIELDS, "")
    values.update(
        {
            "type": entry.type,
            "precision": entry.precision,
            "summary": entry.summary,
            "detail": entry.detail,
            "grade": entry.grade,
            "sensitivity": entry.sensitivity,
        }
    )
    if entry.precision == Precision.DAY:
        values.update(
            {
                "occurred-day": str(local.day),
                "occurred-month": str(local.month),
                "occurred-year": str(local.year),
                "occurred-time": f"{local:%H:%M}" if entry.has_time else "",
            }
        )
    elif entry.precision == Precision.MONTH:
        values.update({"month-month": str(local.month), "month-year": str(local.year)})
    elif entry.precision == Precision.SEASON:
        values.update({"season": season_of(local.month), "season-year": str(local.year)})
    else:
        values["year-year"] = str(local.year)
    grade = entry.intelligence_grade if isinstance(entry.intelligence_grade, dict) else {}
    values.update(
        {
            "intelligence_source": str(grade.get("source", "")),
            "intelligence_assessment": str(grade.get("assessment", "")),
            "intelligence_handling": str(grade.get("handling", "")),
            "intelligence_conditions": str(grade.get("conditions", "")),
        }
    )
    return EntryForm(values=values, is_significant=entry.is_significant)
