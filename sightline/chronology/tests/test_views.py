"""The child's page, the entry form, corrections, history and exports, through the test client."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse

from sightline.chronology.models import ChronologyEntry
from sightline.chronology.services import entry_correct, entry_record
from sightline.chronology.tests.factories import (
    at,
    entry_for,
    new_agency,
    new_person,
    source_record_for,
)
from sightline.chronology.tests.test_services import fields
from sightline.core.tests.pages import page_text as text
from sightline.governance.models import AuditEvent

pytestmark = pytest.mark.django_db


def child_url(person: Any, query: str = "") -> str:
    return reverse("chronology:child", args=[person.reference]) + (f"?{query}" if query else "")


@pytest.fixture
def signed_in(client, social_worker):
    client.force_login(social_worker)
    return client


# --- the child's page --------------------------------------------------------------------------


def test_child_page_shows_the_identity_bar_and_story(signed_in, child, csc, police):
    from sightline.people.models import Identifier

    Identifier.objects.create(person=child, scheme="nhs_number", value="9434765919")
    Identifier.objects.create(
        person=child,
        scheme="nhs_number",
        value="9434765918",
        is_valid=False,
        invalid_reason="check digit does not match",
    )
    entry_for(
        child,
        agency=police,
        type="missing_episode",
        occurred_at=at(2019, 8, 3, 22, 10),
        has_time=True,
        summary="Missing overnight.",
    )
    entry_for(
        child,
        agency=csc,
        occurred_at=at(2018, 6, 1),
        precision="season",
        summary="Neglect concerns.",
    )
    response = signed_in.get(child_url(child))
    assert response.status_code == 200
    page = text(response)
    assert "Jordan Ellis" in page
    assert "Born 17 May 2010" in page
    assert child.reference in page
    assert "9434765918 not valid — not used for matching" in page
    assert "3 August 2019, 22:10" in page
    assert "summer 2018" in page
    assert page.index("Missing overnight.") < page.index("Neglect concerns.")  # newest first
    assert "Significant" in page  # a missing episode is significant by the vocabulary


def test_every_view_is_audited_with_its_filters_and_purpose(signed_in, child, social_worker):
    signed_in.get(child_url(child, "theme=missing&significant=1&purpose=Strategy+discussion"))
    event = AuditEvent.objects.get(action="story_viewed")
    assert (event.actor, event.person_id, event.purpose) == (
        social_worker,
        child.pk,
        "Strategy discussion",
    )
    assert event.detail == {"filters": {"theme": ["missing"], "significant": "1"}, "page": 1}


@pytest.mark.parametrize("reference", ["exists", "SLT9999999"])
def test_unrelated_practitioner_gets_the_same_not_found_page(client, stranger, child, reference):
    client.force_login(stranger)
    response = client.get(
        reverse("chronology:child", args=[child.reference if reference == "exists" else reference])
    )
    assert response.status_code == 404
    assert "No child found with that reference, or you do not have access to them." in text(
        response
    )
    assert "Jordan Ellis" not in text(response)
    assert child.reference not in text(response)


def test_anonymous_user_is_sent_to_sign_in(client, child):
    response = client.get(child_url(child))
    assert response.status_code == 302
    assert reverse("accounts:sign_in") in response["Location"]


def test_merged_reference_redirects_to_the_surviving_child(signed_in, child):
    merged = new_person(merged_into=child)
    response = signed_in.get(
        reverse("chronology:child", args=[merged.reference]) + "?theme=missing"
    )
    assert response.status_code == 302
    assert response["Location"] == child_url(child, "theme=missing")


def test_restricted_entry_shows_whom_to_contact_never_its_content(signed_in, child, police):
    entry_for(child, agency=police, police_intelligence=True)
    page = text(signed_in.get(child_url(child)))
    assert "Intelligence received" not in page.split("Showing 1 to 1 of 1 entry")[1]
    assert (
        "Restricted: you are not cleared to read this entry. Contact Hallowford Police "
        "(01632 960200, police.safeguarding@example.org) if you need this information."
    ) in page
    assert "county lines" not in page
    assert "2B P" not in page


def test_cleared_viewer_reads_the_intelligence_and_its_grade(client, officer, child, police):
    entry_for(child, agency=police, police_intelligence=True)
    client.force_login(officer)
    page = text(client.get(child_url(child)))
    assert "county lines" in page
    assert "Intelligence 2B P" in page
    assert "Police intelligence" in page


def test_filters_are_applied_and_shown_as_removable_tags(signed_in, child, police, csc):
    entry_for(child, agency=police, type="arrest", summary="Arrested.")
    entry_for(child, agency=csc, type="home_visit", summary="Visited.")
    response = signed_in.get(child_url(child, f"agency={police.pk}"))
    page = text(response)
    assert "Arrested." in page
    assert "Visited." not in page
    assert "Selected filters" in page
    assert f'href="{child_url(child)}"' in response.content.decode()  # the tag removes itself


def test_invalid_filter_dates_show_a_govuk_error_summary(signed_in, child):
    response = signed_in.get(child_url(child, "from-day=31&from-month=2&from-year=2019"))
    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page
    assert '<a href="#from-day">Date from must be a real date</a>' in response.content.decode()
    assert "<title>Error:" in response.content.decode()


def test_paging(signed_in, child, csc):
    for day in range(51):
        entry_for(
            child,
            agency=csc,
            occurred_at=at(2019, 1, 1) + dt.timedelta(days=day),
            summary=f"Entry {day}.",
        )
    first = text(signed_in.get(child_url(child)))
    assert "Showing 1 to 50 of 51 entries" in first
    assert "Entry 0." not in first
    second = signed_in.get(child_url(child, "page=2"))
    assert "Showing 51 to 51 of 51 entries" in text(second)
    assert "Entry 0." in text(second)
    assert 'class="govuk-pagination' in second.content.decode()


def test_as_known_on_shows_a_banner_and_the_story_as_it_was(signed_in, child, csc):
    entry_for(child, agency=csc, summary="Known then.", recorded_at=at(2019, 8, 1))
    entry_for(child, agency=csc, summary="Learned later.", recorded_at=at(2019, 9, 1))
    response = signed_in.get(
        child_url(child, "as_known_on-day=4&as_known_on-month=8&as_known_on-year=2019")
    )
    page = text(response)
    assert "You are viewing this record as it was known on 4 August 2019" in page
    assert "Known then." in page
    assert "Learned later." not in page
    assert f'href="{child_url(child)}">View the record as it is today' in response.content.decode()


def test_query_count_and_time_for_a_long_story(
    client, child, social_worker, csc, police, django_assert_max_num_queries
):
    """The page stays a fixed number of queries however long the story (see docs/child-story.md
    for the measured timings)."""
    from sightline.chronology.models import EntrySubject

    entries = [
        ChronologyEntry(
            agency=csc if n % 3 else police,
            type="home_visit",
            occurred_at=at(2015, 1, 1) + dt.timedelta(days=n),
            recorded_at=at(2020, 1, 1),
            summary=f"Entry {n}",
            sensitivity="police_intelligence" if n % 7 == 0 else "standard",
        )
        for n in range(1000)
    ]
    ChronologyEntry.objects.bulk_create(entries)
    EntrySubject.objects.bulk_create(
        EntrySubject(entry=e, person=child, occurred_at=e.occurred_at) for e in entries
    )
    client.force_login(social_worker)
    client.get(child_url(child))  # warm the session
    # session and user (2), the child and the access check (3), the story (count, page ids, page
    # rows and its agencies: 4), identity (identifiers, address, names, recorded details: 4),
    # audit (3 on SQLite, 2 on PostgreSQL: the chain's head and the row's id, the row, the head
    # moved), who is involved (1), a possible match waiting (1), how the records were linked
    # (1), the child's referrals (1), the alerts about the child (1), the unread notifications in
    # the header (1), the session save (3), and the
    # escalations, step decisions, closures and last agency standing panels (4; last agency
    # standing asks the alerts whether any is open: 2), what the viewer is cleared for on this
    # child (1: the lead social worker's clearance), the sharing decisions (1), the viewer's
    # break-glass accesses (1, for the access check and the banner) and the grant the audit's
    # purpose names (1).
    with django_assert_max_num_queries(35):
        response = client.get(child_url(child, "page=7"))
    assert "Showing 301 to 350 of 1000 entries" in text(response)


# --- recording an entry ------------------------------------------------------------------------


def valid_post(**overrides: str) -> dict[str, str]:
    data = {
        "type": "home_visit",
        "precision": "day",
        "occurred-day": "20",
        "occurred-month": "11",
        "occurred-year": "2026",
        "occurred-time": "15:30",
        "summary": "Home visit. Jordan seen alone.",
        "grade": "fact",
        "sensitivity": "standard",
    }
    data.update(overrides)
    return data


def new_url(person: Any) -> str:
    return reverse("chronology:entry_new", args=[person.reference])


def test_entry_form_groups_types_by_theme_and_offers_the_childs_own_words(signed_in, child):
    response = signed_in.get(new_url(child))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<optgroup label="Missing">' in html
    assert "The child's own words (voice of the child)" in html
    assert 'name="intelligence_source"' in html  # present without JavaScript


def test_recording_an_entry(signed_in, child, csc):
    response = signed_in.post(new_url(child), valid_post())
    entry = ChronologyEntry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == child_url(child) + f"#entry-{entry.pk}"
    assert (entry.agency, entry.has_time, entry.summary) == (
        csc,
        True,
        "Home visit. Jordan seen alone.",
    )
    page = text(signed_in.get(response["Location"]))
    assert "Entry recorded: Home visit, 20 November 2026, 15:30" in page


@pytest.mark.parametrize(
    ("overrides", "precision", "occurred"),
    [
        ({"precision": "month", "month-month": "3", "month-year": "2019"}, "month", at(2019, 3, 1)),
        (
            {"precision": "season", "season": "summer", "season-year": "2018"},
            "season",
            at(2018, 6, 1),
        ),
        ({"precision": "year", "year-year": "2017"}, "year", at(2017, 1, 1)),
    ],
)
def test_recording_at_the_precision_known(signed_in, child, overrides, precision, occurred):
    signed_in.post(new_url(child), valid_post(**overrides))
    entry = ChronologyEntry.objects.get()
    assert (entry.precision, entry.occurred_at) == (precision, occurred)


def test_recording_intelligence(client, officer, child):
    client.force_login(officer)
    client.post(
        new_url(child),
        valid_post(
            type="intelligence_received",
            grade="intelligence",
            sensitivity="police_intelligence",
            intelligence_source="1",
            intelligence_assessment="A",
            intelligence_handling="P",
        ),
    )
    assert ChronologyEntry.objects.get().intelligence_grade == {
        "system": "3x5x2",
        "source": "1",
        "assessment": "A",
        "handling": "P",
    }


def test_form_errors_are_shown_in_a_govuk_error_summary(signed_in, child):
    response = signed_in.post(
        new_url(child),
        valid_post(
            type="",
            summary="",
            **{"occurred-day": "31", "occurred-month": "2"},
            grade="intelligence",
            intelligence_handling="C",
        ),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert not ChronologyEntry.objects.exists()
    assert "<title>Error:" in html
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    assert summary is not None
    links = re.findall(r'<a href="(#[^"]+)">([^<]+)</a>', summary.group(1))
    assert links == [
        ("#type", "Select what happened"),
        ("#occurred-day", "The date it happened must be a real date"),
        ("#summary", "Enter a summary of what happened"),
        ("#intelligence_source", "Select the source evaluation (1, 2 or 3)"),
        ("#intelligence_assessment", "Select the intelligence assessment (A to E)"),
        ("#intelligence_conditions", "Enter the conditions for sharing (handling code C)"),
    ]


def test_service_rules_are_reported_together(signed_in, child):
    response = signed_in.post(
        new_url(child),
        valid_post(type="", summary="", grade="intelligence", intelligence_handling="C"),
    )
    html = response.content.decode()
    for message in (
        "Select what happened",
        "Enter a summary of what happened",
        "Select the source evaluation (1, 2 or 3)",
        "Enter the conditions for sharing (handling code C)",
    ):
        assert message in html


def test_recording_needs_a_relationship(client, stranger, child):
    client.force_login(stranger)
    assert client.post(new_url(child), valid_post()).status_code == 404
    assert not ChronologyEntry.objects.exists()


# --- correcting and history -------------------------------------------------------------------


def correct_url(person: Any, entry: ChronologyEntry) -> str:
    return reverse("chronology:entry_correct", args=[person.reference, entry.pk])


def test_correction_form_is_filled_in(signed_in, child, social_worker):
    entry = entry_record(actor=social_worker, person=child, fields=fields())
    html = signed_in.get(correct_url(child, entry)).content.decode()
    assert 'name="occurred-day" type="text" value="20"' in html or 'value="20"' in html
    assert "Home visit. Jordan seen alone." in html
    assert 'name="reason"' in html


def test_correcting_an_entry(signed_in, child, social_worker):
    entry = entry_record(actor=social_worker, person=child, fields=fields())
    response = signed_in.post(
        correct_url(child, entry),
        valid_post(
            summary="Home visit. Jordan seen alone; said he is scared of older boys.",
            reason="Left out what he said.",
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "chronology:entry_history", args=[child.reference, entry.pk]
    )
    history = text(signed_in.get(response["Location"]))
    assert "Version 2 Current" in history
    assert "Version 1 Replaced" in history
    assert "Left out what he said." in history
    assert "What changed Summary" in history
    page = text(signed_in.get(child_url(child)))
    assert "Corrected" in page
    assert "scared of older boys" in page


def test_correction_needs_a_reason(signed_in, child, social_worker):
    entry = entry_record(actor=social_worker, person=child, fields=fields())
    response = signed_in.post(correct_url(child, entry), valid_post(summary="Changed"))
    assert response.status_code == 400
    assert "Enter why you are correcting this entry" in text(response)
    assert ChronologyEntry.objects.count() == 1


def test_imported_entry_explains_it_is_corrected_by_its_feed(client, officer, child, police):
    imported = entry_for(child, agency=police, source_record=source_record_for(police))
    client.force_login(officer)
    page = text(client.get(correct_url(child, imported)))
    assert "You cannot correct this entry here" in page
    assert "imported from Hallowford Police's records, so it can only be corrected there" in page
    response = client.post(correct_url(child, imported), valid_post(reason="x"))
    assert response.status_code == 409
    assert ChronologyEntry.objects.count() == 1


def test_another_agencys_entry_cannot_be_corrected(client, officer, child, social_worker):
    entry = entry_record(actor=social_worker, person=child, fields=fields())
    client.force_login(officer)
    assert "Only Children's social care can correct this entry" in text(
        client.get(correct_url(child, entry))
    )


def test_history_is_audited(signed_in, child, social_worker):
    entry = entry_record(actor=social_worker, person=child, fields=fields())
    entry_correct(actor=social_worker, entry=entry, reason="r", fields=fields(summary="v2"))
    signed_in.get(reverse("chronology:entry_history", args=[child.reference, entry.pk]))
    assert AuditEvent.objects.filter(action="entry_viewed", object_id=str(entry.pk)).exists()


# --- exports -----------------------------------------------------------------------------------


def test_csv_export(signed_in, child, police, csc, social_worker):
    entry_for(child, agency=police, police_intelligence=True, occurred_at=at(2019, 8, 20))
    entry_for(
        child,
        agency=csc,
        occurred_at=at(2018, 6, 1),
        precision="season",
        summary='=HYPERLINK("http://x")',
    )
    response = signed_in.get(
        reverse("chronology:export_csv", args=[child.reference]) + "?significant="
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="story-{child.reference}-'
    )
    body = response.content
    assert body.startswith("\ufeff".encode())
    lines = body.decode("utf-8-sig").splitlines()
    columns = next(i for i, line in enumerate(lines) if line.startswith("Date,Agency,"))
    assert lines[columns].startswith("Date,Agency,What happened,Theme,Significant,Grade")
    lines = lines[columns:]
    assert len(lines) == 3
    assert "Restricted: you are not cleared to read this entry" in lines[1]
    assert "county lines" not in body.decode()
    assert "summer 2018" in lines[2]
    assert "'=HYPERLINK" in lines[2]  # never a live formula in Excel
    event = AuditEvent.objects.get(action="story_exported")
    assert event.detail["format"] == "csv"
    assert event.detail["entries"] == 2
    assert event.detail["restricted"] == 1


def test_export_keeps_the_filters_and_as_known_on(signed_in, child, csc):
    entry_for(child, agency=csc, type="arrest", summary="Arrest.", recorded_at=at(2019, 1, 1))
    entry_for(child, agency=csc, type="home_visit", summary="Visit.", recorded_at=at(2019, 1, 1))
    entry_for(child, agency=csc, type="arrest", summary="Later arrest.", recorded_at=at(2020, 1, 1))
    response = signed_in.get(
        reverse("chronology:export_csv", args=[child.reference])
        + "?theme=police&as_known_on=2019-06-01"
    )
    body = response.content.decode("utf-8-sig")
    assert "Arrest." in body
    assert "Visit." not in body
    assert "Later arrest." not in body
    assert AuditEvent.objects.get(action="story_exported").detail["filters"] == {
        "theme": ["police"],
        "as_known_on": "2019-06-01",
    }


def test_pdf_export(signed_in, child, police, csc):
    for n in range(60):
        entry_for(
            child,
            agency=csc,
            occurred_at=at(2019, 1, 1) + dt.timedelta(days=n),
            recorded_at=at(2019, 6, 1),
            summary=f"Entry {n}: " + "a long summary " * 10,
        )
    entry_for(child, agency=police, police_intelligence=True, recorded_at=at(2019, 6, 1))
    response = signed_in.get(
        reverse("chronology:export_pdf", args=[child.reference]) + "?as_known_on=2026-01-01"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert len(re.findall(rb"/Type /Page\b", response.content)) >= 3
    event = AuditEvent.objects.get(action="story_exported")
    assert event.detail["format"] == "pdf"
    assert event.detail["filters"] == {"as_known_on": "2026-01-01"}


def test_unrelated_practitioner_cannot_export(client, stranger, child):
    client.force_login(stranger)
    assert client.get(reverse("chronology:export_csv", args=[child.reference])).status_code == 404
    assert client.get(reverse("chronology:export_pdf", args=[child.reference])).status_code == 404
    assert not AuditEvent.objects.filter(action="story_exported").exists()


# --- dates before the child was born, or far ahead ---------------------------------------------


@pytest.mark.parametrize(
    ("birth", "precision", "overrides", "refused"),
    [
        # The walkthrough's entry: 1 January 1900 for a child born in 2010.
        (
            dt.date(2010, 5, 17),
            "day",
            {"occurred-day": "1", "occurred-month": "1", "occurred-year": "1900"},
            True,
        ),
        (
            dt.date(2010, 5, 17),
            "day",
            {"occurred-day": "16", "occurred-month": "5", "occurred-year": "2010"},
            True,
        ),
        (
            dt.date(2010, 5, 17),
            "day",
            {
                "occurred-day": "17",
                "occurred-month": "5",
                "occurred-year": "2010",
                "occurred-time": "",
            },
            False,
        ),
        (
            dt.date(2010, 5, 17),
            "day",
            {"precision": "month", "month-month": "5", "month-year": "2010"},
            False,
        ),
        (dt.date(2010, 5, 17), "day", {"precision": "year", "year-year": "2009"}, True),
        # Known only as May 2010: any day in May may be the birthday.
        (
            dt.date(2010, 5, 1),
            "month",
            {"occurred-day": "2", "occurred-month": "5", "occurred-year": "2010"},
            False,
        ),
        (
            dt.date(2010, 5, 1),
            "month",
            {"occurred-day": "30", "occurred-month": "4", "occurred-year": "2010"},
            True,
        ),
        # Known only as 2010.
        (
            dt.date(2010, 1, 1),
            "year",
            {"occurred-day": "1", "occurred-month": "1", "occurred-year": "2010"},
            False,
        ),
        (
            dt.date(2010, 1, 1),
            "year",
            {"precision": "season", "season": "winter", "season-year": "2009"},
            False,
        ),
        (
            dt.date(2010, 1, 1),
            "year",
            {"precision": "season", "season": "autumn", "season-year": "2009"},
            True,
        ),
    ],
)
def test_an_entry_before_the_child_was_born_is_refused(
    signed_in, child, birth, precision, overrides, refused
):
    child.birth_date, child.birth_date_precision = birth, precision
    child.save()
    response = signed_in.post(new_url(child), valid_post(**overrides))
    if refused:
        assert response.status_code == 400
        assert "The date it happened must be on or after the child&#39;s date of birth" in (
            response.content.decode()
        )
        assert not ChronologyEntry.objects.exists()
    else:
        assert response.status_code == 302
        assert ChronologyEntry.objects.count() == 1


def test_a_correction_before_the_child_was_born_is_refused(signed_in, child, social_worker):
    entry = entry_record(actor=social_worker, person=child, fields=fields())
    response = signed_in.post(
        correct_url(child, entry),
        valid_post(
            reason="Wrong date",
            **{"occurred-year": "1900", "occurred-month": "1", "occurred-day": "1"},
        ),
    )
    assert response.status_code == 400
    assert (
        "must be on or after the child&#39;s date of birth (17 May 2010)"
        in response.content.decode()
    )


@pytest.mark.parametrize("year", [str(dt.date.today().year + 1), "9999"])
def test_an_entry_far_in_the_future_is_refused(signed_in, child, year):
    response = signed_in.post(new_url(child), valid_post(**{"occurred-year": year}))
    assert response.status_code == 400
    assert "The date it happened must be today or in the past" in text(response)
    response = signed_in.post(new_url(child), valid_post(precision="year", **{"year-year": year}))
    assert response.status_code == 400
    assert "The date it happened must be today or in the past" in text(response)


# --- an "as known on" date that cannot be read ----------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "as_known_on-day=31&as_known_on-month=2&as_known_on-year=2019",
        "as_known_on=2019-02-31",
        "as_known_on=9999-12-31",
        "as_known_on-day=4&as_known_on-year=2019",
    ],
)
def test_an_unreadable_as_known_on_date_shows_the_error_and_no_story(signed_in, child, csc, query):
    entry_for(child, agency=csc, summary="Recorded today.")
    response = signed_in.get(child_url(child, query))
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text(response)
    assert 'href="#as_known_on-' in html
    assert 'id="as_known_on-error"' in html
    assert "Recorded today." not in text(response)  # today's story would pass for the past one
    assert "The story is not shown until the" in text(response)
    assert "Download CSV" not in text(response)
    event = AuditEvent.objects.get(action="story_viewed")
    assert event.detail["refused"] == "as_known_on"


# --- forms that show case data are audited -------------------------------------------------


def test_the_new_entry_form_is_audited(signed_in, child, social_worker):
    signed_in.get(new_url(child))
    event = AuditEvent.objects.get(action="person_viewed")
    assert (event.actor, event.person_id, event.object_id) == (
        social_worker,
        child.pk,
        child.reference,
    )
    assert event.detail == {"page": "entry_new", "method": "GET"}


def test_the_correction_form_is_audited(signed_in, child, social_worker):
    entry = entry_record(actor=social_worker, person=child, fields=fields())
    signed_in.get(correct_url(child, entry))
    event = AuditEvent.objects.get(action="entry_viewed")
    assert (event.actor, event.person_id, event.object_id) == (
        social_worker,
        child.pk,
        str(entry.pk),
    )
    assert event.detail == {"page": "entry_correct", "method": "GET"}


def test_the_refusal_page_is_audited(client, officer, child, social_worker):
    entry = entry_record(actor=social_worker, person=child, fields=fields())
    client.force_login(officer)
    client.get(correct_url(child, entry))
    event = AuditEvent.objects.get(action="entry_viewed")
    assert event.detail == {"page": "entry_correct", "refused": True}


# --- no copy kept by the browser ---------------------------------------------------------------


def test_pages_with_case_data_are_not_stored(signed_in, child, social_worker):
    entry = entry_record(actor=social_worker, person=child, fields=fields())
    for path in (
        child_url(child),
        new_url(child),
        correct_url(child, entry),
        reverse("chronology:entry_history", args=[child.reference, entry.pk]),
        reverse("chronology:entry_entered_in_error", args=[child.reference, entry.pk]),
        reverse("chronology:export_csv", args=[child.reference]),
        reverse("chronology:export_pdf", args=[child.reference]),
        f"/api/children/{child.reference}/story",
        reverse("people:search") + "?name=Jordan",
        child_url(child, "from=0001-01-01"),
        reverse("chronology:child", args=["SLT9999999"]),  # the not-found page too
    ):
        response = signed_in.get(path)
        assert response["Cache-Control"] == "no-store", path


# --- labels ------------------------------------------------------------------------------------


def test_agency_references_name_the_issuing_agency(signed_in, child):
    from sightline.people.models import Identifier

    cet = new_agency(
        code="cet", name="Hallowford Child Exploitation Team", kind="child_exploitation_team"
    )
    record = source_record_for(cet, name="CET case notes")
    Identifier.objects.create(
        person=child,
        scheme="local_id",
        value="CET-77",
        issuer="child_exploitation_team",
        source_record=record,
    )
    Identifier.objects.create(person=child, scheme="local_id", value="YJ-5", issuer="youth_justice")
    page = text(signed_in.get(child_url(child)))
    assert "Agency reference (Hallowford Child Exploitation Team) CET-77" in page
    assert "Agency reference (Youth justice) YJ-5" in page
    assert "child_exploitation_team" not in page
    assert "youth_justice" not in page


def test_the_form_refuses_control_characters_with_a_govuk_error(signed_in, child):
    response = signed_in.post(
        new_url(child), valid_post(summary="a\x00b", detail="Line one\nTab\tok\x01")
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error:" in page
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', page, re.S)
    assert summary is not None
    assert re.findall(r'<a href="(#[^"]+)">([^<]+)</a>', summary.group(1)) == [
        ("#summary", "Summary must not contain control characters"),
        ("#detail", "Detail must not contain control characters"),
    ]
    assert not ChronologyEntry.objects.exists()
