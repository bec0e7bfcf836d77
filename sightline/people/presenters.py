"""What a search result shows: enough to tell two similar children apart, and nothing more.

Name (and the other name matched), date of birth at its precision and age, sex, the street and
postcode district (never a house number or a full postcode), the agencies holding records, and
the link to the child's page."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from sightline.core import clock
from sightline.core.dates import age_text as dates_age_text
from sightline.core.dates import format_partial
from sightline.people.models import Address, Person
from sightline.people.search_scoring import BirthDateFit
from sightline.people.selectors import PersonMatch

_HOUSE_NUMBER = re.compile(
    r"^\s*(?:no\.?\s*)?\d+[a-z]?(?:\s*[-/]\s*\d+[a-z]?)?\s*,?\s+(?P<street>.+)$", re.I
)
_SUB_BUILDING = re.compile(r"^\s*(flat|apartment|apt|unit|room|floor|house|block)\b", re.I)
_POSTCODE_DISTRICT = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)\s*[0-9][A-Z]{2}$")


def street_of(line: str) -> str:
    """The street of an address line, without the house number or flat ("Flat 2, 14 High
    Street, Warwick" → "High Street"). Empty when the line has no numbered street: a house name
    alone identifies a home as surely as a number does."""
    for part in line.split(","):
        if _SUB_BUILDING.match(part):
            continue
        match = _HOUSE_NUMBER.match(part)
        if match:
            street = match["street"].strip()
            if _SUB_BUILDING.match(street) or not re.search(r"[A-Za-z]{2}", street):
                continue
            return street
    return ""


def postcode_district(postcode: str) -> str:
    """The outward code of a UK postcode ("CV34 4AB" → "CV34"); empty if it is not one."""
    compact = "".join(postcode.split()).upper()
    match = _POSTCODE_DISTRICT.match(compact)
    return match[1] if match else ""


def partial_address(address: Address | None) -> str:
    if address is None:
        return ""
    parts = [street_of(address.line), postcode_district(address.postcode)]
    return ", ".join(p for p in parts if p)


def birth_date_text(person: Person) -> str:
    if person.birth_date is None:
        return "Not known"
    return format_partial(person.birth_date, person.birth_date_precision)


def age_text(person: Person, today: dt.date | None = None) -> str:
    """The person's age as every page shows it (core.dates.age_text)."""
    return dates_age_text(person.birth_date, person.birth_date_precision, today or clock.today())


def child_url(reference: str) -> str:
    """The child's page (built by the chronology app); a plain path until it is routed."""
    try:
        return reverse("chronology:child", kwargs={"reference": reference})
    except NoReverseMatch:
        pass
    try:
        return reverse("chronology:child", args=[reference])
    except NoReverseMatch:
        return f"/children/{reference}/"


_FIT_NOTES = {
    BirthDateFit.SWAPPED: "Day and month of birth recorded the other way round",
    BirthDateFit.UNKNOWN: "Date of birth not recorded",
}


@dataclass(frozen=True)
class SearchResultRow:
    reference: str
    name: str
    also_known_as: str  # the other name matched (the API's also_known_as)
    # The name matched is the main name as an agency keyed it: "recorded as", not "also known as".
    matched_spelling: bool
    birth_date: str
    birth_date_iso: str
    birth_date_precision: str
    age: str
    sex: str
    area: str
    street: str
    postcode_district: str
    agencies: tuple[str, ...]
    note: str
    url: str
    # Outside the viewer's relationships: only the name (and the date of birth, when the
    # search gave one), linking to whom to contact (the lock-down view).
    locked: bool = False


def lockdown_url(reference: str) -> str:
    """The lock-down view of a child (built by the cases app)."""
    try:
        return reverse("cases:lockdown", args=[reference])
    except NoReverseMatch:
        return f"/children/{reference}/lock-down"


def present_locked(match: PersonMatch, today: dt.date | None = None) -> SearchResultRow:
    """A child found outside the viewer's relationships: that they exist, and where to ask.
    The date of birth only when the search gave one (it is what matched), no sex, no area."""
    person = match.person
    dated = match.birth_date_fit is not None
    return SearchResultRow(
        reference=person.reference,
        name=person.full_name,
        also_known_as=match.matched_name or "",
        matched_spelling=match.matched_spelling,
        birth_date=birth_date_text(person) if dated else "",
        birth_date_iso=_iso_at_precision(person) if dated else "",
        birth_date_precision=person.birth_date_precision if dated and person.birth_date else "",
        age=age_text(person, today) if dated else "",
        sex="",
        area="",
        street="",
        postcode_district="",
        agencies=(),
        note="",
        url=lockdown_url(person.reference),
        locked=True,
    )


def present_match(match: PersonMatch, today: dt.date | None = None) -> SearchResultRow:
    if match.locked:
        return present_locked(match, today)
    person = match.person
    address = match.address
    return SearchResultRow(
        reference=person.reference,
        name=person.full_name,
        also_known_as=match.matched_name or "",
        matched_spelling=match.matched_spelling,
        birth_date=birth_date_text(person),
        birth_date_iso=_iso_at_precision(person),
        birth_date_precision=person.birth_date_precision if person.birth_date else "",
        age=age_text(person, today),
        sex=person.get_sex_display(),
        area=partial_address(address),
        street=street_of(address.line) if address else "",
        postcode_district=postcode_district(address.postcode) if address else "",
        agencies=match.agency_names,
        note=_note(match),
        url=child_url(person.reference),
    )


def _note(match: PersonMatch) -> str:
    if match.matched_birth_date is not None:
        value, precision = match.matched_birth_date
        text = (
            f"Matched on a date of birth another record gives: {format_partial(value, precision)}"
        )
        if match.birth_date_fit is BirthDateFit.SWAPPED:
            text += ", with day and month the other way round"
        return text
    return _FIT_NOTES.get(match.birth_date_fit, "") if match.birth_date_fit else ""


def _iso_at_precision(person: Person) -> str:
    value = person.birth_date
    if value is None:
        return ""
    if person.birth_date_precision == "day":
        return value.isoformat()
    if person.birth_date_precision in ("month", "season"):
        return f"{value.year:04d}-{value.month:02d}"
    return f"{value.year:04d}"
