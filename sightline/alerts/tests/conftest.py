"""Fixtures for the alerts app: a child known to children's social care, the police and a school,
the practitioners around them, and hand-made findings (the engine's plain data), so the app's
lifecycle is tested apart from any rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from sightline.agencies.tests.factories import AgencyFactory, practitioner
from sightline.alerts.engine.model import Finding, Part
from sightline.alerts.services import RuleFacts
from sightline.chronology.models import ChronologyEntry
from sightline.chronology.tests.factories import at, entry_for, new_agency, new_person
from sightline.governance import access
from sightline.governance.models import AccessGrant
from sightline.people.models import Person


def facts(rule: str = "missing-escalating", **changes: Any) -> RuleFacts:
    values: dict[str, Any] = {
        "id": rule,
        "version": 1,
        "title": "Missing episodes escalating",
        "severity": "high",
        "themes": ("missing",),
        "prompt": "Hold a strategy discussion.",
        "actions": ("Strategy discussion held", "Referral to the exploitation team"),
        "suppress_days": 28,
        "reference": ({"id": "QS-LP12", "review": "Child Q and Child S", "paragraph": "002:655",
                       "learning": "Return interviews were not carried out."},),
    }  # fmt: skip
    values.update(changes)
    return RuleFacts(**values)


def finding(
    *keys: str,
    rule: str = "missing-escalating",
    first: dt.date = dt.date(2026, 11, 1),
    certainty: str = "definite",
    parts: tuple[Part, ...] | None = None,
) -> Finding:
    parts = parts or (Part(f"{len(keys)} missing episodes", tuple(keys), certainty),)
    return Finding(
        rule=rule,
        version=1,
        certainty=certainty,
        first_held_on=first,
        evidence=tuple(keys),
        parts=parts,
        explanation=" and ".join(p.text for p in parts),
    )


@pytest.fixture
def csc():
    return new_agency(code="csc", name="Children's social care", kind="childrens_social_care",
                      phone="01632 960100", email="csc@example.org")  # fmt: skip


@pytest.fixture
def police():
    return new_agency(code="police", name="Hallowford Police", kind="police",
                      phone="01632 960200", email="police.safeguarding@example.org")  # fmt: skip


@pytest.fixture
def school():
    return new_agency(code="school", name="Hallowford Academy", kind="school",
                      phone="01632 960300", email="dsl@example.org")  # fmt: skip


@pytest.fixture
def child(csc: Any, police: Any, school: Any) -> Person:
    person = new_person(given_names="Jordan", family_name="Ellis", birth_date=dt.date(2010, 5, 17))
    for agency in (csc, police, school):
        access.grant(person_id=person.pk, agency_id=agency.pk, basis=AccessGrant.Basis.INVOLVEMENT)
    return person


def _user(role: str, agency: Any, first: str, last: str) -> Any:
    user = practitioner(role, agency=agency)
    user.first_name, user.last_name = first, last
    user.save()
    return user


@pytest.fixture
def social_worker(csc: Any) -> Any:
    return _user("social_worker", csc, "Alex", "Smith")


@pytest.fixture
def school_dsl(school: Any) -> Any:
    return _user("school_dsl", school, "Sam", "Lee")


@pytest.fixture
def police_officer(police: Any) -> Any:
    return _user("police_officer", police, "Pat", "Jones")


@pytest.fixture
def mash_manager() -> Any:
    return _user("mash_manager", AgencyFactory.create(code="mash", kind="mash"), "Morgan", "Hale")


@pytest.fixture
def stranger() -> Any:
    agency = AgencyFactory.create(code="other-school", kind="school", name="Elsewhere School")
    return _user("school_dsl", agency, "Avery", "Quinlan")


@pytest.fixture
def entries(child: Person, police: Any, csc: Any) -> dict[str, ChronologyEntry]:
    """Three missing episodes (police), and a police intelligence entry."""
    out = {}
    for n, day in enumerate((3, 12, 21), start=1):
        out[f"m{n}"] = entry_for(
            child, agency=police, type="missing_episode", occurred_at=at(2026, 10, day, 22),
            has_time=True, recorded_at=at(2026, 10, day + 1, 9),
            summary=f"Reported missing overnight ({n}).",
        )  # fmt: skip
    out["intel"] = entry_for(
        child, agency=police, police_intelligence=True, occurred_at=at(2026, 10, 25),
        recorded_at=at(2026, 10, 26), summary="Seen with older males linked to county lines.",
    )  # fmt: skip
    return out


def key(entry: ChronologyEntry) -> str:
    return str(entry.lineage or entry.pk)


@pytest.fixture
def keys() -> Callable[..., tuple[str, ...]]:
    def make(*found: ChronologyEntry) -> tuple[str, ...]:
        return tuple(key(e) for e in found)

    return make
