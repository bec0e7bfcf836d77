"""The administration forms and the set-password form, sent anything a careless or hostile
administrator (or a stranger with a link) could send: text of any kind, NUL and control
characters, huge values, repeated fields, missing fields. Never a 5xx; a refused form changes
nothing (no user, grant or token half made)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sightline.accounts.models import ApiToken, User
from sightline.agencies.models import Role
from sightline.agencies.tests.factories import AgencyFactory, TeamFactory, practitioner
from sightline.governance.models import AccessGrant
from sightline.people.tests.factories import person_named

pytestmark = pytest.mark.django_db

TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "²",
            "٣",
            "9" * 30,
            "-1",
            "csc",
            "social_worker",
            "team_manager",
            "read",
            "write",
            "SLT0000001",
            "31",
            "2",
            "2099",
            "x" * 5000,
            "a@b",
            "<script>alert(1)</script>",
        ]
    ),
)
FIELDS = {
    "administration:user_new": [
        "email",
        "given_name",
        "family_name",
        "job_title",
        "phone",
        "agency",
        "role",
        "team",
    ],
    "administration:grant_new": [
        "reference",
        "agency",
        "team",
        "reason",
        "ends_on-day",
        "ends_on-month",
        "ends_on-year",
    ],
    "administration:token_new": ["user", "name", "scopes", "days"],
}


@pytest.fixture
def setting() -> dict[str, Any]:
    csc = AgencyFactory.create(code="csc")
    TeamFactory.create(agency=csc, code="east")
    admin = practitioner(Role.SYSADMIN, agency_kind="other")
    worker = practitioner(Role.SOCIAL_WORKER, agency=csc)
    person_named("Mia", "Reed")
    client = Client()
    client.force_login(admin)
    return {"client": client, "worker": worker}


def _counts() -> tuple[int, int, int]:
    return (
        User.objects.count(),
        AccessGrant.objects.filter(basis=AccessGrant.Basis.MANUAL).count(),
        ApiToken.objects.count(),
    )


@pytest.mark.parametrize("name", sorted(FIELDS))
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_administration_form_is_an_answer_never_a_500(
    setting: dict[str, Any], name: str, data: st.DataObject
) -> None:
    form = {
        field: data.draw(st.one_of(TEXT, st.lists(TEXT, max_size=3)), label=field)
        for field in FIELDS[name]
        if data.draw(st.booleans(), label=f"send {field}")
    }
    before = _counts()
    response = setting["client"].post(reverse(name), form)
    assert response.status_code in (200, 303, 400), response.status_code
    if response.status_code == 400:
        assert "There is a problem" in response.content.decode()
        assert _counts() == before


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    action=TEXT,
    role_form=st.dictionaries(st.sampled_from(["agency", "team", "role"]), TEXT, max_size=3),
)
def test_any_button_or_role_change_is_an_answer_never_a_500(
    setting: dict[str, Any], action: str, role_form: dict[str, str]
) -> None:
    client, worker = setting["client"], setting["worker"]
    pk = worker.pk
    answer = client.post(reverse("administration:user_action", args=[pk]), {"action": action})
    assert answer.status_code in (200, 303)
    answer = client.post(reverse("administration:user_role", args=[pk]), role_form)
    assert answer.status_code in (303, 400)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(uid=st.text(max_size=60), token=st.text(max_size=100), password=TEXT, again=TEXT)
def test_any_set_password_link_or_form_is_an_answer_never_a_500(
    setting: dict[str, Any], uid: str, token: str, password: str, again: str
) -> None:
    from urllib.parse import quote

    path = f"/set-password/{quote(uid or 'x', safe='')}/{quote(token or 'x', safe='')}"
    response = Client().post(path, {"password": password, "password2": again})
    assert response.status_code in (302, 400, 404), (path, response.status_code)
