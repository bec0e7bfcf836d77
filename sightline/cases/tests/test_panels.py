"""Who is involved, on the child's page: lead first, ended involvements folded away, scoped
to the viewer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from sightline.agencies.models import Team
from sightline.agencies.tests.factories import practitioner
from sightline.cases.models import Involvement
from sightline.cases.panels import involvements_panel
from sightline.cases.selectors import involvements_for
from sightline.chronology.tests.factories import new_agency, new_person
from sightline.core.extensions import panels_for
from sightline.governance import access

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    csc = new_agency(
        code="csc",
        name="Children's social care",
        kind="childrens_social_care",
        phone="01632 960100",
        email="csc@example.org",
    )
    school = new_agency(code="school", name="Brackenby Academy", kind="school")
    camhs = new_agency(code="camhs", name="CAMHS", kind="camhs")
    child = new_person(given_names="Jordan", family_name="Ellis")
    access.grant(person_id=child.pk, agency_id=csc.pk, basis="involvement")
    team = Team.objects.create(
        agency=csc,
        code="cin",
        name="Children in Need Team",
        phone="01632 960111",
        email="cin@example.org",
    )
    Involvement.objects.create(
        person=child,
        agency=school,
        practitioner_name="Priya Shah",
        practitioner_role="Designated safeguarding lead",
        practitioner_email="dsl@example.org",
        started_on=dt.date(2016, 9, 1),
    )
    Involvement.objects.create(
        person=child,
        agency=csc,
        team=team,
        practitioner_name="Alex Smith",
        practitioner_role="Social worker",
        is_lead=True,
        started_on=dt.date(2020, 6, 18),
    )
    Involvement.objects.create(
        person=child,
        agency=camhs,
        practitioner_name="Dr Ward",
        started_on=dt.date(2014, 3, 1),
        ended_on=dt.date(2020, 2, 14),
    )
    viewer = practitioner("social_worker", agency=csc)
    return child, viewer


def test_lead_first_then_by_agency_and_ended_last(setting):
    child, viewer = setting
    names = [i.practitioner_name for i in involvements_for(viewer=viewer, person=child)]
    assert names == ["Alex Smith", "Priya Shah", "Dr Ward"]


def test_panel_separates_ended_and_falls_back_to_the_teams_number(setting):
    child, viewer = setting
    panel = involvements_panel(viewer, child)
    assert panel is not None
    assert panel.template == "cases/_involvements.html"
    lead, school = panel.context["current"]
    assert (lead.name, lead.is_lead, lead.team) == ("Alex Smith", True, "Children in Need Team")
    assert (lead.phone, lead.email) == ("01632 960111", "cin@example.org")  # the team's
    assert (school.since, school.email) == ("1 September 2016", "dsl@example.org")
    assert [i.name for i in panel.context["ended"]] == ["Dr Ward"]
    assert panel.context["ended"][0].ended == "14 February 2020"


def test_unrelated_viewer_sees_no_involvements(setting):
    child, _ = setting
    stranger = practitioner(
        "social_worker", agency=new_agency(code="x", kind="childrens_social_care")
    )
    assert involvements_for(viewer=stranger, person=child) == []


def test_panel_is_registered_for_the_childs_page(setting):
    child, viewer = setting
    templates = [p.template for p in panels_for("child", "summary", viewer, child)]
    assert "cases/_involvements.html" in templates


def test_childs_page_shows_who_is_involved(client, setting):
    child, viewer = setting
    client.force_login(viewer)
    html = client.get(reverse("chronology:child", args=[child.reference])).content.decode()
    assert "Who is involved" in html
    assert "Alex Smith, Social worker" in html
    assert 'href="tel:01632960111"' in html
    assert "Show 1 ended involvement" in html
    assert html.index("Alex Smith") < html.index("Priya Shah") < html.index("Dr Ward")
