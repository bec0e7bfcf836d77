"""The details shown for a child are the ones most agencies record, whatever arrived first: on
the child's page (the identity bar), in "Find a child", after a re-sent line, a merge and a split.
Feeds imported with `sightline import`, pages through the Django test client."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import orjson
import pytest
from django.core.management import call_command
from django.urls import reverse

from sightline.agencies.tests.factories import practitioner
from sightline.core.actors import IMPORTER
from sightline.core.tests.pages import page_text as text
from sightline.identity.merging import MergeEvidence, person_merge, person_split
from sightline.people.models import Person
from sightline.records.models import SourceRecord, SourceSystem
from sightline.records.services import source_system_register

pytestmark = pytest.mark.django_db

NHS = "9434765919"
# The exploitation team's feed comes first and has the date of birth wrong; the others agree.
FEEDS = [
    ("child_exploitation_team", "child_exploitation_team", "Max", "Holmes", "2011-01-12"),
    ("csc", "childrens_social_care", "Max", "Holmes", "2011-12-01"),
    ("health_ae", "health_ae", "Maxwell", "Holmees", "2011-12-01"),
    ("health_gp", "health_gp", "Max", "Holmes", "2011-12-01"),
    ("police", "police", "Ma Karim", "Holmes", "2011-12-01"),
    ("youth_justice", "youth_justice", "Max", "Holmes", "2011-12-01"),
    ("schools", "school", "Max", "Holmes", "2011-12-01"),
]


def identity_bar(response: Any) -> str:
    html = response.content.decode()
    start = html.index('class="moj-identity-bar')
    end = html.index('class="moj-identity-bar__actions', start)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start:end])).strip()


def line(code: str, given: str, family: str, born: str | None, **more: Any) -> dict[str, Any]:
    return {
        "format": "sightline/1",
        "kind": "person",
        "source": code,
        "source_id": f"{code.upper()}-1",
        "given_names": given,
        "family_name": family,
        "birth_date": born,
        "sex": "male",
        "identifiers": {"nhs_number": NHS, "local_id": f"{code.upper()}-1"},
        **more,
    }


def import_lines(tmp_path: Path, name: str, *lines: dict[str, Any]) -> None:
    path = tmp_path / name
    path.write_bytes(b"".join(orjson.dumps(row) + b"\n" for row in lines))
    call_command("import", str(path), "--quiet", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.fixture
def max_holmes(tmp_path: Path) -> Person:
    for code, kind, *_ in FEEDS:
        source_system_register(actor=IMPORTER, code=code, name=f"{code} records", agency_kind=kind)
    for code, _, given, family, born in FEEDS:
        extra = {"other_names": ["Mackie Holmes"]} if code == "police" else {}
        import_lines(tmp_path, f"{code}.jsonl", line(code, given, family, born, **extra))
    people = Person.objects.filter(merged_into__isnull=True)
    assert people.count() == 1, "linked on the NHS number as each feed arrived"
    return people.get()


def social_worker() -> Any:
    return practitioner("social_worker", agency=SourceSystem.objects.get(code="csc").agency)


def test_the_identity_bar_shows_what_most_agencies_record(client, max_holmes):
    client.force_login(social_worker())
    response = client.get(reverse("chronology:child", args=[max_holmes.reference]))
    assert response.status_code == 200
    bar = identity_bar(response)
    assert "Max Holmes" in bar
    assert "Born 1 December 2011" in bar
    assert "12 January 2011" in bar  # said, as what another agency records
    assert "Records differ 1 agency records another date of birth: 12 January 2011" in bar
    # A social worker is not told which other agency records it.
    differ = bar.split("Records differ", 1)[1].split("Recorded spellings", 1)[0]
    assert "exploitation" not in differ.lower()
    # Real other names (sent as other names) apart from keyed spellings of his name.
    assert "Also known as Mackie Holmes" in bar
    also_known_as = bar.split("Also known as", 1)[1].split("Records differ", 1)[0]
    assert "Holmees" not in also_known_as
    assert "Ma Karim" not in also_known_as
    assert "Recorded spellings (2)" in bar
    assert "Ma Karim Holmes, Maxwell Holmees" in bar


def test_the_mash_is_told_which_agency_records_another_date_of_birth(client, max_holmes):
    client.force_login(practitioner("mash_manager", agency_kind="mash"))
    response = client.get(reverse("chronology:child", args=[max_holmes.reference]))
    bar = identity_bar(response)
    assert "1 agency records another date of birth: 12 January 2011 (Child exploitation team)" in (
        bar
    )


def test_search_finds_the_child_on_the_date_most_agencies_record(client, max_holmes):
    client.force_login(social_worker())
    found = client.post(
        reverse("people:search"),
        {"name": "Max Holmes", "birth_date-month": "12", "birth_date-year": "2011"},
        follow=True,
    )
    assert max_holmes.reference in text(found)


def test_search_finds_the_child_on_any_date_of_birth_an_agency_records(client, max_holmes):
    client.force_login(social_worker())
    found = client.post(
        reverse("people:search"),
        {
            "name": "Max Holmes",
            "birth_date-day": "12",
            "birth_date-month": "1",
            "birth_date-year": "2011",
        },
        follow=True,
    )
    page = text(found)
    assert max_holmes.reference in page
    assert "Matched on a date of birth another record gives: 12 January 2011" in page


def test_a_corrected_line_changes_what_is_shown(client, tmp_path, max_holmes):
    code = "child_exploitation_team"
    import_lines(tmp_path, "again.jsonl", line(code, "Max", "Holmes", "2011-12-01"))
    client.force_login(social_worker())
    bar = identity_bar(client.get(reverse("chronology:child", args=[max_holmes.reference])))
    assert "Born 1 December 2011" in bar
    assert "Records differ" not in bar.split("Recorded spellings")[0]
    # Four agencies now send another date: the majority moves, and the bar with it.
    for code in ("csc", "health_gp", "youth_justice", "schools"):
        import_lines(tmp_path, f"{code}-again.jsonl", line(code, "Max", "Holmes", "2011-02-03"))
    bar = identity_bar(client.get(reverse("chronology:child", args=[max_holmes.reference])))
    assert "Born 3 February 2011" in bar
    assert "3 agencies record another date of birth" in bar


def test_a_merge_and_a_split_choose_the_details_again(tmp_path):
    """Two people, no shared number: the exploitation team's record alone says 12 January; a
    merge with the three records saying 1 December shows 1 December; a split restores each."""
    for code, kind, *_ in FEEDS[:4]:
        source_system_register(actor=IMPORTER, code=code, name=f"{code} records", agency_kind=kind)
    first = line("child_exploitation_team", "Smith", "Charlie", "2011-01-12")
    first["identifiers"] = {"local_id": "CET-1"}
    import_lines(tmp_path, "cet.jsonl", first)
    for code in ("csc", "health_ae", "health_gp"):
        import_lines(tmp_path, f"{code}.jsonl", line(code, "Charlie", "Smith", "2011-12-01"))
    cet = SourceRecord.objects.get(source_system__code="child_exploitation_team").person
    others = SourceRecord.objects.get(source_system__code="csc").person
    assert cet is not None
    assert others is not None
    assert cet.pk != others.pk
    assert (cet.full_name, str(cet.birth_date)) == ("Smith Charlie", "2011-01-12")

    officer = practitioner("data_officer", agency_kind="other")
    survivor, merged = sorted((cet.pk, others.pk))
    merge = person_merge(
        actor=officer,
        survivor=survivor,
        merged=merged,
        evidence=MergeEvidence(method="confirmed"),
        reason="Same child.",
    )
    shown = Person.objects.get(pk=survivor)
    assert (shown.full_name, str(shown.birth_date)) == ("Charlie Smith", "2011-12-01")

    person_split(actor=officer, merge=merge, reason="Different children after all.")
    cet.refresh_from_db()
    others.refresh_from_db()
    assert (cet.full_name, str(cet.birth_date)) == ("Smith Charlie", "2011-01-12")
    assert (others.full_name, str(others.birth_date)) == ("Charlie Smith", "2011-12-01")


def test_search_says_recorded_as_for_a_spelling_and_also_known_as_for_another_name(
    client, max_holmes
):
    client.force_login(social_worker())
    for query, said in (
        ("Maxwell Holmees", "Recorded as Maxwell Holmees"),
        ("Mackie Holmes", "Also known as Mackie Holmes"),
    ):
        page = text(client.post(reverse("people:search"), {"name": query}, follow=True))
        assert max_holmes.reference in page, query
        assert said in page, query


@pytest.mark.slow
def test_a_county_import_leaves_every_person_showing_what_most_agencies_record(tmp_path):
    """A synthetic county with the generator's keying noise: what the import chose is what a
    fresh choice from every record gives, and each date of birth shown is one a record gives."""
    from sightline.identity.tests.test_linking import import_feeds, register_feeds
    from sightline.people import bulk
    from sightline.people.models import RecordedDetails
    from sightline.synth.generator import generate_county

    generate_county(children=120, seed=4, out=tmp_path / "county")
    register_feeds()
    import_feeds(tmp_path / "county")
    people = list(Person.objects.filter(merged_into__isnull=True).values_list("pk", flat=True))
    assert bulk.people_details_refresh(people) == {}
    recorded: dict[int, set[Any]] = {}
    for person_id, born in RecordedDetails.objects.values_list(
        "source_record__person_id", "birth_date"
    ):
        recorded.setdefault(person_id, set()).add(born)
    for person_id, born in Person.objects.filter(pk__in=people).values_list("pk", "birth_date"):
        if born is None:
            assert recorded[person_id] <= {None}, person_id  # no record gives one
        else:
            assert born in recorded[person_id], person_id
