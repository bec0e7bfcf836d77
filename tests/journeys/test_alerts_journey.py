"""Alerts in a real browser (Debian's Chromium via Playwright): a police feed is imported
through the `import` command, `sightline tick` evaluates the child it touched, and a social
worker sees the alert on the child's page and in the inbox, follows its evidence into the story
(highlighted), acknowledges it, records the action taken, sees it leave the inbox, and reads in
its history who did what. The feed also holds police intelligence, which the social worker is
not cleared to read: the alert says the police hold relevant information and whom to call,
never what it says. axe-core runs on every page. Set SIGHTLINE_SCREENSHOTS to a folder to keep a
screenshot of each page."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import orjson
import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.journeys.axe import assert_accessible
from tests.journeys.screenshots import shot
from tests.journeys.signing import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SECRET = "Seen getting into cars with older males in the town centre"


@pytest.fixture
def imported(transactional_db: None, tmp_path: Path) -> dict[str, Any]:
    """A police feed of one child (three missing episodes in the last month, no return
    interview, and police intelligence), imported as an agency sends it, then one tick."""
    from sightline.agencies.models import Agency
    from sightline.agencies.tests.factories import practitioner
    from sightline.core.actors import IMPORTER
    from sightline.governance import access
    from sightline.governance.models import AccessGrant
    from sightline.people.models import Person
    from sightline.records.models import SourceRecord
    from sightline.records.services import source_system_register
    from sightline.records.tests.lines import entry, person

    source_system_register(
        actor=IMPORTER, code="police", name="Hallowford Police", agency_kind="police"
    )
    police = Agency.objects.get(kind="police")
    police.name, police.phone, police.email = (
        "Hallowford Police",
        "01632 960200",
        "safeguarding@police.example.org",
    )
    police.save()
    now = timezone.localtime()
    lines = [person("P-1", "police", given_names="Riley", family_name="Marsh", birth_date="2011-04",
                    identifiers={"nhs_number": None, "upn": None, "pnc_id": None, "local_id": "P-1"})]  # fmt: skip
    for n, ago in enumerate((30, 20, 10), start=1):
        day = (now - dt.timedelta(days=ago)).replace(hour=22, minute=10, second=0, microsecond=0)
        lines.append(entry(f"E-{n}", "police", "P-1", occurred_at=day.strftime("%Y-%m-%dT%H:%M"),
                           ended_at=None, recorded_at=(day + dt.timedelta(hours=11)).strftime("%Y-%m-%dT%H:%M"),
                           summary=f"Reported missing overnight ({n}); found in another town."))  # fmt: skip
    intel_day = (now - dt.timedelta(days=8)).date().isoformat()
    lines.append(entry("E-9", "police", "P-1", type="intelligence_received", occurred_at=intel_day,
                       ended_at=None, recorded_at=intel_day, summary=SECRET, grade="intelligence",
                       sensitivity="police_intelligence",
                       intelligence_grade={"system": "3x5x2", "source": "2", "assessment": "B", "handling": "P"}))  # fmt: skip
    feed = tmp_path / "police.jsonl"
    feed.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    call_command("import", str(feed), "--accept-valid", "--quiet")
    call_command("tick")  # what `sightline serve` does every minute
    person_id = SourceRecord.objects.get(source_id="P-1").person_id
    assert person_id is not None  # the import linked the record to a person
    child = Person.objects.get(pk=person_id)
    csc = Agency.objects.create(code="csc", name="Hallowford Children's Services",
                                kind="childrens_social_care", phone="01632 960100")  # fmt: skip
    access.grant(person_id=child.pk, agency_id=csc.pk, basis=AccessGrant.Basis.INVOLVEMENT)
    worker = practitioner("social_worker", agency=csc)
    worker.first_name, worker.last_name = "Alex", "Smith"
    worker.set_password(PASSWORD)
    worker.save()
    return {"child": child, "worker": worker}


def test_an_imported_feed_raises_an_alert_that_is_followed_acknowledged_and_actioned(
    imported: dict[str, Any], browser_page: Any
) -> None:
    from sightline.alerts.models import Alert
    from sightline.governance.models import AuditEvent

    page = browser_page
    child, worker = imported["child"], imported["worker"]
    alert = Alert.objects.get(person=child, rule="missing-escalating")
    sign_in(page, worker.email)

    # The alert is on the child's page, above the story.
    page.goto(f"/children/{child.reference}/")
    panel = page.locator("section.sl-alerts")
    panel.wait_for()
    escalating = panel.locator(f"#alert-{alert.pk}")
    assert "Missing episodes are escalating" in escalating.inner_text()
    assert "High" in escalating.inner_text()
    assert "3 missing episodes" in escalating.inner_text()
    assert "strategy discussion" in escalating.inner_text()  # the prompt
    box = panel.bounding_box()
    story = page.locator("#story").bounding_box()
    assert box is not None
    assert story is not None
    assert box["y"] < story["y"]
    column = page.locator("main").inner_text()
    assert SECRET not in column
    assert_accessible(page, "the child's page with alerts")
    shot(page, "alerts-child-page")

    # Its evidence opens highlighted in the story.
    escalating.get_by_role("link", name=re.compile("show these entries in the story")).click()
    page.wait_for_load_state()
    assert "highlight=" in page.url
    assert "#entry-" in page.url
    highlighted = page.locator(".sl-entry--highlighted")
    assert highlighted.count() == 3
    assert "Missing episode" in highlighted.first.inner_text()
    assert_accessible(page, "the story with the evidence highlighted")
    shot(page, "alerts-evidence-highlighted")

    # In the inbox.
    page.get_by_role("link", name="Alerts", exact=True).first.click()
    page.get_by_role("heading", name="Alerts", exact=True).wait_for()
    table = page.locator("table.sl-inbox")
    assert "Missing episodes are escalating" in table.inner_text()
    assert "Riley Marsh" in table.inner_text()
    assert_accessible(page, "the alerts inbox")
    shot(page, "alerts-inbox")

    # Open it; acknowledge it, then record the action taken.
    table.get_by_role("link", name="Missing episodes are escalating").click()
    page.get_by_role("heading", name=re.compile("Missing episodes are escalating")).wait_for()
    assert_accessible(page, "the alert page")
    shot(page, "alerts-alert-page")
    page.get_by_role("button", name="Record the action").click()  # nothing chosen: an error
    page.locator(".govuk-error-summary").wait_for()
    assert (
        "Select the action taken, or describe it"
        in page.locator(".govuk-error-summary").inner_text()
    )
    assert page.title().startswith("Error:")
    assert_accessible(page, "the alert page with an error")
    shot(page, "alerts-alert-page-error")
    page.get_by_label("Note (optional)").first.fill("Reading the police record now.")
    page.get_by_role("button", name="Acknowledge").click()
    page.get_by_text("Alert acknowledged").wait_for()
    page.get_by_label("Strategy discussion held").check()
    page.get_by_role("button", name="Record the action").click()
    page.get_by_text("Action recorded.").wait_for()

    # Its history says who did what.
    history = page.locator("#history ~ .moj-timeline").inner_text()
    assert (
        history.index("Action recorded") < history.index("Acknowledged") < history.index("Raised")
    )
    assert "Strategy discussion held" in history
    assert "Alex Smith" in history
    assert "Sightline (automatic)" in history
    assert "Reading the police record now." in history
    assert_accessible(page, "the alert page after the action")
    shot(page, "alerts-alert-history")

    # It has left the inbox.
    page.goto("/alerts/?show=all")
    assert page.locator(f"table.sl-inbox a[href='/alerts/{alert.pk}/']").count() == 0
    assert (
        "Missing episodes are escalating"
        not in page.locator(".moj-filter-layout__content").inner_text()
    )
    assert AuditEvent.objects.filter(actor=worker, action="alert_actioned").exists()
    assert AuditEvent.objects.filter(actor=worker, action="alert_viewed").exists()
