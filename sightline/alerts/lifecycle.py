"""What an evaluation does to a child's alert for one rule: the lifecycle as a pure function.

`next_step(state, finding, on=...)` takes what is stored of the latest alert for (child, rule)
(an `AlertState`, or None when there has never been one) and what the engine found today (a
`Finding`, or None when the rule does not hold), and says what to do. The services carry it
out; `sightline replay` can follow the same steps. The rules (docs/alerts.md, ADR 16):

- Nothing stored and the rule holds: raise an alert.
- An open alert (new, or acknowledged but not yet decided, see below) whose finding brings
  evidence it has never rested on: add it (the alert grows, its history says what is new).
  The same evidence with different words or certainty (a corrected date): refresh it quietly.
- An acknowledged, actioned or dismissed alert (decided): nothing within its suppression
  window unless new evidence arrives; new evidence re-opens it and says what is new since the
  decision. After the window, a rule that still holds re-opens it as a reminder.
- A decided alert whose rule stopped holding and now holds again with new evidence is a new
  concern: a new alert is raised.
- The rule no longer holds: the alert is marked so (people decide what that means; the system
  never closes a concern by itself).

The same facts never change anything twice: every step but "nothing" changes the state so that
the same finding the next time is "nothing"."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum

from sightline.alerts.engine.model import Finding

OPEN = "open"
ACKNOWLEDGED = "acknowledged"
DECIDED = frozenset({"acknowledged", "actioned", "dismissed"})


class StepKind(StrEnum):
    NOTHING = "nothing"
    RAISE = "raise"  # a new alert
    ADD_EVIDENCE = "add_evidence"  # an open alert grows
    REFRESH = "refresh"  # same evidence, other words or certainty: no event
    REOPEN = "reopen"  # a decided alert, new evidence since the decision
    REMIND = "remind"  # a decided alert, its window passed and it still holds
    STOPPED = "stopped"  # the rule no longer holds
    HOLDS_AGAIN = "holds_again"  # an open alert whose rule holds again, nothing new


@dataclass(frozen=True, slots=True)
class AlertState:
    """What the lifecycle needs of the latest stored alert for one child and rule."""

    status: str
    seen: frozenset[str]  # every evidence key it has rested on
    fingerprint: str
    holds: bool
    first_held_on: dt.date
    suppressed_until: dt.date | None  # decided alerts


@dataclass(frozen=True, slots=True)
class Step:
    kind: StepKind
    added: tuple[str, ...] = ()  # the evidence keys that are new (raise: all of them)


NOTHING = Step(StepKind.NOTHING)


def fingerprint(finding: Finding) -> str:
    """What an alert shows of a finding, as a digest: a change means a refresh is due."""
    data = [
        finding.rule,
        finding.version,
        finding.certainty,
        finding.first_held_on.isoformat(),
        list(finding.evidence),
        [[p.text, list(p.evidence), p.certainty, p.negative] for p in finding.parts],
    ]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


def _new_run(state: AlertState, finding: Finding) -> bool:
    """The rule stopped holding since the alert's run began, and holds again now: seen by an
    evaluation, or told by the finding's later first day (a run that began again while no
    evaluation looked)."""
    return not state.holds or finding.first_held_on > state.first_held_on


def next_step(state: AlertState | None, finding: Finding | None, *, on: dt.date) -> Step:
    if finding is None:
        if state is not None and state.holds and state.status in (OPEN, *DECIDED):
            return Step(StepKind.STOPPED)
        return NOTHING
    if state is None or state.status not in (OPEN, *DECIDED):
        return Step(StepKind.RAISE, tuple(finding.evidence))
    added = tuple(key for key in finding.evidence if key not in state.seen)
    if state.status == OPEN:
        if added:
            return Step(StepKind.ADD_EVIDENCE, added)
        if not state.holds:
            return Step(StepKind.HOLDS_AGAIN)
        if fingerprint(finding) != state.fingerprint:
            return Step(StepKind.REFRESH)
        return NOTHING
    # Decided (acknowledged, actioned or dismissed).
    if added:
        if _new_run(state, finding):
            return Step(StepKind.RAISE, added)
        return Step(StepKind.REOPEN, added)
    if state.suppressed_until is not None and on >= state.suppressed_until:
        return Step(StepKind.REMIND)
    if not state.holds:
        # It holds again within the window, on facts already decided on: nothing to say, but
        # the alert must know it holds, or the next change would be taken for a new run.
        return Step(StepKind.HOLDS_AGAIN)
    return NOTHING
