"""A small partnership for the referral tests: a school that refers, the MASH that decides (two
managers, a worker, a head of service), CAMHS, and a stranger at another school. Synthetic
people only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine

from sightline.accounts.models import User
from sightline.agencies.models import Agency, Team
from sightline.agencies.tests.factories import MembershipFactory, UserFactory
from sightline.chronology.tests.factories import new_agency, new_person
from sightline.core.dates import LONDON
from sightline.governance import access
from sightline.governance.models import AccessGrant
from sightline.people.models import Person
from sightline.referrals import services
from sightline.referrals.models import Referral
from sightline.referrals.services import DecisionFields, ReferralFields

# A Wednesday in term: no bank holiday near.
WEDNESDAY = dt.datetime(2026, 3, 11, 10, 0, tzinfo=LONDON)


def member(
    role: str, agency: Agency, *, team: Team | None = None, first: str = "", last: str = ""
) -> User:
    user = UserFactory.create(first_name=first or "Test", last_name=last or role.title())
    MembershipFactory.create(user=user, agency=agency, team=team, role=role)
    return user


@dataclass
class World:
    mash: Agency
    mash_team: Team
    school: Agency
    camhs: Agency
    child: Person
    dsl: User
    dsl_colleague: User
    manager: User
    other_manager: User
    worker: User
    social_worker: User
    head: User
    stranger: User
    camhs_nurse: User


@pytest.fixture
def world(db: Any) -> World:
    mash = new_agency(code="mash", name="Sallowshire MASH", kind="mash")
    mash_team = Team.objects.create(agency=mash, code="mash-team", name="MASH team")
    school = new_agency(code="school", name="Brackenby Academy", kind="school")
    school_team = Team.objects.create(agency=school, code="brackenby", name="Brackenby Academy")
    camhs = new_agency(code="camhs", name="Sallowshire CAMHS", kind="camhs")
    other_school = new_agency(code="other-school", name="Fenwick School", kind="school")
    child = new_person(given_names="Jordan", family_name="Ellis")
    access.grant(person_id=child.pk, agency_id=school.pk, basis=AccessGrant.Basis.INVOLVEMENT)
    return World(
        mash=mash,
        mash_team=mash_team,
        school=school,
        camhs=camhs,
        child=child,
        dsl=member("school_dsl", school, team=school_team, first="Dana", last="Whitfield"),
        dsl_colleague=member("school_dsl", school, team=school_team, first="Lee", last="Brook"),
        manager=member("mash_manager", mash, team=mash_team, first="Morgan", last="Reid"),
        other_manager=member("mash_manager", mash, team=mash_team, first="Robin", last="Hale"),
        worker=member("social_worker", mash, team=mash_team, first="Kit", last="Moss"),
        social_worker=member("social_worker", mash, team=mash_team, first="Sam", last="Okafor"),
        head=member("head_of_service", mash, first="Hilary", last="Stone"),
        stranger=member("school_dsl", other_school, first="Avery", last="Quinlan"),
        camhs_nurse=member("health_nurse", camhs, first="Nia", last="Evans"),
    )


@pytest.fixture
def wednesday() -> Iterator[Any]:
    with time_machine.travel(WEDNESDAY, tick=False) as traveller:
        yield traveller


CONCERNS = "Seen driving a car at night with older males; says his uncle lets him."


def fields(**changes: Any) -> ReferralFields:
    values: dict[str, Any] = {
        "service": "mash",
        "concerns": CONCERNS,
        "family_knows": "Mother told on the phone; she said it was his uncle driving.",
        "consent": "no",
        "consent_note": "Mother refused: she says the police are making it up.",
        "risk": "significant_harm",
        "risk_note": "Signs of criminal exploitation.",
    }
    values.update(changes)
    return ReferralFields(**values)


def refer(world: World, **changes: Any) -> Referral:
    return services.referral_make(actor=world.dsl, person=world.child, fields=fields(**changes))


def decide(
    world: World,
    referral: Referral,
    decision: str = "no_further_action",
    reasons: tuple[str, ...] = ("threshold_not_met",),
    text: str = "Discussed at the MASH: not at threshold.",
    *,
    actor: User | None = None,
    version: int | None = None,
) -> Referral:
    return services.referral_decide(
        actor=actor or world.manager,
        referral_id=referral.pk,
        expected_version=referral.version if version is None else version,
        fields=DecisionFields(decision=decision, reasons=reasons, text=text),
    )
