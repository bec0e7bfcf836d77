"""People endpoints of the JSON API: "Find a child" for other systems. Session auth (the
API's default); every search is audited by the selector."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from sightline.core.errors import ValidationFailed
from sightline.core.text import CONTROL
from sightline.people.presenters import present_match
from sightline.people.search_keys import tokens
from sightline.people.search_scoring import BirthDateQuery
from sightline.people.selectors import normalise_identifier, person_search_for

router = Router(tags=["people"])


class AreaOut(Schema):
    street: str
    postcode_district: str


class PersonSearchHit(Schema):
    reference: str
    name: str
    also_known_as: str | None
    birth_date: str | None  # "2010-05-17", "2010-05" or "2010", at its recorded precision
    birth_date_precision: str | None
    age: str | None  # "15", or "14 or 15" when the birthday may not have passed (core.dates)
    sex: str
    area: AreaOut | None
    agencies: list[str]
    url: str
    # Outside the caller's relationships (the lock-down view): only the name, and the date of
    # birth when the search gave one; `url` is whom to contact (/api/children/{ref}/lock-down).
    lockdown: bool = False


class PersonSearchOut(Schema):
    results: list[PersonSearchHit]
    has_more: bool


@router.get(
    "/search",
    response=PersonSearchOut,
    summary="Find a child",
    url_name="people_search",
    description=(
        "Fuzzy name search (spelling variants, nicknames, other names, hyphenated family "
        "names), optional date of birth (YYYY-MM-DD, YYYY-MM or YYYY), exact NHS number, UPN "
        "or agency reference. At least one is required. Returns the children the caller may "
        "see, with the same minimal fields as the search page; for a role with the lock-down "
        "view, a name with a full date of birth or an identifier also finds children outside "
        "the caller's relationships (`lockdown: true`, name only). Audited."
    ),
)
def search(
    request: HttpRequest, name: str = "", birth_date: str = "", identifier: str = ""
) -> PersonSearchOut:
    errors: dict[str, str] = {}
    # A NUL cannot reach PostgreSQL (text or the audit row's JSON): a 500 there. No control
    # character belongs in a search.
    for field, value in (("name", name), ("birth_date", birth_date), ("identifier", identifier)):
        if CONTROL.search(value):
            errors[field] = "Must not contain control characters"
    if errors:
        raise ValidationFailed("The search could not be run", errors=errors)
    name = name.strip()
    if name and not tokens(name):
        errors["name"] = "Name must include at least 2 letters"
    if len(name) > 200:
        errors["name"] = "Name must be 200 characters or fewer"
    if len(identifier) > 64:
        errors["identifier"] = "Identifier must be 64 characters or fewer"
    birth: BirthDateQuery | None = None
    if birth_date.strip():
        try:
            birth = BirthDateQuery.parse(birth_date)
        except ValueError:
            errors["birth_date"] = (
                "Date of birth must be a real date, like 2010-05-17, 2010-05 or 2010"
            )
    if not errors and not name and birth is None and not normalise_identifier(identifier):
        errors["name"] = "Enter a name, date of birth, or NHS number, UPN or agency reference"
    if errors:
        raise ValidationFailed("The search could not be run", errors=errors)
    result = person_search_for(
        viewer=request.user, name=name, birth_date=birth, identifier=identifier
    )
    hits = []
    for match in [*result.matches, *result.locked]:
        row = present_match(match)
        hits.append(
            PersonSearchHit(
                reference=row.reference,
                name=row.name,
                also_known_as=row.also_known_as or None,
                birth_date=row.birth_date_iso or None,
                birth_date_precision=row.birth_date_precision or None,
                age=row.age or None,
                sex="" if row.locked else match.person.sex,
                area=AreaOut(street=row.street, postcode_district=row.postcode_district)
                if row.street or row.postcode_district
                else None,
                agencies=list(row.agencies),
                url=row.url,
                lockdown=row.locked,
            )
        )
    return PersonSearchOut(results=hits, has_more=result.has_more)
