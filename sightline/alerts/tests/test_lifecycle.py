"""The lifecycle as a pure function (alerts.lifecycle.next_step): a table of cases, and a
property: the same finding twice never changes anything the second time."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from sightline.alerts.lifecycle import AlertState, StepKind, fingerprint, next_step
from sightline.alerts.tests.conftest import finding

ON = dt.date(2026, 12, 1)


def state(status: str = "open", seen: tuple[str, ...] = ("a",), **changes: object) -> AlertState:
    f = finding(*seen)
    values: dict[str, object] = {
        "status": status,
        "seen": frozenset(seen),
        "fingerprint": fingerprint(f),
        "holds": True,
        "first_held_on": f.first_held_on,
        "suppressed_until": None if status == "open" else ON + dt.timedelta(days=10),
    }
    values.update(changes)
    return AlertState(**values)  # type: ignore[arg-type]


def test_nothing_stored_and_it_holds_raises() -> None:
    step = next_step(None, finding("a", "b"), on=ON)
    assert step.kind == StepKind.RAISE
    assert step.added == ("a", "b")


def test_nothing_stored_and_nothing_found_is_nothing() -> None:
    assert next_step(None, None, on=ON).kind == StepKind.NOTHING


def test_an_open_alert_grows_with_new_evidence_only() -> None:
    assert next_step(state(), finding("a"), on=ON).kind == StepKind.NOTHING
    step = next_step(state(), finding("a", "b"), on=ON)
    assert step.kind == StepKind.ADD_EVIDENCE
    assert step.added == ("b",)


def test_the_same_evidence_in_other_words_is_a_quiet_refresh() -> None:
    assert next_step(state(), finding("a", certainty="possible"), on=ON).kind == StepKind.REFRESH


def test_a_decided_alert_is_suppressed_within_its_window() -> None:
    for status in ("acknowledged", "actioned", "dismissed"):
        assert next_step(state(status), finding("a"), on=ON).kind == StepKind.NOTHING


def test_new_evidence_reopens_a_decided_alert_within_its_window() -> None:
    step = next_step(state("dismissed"), finding("a", "b"), on=ON)
    assert step.kind == StepKind.REOPEN
    assert step.added == ("b",)


def test_after_the_window_a_rule_still_holding_reminds() -> None:
    decided = state("actioned", suppressed_until=ON)
    assert next_step(decided, finding("a"), on=ON).kind == StepKind.REMIND
    assert next_step(decided, finding("a"), on=ON - dt.timedelta(days=1)).kind == StepKind.NOTHING


def test_a_rule_that_stopped_holding_is_marked_so() -> None:
    assert next_step(state(), None, on=ON).kind == StepKind.STOPPED
    assert next_step(state(holds=False), None, on=ON).kind == StepKind.NOTHING
    assert next_step(state(holds=False), finding("a"), on=ON).kind == StepKind.HOLDS_AGAIN


def test_a_new_run_with_new_evidence_after_a_decision_is_a_new_alert() -> None:
    stopped = state("dismissed", holds=False)
    step = next_step(stopped, finding("a", "c", first=ON), on=ON)
    assert step.kind == StepKind.RAISE
    assert step.added == ("c",)
    # The same run (it never stopped holding): the decided alert re-opens instead.
    assert next_step(state("dismissed"), finding("a", "c"), on=ON).kind == StepKind.REOPEN


def test_a_later_first_day_is_a_new_run_even_when_no_evaluation_saw_it_stop() -> None:
    later = finding("a", "c", first=dt.date(2026, 11, 20))
    assert next_step(state("dismissed"), later, on=ON).kind == StepKind.RAISE


KEYS = st.lists(st.sampled_from("abcdef"), min_size=1, max_size=6, unique=True)
STATUSES = st.sampled_from(["open", "acknowledged", "actioned", "dismissed"])


def _after(current: AlertState | None, kind: StepKind, f: object) -> AlertState | None:
    """The state the services leave after a step (the parts the lifecycle reads)."""
    from sightline.alerts.engine.model import Finding

    if kind == StepKind.NOTHING:
        return current
    if kind == StepKind.STOPPED:
        assert current is not None
        return AlertState(current.status, current.seen, current.fingerprint, False,
                          current.first_held_on, current.suppressed_until)  # fmt: skip
    assert isinstance(f, Finding)
    seen = frozenset(f.evidence) | (current.seen if current else frozenset())
    if kind == StepKind.HOLDS_AGAIN and current is not None and current.status != "open":
        return AlertState(current.status, current.seen, current.fingerprint, True,
                          current.first_held_on, current.suppressed_until)  # fmt: skip
    status = "open" if kind in (StepKind.RAISE, StepKind.REOPEN, StepKind.REMIND) or (
        current is not None and current.status == "open"
    ) else current.status if current else "open"  # fmt: skip
    until = None if status == "open" else (current.suppressed_until if current else None)
    return AlertState(status, seen, fingerprint(f), True, f.first_held_on, until)


@given(
    keys=st.one_of(st.none(), KEYS),
    status=st.one_of(st.none(), STATUSES),
    seen=KEYS,
    holds=st.booleans(),
    window=st.integers(-30, 30),
)
def test_the_same_finding_twice_changes_nothing_the_second_time(
    keys: list[str] | None, status: str | None, seen: list[str], holds: bool, window: int
) -> None:
    current = None
    if status is not None:
        current = state(status, tuple(seen), holds=holds,
                        suppressed_until=None if status == "open" else ON + dt.timedelta(window))  # fmt: skip
    f = finding(*keys) if keys is not None else None
    first = next_step(current, f, on=ON)
    after = _after(current, first.kind, f)
    second = next_step(after, f, on=ON)
    assert second.kind == StepKind.NOTHING, (current, f, first, second)
