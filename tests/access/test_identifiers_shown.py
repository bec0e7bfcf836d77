"""Which of a child's identifiers each agency sees, where they are shown: the identity bar, the
PDF export, and the record keys in "How these records were linked" (governance's identifier
policy, docs/access.md). A school does not see the PNC id or the police, youth justice and
exploitation team references; the police do."""

from __future__ import annotations

import base64
import re
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from sightline.agencies.models import Agency
from sightline.chronology import export
from sightline.people.models import Person
from sightline.records.tests.lines import person
from tests.access.feeds import member, register

pytestmark = pytest.mark.django_db

NHS = "9434765919"
PNC = "19/482913K"
REFERENCES = {
    # feed: (agency kind, the child's reference in that agency's system)
    "schools": ("school", "BRA-2291"),
    "police": ("police", "WMP-778812"),
    "yjs": ("youth_justice", "YJ-40417"),
    "cet": ("child_exploitation_team", "CET-0093"),
    "ae": ("health_ae", "RX1-5512047"),
}


@pytest.fixture
def child(send: Callable[..., Any]) -> Person:
    for feed, (kind, reference) in REFERENCES.items():
        register(feed, kind, organisation="Brackenby Academy" if feed == "schools" else None)
        identifiers = {
            "identifiers.nhs_number": NHS,
            "identifiers.local_id": reference,
            "identifiers.pnc_id": PNC if feed == "police" else None,
        }
        send([person(f"{feed.upper()}-KEY", feed, **identifiers)])
    return Person.objects.get()


@pytest.fixture(autouse=True)
def base_font(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The PDF in the base font, whose text can be read back (an embedded font's subset codes
    cannot, without a PDF library)."""
    monkeypatch.setattr(export, "_FONT_DIRS", ())
    export._fonts.cache_clear()
    yield
    export._fonts.cache_clear()


def pdf_text(content: bytes) -> str:
    """The text drawn in a PDF: its content streams, decoded (ASCII85, then deflate)."""
    out = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", content, re.S):
        data = stream.strip()
        if data.endswith(b"~>"):
            data = zlib.decompress(base64.a85decode(data[:-2]))
        out.append(data.decode("latin-1"))
    return "\n".join(out)


def seen(client: Client, user: Any, child: Person) -> tuple[str, str]:
    client.force_login(user)
    page = client.get(f"/children/{child.reference}/")
    assert page.status_code == 200
    pdf = client.get(f"/children/{child.reference}/story.pdf")
    assert pdf.status_code == 200
    return page.content.decode(), pdf_text(pdf.content)


def test_a_school_sees_the_nhs_number_and_its_own_reference_only(
    client: Client, child: Person
) -> None:
    school = member("school_dsl", Agency.objects.get(name="Brackenby Academy"))
    page, pdf = seen(client, school, child)
    for text in (page, pdf):
        assert "943 476 5919" in text or NHS in text
        assert "BRA-2291" in text
        for hidden in (PNC, "WMP-778812", "YJ-40417", "CET-0093", "RX1-5512047"):
            assert hidden not in text, hidden
    # Nor the police's, youth justice's or hospital's record keys in how the records linked.
    for key in ("POLICE-KEY", "YJS-KEY", "CET-KEY", "AE-KEY"):
        assert key not in page, key
    assert "SCHOOLS-KEY" in page


def test_the_police_see_the_justice_references(client: Client, child: Person) -> None:
    police = member("police_officer", Agency.objects.get(code="police"))
    page, pdf = seen(client, police, child)
    for text in (page, pdf):
        for shown in (PNC, "WMP-778812", "YJ-40417", "CET-0093", "BRA-2291"):
            assert shown in text, shown
        assert "RX1-5512047" not in text  # a hospital number is for health and social care


def test_the_mash_sees_every_identifier(client: Client, child: Person) -> None:
    mash = member("mash_manager", Agency.objects.create(code="mash", name="MASH", kind="mash"))
    page, pdf = seen(client, mash, child)
    for text in (page, pdf):
        for shown in (PNC, *(reference for _, reference in REFERENCES.values())):
            assert shown in text, shown


@pytest.mark.parametrize(
    ("role", "agency", "identifier", "found"),
    [
        ("school_dsl", "Brackenby Academy", NHS, True),
        ("school_dsl", "Brackenby Academy", "BRA-2291", True),
        ("school_dsl", "Brackenby Academy", PNC, False),  # would confirm a PNC id
        ("school_dsl", "Brackenby Academy", "YJ-40417", False),
        ("police_officer", "Police", PNC, True),
        ("police_officer", "Police", "YJ-40417", True),
    ],
)
def test_a_search_by_identifier_matches_only_identifiers_the_viewer_may_see(
    client: Client, child: Person, role: str, agency: str, identifier: str, found: bool
) -> None:
    user = member(role, Agency.objects.get(name=agency))
    client.force_login(user)
    hits = client.get("/api/people/search", {"identifier": identifier}).json()["results"]
    assert [h["reference"] for h in hits] == ([child.reference] if found else [])
