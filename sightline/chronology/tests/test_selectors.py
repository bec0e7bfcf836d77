"""Reading the story: who may see it, what they may read, what "as known on" shows, and how
many queries it takes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps

from sightline.chronology import selectors
from sightline.chronology.filters import StoryFilters
from sightline.chronology.models import ChronologyEntry
from sightline.chronology.selectors import RestrictedRow, StoryRow
from sightline.chronology.tests.factories import EntryFactory, at, entry_for, new_person
from sightline.core.errors import NotFound

pytestmark = pytest.mark.django_db


def story(viewer, person, **filters):
    child = selectors.child_get_for(viewer=viewer, reference=person.reference)
    return selectors.story_for(viewer=viewer, child=child, filters=StoryFilters(**filters))


def summaries(page):
    return [row.entry.summary if isinstance(row, StoryRow) else "(restricted)" for row in page.rows]


# --- who may see the child -------------------------------------------------------------------


def test_related_practitioner_sees_the_child(child, social_worker):
    found = selectors.child_get_for(viewer=social_worker, reference=child.reference)
    assert found.person == child
    assert not found.was_merged


@pytest.mark.parametrize("who", ["stranger", "analyst"])
def test_unrelated_viewer_gets_not_found(request: pytest.FixtureRequest, child, who):
    viewer = request.getfixturevalue(who)
    with pytest.raises(NotFound) as unrelated:
        selectors.child_get_for(viewer=viewer, reference=child.reference)
    with pytest.raises(NotFound) as missing:
        selectors.child_get_for(viewer=viewer, reference="SLT9999999")
    assert unrelated.value.message == missing.value.message


def test_anonymous_viewer_gets_not_found(child):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotFound):
        selectors.child_get_for(viewer=AnonymousUser(), reference=child.reference)


def test_mash_sees_every_child(mash_manager):
    unknown_to_anyone = new_person()
    found = selectors.child_get_for(viewer=mash_manager, reference=unknown_to_anyone.reference)
    assert found.person == unknown_to_anyone


def test_merged_reference_resolves_to_the_surviving_person(child, social_worker):
    merged = new_person(merged_into=child)
    twice = new_person(merged_into=merged)
    found = selectors.child_get_for(viewer=social_worker, reference=twice.reference)
    assert found.person == child
    assert found.was_merged


def test_merged_reference_is_not_found_without_access_to_the_survivor(stranger):
    survivor = new_person()
    merged = new_person(merged_into=survivor)
    with pytest.raises(NotFound):
        selectors.child_get_for(viewer=stranger, reference=merged.reference)


# --- the story ---------------------------------------------------------------------------------


def test_story_is_newest_first_and_only_current_versions(child, social_worker, csc):
    entry_for(child, agency=csc, occurred_at=at(2019, 1, 1), summary="oldest")
    entry_for(child, agency=csc, occurred_at=at(2020, 1, 1), summary="newest")
    entry_for(
        child,
        agency=csc,
        occurred_at=at(2019, 6, 1),
        summary="replaced",
        superseded_at=at(2019, 7, 1),
    )
    entry_for(new_person(), agency=csc, summary="another child's")
    page = story(social_worker, child)
    assert summaries(page) == ["newest", "oldest"]
    assert page.total == 2


def test_content_is_hidden_from_viewers_not_cleared_for_its_sensitivity(
    child, teacher, officer, social_worker, police, csc, school
):
    entry_for(child, agency=police, police_intelligence=True)
    entry_for(child, agency=school, health=True, summary="School nurse saw injury")
    entry_for(child, agency=csc, summary="ordinary")

    def seen(viewer):
        rows = story(viewer, child).rows
        readable = sorted(r.entry.summary[:10] for r in rows if isinstance(r, StoryRow))
        restricted = [r.agency.name for r in rows if isinstance(r, RestrictedRow)]
        return readable, restricted

    intel, health = "Seen getti", "School nur"
    assert seen(teacher) == ([health, "ordinary"], ["Hallowford Police"])  # its own entry
    assert seen(officer) == ([intel, "ordinary"], ["Hallowford Academy"])
    # Health-confidential detail is for health agencies and the child's lead social worker:
    # another social worker sees that it exists and whom to ask.
    assert seen(social_worker) == (["ordinary"], ["Hallowford Police", "Hallowford Academy"])
    # The cases app (above this one) knows who the lead is: its model, by name.
    apps.get_model("cases", "Involvement").objects.create(
        person=child, agency=csc, is_lead=True, practitioner_email=social_worker.email.upper()
    )
    social_worker = type(social_worker).objects.get(pk=social_worker.pk)  # a new request
    assert seen(social_worker) == ([health, "ordinary"], ["Hallowford Police"])


def test_informant_protected_is_for_police_only(child, mash_manager, officer, police):
    entry_for(child, agency=police, sensitivity="informant_protected")
    assert [r.readable for r in story(mash_manager, child).rows] == [False]
    assert [r.readable for r in story(officer, child).rows] == [True]


def test_filters(child, social_worker, csc, police, school):
    entry_for(
        child, agency=police, type="missing_episode", occurred_at=at(2019, 8, 3), summary="missing"
    )
    entry_for(child, agency=police, type="arrest", occurred_at=at(2019, 9, 16), summary="arrest")
    entry_for(
        child,
        agency=school,
        type="school_exclusion",
        occurred_at=at(2019, 5, 8),
        summary="exclusion",
    )
    entry_for(
        child,
        agency=csc,
        type="home_visit",
        occurred_at=at(2020, 3, 2),
        summary="visit",
        is_significant=True,
    )
    entry_for(child, agency=csc, type="home_visit", occurred_at=at(2020, 4, 2), summary="visit 2")
    assert summaries(story(social_worker, child, agencies=(police.pk,))) == ["arrest", "missing"]
    assert summaries(story(social_worker, child, themes=("missing", "education"))) == [
        "missing",
        "exclusion",
    ]
    assert summaries(story(social_worker, child, type="arrest")) == ["arrest"]
    assert summaries(
        story(social_worker, child, date_from=dt.date(2019, 8, 1), date_to=dt.date(2019, 9, 16))
    ) == ["arrest", "missing"]
    # significant: by the vocabulary (missing, arrest, exclusion) or flagged by the recorder
    assert summaries(story(social_worker, child, significant_only=True)) == [
        "visit",
        "arrest",
        "missing",
        "exclusion",
    ]


@pytest.mark.parametrize(
    ("precision", "occurred", "included"),
    [
        ("day", at(2019, 3, 10), False),
        ("day", at(2019, 3, 15), True),
        ("month", at(2019, 3, 1), True),  # "March 2019" overlaps 15 March onwards
        ("month", at(2019, 2, 1), False),
        ("season", at(2019, 3, 1), True),  # "spring 2019" runs to the end of May
        ("season", at(2018, 12, 1), False),  # "winter 2018" ended in February
        ("year", at(2019, 1, 1), True),
        ("year", at(2018, 1, 1), False),
    ],
)
def test_date_from_includes_imprecise_entries_whose_period_overlaps(
    child, social_worker, csc, precision, occurred, included
):
    entry_for(child, agency=csc, occurred_at=occurred, precision=precision, summary="it")
    page = story(social_worker, child, date_from=dt.date(2019, 3, 15))
    assert summaries(page) == (["it"] if included else [])


def test_as_known_on_shows_the_story_as_it_was(child, social_worker, csc):
    """A correction made after the date shows the original; an entry recorded after it is
    hidden; a correction made before it shows the correction."""
    original = entry_for(
        child,
        agency=csc,
        occurred_at=at(2019, 8, 1),
        recorded_at=at(2019, 8, 2),
        summary="original",
    )
    corrected = entry_for(
        child,
        agency=csc,
        occurred_at=at(2019, 8, 1),
        recorded_at=at(2019, 8, 6),
        summary="corrected",
        lineage=original.pk,
        version=2,
    )
    ChronologyEntry.objects.filter(pk=original.pk).update(
        superseded_at=at(2019, 8, 6), superseded_by=corrected
    )
    entry_for(
        child,
        agency=csc,
        occurred_at=at(2019, 7, 1),
        recorded_at=at(2019, 9, 1),
        summary="learned later",
    )
    early_fix = entry_for(
        child,
        agency=csc,
        occurred_at=at(2019, 6, 1),
        recorded_at=at(2019, 6, 2),
        summary="early wrong",
        superseded_at=at(2019, 6, 3),
    )
    entry_for(
        child,
        agency=csc,
        occurred_at=at(2019, 6, 1),
        recorded_at=at(2019, 6, 3),
        summary="early fixed",
        lineage=early_fix.pk,
        version=2,
    )

    assert summaries(story(social_worker, child, as_known_on=dt.date(2019, 8, 4))) == [
        "original",
        "early fixed",
    ]
    assert summaries(story(social_worker, child)) == ["corrected", "learned later", "early fixed"]


def test_paging(child, social_worker, csc):
    for day in range(1, 56):
        entry_for(
            child,
            agency=csc,
            occurred_at=at(2019, 1, 1) + dt.timedelta(days=day),
            summary=f"day {day}",
        )
    found = selectors.child_get_for(viewer=social_worker, reference=child.reference)
    first = selectors.story_for(viewer=social_worker, child=found, filters=StoryFilters(), page=1)
    second = selectors.story_for(viewer=social_worker, child=found, filters=StoryFilters(), page=2)
    beyond = selectors.story_for(viewer=social_worker, child=found, filters=StoryFilters(), page=9)
    assert (first.total, first.pages, len(first.rows)) == (55, 2, 50)
    assert summaries(first)[0] == "day 55"
    assert summaries(second) == [f"day {d}" for d in range(5, 0, -1)]
    assert (second.first_number, second.last_number) == (51, 55)
    assert beyond.page == 2


def test_story_takes_two_queries_however_long(
    child, social_worker, csc, police, django_assert_num_queries
):
    for day in range(60):
        entry_for(
            child,
            agency=csc if day % 2 else police,
            occurred_at=at(2019, 1, 1) + dt.timedelta(days=day),
        )
    found = selectors.child_get_for(viewer=social_worker, reference=child.reference)
    # What the viewer is cleared for on this child is read once per child (one query, whatever
    # the story's length), then the story itself in two.
    with django_assert_num_queries(1):
        _ = found.reader
    with django_assert_num_queries(2):
        page = selectors.story_for(viewer=social_worker, child=found, filters=StoryFilters())
        for row in page.rows:  # everything the page shows is already loaded
            assert isinstance(row, StoryRow)
            _ = (row.entry.agency.name, row.entry.source_record_id, row.entry.author_id)


def test_agencies_with_entries(child, social_worker, csc, police, school):
    entry_for(child, agency=police)
    entry_for(child, agency=csc)
    EntryFactory.create(agency=school)
    found = selectors.child_get_for(viewer=social_worker, reference=child.reference)
    assert selectors.story_agencies_for(viewer=social_worker, child=found) == [csc, police]


def test_entry_history_lists_every_version(child, social_worker, csc):
    first = entry_for(child, agency=csc, summary="v1", superseded_at=at(2020, 1, 2))
    entry_for(child, agency=csc, summary="v2", lineage=first.pk, version=2)
    found = selectors.child_get_for(viewer=social_worker, reference=child.reference)
    rows = selectors.entry_history_for(viewer=social_worker, child=found, lineage=first.pk)
    assert [r.entry.summary for r in rows if isinstance(r, StoryRow)] == ["v1", "v2"]
    with pytest.raises(NotFound):
        selectors.entry_history_for(viewer=social_worker, child=found, lineage=first.pk + 100)


def test_entry_of_another_child_is_not_found(child, social_worker, csc):
    other = entry_for(new_person(), agency=csc)
    found = selectors.child_get_for(viewer=social_worker, reference=child.reference)
    with pytest.raises(NotFound):
        selectors.entry_get_for(viewer=social_worker, child=found, entry_id=other.pk)


def test_identity(child, social_worker):
    from sightline.people.models import Address, Identifier, PersonName

    Identifier.objects.create(person=child, scheme="nhs_number", value="9434765919")
    Address.objects.create(
        person=child,
        line="Old",
        postcode="A1 1AA",
        from_on=dt.date(2015, 1, 1),
        to_on=dt.date(2019, 1, 1),
    )
    Address.objects.create(person=child, line="New", postcode="B1 1BB", from_on=dt.date(2019, 1, 2))
    PersonName.objects.create(person=child, given_names="Jordan", family_name="Ellis")
    PersonName.objects.create(person=child, given_names="Jay", family_name="Ellis", kind="alias")
    found = selectors.child_get_for(viewer=social_worker, reference=child.reference)
    identity = selectors.child_identity_for(viewer=social_worker, child=found)
    assert [i.value for i in identity.identifiers] == ["9434765919"]
    assert identity.address is not None
    assert identity.address.line == "New"
    assert identity.other_names == ["Jay Ellis"]


def test_identity_bar_shows_each_identifier_once_however_many_records_hold_it():
    from sightline.agencies.tests.factories import practitioner
    from sightline.chronology.selectors import child_get_for, child_identity_for
    from sightline.people.models import Identifier

    viewer = practitioner("mash_manager", agency_kind="mash")
    person = new_person()
    for _ in range(3):
        Identifier.objects.create(person=person, scheme="nhs_number", value="9434765919")
    Identifier.objects.create(person=person, scheme="local_id", value="A1", issuer="police")
    Identifier.objects.create(person=person, scheme="local_id", value="A1", issuer="csc")
    child = child_get_for(viewer=viewer, reference=person.reference)
    identity = child_identity_for(viewer=viewer, child=child)
    shown = [(i.scheme, i.value, i.issuer) for i in identity.identifiers]
    assert shown.count(("nhs_number", "9434765919", "")) == 1
    assert len(shown) == 3
