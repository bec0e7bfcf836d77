"""An entry the viewer is not cleared to read shows that it exists, its agency, its month and
whom to contact, and nothing else, on every surface: the page, the CSV, the PDF, the entry's
history and the API; and no filter selects on what the viewer may not see (docs/child-story.md,
"Restricted entries")."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from django.urls import reverse

from sightline.chronology.models import ChronologyEntry
from sightline.chronology.tests.factories import at, entry_for, new_agency
from sightline.chronology.tests.pdftext import base_font, pdf_text
from sightline.governance import access
from sightline.governance.models import AccessGrant

pytestmark = pytest.mark.django_db

# What a health-confidential A&E entry says, none of which a school may learn.
SECRET = (
    "Drug use disclosed",
    "Health",
    "Significant",
    "02:39",
    "17:53",
    "14 March",
    "Disclosed cannabis use",
    "Seen by the substance misuse nurse",
    "Health confidential",
)


@pytest.fixture
def ae(child):
    agency = new_agency(
        code="ae",
        name="Hallowford General A&E",
        kind="health_ae",
        phone="01632 960400",
        email="ae.safeguarding@example.org",
    )
    access.grant(person_id=child.pk, agency_id=agency.pk, basis=AccessGrant.Basis.INVOLVEMENT)
    return agency


@pytest.fixture
def nurse(ae):
    from sightline.agencies.tests.factories import practitioner

    return practitioner("health_nurse", agency=ae)


@pytest.fixture
def disclosure(child, ae):
    """The A&E visit of the defect report: health confidential, significant, 02:39 to 17:53."""
    return entry_for(
        child,
        agency=ae,
        type="drug_use_disclosed",
        occurred_at=at(2019, 3, 14, 2, 39),
        has_time=True,
        ended_at=at(2019, 3, 14, 17, 53),
        recorded_at=at(2019, 3, 14, 18, 5),
        summary="Disclosed cannabis use",
        detail="Seen by the substance misuse nurse",
        sensitivity="health_confidential",
        is_significant=True,
    )


def story_region(response: Any) -> str:
    """The story's column (the filter's lists of every type and theme left out), as text."""
    html = response.content.decode()
    html = html[html.index("moj-filter-layout__content") :]
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&amp;", "&")


def assert_nothing_secret(text: str) -> None:
    for secret in SECRET:
        assert secret not in text, f"{secret!r} leaked"


# --- each surface ----------------------------------------------------------------------------


def test_page_shows_the_month_agency_and_contact_only(client, teacher, child, disclosure):
    client.force_login(teacher)
    response = client.get(reverse("chronology:child", args=[child.reference]))
    text = story_region(response)
    assert "Restricted entry" in text
    assert "Hallowford General A&E" in text
    assert "March 2019" in text
    assert "Contact Hallowford General A&E (01632 960400, ae.safeguarding@example.org)" in text
    assert_nothing_secret(text)
    html = response.content.decode()
    assert '<time datetime="2019-03">March 2019</time>' in html
    assert f"entry-{disclosure.pk}" not in html  # its number would date it
    assert "sl-entry--significant" not in html


def test_cleared_viewer_sees_it_all(client, nurse, child, disclosure):
    client.force_login(nurse)
    text = story_region(client.get(reverse("chronology:child", args=[child.reference])))
    assert "Drug use disclosed" in text
    assert "14 March 2019, 02:39 to 17:53" in text
    assert "Disclosed cannabis use" in text


def test_csv_row_holds_the_month_agency_and_contact_only(client, teacher, child, disclosure):
    client.force_login(teacher)
    response = client.get(reverse("chronology:export_csv", args=[child.reference]))
    body = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    header = rows.index(next(r for r in rows if r[:2] == ["Date", "Agency"]))
    (row,) = rows[header + 1 :]
    assert row[:3] == ["March 2019", "Hallowford General A&E", "Restricted entry"]
    assert row[7].startswith("Restricted: you are not cleared to read this entry. Contact")
    assert row[13] == "Yes"
    assert [v for i, v in enumerate(row) if i not in (0, 1, 2, 7, 13)] == [""] * 10
    assert_nothing_secret(body.split("Entry number", 1)[1])


def test_pdf_text_holds_the_month_agency_and_contact_only(
    client, teacher, child, disclosure, monkeypatch
):
    client.force_login(teacher)
    with base_font(monkeypatch):
        response = client.get(reverse("chronology:export_pdf", args=[child.reference]))
    text = pdf_text(response.content)
    assert "Restricted entry" in text
    assert "March 2019" in text
    assert "Hallowford General A&E" in text
    assert_nothing_secret(text)


def test_history_of_a_restricted_entry_is_not_found(client, teacher, child, disclosure):
    client.force_login(teacher)
    response = client.get(
        reverse("chronology:entry_history", args=[child.reference, disclosure.lineage])
    )
    unknown = client.get(reverse("chronology:entry_history", args=[child.reference, 999999]))
    assert response.status_code == unknown.status_code == 404
    assert_nothing_secret(response.content.decode())
    for name in ("chronology:entry_correct", "chronology:entry_entered_in_error"):
        page = client.get(reverse(name, args=[child.reference, disclosure.pk]))
        assert page.status_code == 404
        assert_nothing_secret(page.content.decode())


def test_history_shows_an_earlier_restricted_version_as_restricted(
    client, teacher, child, ae, school
):
    """Declassified later: the school reads the current version, and of the first only that
    it existed and whose it was."""
    first = entry_for(
        child,
        agency=ae,
        type="drug_use_disclosed",
        occurred_at=at(2019, 3, 14, 2, 39),
        summary="Disclosed cannabis use",
        sensitivity="health_confidential",
        superseded_at=at(2019, 4, 1),
    )
    entry_for(
        child,
        agency=ae,
        type="ae_attendance",
        occurred_at=at(2019, 3, 14, 2, 39),
        summary="Attended A&E.",
        lineage=first.pk,
        version=2,
        correction_reason="Shared with the school",
    )
    client.force_login(teacher)
    response = client.get(reverse("chronology:entry_history", args=[child.reference, first.pk]))
    assert response.status_code == 200
    text = story_region(response) if "moj-filter" in response.content.decode() else ""
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))
    assert "Attended A&amp;E." in page or "Attended A&E." in page
    assert "Version 1 Restricted" in page
    assert "Disclosed cannabis use" not in page
    assert "Drug use disclosed" not in page
    assert "02:39" not in page.split("Version 1 Restricted")[1]
    assert text == ""


def test_api_entry_holds_the_month_agency_and_contact_only(client, teacher, child, disclosure):
    client.force_login(teacher)
    body = client.get(f"/api/children/{child.reference}/story").json()
    (entry,) = body["entries"]
    assert entry["restricted"] is True
    assert (entry["occurred"], entry["precision"], entry["occurred_text"]) == (
        "2019-03",
        "month",
        "March 2019",
    )
    assert entry["agency"]["name"] == "Hallowford General A&E"
    assert entry["restricted_message"].startswith("Restricted: you are not cleared")
    for field in ("id", "lineage", "version", "type", "type_label", "significant", "summary"):
        assert entry[field] is None, field
    for field in ("detail", "grade", "sensitivity", "source", "recorded_at", "corrected"):
        assert entry[field] is None, field
    assert_nothing_secret(str(body))


@pytest.mark.parametrize(
    "query",
    [
        "type=drug_use_disclosed",
        "theme=health",
        "significant=true",
        "from=2019-03-15",  # after the day, within the month
        "to=2019-03-13",
    ],
)
def test_api_filters_never_select_on_what_the_viewer_may_not_read(
    client, teacher, nurse, child, disclosure, query
):
    """The defect: ?type=drug_use_disclosed returned the school the restricted entry, so the
    filter told what it was. Type, theme and significance leave restricted entries out; dates
    apply to their month only."""
    client.force_login(teacher)
    school_sees = client.get(f"/api/children/{child.reference}/story?{query}").json()["total"]
    client.force_login(nurse)
    nurse_sees = client.get(f"/api/children/{child.reference}/story?{query}").json()["total"]
    if query.startswith(("from", "to")):
        assert (school_sees, nurse_sees) == (1, 0)  # the month overlaps; the day does not
    else:
        assert (school_sees, nurse_sees) == (0, 1)


def test_type_filter_answers_the_same_whatever_the_restricted_type(
    client, teacher, child, disclosure
):
    client.force_login(teacher)
    url = f"/api/children/{child.reference}/story?type=drug_use_disclosed"
    before = client.get(url).json()
    ChronologyEntry.objects.filter(pk=disclosure.pk).update(type="home_visit")
    assert client.get(url).json() == before


def test_page_says_restricted_entries_are_left_out_of_content_filters(client, teacher, child):
    client.force_login(teacher)
    url = reverse("chronology:child", args=[child.reference])
    note = "Entries you are not cleared to read are left out when you filter by theme"
    assert note in story_region(client.get(url + "?theme=health"))
    assert note not in story_region(client.get(url))


# --- order and "as known on" ---------------------------------------------------------------


def test_order_never_tells_the_day_or_time(client, teacher, child, ae, csc):
    entry_for(child, agency=csc, occurred_at=at(2019, 3, 31, 9), summary="End of March.")
    entry_for(child, agency=csc, occurred_at=at(2019, 3, 1, 10), summary="Start of March.")
    restricted = entry_for(
        child, agency=ae, occurred_at=at(2019, 3, 14, 2, 39), sensitivity="health_confidential"
    )
    client.force_login(teacher)
    url = f"/api/children/{child.reference}/story"

    def order() -> list[str]:
        return [e["summary"] or "restricted" for e in client.get(url).json()["entries"]]

    assert order() == ["End of March.", "Start of March.", "restricted"]
    for moved in (at(2019, 3, 31, 23, 59), at(2019, 3, 1, 0, 0)):
        ChronologyEntry.objects.filter(pk=restricted.pk).update(occurred_at=moved)
        restricted.subjects.update(occurred_at=moved)
        assert order() == ["End of March.", "Start of March.", "restricted"]


@pytest.mark.parametrize(
    ("as_known_on", "school_sees", "nurse_sees"),
    [
        (dt.date(2019, 3, 13), 0, 0),  # not yet recorded
        (dt.date(2019, 3, 20), 0, 1),  # recorded on the 14th: the school would learn the day
        (dt.date(2019, 3, 31), 1, 1),  # the end of the month it was recorded in
        (dt.date(2019, 4, 2), 1, 1),
    ],
)
def test_as_known_on_tells_a_restricted_entry_only_by_its_month(
    client, teacher, nurse, child, disclosure, as_known_on, school_sees, nurse_sees
):
    url = f"/api/children/{child.reference}/story?as_known_on={as_known_on.isoformat()}"
    client.force_login(teacher)
    assert client.get(url).json()["total"] == school_sees
    client.force_login(nurse)
    assert client.get(url).json()["total"] == nurse_sees


def test_agency_filter_options_follow_the_same_rule(client, teacher, child, disclosure):
    client.force_login(teacher)
    url = reverse("chronology:child", args=[child.reference])
    assert (
        "Hallowford General A&amp;E"
        not in client.get(url + "?as_known_on=2019-03-20").content.decode()
    )
    assert (
        "Hallowford General A&amp;E" in client.get(url + "?as_known_on=2019-04-01").content.decode()
    )
