"""An agency's information governance lead (the auditor's role) administers their own agency
(docs/administration.md#an-agencys-information-governance-lead): its practitioners and
managers, its leavers, the access given by hand to it. Another agency's users and grants are
not found; a role that administers, audits or sees every child, system integrations and API
tokens stay the system administrator's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from sightline.accounts.models import User
from sightline.agencies.models import Agency, Role
from sightline.agencies.tests.factories import AgencyFactory, TeamFactory, practitioner
from sightline.core import clock
from sightline.core.errors import AccessDenied, NotFound, ValidationFailed
from sightline.governance import access, administration
from sightline.governance.models import AccessGrant
from sightline.people.tests.factories import person_named
from tests.administration.forms import grant_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def agencies() -> tuple[Agency, Agency]:
    return (
        AgencyFactory.create(code="school", kind="school", name="Hillside Academy"),
        AgencyFactory.create(code="police", kind="police", name="County Police"),
    )


@pytest.fixture
def lead(agencies: tuple[Agency, Agency]) -> User:
    return practitioner(Role.AUDITOR, agency=agencies[0])


@pytest.fixture
def lead_client(lead: User) -> Client:
    client = Client()
    client.force_login(lead)
    return client


def test_the_lead_sees_their_agencys_users_only(
    agencies: tuple[Agency, Agency], lead_client: Client
) -> None:
    school, police = agencies
    mine = practitioner(Role.SCHOOL_DSL, agency=school)
    theirs = practitioner(Role.POLICE_OFFICER, agency=police)
    page = lead_client.get(reverse("administration:users"), {"agency": "police"})
    text = page.content.decode()
    assert mine.username in text
    assert theirs.username not in text
    assert 'name="agency"' not in text  # no agency to choose
    assert lead_client.get(reverse("administration:user", args=[theirs.pk])).status_code == 404
    assert lead_client.get(reverse("administration:user", args=[mine.pk])).status_code == 200
    for name in ("administration:tokens", "administration:token_new"):
        assert lead_client.get(reverse(name)).status_code == 403
    home = lead_client.get(reverse("administration:home")).content.decode()
    assert "You administer Hillside Academy" in home
    assert reverse("administration:tokens") not in home


def test_the_lead_adds_a_practitioner_to_their_agency_only(
    agencies: tuple[Agency, Agency], lead_client: Client
) -> None:
    form = {
        "email": "n.ward@hillside.example",
        "given_name": "Nina",
        "family_name": "Ward",
        "agency": "police",
        "role": Role.SYSADMIN,
        "team": "",
        "integration": "yes",
    }
    refused = lead_client.post(reverse("administration:user_new"), form)
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "you administer your own agency only" in text
    assert "Only a system administrator can give this role" in text
    assert "Only a system administrator can add a system integration" in text
    assert not User.objects.filter(username="n.ward@hillside.example").exists()
    form.update(agency="school", role=Role.SCHOOL_DSL, integration="")
    made = lead_client.post(reverse("administration:user_new"), form)
    assert made.status_code == 303
    assert User.objects.get(username="n.ward@hillside.example").membership.agency.code == "school"
    offered = lead_client.get(reverse("administration:user_new")).content.decode()
    assert "System administrator" not in offered
    assert "Information governance auditor" not in offered
    assert "County Police" not in offered


def test_the_lead_records_a_leaver_and_cannot_touch_administrators_or_other_agencies(
    agencies: tuple[Agency, Agency], lead: User, lead_client: Client
) -> None:
    school, police = agencies
    dsl = practitioner(Role.SCHOOL_DSL, agency=school)
    colleague = practitioner(Role.AUDITOR, agency=school)
    officer = practitioner(Role.POLICE_OFFICER, agency=police)
    left = lead_client.post(reverse("administration:user_leave", args=[dsl.pk]))
    assert left.status_code == 303
    assert not User.objects.get(pk=dsl.pk).is_active

    page = lead_client.get(reverse("administration:user", args=[colleague.pk])).content.decode()
    assert "Only a system administrator can change" in page
    refused = lead_client.post(reverse("administration:user_leave", args=[colleague.pk]))
    assert refused.status_code == 400
    assert User.objects.get(pk=colleague.pk).is_active
    promote = lead_client.post(
        reverse("administration:user_role", args=[colleague.pk]),
        {"agency": "school", "role": Role.SCHOOL_DSL, "team": ""},
    )
    assert promote.status_code == 400
    assert User.objects.get(pk=colleague.pk).membership.role == Role.AUDITOR

    for name in ("administration:user_leave", "administration:user_role"):
        assert lead_client.post(reverse(name, args=[officer.pk])).status_code == 404
    action = lead_client.post(
        reverse("administration:user_action", args=[officer.pk]), {"action": "sign_out"}
    )
    assert action.status_code == 404
    assert User.objects.get(pk=officer.pk).is_active
    # Nor moved out of the agency, where the lead would lose sight of them.
    moved = lead_client.post(
        reverse("administration:user_role", args=[dsl.pk]),
        {"agency": "police", "role": Role.POLICE_OFFICER, "team": ""},
    )
    assert moved.status_code == 400
    assert User.objects.get(pk=dsl.pk).membership.agency == school


def test_the_lead_gives_and_ends_access_for_their_agency_only(
    agencies: tuple[Agency, Agency], lead_client: Client
) -> None:
    school, police = agencies
    child = person_named("Ruby", "Hale")
    refused = lead_client.post(
        reverse("administration:grant_new"),
        grant_form(reference=child.reference, agency="police"),
    )
    assert refused.status_code == 400
    assert not AccessGrant.objects.filter(person=child, basis=AccessGrant.Basis.MANUAL).exists()
    given_ = lead_client.post(
        reverse("administration:grant_new"), grant_form(reference=child.reference)
    )
    assert given_.status_code == 303
    row = AccessGrant.objects.get(person=child, basis=AccessGrant.Basis.MANUAL)
    assert row.agency == school
    # Another agency's grant is neither listed nor ended by the lead.
    other = AccessGrant.objects.create(
        person=child,
        agency=police,
        basis=AccessGrant.Basis.MANUAL,
        basis_key=0,
        granted_at=clock.now(),
        ends_on=clock.today() + dt.timedelta(days=10),
        reason="Police's own",
    )
    listing = lead_client.get(reverse("administration:grants")).content.decode()
    assert "Police&#39;s own" not in listing
    assert "Police's own" not in listing
    assert lead_client.post(reverse("administration:grant_end", args=[other.pk])).status_code == 404
    assert lead_client.post(reverse("administration:grant_end", args=[row.pk])).status_code == 303
    dsl = practitioner(Role.SCHOOL_DSL, agency=school)
    assert not access.can_view_person(dsl, child.pk)


def test_a_lead_without_an_agency_role_is_refused() -> None:
    worker = practitioner(Role.SOCIAL_WORKER)
    with pytest.raises(AccessDenied):
        administration.admin_scope_for(worker)


# Roles the lead may give: none that administers, audits, sees every child or settles identity.
GIVABLE = {
    Role.SOCIAL_WORKER,
    Role.SCHOOL_DSL,
    Role.POLICE_OFFICER,
    Role.HEALTH_NURSE,
    Role.EARLY_HELP,
    Role.YOUTH_JUSTICE,
    Role.TEAM_MANAGER,
    Role.HEAD_OF_SERVICE,
}


def test_the_roles_a_lead_may_give(lead: User) -> None:
    scope = administration.admin_scope_for(lead)
    assert {code for code, _ in scope.roles()} == GIVABLE
    assert administration.admin_scope_for(practitioner(Role.SYSADMIN)).roles() == list(Role.choices)


class TestNoWayOutOfTheAgency(TestCase):
    """Whatever a hostile lead sends (any agency, any role, any user), nobody outside their
    agency changes, and nobody inside it gets a role the lead could not give."""

    @settings(max_examples=40, deadline=None)
    @given(
        target=st.sampled_from(["mine", "colleague", "theirs", "admin"]),
        agency=st.sampled_from(["school", "police", "", "nope"]),
        role=st.sampled_from([*Role.values, "", "root"]),
        act=st.sampled_from(["role", "leave", "return", "sign_out", "reset_2fa", "link"]),
    )
    def test_changes_stay_in_the_agency(
        self, target: str, agency: str, role: str, act: str
    ) -> None:
        school = AgencyFactory.create(code="school", kind="school")
        police = AgencyFactory.create(code="police", kind="police")
        TeamFactory.create(agency=school)
        lead = practitioner(Role.AUDITOR, agency=school)
        people = {
            "mine": practitioner(Role.SCHOOL_DSL, agency=school),
            "colleague": practitioner(Role.AUDITOR, agency=school),
            "theirs": practitioner(Role.POLICE_OFFICER, agency=police),
            "admin": practitioner(Role.SYSADMIN, agency=police),
        }
        user = people[target]
        before = (user.membership.agency_id, user.membership.role, user.is_active)
        calls = {
            "role": lambda: administration.user_role_change(
                actor=lead, user=user, agency=agency, role=role
            ),
            "leave": lambda: administration.user_leave(actor=lead, user=user),
            "return": lambda: administration.user_return(actor=lead, user=user),
            "sign_out": lambda: administration.user_sign_out(actor=lead, user=user),
            "reset_2fa": lambda: administration.user_two_factor_reset(actor=lead, user=user),
            "link": lambda: administration.password_link_send(actor=lead, user=user),
        }
        try:
            calls[act]()
        except (ValidationFailed, NotFound):
            changed = False
        else:
            changed = True
        user = User.objects.select_related("membership").get(pk=user.pk)
        after = (user.membership.agency_id, user.membership.role, user.is_active)
        if target != "mine":
            assert not changed
            assert after == before
        assert user.membership.agency_id == before[0] or user.membership.agency_id == school.pk
        if after != before:
            assert user.membership.role in GIVABLE
            assert user.membership.agency_id == school.pk


def test_a_team_of_another_agency_gives_no_access_at_all(
    agencies: tuple[Agency, Agency], lead_client: Client
) -> None:
    _, police = agencies
    theirs = TeamFactory.create(agency=police)
    child = person_named("Iris", "Vale")
    refused = lead_client.post(
        reverse("administration:grant_new"),
        grant_form(reference=child.reference, team=str(theirs.pk)),
    )
    assert refused.status_code == 400
    assert "Select a team of the agency" in refused.content.decode()
    assert not AccessGrant.objects.filter(person=child).exists()


def test_the_lead_resets_and_signs_out_only_through_administration(
    agencies: tuple[Agency, Agency], lead: User
) -> None:
    from sightline.accounts.services import otp_reset, user_sessions_end

    _, police = agencies
    admin = practitioner(Role.SYSADMIN, agency=police)
    for call in (otp_reset, user_sessions_end):
        with pytest.raises(AccessDenied):
            call(actor=lead, user=admin)


def test_an_address_taken_elsewhere_says_no_more_than_that(
    agencies: tuple[Agency, Agency], lead_client: Client
) -> None:
    _, police = agencies
    officer = practitioner(Role.POLICE_OFFICER, agency=police)
    refused = lead_client.post(
        reverse("administration:user_new"),
        {
            "email": officer.username,
            "given_name": "A",
            "family_name": "B",
            "agency": "school",
            "role": Role.SCHOOL_DSL,
            "team": "",
        },
    )
    text = refused.content.decode()
    assert "This email address cannot be used: ask a system administrator" in text
    assert "already exists" not in text


def test_the_lead_is_never_shown_the_new_users_link(
    agencies: tuple[Agency, Agency], lead_client: Client
) -> None:
    made = lead_client.post(
        reverse("administration:user_new"),
        {
            "email": "t.ash@hillside.example",
            "given_name": "Tom",
            "family_name": "Ash",
            "agency": "school",
            "role": Role.SCHOOL_DSL,
            "team": "",
        },
        follow=True,
    )
    text = made.content.decode()
    assert "We have emailed t.ash@hillside.example a link" in text
    assert "/set-password/" not in text


def test_a_head_of_service_named_for_another_agencys_teams_is_the_administrators(
    agencies: tuple[Agency, Agency], lead_client: Client
) -> None:
    school, police = agencies
    head = practitioner(Role.HEAD_OF_SERVICE, agency=school)
    head.membership.heads_teams.add(TeamFactory.create(agency=police))
    refused = lead_client.post(
        reverse("administration:user_role", args=[head.pk]),
        {"agency": "school", "role": Role.SCHOOL_DSL, "team": ""},
    )
    assert refused.status_code == 400
    assert User.objects.get(pk=head.pk).membership.role == Role.HEAD_OF_SERVICE
    assert lead_client.post(reverse("administration:user_leave", args=[head.pk])).status_code == 400


def test_the_lead_records_the_leaving_of_someone_holding_a_token(
    agencies: tuple[Agency, Agency], lead: User
) -> None:
    from sightline.accounts.models import ApiToken

    school, _ = agencies
    dsl = practitioner(Role.SCHOOL_DSL, agency=school)
    ApiToken.objects.create(
        user=dsl,
        name="Left over",
        prefix="abcdefgh",
        digest="0" * 64,
        scopes=["read"],
        created_at=clock.now(),
        expires_at=clock.now() + dt.timedelta(days=3),
    )
    left = administration.user_leave(actor=lead, user=dsl)
    assert left.tokens_revoked == 1
    assert not User.objects.get(pk=dsl.pk).is_active
    assert ApiToken.objects.get(user=dsl).revoked_at is not None


def test_recording_a_team_managers_leaving_warns_who_is_no_longer_told(
    agencies: tuple[Agency, Agency], lead_client: Client
) -> None:
    school, _ = agencies
    team = TeamFactory.create(agency=school, name="Pastoral team")
    manager = practitioner(Role.TEAM_MANAGER, agency=school, team=team)
    page = lead_client.get(reverse("administration:user_leave", args=[manager.pk]))
    assert "manages Pastoral team. Name its new team manager" in page.content.decode()
