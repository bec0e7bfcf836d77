"""A leaver loses every access the moment they are recorded as having left (docs/administration.md):
for any sequence of sign-ins, break-glass opens, API tokens made, leavings and returns, after
every step no session from before the last leaving is answered, no break-glass from before it
lets them see a child, and no token from before it is accepted; a return gives none of them
back. Checked the way a user meets them: pages, the API with a bearer token, the access module."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sightline.accounts.models import User
from sightline.agencies.tests.factories import AgencyFactory, practitioner
from sightline.governance import access, administration, breakglass, tokens
from sightline.governance.models import BreakGlass
from sightline.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

step = st.sampled_from(["sign_in", "break_glass", "token", "leave", "return"])


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, max_size=10), who=st.sampled_from(["person", "integration"]))
@example(steps=["sign_in", "break_glass", "leave", "return", "sign_in"], who="person")
@example(steps=["token", "break_glass", "leave", "return", "token"], who="integration")
def test_nothing_from_before_leaving_is_answered_after(
    db: None, steps: list[str], who: str
) -> None:
    BreakGlass.objects.all().delete()
    police = AgencyFactory.create(kind="police")
    admin = practitioner("sysadmin", agency_kind="other")
    user = practitioner("police_officer", agency=police)
    if who == "integration":
        user.is_integration = True
        user.set_unusable_password()
        user.save()
    child = PersonFactory.create()
    # The model: what should still work, each dropped by a leaving.
    sessions: list[tuple[Client, bool]] = []
    made: list[tuple[str, bool]] = []
    glass_alive = False
    for action in steps:
        active = _fresh(user).is_active
        if action == "sign_in" and active and who == "person":
            client = Client()
            client.force_login(_fresh(user))
            sessions.append((client, True))
        elif action == "break_glass" and active:
            breakglass.break_glass_open(
                actor=_fresh(user),
                person_id=child.pk,
                reason="immediate_risk",
                reason_text="Found at night; nobody answers at home.",
            )
            glass_alive = True
        elif action == "token" and active and who == "integration":
            _, token = tokens.api_token_create(
                actor=admin, username=user.username, name="Feed", scopes=["read"], days="30"
            )
            made.append((token, True))
        elif action == "leave":
            administration.user_leave(actor=admin, user=_fresh(user))
            sessions = [(c, False) for c, _ in sessions]
            made = [(t, False) for t, _ in made]
            glass_alive = False
        elif action == "return":
            administration.user_return(actor=admin, user=_fresh(user))

        now_user = _fresh(user)
        assert access.can_view_person(now_user, child.pk) == (glass_alive and now_user.is_active)
        for client, alive in sessions:
            response = client.get(reverse("agencies:my_work"))
            assert (response.status_code == 200) == alive, (steps, action)
        for token, alive in made:
            answer = Client().get("/api/notifications", HTTP_AUTHORIZATION=f"Bearer {token}")
            assert (answer.status_code == 200) == alive, (steps, action)
            if not alive:
                assert answer.status_code == 401
        if not now_user.is_active:
            assert access.scope_for(now_user) == access.NO_SCOPE
