import pytest

from sightline.accounts import signals
from sightline.accounts.models import User
from sightline.agencies.models import Membership
from sightline.agencies.services import membership_create, practitioner_create
from sightline.agencies.tests.factories import AgencyFactory, TeamFactory, UserFactory
from sightline.core.actors import SystemActor
from sightline.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db

SETUP = SystemActor("setup")
PASSWORD = "correct horse battery staple"


@pytest.fixture
def changes():
    seen: list[dict] = []

    def receiver(sender, **kwargs):
        seen.append({k: v for k, v in kwargs.items() if k != "signal"})

    signals.account_changed.connect(receiver, weak=False)
    yield seen
    signals.account_changed.disconnect(receiver)


def test_practitioner_create_gives_the_role_and_announces_it(changes):
    agency = AgencyFactory.create(kind="police")
    team = TeamFactory.create(agency=agency)
    user = practitioner_create(
        actor=SETUP,
        email="PC@example.org",
        given_name="Pat",
        family_name="Constable",
        password=PASSWORD,
        agency=agency,
        role="police_officer",
        team=team,
        job_title="Detective constable",
    )
    assert user.username == "pc@example.org"
    assert user.check_password(PASSWORD)
    membership = Membership.objects.get(user=user)
    assert (membership.agency, membership.team, membership.role) == (agency, team, "police_officer")
    assert [c["change"] for c in changes] == ["account_created", "membership_created"]
    assert changes[1]["detail"] == {
        "agency": agency.code,
        "team": team.code,
        "role": "police_officer",
    }
    assert changes[1]["actor"] == SETUP


def test_practitioner_create_is_all_or_nothing():
    agency = AgencyFactory.create()
    other_team = TeamFactory.create()
    with pytest.raises(ValidationFailed) as exc:
        practitioner_create(
            actor=SETUP,
            email="x@example.org",
            given_name="X",
            family_name="Y",
            password=PASSWORD,
            agency=agency,
            role="social_worker",
            team=other_team,
        )
    assert exc.value.errors == {"team": "The team must belong to the agency"}
    assert not User.objects.filter(username="x@example.org").exists()


@pytest.mark.parametrize("role", ["wizard", ""])
def test_membership_create_refuses_unknown_roles(role):
    with pytest.raises(ValidationFailed) as exc:
        membership_create(
            actor=SETUP, user=UserFactory.create(), agency=AgencyFactory.create(), role=role
        )
    assert exc.value.errors == {"role": "Select a role"}


def test_membership_create_allows_one_role_per_user():
    user = UserFactory.create()
    membership_create(actor=SETUP, user=user, agency=AgencyFactory.create(), role="analyst")
    with pytest.raises(ValidationFailed) as exc:
        membership_create(actor=SETUP, user=user, agency=AgencyFactory.create(), role="analyst")
    assert "user" in exc.value.errors
