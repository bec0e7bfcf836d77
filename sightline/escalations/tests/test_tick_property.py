"""The clocks are idempotent: whatever the interleaving of `tick` runs (repeated at one instant)
with the workflow's actions (a referral made, decided, allocated; a disagreement raised and
answered; a closure proposed and objected to) while time moves over a weekend and the Easter
bank holidays, no notification, email, escalation step or story entry is made twice, and the
end state is the one a single tick after each action gives."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.test import TestCase
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sightline.accounts import outbox
from sightline.accounts.models import Notification, OutboxEmail
from sightline.agencies.tests.factories import practitioner
from sightline.cases import closures
from sightline.cases.models import ClosureProposal, Involvement
from sightline.cases.tests.world import World, build_world
from sightline.chronology.models import ChronologyEntry, EntrySubject
from sightline.core.dates import LONDON
from sightline.core.errors import DomainError
from sightline.core.models import Task
from sightline.core.tick import tick
from sightline.escalations.models import Escalation, EscalationStage
from sightline.escalations.services import RaiseFields, escalation_raise, escalation_respond
from sightline.referrals import services as referrals
from sightline.referrals.models import Referral, ReferralEscalation

pytestmark = pytest.mark.django_db

# Thursday 25 March 2027, 09:00 in England: Good Friday (26th) and Easter Monday (29th) are
# bank holidays, so a few days' waits cross a long weekend.
START = dt.datetime(2027, 3, 25, 9, 0, tzinfo=LONDON)

ACTIONS = st.sampled_from(
    ["refer", "decide_nfa", "decide_accept", "allocate", "disagree", "respond", "propose", "object"]
)
WAITS = st.sampled_from(
    [
        dt.timedelta(minutes=3),
        dt.timedelta(hours=2),
        dt.timedelta(hours=9),
        dt.timedelta(days=1),
        dt.timedelta(days=3),
    ]
)
# A step: ("act", action, ticks after it: 1 or more), ("wait", how long), or ("tick", how many).
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("act"), ACTIONS, st.integers(1, 3)),
        st.tuples(st.just("wait"), WAITS),
        st.tuples(st.just("tick"), st.integers(1, 3)),
    ),
    min_size=3,
    max_size=10,
)


@contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def beat() -> None:
    """One `sightline tick`, with the after-commit announcements it makes delivered."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        tick()


def _latest(queryset: Any) -> Any:
    return queryset.order_by("-pk").first()


def act(world: World, name: str, n: int) -> str:
    """Do one action on the newest record it applies to; what happened, in words (a refusal's
    message, or "nothing to do")."""
    users, child = world.users, world.child
    try:
        with TestCase.captureOnCommitCallbacks(execute=True):
            if name == "refer":
                referrals.referral_make(
                    actor=users["dsl"],
                    person=child,
                    fields=referrals.ReferralFields(
                        service="mash",
                        concerns=f"Concern number {n}: seen at night with older males.",
                        family_knows="Mother told on the phone.",
                        consent="yes",
                        consent_note="",
                        risk="significant_harm",
                        risk_note="Signs of criminal exploitation.",
                    ),
                )
            elif name in ("decide_nfa", "decide_accept"):
                referral = _latest(Referral.objects.filter(decision=""))
                if referral is None:
                    return "nothing to do"
                accept = name == "decide_accept"
                referrals.referral_decide(
                    actor=users["mash"],
                    referral_id=referral.pk,
                    expected_version=referral.version,
                    fields=referrals.DecisionFields(
                        decision="accepted_for_assessment" if accept else "no_further_action",
                        reasons=("exploitation_risk",) if accept else ("threshold_not_met",),
                        text="Discussed at the MASH.",
                    ),
                )
            elif name == "allocate":
                referral = _latest(
                    Referral.objects.filter(
                        decision="accepted_for_assessment", allocated_to__isnull=True
                    )
                )
                if referral is None:
                    return "nothing to do"
                referrals.referral_allocate(
                    actor=users["mash"],
                    referral_id=referral.pk,
                    expected_version=referral.version,
                    worker_id=users["mash_worker"].pk,
                )
            elif name == "disagree":
                referral = _latest(Referral.objects.exclude(decision=""))
                if referral is None:
                    return "nothing to do"
                escalation_raise(
                    actor=users["dsl"],
                    person=child,
                    fields=RaiseFields(
                        subject_kind="referral",
                        subject_id=referral.pk,
                        subject_label="",
                        about_agency_id=None,
                        disagreement="He told us an older man collects him after school.",
                        outcome_sought="Accept the referral for assessment.",
                    ),
                )
            elif name == "respond":
                escalation = _latest(Escalation.objects.filter(status=Escalation.Status.OPEN))
                if escalation is None:
                    return "nothing to do"
                about = "mash" if escalation.about_agency.code == "mash" else "sw"
                escalation_respond(
                    actor=users[about],
                    escalation=escalation,
                    stage=escalation.stage,
                    response="We have looked again at the referral.",
                )
            elif name == "propose":
                closures.closure_propose(
                    actor=users["sw"],
                    person=child,
                    fields=closures.ClosureFields(
                        reason="work_complete",
                        reason_text="The plan's goals are met.",
                        remaining_risks="Low: school attendance to be watched.",
                        next_step="early_help",
                    ),
                )
            elif name == "object":
                proposal = _latest(
                    ClosureProposal.objects.filter(status=ClosureProposal.Status.PROPOSED)
                )
                if proposal is None:
                    return "nothing to do"
                closures.closure_respond(
                    actor=users["police"],
                    proposal=proposal,
                    kind="objection",
                    reason="Intelligence links the man collecting him to a county line.",
                )
    except DomainError as refused:
        return f"refused: {type(refused).__name__}: {refused}"
    return "done"


def run(world: World, steps: list[tuple[Any, ...]], *, collapse: bool, moving: Any) -> list[str]:
    """Run the steps from START; with `collapse`, every burst of ticks is a single tick."""
    mail.outbox.clear()
    now = START
    outcomes = []
    for i, step in enumerate(steps):
        if step[0] == "act":
            outcomes.append(act(world, step[1], i))
            for _ in range(1 if collapse else step[2]):
                beat()
        elif step[0] == "wait":
            now += step[1]
            moving.move_to(now)
        else:
            for _ in range(1 if collapse else step[1]):
                beat()
    beat()  # the end: whatever is due now has been done
    # The outbox job takes one slot a minute and the clock stands still, so the emails of the
    # last minute go out at the next: send them now (twice: a second send finds nothing).
    outbox.send_due()
    outbox.send_due()
    return outcomes


class Ids:
    """Numbers in keys and paths (database ids, which differ between runs) renamed by order of
    first appearance, in the namespace of the word before them ("referral:42", "/closures/7/",
    "answered:3:12": the 12 is the second number after "answered"), so two runs' records
    compare."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], str] = {}

    def __call__(self, text: str) -> str:
        parts = re.split(r"([:/])", text)
        word, after = "", 0
        for i, part in enumerate(parts):
            if part.isdigit():
                kind = f"{word}.{after}"
                after += 1
                count = sum(1 for k, _ in self.seen if k == kind)
                parts[i] = self.seen.setdefault((kind, part), f"{kind}#{count}")
            elif part not in (":", "/", ""):
                word, after = part.rstrip("s"), 0
        return "".join(parts)


def story(world: World) -> list[ChronologyEntry]:
    ids = EntrySubject.objects.filter(person=world.child).values_list("entry_id", flat=True)
    return list(ChronologyEntry.objects.filter(pk__in=ids).order_by("pk"))


def check_nothing_twice(world: World) -> None:
    told = [(n.recipient_id, n.subject, n.body, n.url) for n in Notification.objects.all()]
    assert len(told) == len(set(told)), "a notification was made twice"
    sent = [(tuple(m.to), m.subject, m.body) for m in mail.outbox]
    assert len(sent) == len(set(sent)), "an email was sent twice"
    assert len(sent) == OutboxEmail.objects.filter(status=OutboxEmail.Status.SENT).count()
    assert not OutboxEmail.objects.exclude(status=OutboxEmail.Status.SENT).exists()
    for escalation in Escalation.objects.all():
        numbers = list(
            EscalationStage.objects.filter(escalation=escalation)
            .order_by("number")
            .values_list("number", flat=True)
        )
        assert numbers == list(range(1, escalation.stage + 1)), "a stage was begun twice"
    levels = list(ReferralEscalation.objects.values_list("clock_id", "level"))
    assert len(levels) == len(set(levels)), "a clock was escalated twice"
    entries = [(e.type, e.summary, e.detail) for e in story(world)]
    assert len(entries) == len(set(entries)), "a story entry was written twice"
    # One story entry for each disagreement raised, an objection's included.
    opened = [
        e
        for e in story(world)
        if e.type == "professional_disagreement"
        and ("raised a professional disagreement" in e.summary or " objected to " in e.summary)
    ]
    assert len(opened) == Escalation.objects.count()
    failed = list(Task.objects.filter(status=Task.Status.FAILED).values_list("name", "last_error"))
    assert not failed, failed


def state(world: World) -> dict[str, Any]:
    ids = Ids()
    reference = world.child.reference
    numbers = [
        (re.compile(rf"\b(referral) {pk}\b", re.IGNORECASE), rf"\1 R{k}")
        for k, pk in enumerate(Referral.objects.order_by("pk").values_list("pk", flat=True))
    ]

    def words(text: str) -> str:
        """The text with the child's reference and the referrals' numbers (ids) renamed."""
        text = text.replace(reference, "REF")
        for pattern, name in numbers:
            text = pattern.sub(name, text)
        return text

    who = {user.pk: name for name, user in world.users.items()}  # factory usernames differ
    emails = {user.email: name for name, user in world.users.items()}
    return {
        "notifications": [
            (
                who[n.recipient_id],
                ids(n.key),
                words(n.subject),
                words(n.body),
                ids(n.url.replace(reference, "REF")),
                n.read_at is None,
            )
            for n in Notification.objects.order_by("pk")
        ],
        "emails": sorted((emails[m.to[0]], words(str(m.subject))) for m in mail.outbox),
        "referrals": [
            (r.status, r.decision, r.allocated_to_id is not None, r.version)
            for r in Referral.objects.order_by("pk")
        ],
        "referral_escalations": sorted(
            ReferralEscalation.objects.values_list("clock__clock", "level")
        ),
        "escalations": [
            (
                e.status,
                e.stage,
                e.subject_kind,
                e.stage_due_on,
                list(e.stages.order_by("number").values_list("number", "start", "end", "due_on")),
            )
            for e in Escalation.objects.order_by("pk")
        ],
        "closures": list(ClosureProposal.objects.order_by("pk").values_list("status", flat=True)),
        "involvements": sorted(Involvement.objects.values_list("agency__code", "ended_on")),
        "story": [(e.type, words(e.summary), words(e.detail)) for e in story(world)],
    }


def partnership() -> World:
    world = build_world()
    # Someone at the MASH to allocate to, and its head of service for the clocks' second level.
    world.users["mash_worker"] = practitioner(
        "social_worker", agency=world.agencies["mash"], team=world.teams["front"]
    )
    world.users["mash_head"] = practitioner("head_of_service", agency=world.agencies["mash"])
    for key, (first, last) in {
        "mash_worker": ("Kit", "Moss"),
        "mash_head": ("Hilary", "Stone"),
    }.items():
        user = world.users[key]
        user.first_name, user.last_name = first, last  # the same names in every run
        user.save()
    return world


def one_run(steps: list[tuple[Any, ...]], *, collapse: bool) -> tuple[list[str], dict[str, Any]]:
    with rolled_back(), time_machine.travel(START, tick=False) as moving:
        world = partnership()
        outcomes = run(world, steps, collapse=collapse, moving=moving)
        check_nothing_twice(world)
        return outcomes, state(world)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(steps=STEPS)
def test_repeated_ticks_change_nothing_a_single_tick_would_not(
    steps: list[tuple[Any, ...]],
) -> None:
    repeated, after_repeated = one_run(steps, collapse=False)
    single, after_single = one_run(steps, collapse=True)
    assert repeated == single
    for part, value in after_single.items():
        assert after_repeated[part] == value, part


def test_the_whole_workflow_through_the_easter_weekend() -> None:
    """A fixed run through every action and the long weekend: the property's example that
    reaches every clock (a referral decision overdue, a disagreement moving up by itself, an
    objection opening one)."""
    steps: list[tuple[Any, ...]] = [
        ("act", "refer", 2),
        ("wait", dt.timedelta(days=3)),  # Sunday: the decision is due on Tuesday
        ("tick", 3),
        ("wait", dt.timedelta(days=3)),  # Wednesday: overdue
        ("tick", 2),
        ("act", "decide_nfa", 2),
        ("act", "disagree", 3),
        ("act", "refer", 1),
        ("act", "decide_accept", 2),
        ("act", "allocate", 2),
        ("act", "propose", 1),
        ("act", "object", 3),
        ("wait", dt.timedelta(days=3)),
        ("tick", 2),
        ("wait", dt.timedelta(days=3)),
        ("tick", 2),
        ("act", "respond", 2),
    ]
    repeated, after = one_run(steps, collapse=False)
    assert repeated.count("done") == len([s for s in steps if s[0] == "act"]), repeated
    single, after_single = one_run(steps, collapse=True)
    assert repeated == single
    for part, value in after_single.items():
        assert after[part] == value, part
    assert after["referral_escalations"], "the decision clock ran out over the weekend"
    assert any(stage > 1 for _, stage, *_ in after["escalations"]), "a stage moved up"
    assert [kind for _, _, kind, *_ in after["escalations"]] == ["referral", "closure"]
