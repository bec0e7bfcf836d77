"""Closure agreement: proposing, the objection window in working days (weekends, bank
holidays, a timescale version change), an objection blocking the closure and announcing it,
closing for non-engagement only after a recorded multi-agency discussion, the involvement (and
access) ending when the window passes, and "last agency standing"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from sightline.accounts.models import Notification
from sightline.cases import closures
from sightline.cases.models import Involvement, LastAgencyFlag
from sightline.cases.signals import closure_objected
from sightline.cases.tests.world import World
from sightline.chronology.models import ChronologyEntry, EntrySubject
from sightline.chronology.tests.factories import entry_for
from sightline.core import extensions
from sightline.core.actors import CLOCK
from sightline.core.dates import LONDON
from sightline.core.errors import AccessDenied, InvalidTransition, NotFound, ValidationFailed
from sightline.core.timescales import DEFAULT_FILE
from sightline.governance import access

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2027, 3, 1, 10, 0, tzinfo=LONDON)


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2027, month, day, hour, tzinfo=LONDON)


def fields(**overrides: Any) -> closures.ClosureFields:
    values: dict[str, Any] = {
        "reason": "work_complete",
        "reason_text": "The child in need plan's goals are met.",
        "remaining_risks": "Low: school attendance to be watched.",
        "next_step": "early_help",
        **overrides,
    }
    return closures.ClosureFields(**values)


def system() -> Any:
    return access.system_scope(actor=CLOCK, purpose="test the closure clock")


def story(world: World, type: str) -> list[ChronologyEntry]:
    ids = EntrySubject.objects.filter(person=world.child).values_list("entry_id", flat=True)
    return list(ChronologyEntry.objects.filter(pk__in=ids, type=type).order_by("id"))


def test_a_proposal_tells_every_other_agency_and_opens_a_window(world, alerts):
    alerts.append(
        extensions.OpenItem(
            kind="alert", title="Missing three times in 30 days", agency="Sightline"
        )
    )
    proposal = closures.closure_propose(
        actor=world.users["sw"], person=world.child, fields=fields()
    )
    assert proposal.involvement == world.involvements["csc"]
    # 5 working days after Monday 1 March: Monday 8 March.
    assert proposal.window_ends_on == dt.date(2027, 3, 8)
    assert (proposal.timescale_key, proposal.timescale_version) == ("closure.objection_window", 1)
    assert proposal.open_items == [
        {
            "kind": "alert",
            "title": "Missing three times in 30 days",
            "agency": "Sightline",
            "status": "",
            "url": "",
        }
    ]
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    # The school (its DSL, named on its involvement) and the police (they hold records).
    assert world.users["dsl"].username in told
    assert world.users["police"].username in told
    assert world.users["sw"].username not in told
    assert world.users["stranger"].username not in told
    (entry,) = story(world, "closure_proposed")
    assert "Other agencies may object until the end of 8 March 2027" in entry.summary
    assert "Missing three times in 30 days" in entry.detail


def test_one_live_proposal_per_involvement(world):
    closures.closure_propose(actor=world.users["sw"], person=world.child, fields=fields())
    with pytest.raises(InvalidTransition) as caught:
        closures.closure_propose(actor=world.users["sw2"], person=world.child, fields=fields())
    assert "already proposed" in caught.value.message


def test_only_an_agency_working_with_the_child_proposes(world):
    with pytest.raises(InvalidTransition):
        closures.closure_propose(actor=world.users["police"], person=world.child, fields=fields())
    with pytest.raises(NotFound):
        closures.closure_propose(actor=world.users["stranger"], person=world.child, fields=fields())


def test_non_engagement_needs_a_recorded_multi_agency_discussion(world):
    with pytest.raises(ValidationFailed) as caught:
        closures.closure_propose(
            actor=world.users["sw"], person=world.child, fields=fields(reason="non_engagement")
        )
    assert "needs a multi-agency discussion of the risk" in caught.value.errors["discussion"]
    old = entry_for(world.child, agency=world.agencies["csc"], type="multi_agency_meeting",
                    occurred_at=MONDAY - dt.timedelta(days=200), summary="Old meeting.")  # fmt: skip
    with pytest.raises(ValidationFailed):
        closures.closure_propose(
            actor=world.users["sw"], person=world.child,
            fields=fields(reason="non_engagement", discussion_entry_id=old.pk),
        )  # fmt: skip
    recent = entry_for(world.child, agency=world.agencies["school"], type="strategy_discussion",
                       occurred_at=MONDAY - dt.timedelta(days=5), summary="Discussed the risk.")  # fmt: skip
    proposal = closures.closure_propose(
        actor=world.users["sw"], person=world.child,
        fields=fields(reason="non_engagement", discussion_entry_id=recent.pk),
    )  # fmt: skip
    assert proposal.discussion_entry == recent


def test_the_discussion_can_be_recorded_with_the_proposal(world):
    with pytest.raises(ValidationFailed) as caught:
        closures.closure_propose(
            actor=world.users["sw"], person=world.child,
            fields=fields(reason="non_engagement", discussion=closures.Discussion(None, "", "")),
        )  # fmt: skip
    assert set(caught.value.errors) >= {
        "discussion_held_on",
        "discussion_participants",
        "discussion_summary",
    }
    proposal = closures.closure_propose(
        actor=world.users["sw"], person=world.child,
        fields=fields(reason="non_engagement", discussion=closures.Discussion(
            dt.date(2027, 2, 26), "Alex Smith (CSC), Sam Lee (school), Dev Kaur (police)",
            "Risk of exploitation remains; the school will keep weekly contact.")),
    )  # fmt: skip
    assert proposal.discussion_entry is not None
    assert proposal.discussion_entry.type == "multi_agency_meeting"
    assert proposal.discussion_entry.occurred_at.date() == dt.date(2027, 2, 26)


def test_an_objection_blocks_the_closure_and_is_announced(world):
    proposal = closures.closure_propose(
        actor=world.users["sw"], person=world.child, fields=fields()
    )
    heard: list[dict[str, Any]] = []

    def listener(sender: Any, **kwargs: Any) -> None:
        heard.append(kwargs)

    closure_objected.connect(listener, dispatch_uid="test-listener")
    try:
        with pytest.raises(ValidationFailed) as caught:
            closures.closure_respond(
                actor=world.users["police"], proposal=proposal, kind="objection", reason=""
            )
        assert caught.value.errors == {"reason": "Enter why your agency objects"}
        with pytest.raises(AccessDenied):
            closures.closure_respond(
                actor=world.users["sw2"], proposal=proposal, kind="objection", reason="x"
            )
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            response = closures.closure_respond(
                actor=world.users["police"], proposal=proposal, kind="objection",
                reason="Intelligence says he is being exploited.",
            )  # fmt: skip
    finally:
        closure_objected.disconnect(dispatch_uid="test-listener")
    proposal.refresh_from_db()
    assert proposal.status == "blocked"
    assert heard == [
        {
            "signal": closure_objected,
            "proposal_id": proposal.pk,
            "response_id": response.pk,
            "person_id": world.child.pk,
        }
    ]
    with pytest.raises(InvalidTransition) as again:
        closures.closure_respond(
            actor=world.users["police"], proposal=proposal, kind="objection", reason="y"
        )
    assert "already answered for your agency" in again.value.message
    # Nothing to agree to once it is blocked.
    with pytest.raises(InvalidTransition):
        closures.closure_respond(
            actor=world.users["dsl"], proposal=proposal, kind="no_objection", reason=""
        )
    assert (
        "objected to Children's social care's proposal"
        in story(world, "professional_disagreement")[-1].summary
    )


def test_no_objection_in_the_window_ends_the_involvement_and_access(world, clock, alerts):
    proposal = closures.closure_propose(
        actor=world.users["sw"], person=world.child, fields=fields()
    )
    closures.closure_respond(
        actor=world.users["dsl"], proposal=proposal, kind="no_objection", reason=""
    )
    clock.move_to(at(3, 8, 23))  # the window's last day
    assert closures.closures_take_effect(scope=system()) == []
    clock.move_to(at(3, 9, 0))
    assert closures.closures_take_effect(scope=system()) == [proposal.pk]
    assert closures.closures_take_effect(scope=system()) == []
    proposal.refresh_from_db()
    assert proposal.status == "closed"
    involvement = Involvement.objects.get(pk=world.involvements["csc"].pk)
    assert involvement.ended_on == dt.date(2027, 3, 8)
    # The team-scoped grant ended with it: the social worker no longer sees the child.
    assert not access.can_view_person(world.users["sw"], world.child.pk)
    (entry,) = story(world, "case_closed")
    assert entry.author_id is None
    assert entry.agency_id == world.agencies["csc"].pk
    with pytest.raises(InvalidTransition):
        closures.closure_respond(
            actor=world.users["police"], proposal=proposal, kind="objection", reason="Late"
        )


def test_an_objection_after_the_window_is_refused(world, clock):
    proposal = closures.closure_propose(
        actor=world.users["sw"], person=world.child, fields=fields()
    )
    clock.move_to(at(3, 9, 8))
    with pytest.raises(InvalidTransition) as caught:
        closures.closure_respond(
            actor=world.users["police"], proposal=proposal, kind="objection", reason="x"
        )
    assert "window closed at the end of 8 March 2027" in caught.value.message


def test_the_window_skips_easter(world, clock):
    clock.move_to(at(3, 24))  # Wednesday before Good Friday
    proposal = closures.closure_propose(
        actor=world.users["sw"], person=world.child, fields=fields()
    )
    # Thu 25, (Fri 26, Mon 29 bank holidays), Tue 30, Wed 31, Thu 1 April, Fri 2 April.
    assert proposal.window_ends_on == dt.date(2027, 4, 2)


def test_a_new_window_version_applies_to_proposals_after_it(world, clock, tmp_path: Path, settings):
    data = yaml.safe_load(DEFAULT_FILE.read_text())
    versions = data["timescales"]["closure.objection_window"]["versions"]
    versions[0]["effective_to"] = dt.date(2027, 3, 14)
    versions.append(
        {**versions[0], "version": 2, "amount": 10, "effective_from": dt.date(2027, 3, 15)}
    )
    del versions[1]["effective_to"]
    path = tmp_path / "timescales.yaml"
    path.write_text(yaml.safe_dump(data))
    settings.TIMESCALES_FILE = str(path)
    first = closures.closure_propose(actor=world.users["sw"], person=world.child, fields=fields())
    assert (first.window_ends_on, first.timescale_version) == (dt.date(2027, 3, 8), 1)
    closures.closure_withdraw(actor=world.users["sw"], proposal=first, reason="Not yet.")
    clock.move_to(at(3, 15))
    second = closures.closure_propose(actor=world.users["sw"], person=world.child, fields=fields())
    # 10 working days after 15 March, over Easter: 31 March.
    assert (second.window_ends_on, second.timescale_version) == (dt.date(2027, 3, 31), 2)


def test_withdrawing(world):
    proposal = closures.closure_propose(
        actor=world.users["sw"], person=world.child, fields=fields()
    )
    with pytest.raises(AccessDenied):
        closures.closure_withdraw(actor=world.users["dsl"], proposal=proposal, reason="x")
    closures.closure_withdraw(
        actor=world.users["sw"], proposal=proposal, reason="Family re-engaged."
    )
    proposal.refresh_from_db()
    assert proposal.status == "withdrawn"


def test_last_agency_standing(world, clock, alerts):
    # The school and CSC both work with the child: no flag, alerts or not.
    alerts.append(extensions.OpenItem(kind="alert", title="Exploitation risk", agency="Sightline"))
    assert closures.last_agency_check(scope=system()) == ([], [])
    # CSC closes; the school is left with a child who has open alerts.
    proposal = closures.closure_propose(
        actor=world.users["sw"], person=world.child, fields=fields()
    )
    clock.move_to(at(3, 9, 1))
    closures.closures_take_effect(scope=system())
    flag = LastAgencyFlag.objects.get(cleared_at__isnull=True)
    assert flag.agency == world.agencies["school"]
    assert Notification.objects.filter(
        recipient=world.users["head_teacher"],
        subject="Your agency is the last one working with a child",
    ).exists()
    assert closures.last_agency_check(scope=system()) == ([], [])  # idempotent
    # The alert is closed: the flag clears.
    alerts.clear()
    raised, cleared = closures.last_agency_check(scope=system())
    assert (raised, cleared) == ([], [flag.pk])
    assert proposal.pk
