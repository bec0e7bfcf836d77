"""A small partnership around one child, for the workflow tests (closures here; step decisions
and disagreements in the apps above): a school, children's social care (with a team, its
manager and its head of service), the police, the MASH, early help, and a stranger school that
does not know the child. Synthetic people only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sightline.agencies.models import Agency, Team
from sightline.agencies.tests.factories import practitioner
from sightline.cases.models import Involvement
from sightline.chronology.tests.factories import new_agency, new_person
from sightline.governance import access
from sightline.governance.models import AccessGrant
from sightline.people.models import Person

PASSWORD = "correct horse battery staple"


@dataclass
class World:
    child: Person
    agencies: dict[str, Agency]
    teams: dict[str, Team]
    users: dict[str, Any]
    involvements: dict[str, Involvement]


def _user(role: str, agency: Agency, first: str, last: str, team: Team | None = None) -> Any:
    user = practitioner(role, agency=agency, team=team)
    user.first_name, user.last_name = first, last
    user.email = f"{first.lower()}.{last.lower()}@{agency.code}.example.org"
    user.username = user.email
    user.save()
    return user


def involve(
    child: Person, agency: Agency, *, team: Team | None = None, email: str = "", since: dt.date
) -> Involvement:
    """An involvement and the grant it gives (to the team, or the agency), as an import writes."""
    involvement = Involvement.objects.create(
        person=child,
        agency=agency,
        team=team,
        practitioner_email=email,
        started_on=since,
    )
    access.involvement_grants_write(
        [
            access.InvolvementGrant(
                key=involvement.pk,
                person_id=child.pk,
                agency_id=agency.pk,
                team_id=None,
                starts_on=since,
                ends_on=None,
            )
        ],
        new=True,
    )
    return involvement


def build_world() -> World:
    child = new_person(given_names="Riley", family_name="Hart", birth_date=dt.date(2011, 4, 9))
    agencies = {
        "school": new_agency(code="school", name="Hallowford Academy", kind="school"),
        "csc": new_agency(code="csc", name="Children's social care", kind="childrens_social_care"),
        "police": new_agency(code="police", name="Hallowford Police", kind="police"),
        "mash": new_agency(code="mash", name="Hallowford MASH", kind="mash"),
        "eh": new_agency(code="eh", name="Early help", kind="early_help"),
        "elsewhere": new_agency(code="elsewhere", name="Brackenby School", kind="school"),
    }  # fmt: skip
    teams = {
        "cin": Team.objects.create(agency=agencies["csc"], code="cin", name="Children in Need"),
        "front": Team.objects.create(agency=agencies["mash"], code="front", name="Front door"),
        "pastoral": Team.objects.create(agency=agencies["school"], code="pastoral", name="Pastoral"),
    }  # fmt: skip
    users = {
        "dsl": _user("school_dsl", agencies["school"], "Sam", "Lee", teams["pastoral"]),
        "head_teacher": _user(
            "team_manager", agencies["school"], "Pat", "Oakes", teams["pastoral"]
        ),
        "sw": _user("social_worker", agencies["csc"], "Alex", "Smith", teams["cin"]),
        "sw2": _user("social_worker", agencies["csc"], "Jo", "Baker", teams["cin"]),
        "tm": _user("team_manager", agencies["csc"], "Chris", "Dale", teams["cin"]),
        "hos": _user("head_of_service", agencies["csc"], "Morgan", "Reyes"),
        "police": _user("police_officer", agencies["police"], "Dev", "Kaur"),
        "mash": _user("mash_manager", agencies["mash"], "Lou", "Grant", teams["front"]),
        "eh": _user("early_help_worker", agencies["eh"], "Ash", "Moss"),
        "stranger": _user("school_dsl", agencies["elsewhere"], "Avery", "Quinlan"),
        "analyst": _user("analyst", agencies["mash"], "Kim", "Ward"),
    }
    since = dt.date(2024, 9, 1)
    involvements = {
        "school": involve(
            child, agencies["school"], team=teams["pastoral"], email=users["dsl"].email, since=since
        ),
        "csc": involve(child, agencies["csc"], team=teams["cin"], email=users["sw"].email, since=since),
    }  # fmt: skip
    # The police hold records of the child (their feed sends no involvements).
    access.grant(
        person_id=child.pk, agency_id=agencies["police"].pk, basis=AccessGrant.Basis.HOLDS_RECORDS
    )
    return World(child, agencies, teams, users, involvements)
