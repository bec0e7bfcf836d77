"""`sightline demo`: one account per role, a county imported once, a walkthrough child every
walkthrough account may see; a second run changes nothing and says so."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sightline.accounts.models import User
from sightline.agencies.models import Membership
from sightline.agencies.selectors import heads_of_service_for
from sightline.governance import access
from sightline.records.models import ImportBatch
from sightline.synth.management.commands import demo

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def run_demo(data: Path, link: str = "skip", children: int = 150) -> str:
    out = io.StringIO()
    call_command(
        "demo",
        "--children",
        str(children),
        "--seed",
        "3",
        "--data",
        str(data),
        "--link",
        link,
        "--port",
        "8123",
        stdout=out,
    )
    return out.getvalue()


def test_demo_sets_up_once_and_reuses_everything(tmp_path: Path) -> None:
    data = tmp_path / "demo-data"
    first = run_demo(data)

    assert "15 agencies created, 10 feeds created, 4 teams created, 17 accounts created" in first
    assert (data / "manifest.json").exists()
    assert ImportBatch.objects.filter(status=ImportBatch.Status.IMPORTED).exists()
    assert "http://127.0.0.1:8123/" in first
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == {
        "social_worker",
        "mash_manager",
        "school_dsl",
        "police_officer",
        "health_nurse",
        "analyst",
        "sysadmin",
        "data_officer",
        "team_manager",
        "head_of_service",
        "auditor",
    }
    # A team manager and a head of service for the MASH and social care, the school, the
    # police and the hospital; the school's manager works at the safeguarding lead's school.
    for kind in ("childrens_social_care", "school", "police", "health_ae"):
        assert Membership.objects.filter(role="team_manager", agency__code=kind).exists(), kind
        assert Membership.objects.filter(role="head_of_service", agency__code=kind).exists(), kind
    dsl_team = Membership.objects.get(role="school_dsl").team
    school_manager = Membership.objects.get(role="team_manager", agency__code="school")
    assert school_manager.team == dsl_team
    mash_team = Membership.objects.get(role="mash_manager").team
    assert mash_team is not None
    head = User.objects.get(username="head.of.service@csc.example.org")
    assert head in heads_of_service_for(mash_team)
    assert "Managers: " in first
    for spec in demo.ACCOUNTS:
        user = User.objects.get(username=spec.email)
        assert user.check_password(demo.DEMO_PASSWORD)
        assert spec.email in first
    dsl = Membership.objects.get(role="school_dsl")
    assert dsl.team is not None, "the school safeguarding lead works in one school"

    walk = demo.find_walkthrough_child(data, prefer=demo.remembered_walkthrough(data))
    assert walk is not None
    assert f"children/{walk.person.reference}/" in first
    for spec in demo.ACCOUNTS:
        user = User.objects.get(username=spec.email)
        sees = access.can_view_person(user, walk.person.pk)
        if spec.walkthrough or spec.role == "mash_manager":
            assert sees, f"{spec.label} cannot see the walkthrough child"
        elif spec.role in ("analyst", "sysadmin", "data_officer"):
            assert not sees, f"{spec.label} should not see a named child"

    batches = ImportBatch.objects.count()
    second = run_demo(data)
    assert "agencies in place, feeds in place, teams in place, accounts in place" in second
    assert "team managers and heads of service in place" in second
    assert "every feed already imported" in second
    assert f"children/{walk.person.reference}/" in second
    assert ImportBatch.objects.count() == batches


def test_a_different_county_over_an_imported_one_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "demo-data"
    run_demo(data)
    with pytest.raises(CommandError, match="make clean"):
        call_command(
            "demo",
            "--children",
            "120",
            "--data",
            str(data),
            "--link",
            "skip",
            stdout=io.StringIO(),
        )


@pytest.mark.django_db(transaction=True)  # the import announces each batch once committed
def test_the_demo_queues_one_link_run_that_the_servers_tick_does(tmp_path: Path) -> None:
    """`make demo` is `sightline demo --link background` then `sightline serve`: the import
    links nothing with the model but queues it, once for every feed; the server's clock
    (`sightline tick`, every minute) links them in one run."""
    from sightline.core.models import Task
    from sightline.identity import tasks
    from sightline.identity.models import LinkRun

    first = run_demo(tmp_path / "demo-data", link="background")
    assert ImportBatch.objects.filter(status=ImportBatch.Status.IMPORTED).count() > 1
    assert not LinkRun.objects.exists(), "nothing is linked by the model while the demo imports"
    task = Task.objects.get(name=tasks.LINK)
    assert task.status == "pending"
    # Each import also asks for its referral lines to be put on the referral clocks, and for the
    # alert rules to be evaluated for the children it touched.
    assert set(Task.objects.values_list("name", flat=True)) == {
        tasks.LINK,
        "referrals.from_feed",
        "alerts.evaluate",
    }
    assert "links the rest in the background once Sightline is served" in first

    out = io.StringIO()
    call_command("tick", stdout=out)
    assert f"done: {tasks.LINK} (task {task.pk})" in out.getvalue()
    assert not Task.objects.exclude(status="done").exists()
    full = LinkRun.objects.get(kind=LinkRun.Kind.FULL)
    assert full.status == LinkRun.Status.DONE
    assert full.counts["merged"] > 0

    again = run_demo(tmp_path / "demo-data", link="background")
    assert "Linking: every record linked" in again
    assert Task.objects.filter(status="pending").count() == 0


def test_no_former_school_keeps_a_pupil_in_view(tmp_path: Path) -> None:
    """A safeguarding lead of each school sees exactly the pupils the school has a current
    involvement with: none whose time there has ended (the walkthrough child, whom the demo may
    grant by hand, aside)."""
    from sightline.agencies.models import Agency, Team
    from sightline.agencies.tests.factories import MembershipFactory
    from sightline.cases.models import Involvement
    from sightline.core import clock

    data = tmp_path / "demo-data"
    run_demo(data, children=300)
    walk = demo.find_walkthrough_child(data, prefer=demo.remembered_walkthrough(data))
    schools = Agency.objects.get(code=demo.SCHOOLS)
    today = clock.today()
    pairs: dict[tuple[int, int], bool] = {}
    for person_id, team_id, ended_on in Involvement.objects.filter(agency=schools).values_list(
        "person_id", "team_id", "ended_on"
    ):
        current = ended_on is None or ended_on >= today
        pairs[(person_id, team_id)] = pairs.get((person_id, team_id), False) or current
    ended = [pair for pair, current in pairs.items() if not current]
    assert len(ended) > 50, "the county should have pupils who changed school"
    leads = {
        team.pk: MembershipFactory.create(role="school_dsl", agency=schools, team=team).user
        for team in Team.objects.filter(agency=schools)
    }
    for (person_id, team_id), current in pairs.items():
        if walk is not None and person_id == walk.person.pk:
            continue
        sees = access.can_view_person(leads[team_id], person_id)
        assert sees is current, (person_id, team_id, current)
