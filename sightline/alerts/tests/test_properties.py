"""Properties of the engine over generated histories (hypothesis): "as known on" never sees a
later entry; evaluation is deterministic and does not depend on the entries' order; the first
day is never after the day asked about; an entry no rule reads changes nothing; and the fast
replay agrees with the plain day-by-day one it stands for."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sightline.alerts.engine.evaluate import (
    Ctx,
    Index,
    Tokens,
    evaluate,
    evaluate_rules,
    finding_at,
    may_apply,
    rule_truth,
)
from sightline.alerts.engine.loader import load_rule_set
from sightline.alerts.engine.model import Entry, History, Involvement, Related, RelatedAlert
from sightline.alerts.engine.replay import _Lifecycle, replay
from sightline.alerts.tests.helpers import CAL
from sightline.alerts.tests.vocab import vocabulary

RULES = load_rule_set(None, vocabulary(), calendar=CAL).rules
START = dt.date(2019, 1, 1)
DAYS = 240
TYPES = [
    "missing_episode",
    "missing_episode",
    "return_interview",
    "arrest_out_of_area",
    "knife_incident",
    "drug_use_disclosed",
    "ce_screening",
    "cin_plan_start",
    "cin_review",
    "case_closed",
    "became_looked_after",
    "concern_raised",
]
KINDS = ["police", "childrens_social_care", "school"]
VOCAB = vocabulary()


@st.composite
def entries(draw: st.DrawFn, i: int) -> list[Entry]:
    day = START + dt.timedelta(days=draw(st.integers(0, DAYS - 1)))
    precision = draw(st.sampled_from(["day"] * 6 + ["month"]))
    start, end = day, day
    if precision == "month":
        start = day.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    type_ = draw(st.sampled_from(TYPES))
    kind = draw(st.sampled_from(KINDS))
    hour = draw(st.integers(0, 23))
    occurred = (
        dt.datetime(day.year, day.month, day.day, hour)
        if precision == "day" and draw(st.booleans())
        else None
    )
    ended = (
        dt.datetime(end.year, end.month, end.day, hour)
        + dt.timedelta(hours=draw(st.integers(1, 40)))
        if type_ == "missing_episode" and draw(st.booleans())
        else None
    )
    recorded = dt.datetime(end.year, end.month, end.day, 12) + dt.timedelta(
        days=draw(st.sampled_from([0, 0, 1, 3, 20]))
    )
    base = Entry(
        key=f"e{i}",
        version=1,
        type=type_,
        theme=VOCAB.entry_types[type_],
        agency=kind,
        agency_kind=kind,
        agency_name=kind,
        start=start,
        end=end,
        precision=precision,
        occurred_at=occurred,
        ended_at=ended,
        recorded_at=recorded,
        superseded_at=None,
    )
    change = draw(st.sampled_from(["none"] * 8 + ["moved", "error"]))
    if change == "none":
        return [base]
    later = recorded + dt.timedelta(days=draw(st.integers(1, 30)))
    first = dataclasses.replace(base, superseded_at=later)
    if change == "error":
        return [
            first,
            dataclasses.replace(base, version=2, recorded_at=later, entered_in_error=True),
        ]
    moved = day + dt.timedelta(days=draw(st.integers(-10, 10)))
    return [
        first,
        dataclasses.replace(
            base, version=2, recorded_at=later, start=moved, end=moved, precision="day"
        ),
    ]


@st.composite
def histories(draw: st.DrawFn, max_entries: int = 14) -> History:
    n = draw(st.integers(0, max_entries))
    items = [e for i in range(n) for e in draw(entries(i))]
    born = START - dt.timedelta(days=draw(st.integers(365 * 5, 365 * 19)))
    invs: tuple[Involvement, ...] = ()
    if draw(st.booleans()):
        end = START + dt.timedelta(days=draw(st.integers(0, DAYS)))
        invs = (
            Involvement(
                "childrens_social_care",
                "childrens_social_care",
                "CSC",
                None,
                START - dt.timedelta(days=400),
                end,
            ),
        )
    return History(
        person="p", birth_start=born, birth_end=born, entries=tuple(items), involvements=invs
    )


days = st.integers(0, DAYS + 60).map(lambda n: START + dt.timedelta(days=n))
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(histories(), days, days)
def test_as_known_on_never_uses_an_entry_recorded_later(
    h: History, on: dt.date, known_on: dt.date
) -> None:
    cut = dataclasses.replace(
        h, entries=tuple(e for e in h.entries if e.recorded_at.date() <= known_on)
    )
    for rule in RULES:
        assert evaluate(rule, h, on=on, known_on=known_on, calendar=CAL) == evaluate(
            rule, cut, on=on, known_on=known_on, calendar=CAL
        )


@SETTINGS
@given(histories(), days, days)
def test_looking_only_from_a_horizon_changes_no_finding(
    h: History, on: dt.date, known_on: dt.date
) -> None:
    # evaluate looks from the day itself, then two years back, before the whole history.
    index = Index(h)
    for rule in RULES:
        whole = Ctx(index, known_on.toordinal(), CAL)
        expected = finding_at(rule, whole, rule_truth(rule, whole), on.toordinal())
        assert evaluate(rule, index, on=on, known_on=known_on, calendar=CAL) == expected


@SETTINGS
@given(histories(), days, st.randoms(use_true_random=False))
def test_evaluation_is_deterministic_and_order_independent(h: History, on: dt.date, rnd) -> None:
    shuffled = list(h.entries)
    rnd.shuffle(shuffled)
    other = dataclasses.replace(h, entries=tuple(shuffled))
    for rule in RULES:
        once = evaluate(rule, h, on=on, calendar=CAL)
        assert once == evaluate(rule, h, on=on, calendar=CAL)
        assert once == evaluate(rule, other, on=on, calendar=CAL)
        if once is not None:
            assert once.first_held_on <= on
            assert len(set(once.evidence)) == len(once.evidence)
            assert set(once.evidence) == {k for p in once.parts for k in p.evidence}


@SETTINGS
@given(histories(), days, st.sampled_from(["home_visit", "attendance_summary", "gp_attendance"]))
def test_an_entry_no_rule_reads_changes_no_finding(h: History, on: dt.date, type_: str) -> None:
    # single-agency-left reads every entry: an unread type there is any type it ignores (none).
    rules = [r for r in RULES if r.id != "single-agency-left"]
    noise = Entry(
        key="noise",
        version=1,
        type=type_,
        theme=VOCAB.entry_types[type_],
        agency="x",
        agency_kind="other",
        agency_name="x",
        start=on,
        end=on,
        precision="day",
        occurred_at=None,
        ended_at=None,
        recorded_at=dt.datetime(on.year, on.month, on.day),
        superseded_at=None,
    )
    more = dataclasses.replace(h, entries=(*h.entries, noise))
    for rule in rules:
        assert evaluate(rule, h, on=on, calendar=CAL) == evaluate(rule, more, on=on, calendar=CAL)


class _AsIs:
    def at(self, day: int, fallback):
        return fallback


def naive_replay(h: History, start: dt.date, end: dt.date):
    """The reference: every day, every rule (the version in force that day), evaluated afresh
    as known on that day; one lifecycle per rule across its versions."""
    out = []
    for rule_id in sorted({r.id for r in RULES}):
        versions = [r for r in RULES if r.id == rule_id]
        life = _Lifecycle()
        day = start
        while day <= end:
            rule = next((r for r in versions if r.effective_on(day)), None)
            if rule is not None:
                found = evaluate(rule, h, on=day, calendar=CAL)
                life.see(rule, day.toordinal(), found, _AsIs())  # type: ignore[arg-type]
            day += dt.timedelta(days=1)
        out += life.finish()
    return sorted(out, key=lambda r: (r.raised_on, r.rule, r.version))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories(max_entries=10))
def test_replay_agrees_with_evaluating_every_day(h: History) -> None:
    start, end = START, START + dt.timedelta(days=DAYS + 40)
    assert replay(RULES, h, start=start, end=end, calendar=CAL) == naive_replay(h, start, end)


@SETTINGS
@given(histories())
def test_replay_raises_nothing_before_its_first_evidence_was_recorded(h: History) -> None:
    recorded: dict[str, dt.date] = {}
    for e in h.entries:
        day = e.recorded_at.date()
        recorded[e.key] = min(recorded.get(e.key, day), day)
    for raised in replay(
        RULES, h, start=START, end=START + dt.timedelta(days=DAYS + 60), calendar=CAL
    ):
        assert raised.finding.first_held_on <= raised.raised_on
        for key in raised.finding.evidence:
            assert recorded[key] <= raised.raised_on


@st.composite
def families(draw: st.DrawFn) -> History:
    """A history with a brother or sister (their own history, perhaps an alert of theirs)."""
    h = draw(histories())
    if not draw(st.booleans()):
        return h
    alerts = tuple(
        RelatedAlert(rule=rule, raised_on=START, open=draw(st.booleans()))
        for rule in draw(
            st.lists(
                st.sampled_from(["exploitation-indicators-across-agencies", "missing-escalating"]),
                max_size=2,
            )
        )
    )
    sibling = Related("sibling", None, None, draw(histories()), alerts)
    return dataclasses.replace(h, related=(sibling,))


@SETTINGS
@given(families(), days)
def test_ruling_a_rule_out_before_evaluating_changes_no_finding(h: History, on: dt.date) -> None:
    # evaluate_rules skips the rules `may_apply` rules out from the history's counts of types
    # and themes (the sweep skips whole children that way): each must find nothing anyway.
    tokens = Tokens.of(h)
    for rule in RULES:
        expected = evaluate(rule, h, on=on, calendar=CAL)
        if not may_apply(rule, tokens):
            assert expected is None, rule.id
        assert evaluate_rules([rule], h, on=on, calendar=CAL) == ([expected] if expected else [])
