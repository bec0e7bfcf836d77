"""Histories read from the database (alerts.histories): London days on both sides of the clocks
changing, partial dates' last days, the child's own roles only, every version or only what is
known today, involvements, relationships turned round, merges followed, and the system scope
required."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from sightline.alerts import histories
from sightline.alerts.tasks import EVALUATOR
from sightline.chronology.tests.factories import entry_for, new_person
from sightline.core.errors import AccessDenied
from sightline.governance import access
from sightline.people.models import Relationship

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def scope() -> Any:
    return access.system_scope(actor=EVALUATOR, purpose="tests: histories")


def history(person: Any, **options: Any) -> Any:
    return histories.history_for(viewer=scope(), person_id=person.pk, **options).history


def test_instants_become_london_days_and_times(child: Any, police: Any) -> None:
    summer = entry_for(child, agency=police, type="missing_episode", has_time=True,
                       occurred_at=dt.datetime(2026, 7, 3, 23, 30, tzinfo=UTC),
                       ended_at=dt.datetime(2026, 7, 4, 8, tzinfo=UTC),
                       recorded_at=dt.datetime(2026, 7, 4, 23, 15, tzinfo=UTC))  # fmt: skip
    winter = entry_for(child, agency=police, type="missing_episode", has_time=False,
                       occurred_at=dt.datetime(2026, 1, 3, 23, 30, tzinfo=UTC),
                       recorded_at=dt.datetime(2026, 1, 4, 9, tzinfo=UTC))  # fmt: skip
    found = {e.key: e for e in history(child).entries}
    s, w = found[str(summer.pk)], found[str(winter.pk)]
    assert s.start == s.end == dt.date(2026, 7, 4)  # 00:30 in London (BST)
    assert s.occurred_at == dt.datetime(2026, 7, 3, 23, 30, tzinfo=UTC)
    assert s.occurred_at is not None
    assert s.occurred_at.hour == 0
    assert s.recorded_at.date() == dt.date(2026, 7, 5)  # known from the London day
    assert s.ended_at == dt.datetime(2026, 7, 4, 8, tzinfo=UTC)
    assert w.start == dt.date(2026, 1, 3)
    assert w.occurred_at is None
    assert (s.agency, s.agency_kind, s.agency_name, s.theme) == (
        "police", "police", "Hallowford Police", "missing")  # fmt: skip


def test_a_partial_date_runs_to_the_end_of_its_period(child: Any, police: Any) -> None:
    month = entry_for(child, agency=police, type="police_incident", precision="month",
                      occurred_at=timezone.make_aware(dt.datetime(2026, 2, 1)))  # fmt: skip
    year = entry_for(child, agency=police, type="police_incident", precision="year",
                     occurred_at=timezone.make_aware(dt.datetime(2025, 1, 1)))  # fmt: skip
    found = {e.key: e for e in history(child).entries}
    assert (found[str(month.pk)].start, found[str(month.pk)].end) == (
        dt.date(2026, 2, 1), dt.date(2026, 2, 28))  # fmt: skip
    assert found[str(year.pk)].end == dt.date(2025, 12, 31)


def test_only_the_childs_own_roles(child: Any, police: Any) -> None:
    own = entry_for(child, agency=police, type="assault_victim", role="victim")
    entry_for(child, agency=police, type="arrest", role="perpetrator")
    entry_for(child, agency=police, type="missing_episode", role="sibling")
    assert [e.key for e in history(child).entries] == [str(own.pk)]


def test_every_version_or_only_what_is_known_today(
    child: Any, police_officer: Any, entries: Any
) -> None:
    from sightline.chronology.services import entry_mark_entered_in_error

    entry_mark_entered_in_error(actor=police_officer, entry=entries["m1"], reason="Wrong child.",
                                person=child)  # fmt: skip
    every = [e for e in history(child).entries if e.key == str(entries["m1"].pk)]
    assert [(e.version, e.entered_in_error) for e in every] == [(1, False), (2, True)]
    assert every[0].superseded_at is not None
    today = [e for e in history(child, current_only=True).entries if e.key == str(entries["m1"].pk)]
    assert [(e.version, e.entered_in_error) for e in today] == [(2, True)]


def test_involvements_and_relationships_from_either_side(child: Any, csc: Any) -> None:
    from sightline.agencies.models import Team
    from sightline.cases.models import Involvement

    team = Team.objects.create(agency=csc, code="north", name="North")
    Involvement.objects.create(person=child, agency=csc, team=team, started_on=dt.date(2025, 1, 1))
    mother = new_person(given_names="Ann", birth_date=dt.date(1985, 1, 1))
    sister = new_person(given_names="Bea", birth_date=dt.date(2013, 1, 1))
    Relationship.objects.create(from_person=mother, to_person=child, type="parent")
    Relationship.objects.create(from_person=child, to_person=sister, type="sibling",
                                from_on=dt.date(2013, 1, 1))  # fmt: skip
    entry_for(sister, agency=csc, type="missing_episode")
    found = history(child)
    assert [(i.agency, i.team, i.started_on) for i in found.involvements] == [
        ("csc", "North", dt.date(2025, 1, 1))]  # fmt: skip
    related = {r.history.person: r for r in found.related}
    assert related[mother.reference].relationship == "parent"
    assert related[sister.reference].relationship == "sibling"
    assert related[sister.reference].from_date == dt.date(2013, 1, 1)
    assert len(related[sister.reference].history.entries) == 1
    # From the mother's side, the child is her child.
    assert [r.relationship for r in history(mother).related] == ["child"]
    # Only the kinds asked for.
    only = histories.history_for(viewer=scope(), person_id=child.pk,
                                 relationships=frozenset({"sibling"})).history  # fmt: skip
    assert [r.relationship for r in only.related] == ["sibling"]


def test_a_merged_reference_is_read_as_the_survivor(child: Any, entries: Any) -> None:
    from sightline.core.actors import LINKER
    from sightline.identity.merging import MergeEvidence, person_merge

    twin = new_person(given_names="Jordan", birth_date=dt.date(2010, 5, 17))
    person_merge(actor=LINKER, survivor=child, merged=twin, evidence=MergeEvidence("confirmed"))
    read = histories.history_for(viewer=scope(), person_id=twin.pk)
    assert read.person_id == child.pk
    assert read.history.person == child.reference


def test_only_the_system_reads_histories(child: Any, mash_manager: Any) -> None:
    with pytest.raises(AccessDenied):
        histories.history_for(viewer=mash_manager, person_id=child.pk)
    with pytest.raises(AccessDenied):
        list(histories.histories_for_all(viewer=access.scope_for(mash_manager)))
