"""The CSV and PDF exports: long entries flow across pages, the audit row says what was produced
(and only once it was), each file says what it is, and its name carries the date."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from sightline.chronology import export
from sightline.chronology.services import DETAIL_MAX
from sightline.chronology.tests.factories import at, entry_for
from sightline.chronology.tests.pdftext import base_font, pdf_text
from sightline.governance.models import AuditEvent

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 10, 15, tzinfo=dt.UTC)


@pytest.fixture
def signed_in(client, social_worker):
    client.force_login(social_worker)
    return client


def pdf_url(child, query: str = "") -> str:
    return reverse("chronology:export_pdf", args=[child.reference]) + (f"?{query}" if query else "")


def csv_url(child, query: str = "") -> str:
    return reverse("chronology:export_csv", args=[child.reference]) + (f"?{query}" if query else "")


def pages(content: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b", content))


def shows_all_of(text: str, pdf: str) -> bool:
    """Every character of `text` (but spaces and line breaks) is drawn in the PDF, in order:
    a long entry is cut into rows and pages, never cut short."""
    drawn = iter(re.sub(r"\s+", "", pdf))
    return all(char in drawn for char in re.sub(r"\s+", "", text))


# --- long entries --------------------------------------------------------------------------------


LONG_WORDS = " ".join(f"word{n}" for n in range(4000))[:DETAIL_MAX]


@pytest.mark.parametrize(
    "detail",
    [
        pytest.param("The child said things at home are hard. " * 90, id="3,600 characters"),
        pytest.param(LONG_WORDS, id="20,000 characters"),
        pytest.param("x" * DETAIL_MAX, id="20,000 characters unbroken"),
        pytest.param("line\n" * 4000, id="4,000 short lines"),
        pytest.param(("y" * 3000 + " ") * 6, id="long unbroken words"),
    ],
)
def test_a_long_entry_flows_across_pages(signed_in, child, csc, detail, monkeypatch):
    """The defect: a detail of 3,000 to 4,000 characters made story.pdf a 500 (a table row
    taller than a page) for every viewer, for good."""
    entry_for(child, agency=csc, occurred_at=at(2019, 3, 4), summary="Long one.", detail=detail)
    entry_for(child, agency=csc, occurred_at=at(2019, 3, 1), summary="Short one.")
    with base_font(monkeypatch):
        response = signed_in.get(pdf_url(child))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Long one." in text
    assert "Short one." in text
    assert shows_all_of(detail, text)
    assert pages(response.content) >= (2 if len(detail) < 5000 else 4)
    event = AuditEvent.objects.get(action="story_exported")
    assert event.detail["pages"] == pages(response.content)


def test_a_long_entry_flows_with_the_real_font(signed_in, child, csc):
    entry_for(child, agency=csc, detail="W" * DETAIL_MAX)
    response = signed_in.get(pdf_url(child))
    assert response.status_code == 200
    assert pages(response.content) > 4


def test_long_unbroken_text_in_the_other_columns(signed_in, child, monkeypatch):
    from sightline.chronology.tests.factories import new_agency
    from sightline.governance import access
    from sightline.governance.models import AccessGrant

    agency = new_agency(code="long", name="Agency " + "N" * 190, kind="childrens_social_care")
    access.grant(person_id=child.pk, agency_id=agency.pk, basis=AccessGrant.Basis.INVOLVEMENT)
    entry_for(child, agency=agency, summary="S" * 1000, location_label="L" * 200)
    with base_font(monkeypatch):
        response = signed_in.get(pdf_url(child))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert shows_all_of("S" * 1000, text)
    assert shows_all_of("L" * 200, text)


# --- the audit row says what was produced ----------------------------------------------------


def test_audit_records_rows_pages_and_bytes(signed_in, child, csc, police):
    for n in range(3):
        entry_for(child, agency=csc, occurred_at=at(2019, 1, 1 + n), summary=f"Entry {n}.")
    entry_for(child, agency=police, police_intelligence=True)
    pdf = signed_in.get(pdf_url(child, "purpose=Strategy+meeting"))
    csv_file = signed_in.get(csv_url(child))
    pdf_event, csv_event = AuditEvent.objects.filter(action="story_exported").order_by("id")
    assert pdf_event.detail == {
        "format": "pdf",
        "filters": {},
        "entries": 4,
        "restricted": 1,
        "bytes": len(pdf.content),
        "pages": pages(pdf.content),
    }
    assert pdf_event.purpose == "Strategy meeting"
    assert csv_event.detail == {
        "format": "csv",
        "filters": {},
        "entries": 4,
        "restricted": 1,
        "bytes": len(csv_file.content),
    }


@pytest.mark.parametrize("fmt", ["csv", "pdf"])
def test_a_failed_export_records_no_export(social_worker, child, csc, monkeypatch, fmt):
    """The defect: the audit said `story_exported` for a PDF that had failed."""
    entry_for(child, agency=csc)

    def broken(*args, **kwargs):
        raise RuntimeError("the file could not be built")

    monkeypatch.setattr(export, f"story_{fmt}", broken)
    client = Client(raise_request_exception=False)
    client.force_login(social_worker)
    url = pdf_url(child) if fmt == "pdf" else csv_url(child)
    response = client.get(url)
    assert response.status_code == 500
    assert b"Traceback" not in response.content
    assert not AuditEvent.objects.filter(action="story_exported").exists()


# --- what the file is ---------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_csv_starts_with_what_it_is(signed_in, child, csc, police, social_worker):
    social_worker.email = "alex.smith@example.org"
    social_worker.save()
    entry_for(
        child, agency=csc, type="arrest", occurred_at=at(2019, 5, 1), recorded_at=at(2019, 5, 2)
    )
    response = signed_in.get(
        csv_url(child, f"theme=police&agency={csc.pk}&from=2019-01-01&as_known_on=2019-08-04")
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = {row[0]: row[1] for row in rows[: rows.index([])] if len(row) > 1}
    assert rows[0] == ["OFFICIAL-SENSITIVE"]
    assert header["The child's story"] == "Jordan Ellis"
    assert header["Sightline reference"] == child.reference
    assert header["Filters"] == (
        "Agency: Children's social care; Theme: Police; From: 1 January 2019"
    )
    assert header["As known on"].startswith("4 August 2019: entries recorded after that day")
    assert header["Produced at"] == "1 December 2026 at 10:15"
    assert header["Produced by"] == "A. Smith (alex.smith@example.org), Children's social care"
    assert header["Entries"] == "1"
    columns = rows[rows.index([]) + 1]
    assert columns[:3] == ["Date", "Agency", "What happened"]
    assert rows[-1][0] == "1 May 2019"


@time_machine.travel(NOW, tick=False)
def test_pdf_starts_with_what_it_is(signed_in, child, csc, monkeypatch):
    entry_for(child, agency=csc, type="arrest", recorded_at=at(2019, 5, 2))
    with base_font(monkeypatch):
        response = signed_in.get(pdf_url(child, "theme=police&as_known_on=2019-08-04"))
    text = pdf_text(response.content)
    assert f"Sightline reference {child.reference}" in text
    assert "Filters Theme: Police" in text
    assert "As known on 4 August 2019: entries recorded after that day" in text
    assert "Produced at 1 December 2026 at 10:15" in text
    assert "Produced by A. Smith" in text
    assert (
        f"Jordan Ellis ({child.reference}) as known on 4 August 2019 — produced 1 December 2026"
        in text
    )


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("", "story-{ref}-2026-12-01.{fmt}"),
        ("as_known_on=2019-08-04", "story-{ref}-2026-12-01-as-known-on-2019-08-04.{fmt}"),
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "pdf"])
def test_filename_carries_the_date(signed_in, child, query, name, fmt):
    url = (pdf_url if fmt == "pdf" else csv_url)(child, query)
    disposition = signed_in.get(url)["Content-Disposition"]
    assert disposition == f'attachment; filename="{name.format(ref=child.reference, fmt=fmt)}"'
