"""Agencies, teams, users and memberships for tests. Synthetic people only."""

from __future__ import annotations

import factory

from sightline.accounts.models import User
from sightline.agencies.models import Agency, Membership, Team


class AgencyFactory(factory.django.DjangoModelFactory[Agency]):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"agency-{n}")
    name = factory.Sequence(lambda n: f"Test agency {n}")
    kind = "childrens_social_care"
    phone = "01632 960000"
    email = factory.LazyAttribute(lambda o: f"{o.code}@example.org")


class TeamFactory(factory.django.DjangoModelFactory[Team]):
    class Meta:
        model = Team

    agency = factory.SubFactory(AgencyFactory)
    code = factory.Sequence(lambda n: f"team-{n}")
    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}@example.org")
    email = factory.LazyAttribute(lambda o: o.username)
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def _save(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()  # type: ignore[attr-defined]  # self is the User built


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    team = None
    role = Membership.Role.SOCIAL_WORKER


def practitioner(
    role: str = "social_worker",
    *,
    agency: Agency | None = None,
    agency_kind: str = "childrens_social_care",
    team: Team | None = None,
) -> User:
    """A signed-up user with one membership."""
    agency = agency or AgencyFactory.create(kind=agency_kind, code=f"{agency_kind}-agency")
    membership = MembershipFactory.create(role=role, agency=agency, team=team)
    return membership.user
