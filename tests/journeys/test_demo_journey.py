"""The newcomer's journey through the demo, in a real browser (Debian's Chromium via Playwright).

A small synthetic county is generated and imported through the real `import` command, the demo
partnership and accounts are set up by the same code as `sightline demo`, and a practitioner with
a legitimate relationship with a planted criminal-exploitation child then: signs in, finds the
child by a misspelt name, opens the child's story, filters it by theme, replays it "as known on"
an earlier date, downloads it as CSV and PDF, and signs out. axe-core runs on every page: no
moderate, serious or critical accessibility violation is allowed (content outside every landmark,
axe's "region", is moderate)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from tests.journeys.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "journey-password-1"


def misspell(name: str) -> str:
    """A realistic typing slip: two neighbouring letters swapped in the middle of the name."""
    if len(name) < 4:
        return name + name[-1]
    i = len(name) // 2
    if name[i] == name[i - 1]:
        return name[:i] + name[i + 1 :]
    return name[: i - 1] + name[i] + name[i - 1] + name[i + 1 :]


def shown_total(page: Any) -> int:
    """The number of entries the story says it shows ("Showing 1 to 20 of 57 entries")."""
    text = page.locator(".sl-results").inner_text()
    match = re.search(r"of\s+([\d,]+)\s+entr", text)
    assert match, f"no entry count in {text!r}"
    return int(match.group(1).replace(",", ""))


@pytest.fixture
def demo_county(small_county: Path, transactional_db: None) -> dict[str, Any]:
    """The demo partnership over the small county, imported as `sightline demo` does it."""
    from sightline.synth.management.commands import demo

    demo.ensure_agencies()
    demo.ensure_sources()
    demo.ensure_accounts(PASSWORD)
    call_command("import", str(small_county), "--accept-valid", "--quiet")
    walk = demo.find_walkthrough_child(small_county)
    assert walk is not None, "the county has no planted criminal-exploitation child"
    team = demo.school_team_for(walk.person)
    if team is not None:
        demo.place_school_lead(team)
    demo.ensure_walkthrough_access(walk.person)
    return {"walk": walk, "account": demo.ACCOUNTS[0]}


def an_earlier_date(person_id: int) -> dt.date:
    """A day by which some, but not all, of the child's story had been recorded."""
    from sightline.chronology.models import EntrySubject

    recorded = sorted(
        EntrySubject.objects.filter(person_id=person_id).values_list(
            "entry__recorded_at", flat=True
        )
    )
    assert len(recorded) >= 4, "the walkthrough child's story is too short to replay"
    return recorded[len(recorded) // 2].date()


def test_practitioner_finds_a_child_reads_and_exports_their_story(
    demo_county: dict[str, Any], browser_page: Any
) -> None:
    from sightline.governance.models import AuditEvent

    page = browser_page
    walk = demo_county["walk"]
    account = demo_county["account"]
    child_name = f"{walk.given_names.split()[0]} {walk.family_name}"

    # Sign in: an unsigned visitor is sent to the sign-in page.
    page.goto("/")
    assert page.get_by_role("heading", name="Sign in to Sightline").is_visible()
    assert_accessible(page, "the sign-in page")
    page.get_by_label("Email address").fill(account.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # They land on their work; nothing waits on them yet.
    page.get_by_role("heading", name="My work").wait_for()
    assert_accessible(page, "my work")

    # Find the child by a misspelt family name.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Find a child").click()
    page.get_by_role("heading", name="Find a child").wait_for()
    assert_accessible(page, "the search page")
    typed = f"{walk.given_names.split()[0]} {misspell(walk.family_name)}"
    assert typed != child_name
    page.get_by_label("Name", exact=True).fill(typed)
    page.get_by_role("button", name="Search").click()
    results = page.locator(".sl-search-results")
    results.wait_for()
    assert_accessible(page, "the search results")
    link = results.get_by_role("link", name=re.compile(re.escape(walk.family_name)))
    assert link.count() >= 1, f"{child_name} not found by {typed!r}: {results.inner_text()}"

    # Open the child.
    results.locator(f"a[href*='/children/{walk.person.reference}/']").first.click()
    page.get_by_role("heading", name="The child's story").wait_for()
    assert page.url.rstrip("/").endswith(f"/children/{walk.person.reference}")
    assert_accessible(page, "the child's story")
    everything = shown_total(page)
    assert everything > 0

    # Filter the story by theme: only exploitation entries.
    page.get_by_role("checkbox", name="Exploitation", exact=True).check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert "theme=exploitation" in page.url
    assert_accessible(page, "the story filtered by theme")
    exploitation = shown_total(page)
    assert 0 < exploitation < everything

    # Back to the whole story, then "as known on" an earlier date: fewer entries.
    page.goto(f"/children/{walk.person.reference}/")
    earlier = an_earlier_date(walk.person.pk)
    page.get_by_text("View the story as it was known on a past date").click()
    known = page.locator("form:has(#as_known_on-day)")
    known.get_by_label("Day").fill(str(earlier.day))
    known.get_by_label("Month").fill(str(earlier.month))
    known.get_by_label("Year").fill(str(earlier.year))
    page.get_by_role("button", name="Show the story as known then").click()
    page.locator("#as-known-on-banner").wait_for()
    assert_accessible(page, "the story as known on an earlier date")
    then = shown_total(page)
    assert 0 < then < everything, (then, everything, earlier)

    # Export what is on screen: CSV and PDF.
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download CSV").click()
    rows = list(csv.reader(io.StringIO(Path(csv_download.value.path()).read_text("utf-8-sig"))))
    # A block saying what the file is (the child, filters, "as known on"), then the table.
    assert ["Sightline reference", walk.person.reference] in rows
    rows = rows[next(i for i, row in enumerate(rows) if row[:2] == ["Date", "Agency"]) :]
    assert len(rows) - 1 == then, f"the CSV has {len(rows) - 1} entries, the page showed {then}"
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Download PDF").click()
    assert Path(pdf_download.value.path()).read_bytes().startswith(b"%PDF")

    # Sign out.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert_accessible(page, "the signed-out page")
    page.goto(f"/children/{walk.person.reference}/")
    assert page.get_by_role("heading", name="Sign in to Sightline").is_visible()

    # Everything the practitioner saw and took away is in the audit log.
    actions = set(
        AuditEvent.objects.filter(actor__username=account.email).values_list("action", flat=True)
    )
    assert {"signed_in", "person_searched", "story_viewed", "story_exported", "signed_out"} <= (
        actions
    ), actions
