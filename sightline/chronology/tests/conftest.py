"""Fixtures for the child's story: a child known to children's social care, the practitioners
around them, and viewers with and without a relationship."""

from __future__ import annotations

import pytest

from sightline.agencies.tests.factories import practitioner
from sightline.chronology.tests.factories import new_agency, new_person
from sightline.governance import access
from sightline.governance.models import AccessGrant


@pytest.fixture
def csc():
    return new_agency(
        code="csc",
        name="Children's social care",
        kind="childrens_social_care",
        phone="01632 960100",
        email="csc@example.org",
    )


@pytest.fixture
def police():
    return new_agency(
        code="police",
        name="Hallowford Police",
        kind="police",
        phone="01632 960200",
        email="police.safeguarding@example.org",
    )


@pytest.fixture
def school():
    return new_agency(
        code="school",
        name="Hallowford Academy",
        kind="school",
        phone="01632 960300",
        email="dsl@example.org",
    )


@pytest.fixture
def child(csc, police, school):
    person = new_person(given_names="Jordan", family_name="Ellis")
    for agency in (csc, police, school):
        access.grant(person_id=person.pk, agency_id=agency.pk, basis=AccessGrant.Basis.INVOLVEMENT)
    return person


@pytest.fixture
def social_worker(csc):
    user = practitioner("social_worker", agency=csc)
    user.first_name, user.last_name = "Alex", "Smith"
    user.save()
    return user


@pytest.fixture
def officer(police):
    return practitioner("police_officer", agency=police)


@pytest.fixture
def teacher(school):
    return practitioner("school_dsl", agency=school)


@pytest.fixture
def mash_manager():
    mash = new_agency(code="mash", name="MASH", kind="mash")
    return practitioner("mash_manager", agency=mash)


@pytest.fixture
def stranger():
    """A social worker in another authority: no relationship with the child."""
    other = new_agency(code="other-csc", name="Other council", kind="childrens_social_care")
    return practitioner("social_worker", agency=other)


@pytest.fixture
def analyst():
    insight = new_agency(code="insight", name="Partnership insight", kind="other")
    return practitioner("analyst", agency=insight)
