"""Replay's lifecycle: one open alert per rule that grows with new evidence; taken as decided
when its suppression window ends; new evidence after a decision raises it again at once, and
the same facts only as a reminder after the window."""

from __future__ import annotations

import datetime as dt
import time

from sightline.alerts.engine.model import Entry, History
from sightline.alerts.engine.replay import replay
from sightline.alerts.tests.helpers import CAL, d, entry, history, rule
from sightline.alerts.tests.vocab import vocabulary

ANY_MISSING = rule("count: {match: {types: [missing_episode]}, within_days: 400}", suppress=10)


def run(h: History, end: str = "2019-03-31"):
    return replay([ANY_MISSING], h, start=d("2019-01-01"), end=d(end), calendar=CAL)


def test_an_open_alert_grows_instead_of_raising_again():
    h = history(
        entry("m1", "missing_episode", "2019-01-05"), entry("m2", "missing_episode", "2019-01-09")
    )
    first, *rest = run(h, "2019-01-12")
    assert first.raised_on == d("2019-01-05")
    assert first.reason == "new"
    assert rest == []
    assert [(u.on, u.added) for u in first.updates] == [(d("2019-01-09"), ("m2",))]
    assert first.evidence == ("m1", "m2")
    assert first.decided_on == d("2019-01-15")


def test_after_the_decision_new_evidence_raises_again_and_old_facts_only_remind():
    h = history(
        entry("m1", "missing_episode", "2019-01-05"), entry("m2", "missing_episode", "2019-01-20")
    )
    raised = run(h, "2019-02-20")
    assert [(r.raised_on, r.reason, r.new_evidence) for r in raised] == [
        (d("2019-01-05"), "new", ("m1",)),
        (d("2019-01-20"), "new_evidence", ("m2",)),  # decided on 15 Jan, new evidence on 20 Jan
        (d("2019-02-09"), "reminder", ()),  # decided 30 Jan, 10 days' suppression
    ]


def test_a_late_recorded_entry_raises_when_it_was_recorded_not_when_it_happened():
    h = history(entry("m1", "missing_episode", "2019-01-05", recorded="2019-02-01"))
    (only,) = run(h, "2019-02-05")
    assert only.raised_on == d("2019-02-01")
    assert only.finding.first_held_on == d("2019-01-05")


def test_a_thousand_entries_over_ten_years_replay_in_seconds():
    vocab = vocabulary()
    types = [
        "missing_episode",
        "return_interview",
        "arrest_out_of_area",
        "knife_incident",
        "drug_use_disclosed",
        "concern_raised",
        "cin_review",
        "home_visit",
        "case_closed",
    ]
    kinds = ["police", "childrens_social_care", "school"]
    entries = []
    for i in range(1000):
        day = dt.date(2010, 1, 1) + dt.timedelta(days=(i * 7919) % 3650)
        t = types[(i * 31) % len(types)]
        k = kinds[(i * 17) % 3]
        entries.append(
            Entry(
                key=f"e{i}",
                version=1,
                type=t,
                theme=vocab.entry_types[t],
                agency=k,
                agency_kind=k,
                agency_name=k,
                start=day,
                end=day,
                precision="day",
                occurred_at=None,
                ended_at=None,
                recorded_at=dt.datetime(day.year, day.month, day.day, 12)
                + dt.timedelta(days=i % 4),
                superseded_at=None,
            )
        )
    from sightline.alerts.engine.loader import load_rule_set

    rules = load_rule_set(None, vocab, calendar=CAL).rules
    h = History(
        person="p", birth_start=d("2004-05-01"), birth_end=d("2004-05-01"), entries=tuple(entries)
    )
    began = time.process_time()
    raised = replay(rules, h, start=d("2010-01-01"), end=d("2019-12-31"), calendar=CAL)
    spent = time.process_time() - began
    assert raised
    assert spent < 10, f"{spent:.1f} s of CPU for {len(rules)} rules"
