"""Roles are defined once (agencies.models.Role), capabilities are declared by the apps that
check them, and the role policy must fit both: anything else is refused, never silently
"no capabilities"."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import IntegrityError, transaction

from sightline.agencies.models import Membership, Role
from sightline.agencies.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from sightline.governance import access, checks, policy
from sightline.governance.policy import (
    Capability,
    PolicyError,
    UnknownRole,
    capabilities_of,
    parse_role_policy,
)

EVERY_ROLE: dict[str, list[str]] = {role: [] for role in Role.values}


def test_the_policy_names_every_role_and_only_declared_capabilities() -> None:
    assert set(policy.role_policy()) == set(Role.values)
    assert policy.policy_problems() == []
    declared = policy.declared_capabilities()
    assert {c.value for c in Capability} <= set(declared)
    assert declared["record_entries"][0] == "chronology"
    assert declared["review_identity"][0] == "identity"
    assert declared["view_granted_children"][0] == "governance"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({**EVERY_ROLE, "wizard": ["record_entries"]}, r"does not define: \['wizard'\]"),
        (
            {k: v for k, v in EVERY_ROLE.items() if k != "analyst"},
            r"gives no capabilities to roles: \['analyst'\]",
        ),
        ({**EVERY_ROLE, "analyst": "view_insight"}, "analyst: expected a list"),
        (["social_worker"], "expected a role"),
    ],
)
def test_a_policy_that_does_not_fit_the_roles_is_refused(data: Any, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        parse_role_policy(data)


def test_an_unknown_role_is_an_error_not_nothing() -> None:
    with pytest.raises(UnknownRole, match="'wizard' is not in the role policy"):
        capabilities_of("wizard")
    assert capabilities_of("analyst") == frozenset({"view_insight"})


@pytest.mark.django_db
def test_a_membership_with_an_unknown_role_cannot_be_saved() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory.create(role="wizard")
    membership = MembershipFactory.create(role=Role.ANALYST)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=membership.pk).update(role="")


@pytest.mark.django_db
def test_a_scope_carries_the_policys_capabilities() -> None:
    user = MembershipFactory.create(role=Role.DATA_OFFICER, agency=AgencyFactory.create()).user
    scope = access.scope_for(user)
    assert scope.capabilities == frozenset({"review_identity"})
    assert scope.can(Capability.REVIEW_IDENTITY)
    assert not scope.can(Capability.VIEW_GRANTED_CHILDREN)
    assert access.scope_for(UserFactory.create()) is access.NO_SCOPE  # no membership


def test_a_capability_no_app_declares_fails_the_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = {**policy.role_policy(), "analyst": frozenset({"view_insight", "fly"})}
    monkeypatch.setattr(policy, "role_policy", lambda: broken)
    problems = policy.policy_problems()
    assert problems == ["roles.yaml: analyst is given ['fly'], which no installed app declares"]
    assert [m.id for m in checks.role_policy_check()] == ["governance.E001"]
    with pytest.raises(SystemCheckError, match="which no installed app declares"):
        call_command("check", stdout=io.StringIO(), stderr=io.StringIO())


def test_two_apps_declaring_one_capability_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    people = apps.get_app_config("people")
    monkeypatch.setattr(people, "capabilities", {"record_entries": "Also records"}, raising=False)
    with pytest.raises(PolicyError, match="declared by both people and chronology"):
        policy.declared_capabilities()
    assert "declared by both" in policy.policy_problems()[0]


@pytest.mark.parametrize("value", [-1, "7", 1.5, True])
def test_the_grace_must_be_whole_days(settings: Any, value: object) -> None:
    settings.ACCESS_GRACE_DAYS = value
    assert [m.id for m in checks.grace_check()] == ["governance.E002"]


def test_the_grace_is_fine_as_set(settings: Any) -> None:
    settings.ACCESS_GRACE_DAYS = 30
    assert checks.grace_check() == []


def test_atomic_requests_would_lose_refused_reads_audit(monkeypatch: pytest.MonkeyPatch) -> None:
    assert checks.refused_reads_check() == []
    monkeypatch.setitem(django_settings.DATABASES["default"], "ATOMIC_REQUESTS", True)
    assert [m.id for m in checks.refused_reads_check()] == ["governance.E003"]


def test_every_identifier_scheme_has_a_rule() -> None:
    assert checks.identifier_policy_check() == []
