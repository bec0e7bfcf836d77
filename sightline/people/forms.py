"""Find a child: the search form, with GOV.UK error wording (design-system.service.gov.uk
"Dates" and "Error message" patterns)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from sightline.core import clock
from sightline.people.search_keys import tokens
from sightline.people.search_scoring import BirthDateQuery
from sightline.people.selectors import normalise_identifier

NOTHING_ENTERED = "Enter a name, date of birth, or NHS number, UPN or agency reference"
DATE_PARTS = ("day", "month", "year")
_MONTH_NAMES = {
    name: number
    for number, month in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
    for name in (month, month[:3], "sept" if month == "september" else month[:3])
}


def date_field(part: str) -> str:
    """The form (and HTML) name of one box of the date of birth: "birth_date-day"."""
    return f"birth_date-{part}"


class PersonSearchForm(forms.Form):
    name = forms.CharField(
        required=False,
        max_length=200,
        error_messages={"max_length": "Name must be 200 characters or fewer"},
    )
    identifier = forms.CharField(
        required=False,
        max_length=64,
        error_messages={
            "max_length": "NHS number, UPN or agency reference must be 64 characters or fewer"
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for part in DATE_PARTS:
            self.fields[date_field(part)] = forms.CharField(required=False, max_length=20)
        # Which boxes of the date of birth to highlight (GOV.UK: only those with the error).
        self.birth_date_error_parts: set[str] = set()

    @property
    def birth_date_error(self) -> str:
        for part in DATE_PARTS:
            if errors := self.errors.get(date_field(part)):
                return str(errors[0])
        return ""

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        if name and not tokens(name):
            raise forms.ValidationError("Name must include at least 2 letters")
        return name

    def clean_identifier(self) -> str:
        return normalise_identifier(str(self.cleaned_data["identifier"]))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        birth_date = self._clean_birth_date(
            {part: str(data.get(date_field(part)) or "").strip() for part in DATE_PARTS}
        )
        data["birth_date"] = birth_date
        nothing = not data.get("name") and not data.get("identifier") and birth_date is None
        if nothing and not self.errors:
            self.add_error("name", NOTHING_ENTERED)
        return data

    def _date_error(self, message: str, parts: tuple[str, ...] = DATE_PARTS) -> None:
        self.birth_date_error_parts = set(parts)
        self.add_error(date_field(parts[0]), message)

    def _clean_birth_date(self, raw: dict[str, str]) -> BirthDateQuery | None:
        """A full date, a month and year, or a year; GOV.UK messages for anything else."""
        day, month, year = raw["day"], raw["month"], raw["year"]
        if not (day or month or year):
            return None
        if day and not month:
            self._date_error(
                "Date of birth must include a month"
                if year
                else "Date of birth must include a month and year",
                ("month",) if year else ("month", "year"),
            )
            return None
        if not year:
            self._date_error("Date of birth must include a year", ("year",))
            return None
        month_number = _month_number(month) if month else None
        if not year.isdigit() or len(year) != 4:
            self._date_error("Year must include 4 numbers", ("year",))
            return None
        if (day and not day.isdigit()) or (month and month_number is None):
            bad = tuple(
                p
                for p, v in (("day", day), ("month", month))
                if v and (not v.isdigit() if p == "day" else month_number is None)
            )
            self._date_error("Date of birth must be a real date", bad or DATE_PARTS)
            return None
        try:
            query = BirthDateQuery(int(year), month_number, int(day) if day else None)
        except ValueError:
            self._date_error("Date of birth must be a real date")
            return None
        if query.first_day > clock.today():
            self._date_error("Date of birth must be today or in the past")
            return None
        if query.year < 1900:
            self._date_error("Date of birth must be after 1900", ("year",))
            return None
        return query


def _month_number(text: str) -> int | None:
    text = text.strip().lower()
    if text.isdigit():
        number = int(text)
        return number if 1 <= number <= 12 else None
    return _MONTH_NAMES.get(text)


def birth_date_initial(value: dt.date | None) -> dict[str, str]:
    if value is None:
        return {}
    return {
        date_field("day"): str(value.day),
        date_field("month"): str(value.month),
        date_field("year"): str(value.year),
    }
