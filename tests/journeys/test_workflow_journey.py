"""Issue 10's "done when", in Debian's Chromium: a school refers a child; the front door decides
no further action; the school disagrees; the disagreement moves up by itself when its deadline
passes (`sightline tick` with the clock moved on); the front door reconsiders the same referral,
accepts and allocates it; the social worker proposes closure, the police object within the
window, and the closure is blocked.
Each step shows on the referrer's my work and in the child's story; axe-core runs on every page.
A step up refused and challenged runs alongside. Set SIGHTLINE_SCREENSHOTS to a folder to keep a
screenshot of each page (docs/workflow.md uses them: docs/images/workflow/)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from tests.journeys.axe import assert_accessible
from tests.journeys.screenshots import shot
from tests.journeys.signing import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Monday 1 March 2027, 09:00 in England: stage 1 of a disagreement raised today is due by the
# end of Wednesday 3 March.
START = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(START, tick=True) as traveller:
        yield traveller


@pytest.fixture
def partnership(transactional_db: None, clock: Any) -> dict[str, Any]:
    from sightline.agencies.models import Team
    from sightline.agencies.tests.factories import practitioner
    from sightline.cases.tests.world import involve
    from sightline.chronology.tests.factories import new_agency, new_person
    from sightline.governance import access
    from sightline.governance.models import AccessGrant

    child = new_person(given_names="Riley", family_name="Hart", birth_date=dt.date(2011, 4, 9))
    school = new_agency(code="school", name="Hallowford Academy", kind="school")
    csc = new_agency(code="csc", name="Shireford Children's Services", kind="childrens_social_care")
    police = new_agency(code="police", name="Shireford Police", kind="police")
    early_help = new_agency(code="eh", name="Shireford Early Help", kind="early_help")
    front = Team.objects.create(agency=csc, code="mash", name="MASH and assessment")
    pastoral = Team.objects.create(agency=school, code="pastoral", name="Pastoral care")

    def person(role: str, agency: Any, first: str, last: str, team: Any = None) -> Any:
        user = practitioner(role, agency=agency, team=team)
        user.first_name, user.last_name = first, last
        user.email = user.username = f"{first.lower()}.{last.lower()}@{agency.code}.example.org"
        user.set_password(PASSWORD)
        user.save()
        return user

    users = {
        "dsl": person("school_dsl", school, "Sam", "Lee", pastoral),
        "manager": person("team_manager", csc, "Chris", "Dale", front),
        "sw": person("social_worker", csc, "Alex", "Smith", front),
        "police": person("police_officer", police, "Dev", "Kaur"),
        "eh": person("early_help_worker", early_help, "Ash", "Moss"),
        "head_teacher": person("team_manager", school, "Pat", "Oakes", pastoral),
        "analyst": person(
            "analyst",
            new_agency(code="lscp", name="Safeguarding partnership", kind="other"),
            "Kim",
            "Ward",
        ),
    }
    involve(child, school, team=pastoral, email=users["dsl"].email, since=dt.date(2022, 9, 1))
    involve(child, early_help, email=users["eh"].email, since=dt.date(2026, 9, 1))
    access.grant(person_id=child.pk, agency_id=police.pk, basis=AccessGrant.Basis.HOLDS_RECORDS)
    return {"child": child, "users": users, "csc": csc, "front": front, "involve": involve}


@pytest.fixture
def open_as(chromium: Any, live_server: Any) -> Iterator[Any]:
    """open_as(user) -> a page of a fresh browser signed in as that user (any JavaScript error
    on a page fails the test)."""
    contexts: list[Any] = []
    errors: list[str] = []

    def open_(user: Any) -> Any:
        context = chromium.new_context(
            base_url=live_server.url,
            bypass_csp=True,  # axe-core is injected as an inline script
            locale="en-GB",
            timezone_id="Europe/London",
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(20_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        sign_in(page, user.email)
        page.get_by_role("heading", name="My work").wait_for()
        return page

    try:
        yield open_
    finally:
        for context in contexts:
            context.close()
    assert not errors, f"JavaScript errors on the pages: {errors}"


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def story_text(page: Any, reference: str) -> str:
    page.goto(f"/children/{reference}/")
    page.get_by_role("heading", name="The child's story").wait_for()
    return squash(page.locator("main").inner_text())


def tick() -> None:
    call_command("tick", "--quiet")


def test_a_referral_a_disagreement_and_a_blocked_closure(
    partnership: dict[str, Any], open_as: Any, clock: Any
) -> None:
    child, users = partnership["child"], partnership["users"]
    reference = child.reference

    # 1. The school refers Riley to the front door.
    school = open_as(users["dsl"])
    school.goto(f"/referrals/new/{reference}/")
    school.get_by_role("radio", name="MASH (children's social care front door)").check()
    school.get_by_label("What are your concerns?").fill(
        "Riley says an older man collects him after school and gives him money."
    )
    school.get_by_label("Needs support, not at risk of significant harm").check()
    school.get_by_label("What do the family know about this referral?").fill("Mother was told.")
    school.get_by_label("Yes, the family consent").check()
    school.get_by_role("button", name="Make the referral").click()
    school.get_by_text("Received").first.wait_for()
    referral_url = school.url
    referral_id = int(re.search(r"/referrals/(\d+)/", referral_url)[1])  # type: ignore[index]

    # 2. The front door's manager decides: no further action.
    manager = open_as(users["manager"])
    manager.goto(f"/referrals/{referral_id}/decide")
    manager.get_by_label("No further action").check()
    manager.locator(".sl-reveal:visible").get_by_label(
        "The threshold for this service is not met"
    ).check()
    manager.get_by_label("Your reasons, in your own words").fill(
        "Discussed at the MASH: below threshold."
    )
    manager.get_by_role("button", name="Record the decision").click()
    manager.get_by_text("No further action").first.wait_for()

    # 3. The school disagrees, from the child's page.
    school.goto(f"/children/{reference}/")
    school.get_by_role("link", name="Raise a disagreement with another agency").click()
    school.get_by_role("heading", name="Raise a professional disagreement").wait_for()
    assert_accessible(school, "the raise-a-disagreement form")
    school.get_by_role("button", name="Raise the disagreement").click()
    school.locator(".govuk-error-summary").wait_for()
    assert_accessible(school, "the raise-a-disagreement form with errors")
    shot(school, "disagreement-raise-errors")
    school.get_by_label(re.compile(r"Referral to MASH .*no further action")).check()
    school.get_by_label("What do you disagree with, and why?").fill(
        "Riley is being groomed: the money and the older man are signs of criminal exploitation."
    )
    school.get_by_label("What do you want to happen?").fill("Accept the referral for assessment.")
    shot(school, "disagreement-raise")
    school.get_by_role("button", name="Raise the disagreement").click()
    school.get_by_role("heading", name="Professional disagreement").wait_for()
    body = squash(school.locator("main").inner_text())
    assert "Stage 1 of 4: Practitioner to practitioner" in body
    assert "must answer by 3 March 2027" in body
    assert_accessible(school, "a disagreement at stage 1")
    shot(school, "disagreement-stage-1")
    disagreement_url = school.url

    school.goto("/my-work/")
    work = squash(school.locator("main").inner_text())
    assert "Your disagreement with Shireford Children's Services" in work
    assert_accessible(school, "the school's my work with a disagreement")

    # 4. Nobody at children's services answers by Wednesday: on Thursday it moves up by itself.
    clock.move_to(dt.datetime(2027, 3, 4, 8, 0, tzinfo=dt.UTC))
    tick()
    manager = open_as(users["manager"])  # the session ended while the clock moved on
    manager.goto(disagreement_url)
    body = squash(manager.locator("main").inner_text())
    assert "Stage 2 of 4: Managers" in body
    assert "Moved up: not answered by the deadline" in body
    manager.get_by_label("Your answer").fill(
        "Agreed on review: we will reconsider the referral today."
    )
    shot(manager, "disagreement-stage-2-answer")
    manager.get_by_role("button", name="Send your answer").click()
    manager.locator(".govuk-notification-banner--success").wait_for()
    assert_accessible(manager, "a disagreement answered at stage 2")

    school = open_as(users["dsl"])
    work = squash(school.locator("main").inner_text())
    assert "answered. Record the outcome or escalate it" in work
    shot(school, "my-work-disagreement-answered")

    # 5. The front door reconsiders the same referral, from the disagreement, and accepts and
    # allocates it; the earlier decision stays in its history.
    ground = re.compile(r"Hallowford Academy: Referral to MASH")
    manager.get_by_role("link", name="Reconsider the referral's decision").click()
    manager.get_by_role("heading", name="Reconsider the decision").wait_for()
    assert manager.get_by_label(ground).is_checked()
    manager.goto(f"/referrals/{referral_id}/reconsider")  # without the disagreement chosen
    manager.get_by_role("button", name="Reconsider the decision").click()
    manager.locator(".govuk-error-summary").wait_for()
    assert_accessible(manager, "the reconsider form with errors")
    manager.get_by_label(ground).check()
    manager.get_by_label("Your reason").fill("Agreed at stage 2: the exploitation risk is real.")
    shot(manager, "referral-reconsider")
    manager.get_by_role("button", name="Reconsider the decision").click()
    manager.locator(".govuk-notification-banner--success").wait_for()
    manager.goto(f"/referrals/{referral_id}/decide")
    manager.get_by_label("Accepted for assessment").check()
    manager.locator(".sl-reveal:visible").get_by_label(
        "Risk of exploitation needs assessing"
    ).check()
    manager.get_by_role("button", name="Record the decision").click()
    manager.goto(f"/referrals/{referral_id}/allocate")
    alex = manager.locator("#worker option", has_text="Alex Smith").first.get_attribute("value")
    manager.get_by_label("Who will work with the child?").select_option(value=alex)
    manager.get_by_role("button", name="Allocate").click()
    manager.get_by_text("Alex Smith").first.wait_for()
    school.goto(referral_url)
    body = squash(school.locator("main").inner_text())
    assert "Earlier decisions" in body
    assert "Decision reconsidered" in body
    assert "Accepted for assessment" in body
    assert_accessible(school, "a reconsidered referral")
    shot(school, "referral-reconsidered")
    # The allocation started children's services' involvement with Riley (what a closure ends).
    school.goto(disagreement_url)
    school.get_by_label("The decision was changed").check()
    school.get_by_label("What was agreed or decided").fill("Accepted for assessment and allocated.")
    school.get_by_role("button", name="Record the outcome").click()
    school.locator(".govuk-notification-banner--success").wait_for()
    assert "The decision was changed" in school.locator("#outcome").inner_text()
    shot(school, "disagreement-resolved")

    # 6. The social worker proposes closure; the police object within the window.
    sw = open_as(users["sw"])
    sw.goto(f"/children/{reference}/")
    sw.get_by_role("link", name="Propose to close your agency's involvement").click()
    sw.get_by_role("heading", name="Propose to close your agency's involvement").wait_for()
    assert_accessible(sw, "the closure proposal form")
    sw.get_by_label("The child or family are not engaging").check()
    sw.get_by_role("button", name="Propose the closure").click()
    sw.locator(".govuk-error-summary").wait_for()
    assert (
        "needs a multi-agency discussion of the risk"
        in sw.locator(".govuk-error-summary").inner_text()
    )
    assert_accessible(sw, "the closure proposal form with errors")
    shot(sw, "closure-needs-discussion")
    sw.get_by_label("Record the discussion now").check()
    sw.get_by_label("When was it held?").fill("2027-03-04")
    sw.get_by_label("Who took part (names and agencies)").fill(
        "Alex Smith (children's services), Sam Lee (school), Dev Kaur (police)"
    )
    sw.get_by_label("What was said about the risk").fill(
        "Riley and his mother decline visits; the exploitation risk remains."
    )
    sw.get_by_label("Say more about the reason").fill("Three visits refused; no contact by phone.")
    sw.get_by_label("What risks remain?").fill(
        "Criminal exploitation: the older man still collects him."
    )
    sw.get_by_label("Universal services only (school, GP, health visiting)").check()
    shot(sw, "closure-propose")
    sw.get_by_role("button", name="Propose the closure").click()
    sw.get_by_role("heading", name=re.compile("proposes to close its involvement")).wait_for()
    assert "Other agencies may object until the end of 11 March 2027" in squash(
        sw.locator("main").inner_text()
    )
    assert_accessible(sw, "a closure proposal")

    police = open_as(users["police"])
    work = squash(police.locator("main").inner_text())
    assert "Closures to respond to" in work
    police.get_by_role("link", name=re.compile("proposes to close its involvement")).first.click()
    police.get_by_label("Object to the closure").check()
    police.get_by_label("Why (needed for an objection)").fill(
        "Intelligence links the man collecting Riley to a county line: do not close."
    )
    shot(police, "closure-object")
    police.get_by_role("button", name="Send your answer").click()
    police.locator(".govuk-notification-banner--success").wait_for()
    assert "Blocked: another agency objected" in police.locator("#closure-status").inner_text()
    assert_accessible(police, "a blocked closure")
    shot(police, "closure-blocked")
    tick()  # the objection's disagreement is opened by a task

    # 7. The referrer's my work and the child's story show every step.
    school = open_as(users["dsl"])
    work = squash(school.locator("main").inner_text())
    assert "Closures to respond to" in work
    shot(school, "my-work-school")
    story = story_text(school, reference)
    for step in (
        "Referral made",
        "no further action",
        "the decision (no further action) is reconsidered",
        "decided: accepted for assessment",
        "raised a professional disagreement with Shireford Children's Services",
        "moved to stage 2 (Managers) by itself",
        "was resolved at stage 2: the decision was changed",
        "Shireford Children's Services proposed to close its involvement",
        "Shireford Police objected to Shireford Children's Services's proposal",
    ):
        assert step.lower() in story.lower(), step
    # The objection is one entry: the disagreement it opens adds no second one.
    assert "shireford police raised a professional disagreement" not in story.lower()
    assert_accessible(school, "the child's page after the journey")
    shot(school, "child-story-after")


def test_a_refused_step_up_is_challenged_in_one_click(
    partnership: dict[str, Any], open_as: Any
) -> None:
    child, users = partnership["child"], partnership["users"]
    eh = open_as(users["eh"])
    eh.goto(f"/children/{child.reference}/")
    eh.get_by_role("link", name="Ask for a step up or step down").click()
    eh.get_by_role("group", name="What level of need is the child at now?").get_by_label(
        "Level 3: targeted early help"
    ).check()
    eh.get_by_role("group", name="What level are you asking for?").get_by_label(
        "Level 4: children's social care"
    ).check()
    eh.get_by_label("Which agency do you ask to decide?").select_option(
        label="Shireford Children's Services"
    )
    eh.get_by_label("Why are you asking?").fill("Unknown adult males at the home at night.")
    eh.get_by_label(re.compile("What is the risk to the child")).fill(
        "Criminal exploitation; a younger sibling."
    )
    assert_accessible(eh, "the step request form")
    shot(eh, "step-up-request")
    eh.get_by_role("button", name="Send the request").click()
    eh.get_by_role("heading", name="Step up request").wait_for()
    request_url = eh.url

    sw = open_as(users["sw"])
    assert "Step up and step down decisions waiting" in sw.locator("main").inner_text()
    sw.goto(request_url)
    sw.get_by_label("Refuse it").check()
    sw.get_by_label("The reason for the decision").fill("Needs can be met by early help.")
    sw.get_by_label("Who took part in the decision").fill(
        "Alex Smith (CSC), Ash Moss (early help) at MACE"
    )
    assert_accessible(sw, "the step decision form")
    sw.get_by_role("button", name="Record the decision").click()
    sw.locator(".govuk-notification-banner--success").wait_for()

    eh.reload()
    assert_accessible(eh, "a refused step up")
    shot(eh, "step-up-refused")
    eh.get_by_role("link", name="Disagree with this decision").click()
    eh.get_by_role("heading", name="Raise a professional disagreement").wait_for()
    assert eh.get_by_label(
        re.compile(r"Step up request to Shireford Children's Services.*refused")
    ).is_checked()
    shot(eh, "step-up-disagree")
    eh.get_by_label("What do you disagree with, and why?").fill("The risk at home is rising.")
    eh.get_by_label("What do you want to happen?").fill("Step up to children's social care.")
    eh.get_by_role("button", name="Raise the disagreement").click()
    eh.get_by_role("heading", name="Professional disagreement").wait_for()

    # The partnership sees how escalation is used, without a child's name.
    analyst = open_as(users["analyst"])
    analyst.get_by_role("link", name="Escalation report").click()
    analyst.get_by_role("heading", name="How escalation is used").wait_for()
    report = analyst.locator("main").inner_text()
    assert "Shireford Early Help" in report
    assert "Riley" not in report
    assert_accessible(analyst, "the escalation report")
    shot(analyst, "escalation-report")
