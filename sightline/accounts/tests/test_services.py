import pytest

from sightline.accounts.models import User
from sightline.accounts.services import user_create
from sightline.accounts.tests.conftest import PASSWORD
from sightline.core.actors import SystemActor
from sightline.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db

SETUP = SystemActor("setup")


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


def test_user_create_is_announced_with_its_actor(announced):
    user = user_create(
        actor=SETUP, email="a@example.org", given_name="A", family_name="B", password=PASSWORD
    )
    [(name, args)] = announced
    assert name == "account_changed"
    assert (args["actor"], args["user"], args["change"]) == (SETUP, user, "account_created")


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
    User.objects.create_user(username="taken@example.org")
    with pytest.raises(ValidationFailed) as exc:
        user_create(
            actor=SETUP,
            email="TAKEN@example.org",
            given_name="A",
            family_name="B",
            password=PASSWORD,
        )
    assert exc.value.errors == {"email": "An account with that email address already exists"}
