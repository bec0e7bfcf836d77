import pytest

from sightline.accounts.models import User
from sightline.accounts.services import user_create
from sightline.agencies.models import Membership
from sightline.agencies.services import membership_create, practitioner_create
from sightline.agencies.tests.factories import AgencyFactory, TeamFactory, UserFactory
from sightline.core.actors import SystemActor
from sightline.core.errors import ValidationFailed
from sightline.governance.audit import AuditAction
from sightline.governance.models import AuditEvent

pytestmark = pytest.mark.django_db

SETUP = SystemActor("setup")
PASSWORD = "correct horse battery staple"


def test_user_create_stores_lower_case_email_and_hashed_password():
    user = user_create(
        actor=SETUP,
        email=" Sam.Patel@Example.ORG ",
        given_name="Sam",
        family_name="Patel",
        password=PASSWORD,
        job_title="Social worker",
    )
    user.refresh_from_db()
    assert user.username == user.email == "sam.patel@example.org"
    assert user.display_name == "Sam Patel"
    assert user.password != PASSWORD
    assert user.check_password(PASSWORD)


def test_user_create_is_audited_with_its_actor():
    user = user_create(
        actor=SETUP, email="a@example.org", given_name="A", family_name="B", password=PASSWORD
    )
    event = AuditEvent.objects.get(action=AuditAction.ACCOUNT_CREATED)
    assert event.actor_name == "system:setup"
    assert event.object_id == str(user.pk)


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [
        ("not-an-email", PASSWORD, "email"),
        ("b@example.org", "short", "password"),
        ("b@example.org", "123456789012345", "password"),
    ],
)
def test_user_create_refuses_bad_input(email, password, field):
    with pytest.raises(ValidationFailed) as exc:
        user_create(actor=SETUP, email=email, given_name="A", family_name="B", password=password)
    assert field in exc.value.errors
    assert not User.objects.exists()


def test_user_create_refuses_a_second_account_for_an_email():
    UserFactory(username="taken@example.org")
    with pytest.raises(ValidationFailed) as exc:
        user_create(
            actor=SETUP, email="TAKEN@example.org", given_name="A", family_name="B", password=PASSWORD
        )
    assert exc.value.errors == {"email": "An account with that email address already exists"}


def test_practitioner_create_gives_the_role_and_audits_it():
    agency = AgencyFactory(kind="police")
    team = TeamFactory(agency=agency)
    user = practitioner_create(
        actor=SETUP,
        email="pc@example.org",
        given_name="Pat",
        family_name="Constable",
        password=PASSWORD,
        agency=agency,
        role="police_officer",
        team=team,
    )
    membership = Membership.objects.get(user=user)
    assert (membership.agency, membership.team, membership.role) == (agency, team, "police_officer")
    event = AuditEvent.objects.get(action=AuditAction.ROLE_GIVEN)
    assert event.detail == {"agency": agency.code, "team": team.code, "role": "police_officer"}


def test_practitioner_create_is_all_or_nothing():
    agency = AgencyFactory()
    other_team = TeamFactory()
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
    assert "team" in exc.value.errors
    assert not User.objects.filter(username="x@example.org").exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(("role", "field"), [("wizard", "role")])
def test_membership_create_refuses_unknown_roles(role, field):
    user = UserFactory()
    with pytest.raises(ValidationFailed) as exc:
        membership_create(actor=SETUP, user=user, agency=AgencyFactory(), role=role)
    assert field in exc.value.errors
