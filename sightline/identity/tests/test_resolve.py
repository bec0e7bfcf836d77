"""Deterministic linking: the pure rule as a table, then through imports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sightline.chronology.tests.factories import new_person
from sightline.core.actors import IMPORTER
from sightline.identity.models import IdentityLink
from sightline.identity.resolve import IdentifierResolver, Known, decide
from sightline.people.models import Person
from sightline.records.ingest.hooks import PersonCandidate
from sightline.records.ingest.pipeline import ImportOptions, import_file
from sightline.records.models import SourceSystem
from sightline.records.services import source_system_register
from sightline.records.tests import lines
from sightline.records.tests.conftest import write_jsonl

NHS_A, NHS_B = "9434765919", "4010232137"
UPN_A, UPN_B = "B801200005001", "H938200115001"


def cand(index: int, **ids: str) -> PersonCandidate:
    return PersonCandidate(index=index, identifiers=ids)


def known(holders: dict[str, dict[str, set[int]]], held: dict[int, dict[str, set[str]]]) -> Known:
    return Known(holders=holders, held=held)


TABLE: list[tuple[str, list[PersonCandidate], Known, list[tuple[str, int | None, int | None]]]] = [
    (
        "no identifiers: a new person",
        [cand(0)],
        known({}, {}),
        [("first_seen", None, None)],
    ),
    (
        "same valid NHS number: linked",
        [cand(0, nhs_number=NHS_A)],
        known({"nhs_number": {NHS_A: {7}}}, {7: {"nhs_number": {NHS_A}}}),
        [("nhs_number", 7, None)],
    ),
    (
        "NHS number before UPN",
        [cand(0, nhs_number=NHS_A, upn=UPN_A)],
        known(
            {"nhs_number": {NHS_A: {7}}, "upn": {UPN_A: {7}}},
            {7: {"nhs_number": {NHS_A}, "upn": {UPN_A}}},
        ),
        [("nhs_number", 7, None)],
    ),
    (
        "same UPN, no NHS number anywhere: linked",
        [cand(0, upn=UPN_A)],
        known({"upn": {UPN_A: {7}}}, {7: {"upn": {UPN_A}}}),
        [("upn", 7, None)],
    ),
    (
        "same UPN but a different valid NHS number: two children",
        [cand(0, nhs_number=NHS_B, upn=UPN_A)],
        known({"upn": {UPN_A: {7}}}, {7: {"nhs_number": {NHS_A}, "upn": {UPN_A}}}),
        [("first_seen", None, None)],
    ),
    (
        "same NHS number but a different UPN: two children",
        [cand(0, nhs_number=NHS_A, upn=UPN_B)],
        known({"nhs_number": {NHS_A: {7}}}, {7: {"nhs_number": {NHS_A}, "upn": {UPN_A}}}),
        [("first_seen", None, None)],
    ),
    (
        "same PNC id: linked",
        [cand(0, pnc_id="19/482913K")],
        known({"pnc_id": {"19/482913K": {7}}}, {}),
        [("pnc_id", 7, None)],
    ),
    (
        "same PNC id but a different NHS number: two people",
        [cand(0, pnc_id="19/482913K", nhs_number=NHS_B)],
        known({"pnc_id": {"19/482913K": {7}}}, {7: {"nhs_number": {NHS_A}}}),
        [("first_seen", None, None)],
    ),
    (
        "NHS number held by two people: not linked (a question for a person)",
        [cand(0, nhs_number=NHS_A)],
        known(
            {"nhs_number": {NHS_A: {7, 8}}},
            {7: {"nhs_number": {NHS_A}}, 8: {"nhs_number": {NHS_A}}},
        ),
        [("first_seen", None, None)],
    ),
    (
        "two lines of the chunk with one NHS number: one child",
        [cand(0, nhs_number=NHS_A), cand(1, nhs_number=NHS_A)],
        known({}, {}),
        [("first_seen", None, None), ("nhs_number", None, 0)],
    ),
    (
        "two lines of the chunk, different NHS numbers, same UPN: two children",
        [cand(0, nhs_number=NHS_A, upn=UPN_A), cand(1, nhs_number=NHS_B, upn=UPN_A)],
        known({}, {}),
        [("first_seen", None, None), ("first_seen", None, None)],
    ),
    (
        "a line joins an existing child, the next joins it through the first's UPN",
        [cand(0, nhs_number=NHS_A, upn=UPN_A), cand(1, upn=UPN_A)],
        known({"nhs_number": {NHS_A: {7}}}, {7: {"nhs_number": {NHS_A}}}),
        [("nhs_number", 7, None), ("upn", 7, None)],
    ),
]


@pytest.mark.parametrize(
    ("candidates", "facts", "expected"),
    [(c, k, e) for _, c, k, e in TABLE],
    ids=[t[0] for t in TABLE],
)
def test_decide(
    candidates: list[PersonCandidate],
    facts: Known,
    expected: list[tuple[str, int | None, int | None]],
) -> None:
    matches = decide(candidates, facts)
    assert [(m.method, m.person_id, m.same_as) for m in matches] == expected


def test_an_ambiguous_match_is_explained() -> None:
    [match] = decide(
        [cand(0, nhs_number=NHS_A)],
        known({"nhs_number": {NHS_A: {7, 8}}}, {}),
    )
    assert match.explanation == {
        "ambiguous": "nhs_number",
        "value": NHS_A,
        "people": ["person 7", "person 8"],
    }


# -- through the database -----------------------------------------------------------------------


@pytest.fixture
def sources(db: Any) -> list[SourceSystem]:
    return [
        source_system_register(actor=IMPORTER, code=code, name=code, agency_kind=kind)
        for code, kind in (("police", "police"), ("health", "health_gp"), ("schools", "school"))
    ]


@pytest.fixture
def load(tmp_path: Path) -> Callable[..., Any]:
    def do(*records: dict[str, Any], name: str = "feed.jsonl", chunk_size: int = 2000) -> Any:
        path = write_jsonl(tmp_path / name, records)
        result = import_file(path, actor=IMPORTER, options=ImportOptions(chunk_size=chunk_size))
        assert result.status == "imported", result.errors
        return result

    return do


def person(feed: str, key: str, **ids: str | None) -> dict[str, Any]:
    identifiers = {"nhs_number": None, "upn": None, "pnc_id": None, "local_id": key, **ids}
    return lines.person(key, feed, identifiers=identifiers)


def people_of(*keys: str) -> set[int]:
    return {
        link.person_id
        for link in IdentityLink.objects.filter(source_record__source_id__in=keys).select_related(
            "source_record"
        )
    }


@pytest.mark.django_db
def test_the_same_valid_nhs_number_in_two_feeds_is_one_child(
    sources: list[SourceSystem], load: Callable[..., Any]
) -> None:
    load(person("health", "H-1", nhs_number=NHS_A), name="h.jsonl")
    load(person("police", "P-1", nhs_number="943 476 5919"), name="p.jsonl")
    assert Person.objects.count() == 1
    link = IdentityLink.objects.get(source_record__source_id="P-1")
    assert link.method == "nhs_number"
    assert link.explanation == {"scheme": "nhs_number", "value": NHS_A}
    assert link.decided_by is None


@pytest.mark.django_db
def test_an_invalid_nhs_number_never_links(
    sources: list[SourceSystem], load: Callable[..., Any]
) -> None:
    load(person("health", "H-1", nhs_number="9434765918"), name="h.jsonl")
    load(person("police", "P-1", nhs_number="9434765918"), name="p.jsonl")
    assert Person.objects.count() == 2
    assert set(IdentityLink.objects.values_list("method", flat=True)) == {"first_seen"}


@pytest.mark.django_db
def test_two_different_valid_nhs_numbers_are_never_merged(
    sources: list[SourceSystem], load: Callable[..., Any]
) -> None:
    load(person("schools", "S-1", nhs_number=NHS_A, upn=UPN_A), name="s.jsonl")
    load(person("police", "P-1", nhs_number=NHS_B, upn=UPN_A), name="p.jsonl")
    assert len(people_of("S-1", "P-1")) == 2


@pytest.mark.django_db
def test_linking_follows_a_merge(sources: list[SourceSystem], load: Callable[..., Any]) -> None:
    load(person("health", "H-1", nhs_number=NHS_A), name="h.jsonl")
    merged = Person.objects.get()
    survivor = new_person()
    merged.merged_into = survivor
    merged.save()
    load(person("police", "P-1", nhs_number=NHS_A), name="p.jsonl")
    assert people_of("P-1") == {survivor.pk}


@pytest.mark.django_db
def test_one_file_links_the_same_in_one_chunk_or_many(
    sources: list[SourceSystem], load: Callable[..., Any]
) -> None:
    records = [
        person("police", "P-1", nhs_number=NHS_A),
        person("police", "P-2", upn=UPN_A),
        person("police", "P-3", nhs_number=NHS_A, upn=UPN_A),
        person("police", "P-4", nhs_number=NHS_B, upn=UPN_A),
    ]
    load(*records, chunk_size=1)
    one_by_one = [people_of(k) for k in ("P-1", "P-2", "P-3", "P-4")]
    assert one_by_one[0] == one_by_one[2]
    assert one_by_one[3] != one_by_one[0]


@pytest.mark.django_db
def test_a_chunk_is_resolved_with_a_fixed_number_of_queries(
    sources: list[SourceSystem],
    load: Callable[..., Any],
    django_assert_max_num_queries: Any,
) -> None:
    load(*[person("health", f"H-{i}", nhs_number=NHS_A if i == 0 else None) for i in range(5)])
    candidates = [cand(i, nhs_number=NHS_A, upn=UPN_A, pnc_id="19/482913K") for i in range(200)]
    with django_assert_max_num_queries(6):
        matches = IdentifierResolver().resolve(candidates)
    assert matches[0].method == "nhs_number"
    assert all(m.same_as == 0 or m.person_id for m in matches[1:])
