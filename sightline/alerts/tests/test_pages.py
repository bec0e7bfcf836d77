"""The alerts pages with the Django test client: the panel on the child's page, the alert page
with its history and forms (GOV.UK errors), the inbox and its filters, a child's alerts; what a
reader not cleared for an entry sees of a part resting on it; "not found" for a practitioner
with no relationship with the child; every page audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from sightline.alerts import services
from sightline.alerts.engine.model import Part
from sightline.alerts.models import Alert
from sightline.alerts.tasks import EVALUATOR
from sightline.alerts.tests.conftest import facts, finding, key
from sightline.core.tests.pages import page_html as text
from sightline.governance.models import AuditEvent

pytestmark = pytest.mark.django_db
SECRET = "seen getting into cars with older males"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alert(child: Any, entries: Any) -> Alert:
    """A critical alert: a part on the missing episodes (standard) and a part on the police
    intelligence (police_intelligence: not for a school or social care)."""
    missing = tuple(key(entries[m]) for m in ("m1", "m2", "m3"))
    intel = key(entries["intel"])
    parts = (
        Part("3 missing episodes in 60 days (police: 3 Oct, 12 Oct, 21 Oct)", missing, "definite"),
        Part(f"police intelligence: {SECRET} (25 Oct)", (intel,), "definite"),
    )
    services.alerts_apply(
        actor=EVALUATOR,
        person_id=child.pk,
        findings={
            "exploitation-indicators-across-agencies": (
                facts(
                    "exploitation-indicators-across-agencies",
                    title="Indicators of exploitation",
                    severity="critical",
                    themes=("exploitation", "missing"),
                ),
                finding(
                    *missing, intel, rule="exploitation-indicators-across-agencies", parts=parts
                ),
            )
        },
        on=dt.date(2026, 11, 10),
    )
    return Alert.objects.get(person=child)


def test_the_child_page_shows_the_alert_above_the_story(
    alert: Alert, child: Any, police_officer: Any, entries: Any
) -> None:
    page = text(client_for(police_officer).get(f"/children/{child.reference}/"))
    assert page.index("Indicators of exploitation") < page.index('id="story"')
    assert "Critical" in page
    assert "3 missing episodes in 60 days" in page
    assert SECRET in page
    assert "Hold a strategy discussion." in page  # the prompt
    assert "Child Q and Child S" in page
    assert "QS-LP12" in page
    ids = sorted(e.pk for e in entries.values())
    assert f"?highlight={'%2C'.join(map(str, ids))}#entry-{max(ids)}" in page
    assert f'href="/alerts/{alert.pk}/"' in page


def test_a_school_reads_who_to_contact_instead_of_the_police_intelligence(
    alert: Alert, child: Any, school_dsl: Any
) -> None:
    for path in (f"/children/{child.reference}/", f"/alerts/{alert.pk}/",
                 f"/alerts/children/{child.reference}/"):  # fmt: skip
        page = text(client_for(school_dsl).get(path))
        assert "3 missing episodes in 60 days" in page, path
        assert SECRET not in page, path
        assert "county lines" not in page, path
        assert "Hallowford Police holds relevant information: contact Hallowford Police " \
               "(01632 960200, police.safeguarding@example.org)" in page, path  # fmt: skip
    api = client_for(school_dsl).get(f"/api/alerts/{alert.pk}").json()
    assert [p["shown"] for p in api["parts"]] == [True, False]
    assert SECRET not in str(api)


def test_a_team_working_with_the_child_is_named_as_the_contact(
    alert: Alert, child: Any, school_dsl: Any, police: Any
) -> None:
    from sightline.agencies.models import Team
    from sightline.cases.models import Involvement

    team = Team.objects.create(agency=police, code="cet", name="Exploitation Team North",
                               phone="01632 960999", email="cet@example.org")  # fmt: skip
    Involvement.objects.create(
        person=child, agency=police, team=team, started_on=dt.date(2026, 1, 1)
    )
    page = text(client_for(school_dsl).get(f"/alerts/{alert.pk}/"))
    assert ("Hallowford Police holds relevant information: contact Exploitation Team North, "
            "Hallowford Police (01632 960999, cet@example.org)") in page  # fmt: skip


def test_a_practitioner_with_no_relationship_gets_not_found(
    alert: Alert, child: Any, stranger: Any
) -> None:
    client = client_for(stranger)
    for path in (f"/alerts/{alert.pk}/", f"/alerts/children/{child.reference}/",
                 "/alerts/987654/"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Jordan" not in text(response)
    for form in ("acknowledge", "action", "dismiss"):
        assert (
            client.post(f"/alerts/{alert.pk}/{form}", {"reason": "x", "action": "x"}).status_code
            == 404
        )
    assert client.get(f"/api/alerts/{alert.pk}").status_code == 404
    assert client.get(f"/api/children/{child.reference}/alerts").status_code == 404
    alert.refresh_from_db()
    assert alert.status == "open"
    assert "Jordan" not in text(client.get("/alerts/?show=all"))
    assert AuditEvent.objects.filter(action="access_refused", actor=stranger).count() >= 3


def test_acknowledging_with_an_action_from_the_page(alert: Alert, social_worker: Any) -> None:
    client = client_for(social_worker)
    inbox = text(client.get("/alerts/?show=all"))
    assert "Indicators of exploitation" in inbox
    assert "Jordan Ellis" in inbox
    response = client.post(f"/alerts/{alert.pk}/acknowledge", {"note": "Reading the record now."})
    assert response.status_code == 302
    assert response["Location"] == f"/alerts/{alert.pk}/"
    page = text(client.get(f"/alerts/{alert.pk}/"))
    assert "Alert acknowledged" in page
    assert "Jordan Ellis" not in text(client.get("/alerts/?show=all"))
    response = client.post(f"/alerts/{alert.pk}/action", {"action": "Strategy discussion held"})
    assert response.status_code == 302
    page = text(client.get(f"/alerts/{alert.pk}/"))
    assert "Action recorded" in page
    assert "Strategy discussion held" in page
    assert "Alex Smith" in page
    assert "Sightline (automatic)" in page
    history = page[page.index('id="history"') :]
    assert (
        history.index("Action recorded") < history.index("Acknowledged") < history.index("Raised")
    )


def test_an_action_in_own_words(alert: Alert, social_worker: Any) -> None:
    client = client_for(social_worker)
    client.post(f"/alerts/{alert.pk}/action", {"action": "__own__", "own_action": "Called the DSL"})
    alert.refresh_from_db()
    assert alert.status == "actioned"
    assert alert.events.get(kind="actioned").action == "Called the DSL"


@pytest.mark.parametrize(
    ("form", "data", "message", "anchor"),
    [
        ("dismiss", {"reason": ""}, "Enter why you are dismissing this alert", "#reason"),
        (
            "action",
            {"action": "__own__", "own_action": ""},
            "Select the action taken, or describe it",
            "#action",
        ),
        (
            "action",
            {"action": "Not one of them"},
            "Select the action taken, or describe it",
            "#action",
        ),
        (
            "acknowledge",
            {"note": "x" * 2001},
            "The note must be 2,000 characters or fewer",
            "#acknowledge-note",
        ),
    ],
)
def test_form_errors_are_govuk_errors(
    alert: Alert, social_worker: Any, form: str, data: dict[str, str], message: str, anchor: str
) -> None:
    response = client_for(social_worker).post(f"/alerts/{alert.pk}/{form}", data)
    assert response.status_code == 400
    page = text(response)
    assert "There is a problem" in page
    assert message in page
    assert f'href="{anchor}"' in page
    assert "<title>Error:" in page
    alert.refresh_from_db()
    assert alert.status == "open"


def test_dismissing_twice_says_who_did_it_first(alert: Alert, social_worker: Any) -> None:
    client = client_for(social_worker)
    client.post(f"/alerts/{alert.pk}/dismiss", {"reason": "Known and planned for."})
    response = client.post(f"/alerts/{alert.pk}/dismiss", {"reason": "Again."})
    assert response.status_code == 400
    assert "already been dismissed by" in text(response)


def test_the_inbox_filters_and_orders(
    alert: Alert, child: Any, mash_manager: Any, entries: Any
) -> None:
    services.alerts_apply(
        actor=EVALUATOR, person_id=child.pk,
        findings={"cin-review-overdue": (facts("cin-review-overdue", title="CIN review overdue",
                  severity="medium", themes=("statutory",)), finding(key(entries["m1"]), rule="cin-review-overdue"))},
        on=dt.date(2026, 11, 10),
    )  # fmt: skip
    client = client_for(mash_manager)
    page = text(client.get("/alerts/"))
    assert page.index("Indicators of exploitation") < page.index("CIN review overdue")  # severity
    assert "<strong>2</strong> alerts (1 critical, 1 medium)" in page

    def listed(query: str) -> str:
        page = text(client.get(f"/alerts/{query}"))
        return page[page.index("sl-results") :]

    page = listed("?theme=statutory")
    assert "CIN review overdue" in page
    assert "Indicators of exploitation" not in page
    page = listed("?rule=exploitation-indicators-across-agencies")
    assert "CIN review overdue" not in page
    assert "Indicators of exploitation" in page
    page = text(client.get("/alerts/?rule=no-such-rule&theme=nope&team=abc&show=x"))
    for message in ("Select a rule from the list", "Select a theme from the list",
                    "Select a team from the list", "Select whose alerts to show"):  # fmt: skip
        assert message in page
    assert AuditEvent.objects.filter(action="alerts_listed", actor=mash_manager).count() == 4


def test_the_inbox_per_practitioner_and_per_team(alert: Alert, child: Any, csc: Any) -> None:
    from sightline.agencies.models import Team
    from sightline.agencies.tests.factories import practitioner
    from sightline.cases.models import Involvement

    team = Team.objects.create(agency=csc, code="north", name="North")
    other = Team.objects.create(agency=csc, code="south", name="South")
    mine = practitioner("social_worker", agency=csc, team=team)
    theirs = practitioner("social_worker", agency=csc, team=other)
    Involvement.objects.create(person=child, agency=csc, team=team, practitioner_email=mine.email,
                               started_on=dt.date(2026, 1, 1))  # fmt: skip

    def listed(user: Any, query: str = "") -> bool:
        return "Jordan Ellis" in text(client_for(user).get(f"/alerts/{query}"))

    assert listed(mine)  # their team's, by default
    assert listed(mine, "?show=mine")
    assert not listed(theirs)  # not their team's
    assert not listed(theirs, "?show=mine")
    assert listed(theirs, "?show=all")
    assert listed(theirs, f"?show=all&team={team.pk}")
    assert not listed(theirs, f"?show=all&team={other.pk}")


def test_the_story_highlights_the_evidence_it_was_opened_for(
    alert: Alert, child: Any, police_officer: Any, entries: Any
) -> None:
    m2 = entries["m2"]
    page = text(client_for(police_officer).get(f"/children/{child.reference}/?highlight={m2.pk}"))
    assert "1 entry is highlighted" in page
    item = page[page.index(f'id="entry-{m2.pk}"') - 120 : page.index(f'id="entry-{m2.pk}"')]
    assert "sl-entry--highlighted" in item
    assert page.count("sl-entry--highlighted") == 1
    # Nonsense is ignored, never an error.
    assert (
        client_for(police_officer).get(f"/children/{child.reference}/?highlight=x,,1e9").status_code
        == 200
    )


def test_the_nav_offers_alerts_to_those_who_see_children(social_worker: Any, alert: Alert) -> None:
    from sightline.agencies.tests.factories import AgencyFactory, practitioner

    assert 'href="/alerts/"' in text(client_for(social_worker).get("/children/"))
    analyst = practitioner("analyst", agency=AgencyFactory.create(code="insight", kind="other"))
    assert client_for(analyst).get("/alerts/").status_code == 403


@pytest.mark.parametrize("form", ["acknowledge", "action", "dismiss"])
def test_whatever_is_posted_the_forms_never_fail(
    alert: Alert, social_worker: Any, form: str
) -> None:
    """Anything a browser may send (any text, control characters, very long, missing fields):
    a GOV.UK error (400) or the decision (302), never a 500."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    client = client_for(social_worker)
    words = st.text(max_size=3000)

    @settings(max_examples=40, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
    @given(data=st.dictionaries(st.sampled_from(["note", "reason", "action", "own_action"]), words))
    def post(data: dict[str, str]) -> None:
        Alert.objects.filter(pk=alert.pk).update(status="open")
        response = client.post(f"/alerts/{alert.pk}/{form}", data)
        assert response.status_code in (302, 400), response.status_code

    post()
