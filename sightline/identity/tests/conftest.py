"""Fixtures for identity tests: reviewers and a practitioner, and two feeds."""

from __future__ import annotations

from typing import Any

import pytest

from sightline.agencies.tests.factories import AgencyFactory, practitioner
from sightline.identity.tests.factories import feed
from sightline.records.models import SourceSystem


@pytest.fixture
def police_feed(db: Any) -> SourceSystem:
    return feed("police", kind="police", name="Hallowford Police")


@pytest.fixture
def health_feed(db: Any) -> SourceSystem:
    return feed("health", kind="health_gp", name="Hallowford GP practices")


@pytest.fixture
def data_officer(db: Any) -> Any:
    partnership = AgencyFactory.create(code="partnership", kind="other", name="Partnership")
    user = practitioner("data_officer", agency=partnership)
    user.first_name, user.last_name = "Jo", "Smith"
    user.save()
    return user


@pytest.fixture
def mash_manager(db: Any) -> Any:
    mash = AgencyFactory.create(code="mash", kind="mash", name="MASH")
    return practitioner("mash_manager", agency=mash)


@pytest.fixture
def social_worker(db: Any) -> Any:
    csc = AgencyFactory.create(code="csc", kind="childrens_social_care", name="CSC")
    return practitioner("social_worker", agency=csc)
