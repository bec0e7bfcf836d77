"""The engine, primitive by primitive: the days a condition holds, definite and possible, its
evidence and words; "as known on"; working days."""

from __future__ import annotations

import datetime as dt

from sightline.alerts.engine.evaluate import add_months, evaluate, evaluate_rules, explain_parts
from sightline.alerts.engine.model import Finding, History, Involvement, Part, Related, RelatedAlert
from sightline.alerts.tests.helpers import CAL, d, entry, history, rule

MISSING3 = rule("""
count: {match: {types: [missing_episode]}, at_least: 3, within_days: 60, label: "missing episode|missing episodes"}
""")
NO_RI = rule("""
no_follow_up:
  after: {types: [missing_episode]}
  expect: {types: [return_interview]}
  within: {hours: 72}
  lookback_days: 30
""")


def ev(r, h: History, on: str, known_on: str | None = None) -> Finding | None:
    return evaluate(r, h, on=d(on), known_on=d(known_on) if known_on else None, calendar=CAL)


def holds(r, h: History, on: str, known_on: str | None = None) -> Finding:
    found = ev(r, h, on, known_on)
    assert found is not None, f"expected it to hold on {on}"
    return found


def three_missing() -> History:
    return history(
        entry("m1", "missing_episode", "2019-08-02"),
        entry("m2", "missing_episode", "2019-08-19"),
        entry("m3", "missing_episode", "2019-09-30"),
    )


# ---- count -----------------------------------------------------------------------------------


def test_count_holds_from_the_nth_entry_until_the_first_leaves_the_window():
    h = three_missing()
    f = holds(MISSING3, h, "2019-09-30")
    assert f.first_held_on == d("2019-09-30")
    assert f.evidence == ("m1", "m2", "m3")
    assert f.explanation == (
        "3 missing episodes in 60 days (Police: 2 Aug 2019, 19 Aug 2019, 30 Sep 2019)"
    )
    assert ev(MISSING3, h, "2019-09-29") is None
    # m1 leaves the 60-day window ending on 1 Oct (2 Aug + 60 days - 1 = 30 Sep).
    assert ev(MISSING3, h, "2019-10-01") is None


def test_count_from_several_agencies_splits_its_words_by_agency():
    r = rule("""
count: {match: {themes: [missing, police]}, at_least: 2, within_days: 30, agencies_at_least: 2}
""")
    h = history(
        entry("a", "arrest", "2019-03-01", kind="police"),
        entry("b", "missing_episode", "2019-03-05", kind="childrens_social_care"),
    )
    f = holds(r, h, "2019-03-06")
    assert [p.detail for p in f.parts] == [False, True, True]
    assert f.parts[1].evidence == ("a",)
    assert f.parts[2].evidence == ("b",)
    assert f.parts[0].evidence == ()  # the count itself names nobody's facts
    one_agency = history(entry("a", "arrest", "2019-03-01"), entry("c", "arrest", "2019-03-02"))
    assert ev(r, one_agency, "2019-03-06") is None


def test_a_month_entry_counts_possibly_while_only_part_of_it_is_in_the_window():
    r = rule("count: {match: {types: [missing_episode]}, at_least: 2, within_days: 10}")
    h = history(
        entry("m1", "missing_episode", "2019-08", recorded="2019-08-15"),
        entry("m2", "missing_episode", "2019-08-15"),
    )
    f = holds(r, h, "2019-08-20")
    assert f.certainty == "possible"
    assert f.imprecise == ("m1",)
    assert "possibly" in f.explanation
    assert "Aug 2019" in f.explanation
    # The whole of August lies in no 10-day window: never definite.
    for n in range(15, 32):
        found = ev(r, h, f"2019-08-{n:02d}")
        assert found is None or found.certainty == "possible"


def test_count_during_a_state_counts_only_what_happened_while_it_was_open():
    r = rule("""
count:
  match: {types: [missing_episode]}
  during: {opened_by: {types: [became_looked_after]}, closed_by: {types: [case_closed]}}
""")
    before = history(
        entry("m", "missing_episode", "2019-01-01"),
        entry("l", "became_looked_after", "2019-02-01"),
    )
    assert ev(r, before, "2019-03-01") is None
    during = history(
        entry("l", "became_looked_after", "2019-02-01"),
        entry("m", "missing_episode", "2019-02-10"),
    )
    assert holds(r, during, "2019-03-01").evidence == ("m",)


# ---- as known on ----------------------------------------------------------------------------


def test_as_known_on_takes_only_what_was_recorded_by_then():
    h = history(
        entry("m1", "missing_episode", "2019-08-02"),
        entry("m2", "missing_episode", "2019-08-19"),
        entry("m3", "missing_episode", "2019-09-30", recorded="2019-10-20"),
    )
    assert ev(MISSING3, h, "2019-09-30") is None  # m3 not yet recorded
    late = holds(MISSING3, h, "2019-09-30", known_on="2019-10-20")
    assert late.first_held_on == d("2019-09-30")


def test_a_correction_and_an_entry_in_error_change_what_is_known_from_their_day():
    h = history(
        entry("m1", "missing_episode", "2019-08-02"),
        entry("m2", "missing_episode", "2019-08-19"),
        entry("m3", "missing_episode", "2019-08-25", superseded="2019-09-10"),
        entry("m3", "missing_episode", "2019-08-25", version=2, recorded="2019-09-10", error=True),
    )
    assert ev(MISSING3, h, "2019-09-01") is not None
    assert ev(MISSING3, h, "2019-09-10") is None
    assert ev(MISSING3, h, "2019-09-20", known_on="2019-09-05") is not None


# ---- no_follow_up ---------------------------------------------------------------------------


def test_no_follow_up_holds_from_the_deadline_until_a_late_follow_up():
    h = history(
        entry("m1", "missing_episode", "2019-08-03T22:10", ended="2019-08-04T09:00"),
        entry("r1", "return_interview", "2019-08-12", kind="childrens_social_care"),
    )
    assert ev(NO_RI, h, "2019-08-06") is None
    f = holds(NO_RI, h, "2019-08-07")
    assert f.first_held_on == d("2019-08-07")
    assert f.parts[0].negative
    assert ev(NO_RI, h, "2019-08-11") is not None
    assert ev(NO_RI, h, "2019-08-12") is None  # the interview, late, ends it


def test_no_follow_up_ends_after_its_lookback():
    h = history(entry("m1", "missing_episode", "2019-08-03", ended="2019-08-04T09:00"))
    assert ev(NO_RI, h, "2019-09-03") is not None
    assert ev(NO_RI, h, "2019-09-04") is None


def test_within_working_days_skips_weekends_and_bank_holidays():
    r = rule("""
no_follow_up:
  after: {types: [referral_made]}
  expect: {types: [threshold_discussion, referral_accepted, referral_rejected]}
  within: {working_days: 1}
  anchor: start
""")
    # Friday 23 Dec 2022: the next working day is Wednesday 28 Dec (26 and 27 are bank holidays).
    h = history(entry("x", "referral_made", "2022-12-23", kind="school"))
    assert ev(r, h, "2022-12-27") is None
    assert holds(r, h, "2022-12-28").first_held_on == d("2022-12-28")


# ---- followed_by ----------------------------------------------------------------------------


def test_followed_by_holds_once_the_second_happened_within_the_days():
    r = rule("""
followed_by:
  first: {types: [arrest_out_of_area]}
  then: {types: [step_down]}
  within_days: 28
  first_label: arrest in another force area
  then_label: a step-down
""")
    h = history(
        entry("a", "arrest_out_of_area", "2019-10-08"),
        entry("s", "step_down", "2019-10-20", kind="childrens_social_care"),
    )
    f = holds(r, h, "2019-10-21")
    assert f.first_held_on == d("2019-10-20")
    assert f.evidence == ("a", "s")
    assert "then, within 28 days, a step-down" in f.explanation
    assert ev(r, h, "2019-10-19") is None
    too_late = history(
        entry("a", "arrest_out_of_area", "2019-08-01"), entry("s", "step_down", "2019-10-20")
    )
    assert ev(r, too_late, "2019-10-21") is None


# ---- state and absent_while ---------------------------------------------------------------


def test_state_is_open_from_the_latest_opener_until_a_later_closer():
    r = rule("""
state:
  opened_by: {types: [cin_plan_start]}
  closed_by: {types: [case_closed]}
  open_for_days: 10
  label: on a plan
""")
    h = history(
        entry("p1", "cin_plan_start", "2019-01-01"),
        entry("c1", "case_closed", "2019-03-01"),
        entry("p2", "cin_plan_start", "2019-05-01"),
    )
    assert ev(r, h, "2019-01-10") is None
    assert holds(r, h, "2019-01-11").first_held_on == d("2019-01-11")
    assert ev(r, h, "2019-03-01") is None
    f = holds(r, h, "2019-06-01")
    assert f.first_held_on == d("2019-05-11")
    assert f.evidence == ("p2",)
    assert f.explanation == "On a plan since 1 May 2019 (Police)"


def test_absent_while_counts_from_the_last_expected_entry():
    r = rule("""
absent_while:
  state: {opened_by: {types: [cin_plan_start]}, closed_by: {types: [case_closed]}}
  expect: {types: [cin_review]}
  every: {days: 42}
""")
    h = history(entry("p", "cin_plan_start", "2019-01-01"), entry("r", "cin_review", "2019-02-01"))
    assert ev(r, h, "2019-03-14") is None
    assert holds(r, h, "2019-03-15").first_held_on == d("2019-03-15")


def test_months_end_on_the_same_day_of_the_month_or_the_last_day():
    assert add_months(d("2019-11-30"), 3) == d("2020-02-29")
    assert add_months(d("2019-01-31"), 1) == d("2019-02-28")


# ---- facts about the child ------------------------------------------------------------------


def test_age_with_a_partial_date_of_birth_is_possible_across_the_uncertain_days():
    r = rule("child: {age: {at_least: 16}}")
    h = history(born="2003-06")  # 16 some day between 1 and 30 June 2019
    assert ev(r, h, "2019-05-31") is None
    assert holds(r, h, "2019-06-10").certainty == "possible"
    assert holds(r, h, "2019-06-30").certainty == "definite"
    assert holds(r, history(born=None), "2019-06-30").certainty == "possible"


def test_applies_to_leaves_nobody_out_for_want_of_a_date_of_birth():
    r = rule("count: {match: {types: [arrest]}}", extra="applies_to: {age: {under: 18}}\n")
    adult = history(entry("a", "arrest", "2019-01-01"), born="1990-01-01")
    assert ev(r, adult, "2019-02-01") is None
    unknown = history(entry("a", "arrest", "2019-01-01"), born=None)
    assert ev(r, unknown, "2019-02-01") is not None


def test_involvements_open_closed_and_counted():
    csc = Involvement(
        "csc",
        "childrens_social_care",
        "Children's social care",
        None,
        d("2018-01-01"),
        d("2019-01-31"),
    )
    school = Involvement("sch", "school", "School", None, d("2015-09-01"), None)
    h = history(involvements=(csc, school))
    open_csc = rule("involvement: {agency_kinds: [childrens_social_care]}")
    assert ev(open_csc, h, "2019-01-31") is not None
    assert ev(open_csc, h, "2019-02-01") is None
    closed = holds(
        rule("involvement: {agency_kinds: [childrens_social_care], open: false}"), h, "2019-02-01"
    )
    assert "ended on 31 Jan 2019" in closed.explanation
    at_most_one = rule("open_involvements: {at_most: 1}")
    assert ev(at_most_one, h, "2019-02-01") is not None
    assert ev(at_most_one, h, "2019-01-01") is None


# ---- related people -------------------------------------------------------------------------


def test_a_related_persons_entries_and_alerts():
    alert = RelatedAlert("missing-escalating", d("2019-09-30"), True)
    h = history(related=(Related("sibling", None, None, three_missing(), (alert,)),))
    r = rule("""
related:
  relationships: [sibling, half_sibling]
  condition: {count: {match: {types: [missing_episode]}, at_least: 3, within_days: 60}}
""")
    f = holds(r, h, "2019-09-30")
    assert f.evidence == ("m1", "m2", "m3")
    assert f.explanation.startswith("A sibling: 3 missing episodes")
    parent = rule("""
related: {relationships: [parent], condition: {count: {match: {types: [missing_episode]}}}}
""")
    assert ev(parent, h, "2019-10-01") is None
    alerts = rule("related: {relationships: [sibling], alerts: {rules: [missing-escalating]}}")
    assert ev(alerts, h, "2019-09-30") is not None
    assert ev(alerts, h, "2019-09-29") is None


# ---- single agency --------------------------------------------------------------------------


def test_single_agency_needs_one_agency_recording_and_another_closed():
    r = rule("single_agency: {within_days: 60}")
    csc = Involvement(
        "csc",
        "childrens_social_care",
        "Children's social care",
        None,
        d("2018-01-01"),
        d("2019-01-31"),
    )
    concern = entry("s", "concern_raised", "2019-02-10", kind="school")
    h = history(concern, involvements=(csc,))
    f = holds(r, h, "2019-03-01")
    assert f.first_held_on == d("2019-02-10")
    assert f.explanation.startswith("Only School has recorded anything in the last 60 days")
    assert "Children's social care ended its involvement on 31 Jan 2019" in f.explanation
    assert ev(r, h, "2019-04-11") is None  # nothing in the last 60 days
    assert ev(r, history(concern), "2019-03-01") is None  # nobody closed


# ---- combinations ---------------------------------------------------------------------------


def test_not_any_all():
    screening = rule(
        "not: {count: {match: {types: [ce_screening]}, within_days: 90, label: screening}}"
    )
    h = history(entry("s", "ce_screening", "2019-01-01", kind="childrens_social_care"))
    f = holds(screening, h, "2019-04-01")
    assert f.first_held_on == d("2019-04-01")
    assert f.explanation == "No screening in the last 90 days"
    assert ev(screening, h, "2019-03-31") is None
    both = rule(
        "all: [{count: {match: {types: [arrest]}}}, {count: {match: {types: [knife_incident]}}}]"
    )
    either = rule(
        "any: [{count: {match: {types: [arrest]}}}, {count: {match: {types: [knife_incident]}}}]"
    )
    one = history(entry("a", "arrest", "2019-01-01"))
    assert ev(both, one, "2019-02-01") is None
    assert ev(either, one, "2019-02-01") is not None


def test_evaluate_rules_evaluates_every_rule_for_one_child():
    found = evaluate_rules([MISSING3, NO_RI], three_missing(), on=d("2019-09-30"), calendar=CAL)
    assert [f.evidence for f in found] == [("m1", "m2", "m3")]
    assert evaluate_rules([], three_missing(), on=d("2019-10-01"), calendar=CAL) == []


def test_details_go_in_brackets_after_their_clause():
    parts = [
        Part("2 things from 2 agencies", (), "definite"),
        Part("A: x", ("1",), "definite", detail=True),
        Part("B: y", ("2",), "definite", detail=True),
        Part("no z", (), "definite", negative=True),
    ]
    assert explain_parts(parts) == "2 things from 2 agencies (A: x; B: y) and no z"


def test_the_first_day_is_never_after_the_day_asked_about():
    h = three_missing()
    for n in range(30):
        day = d("2019-09-30") + dt.timedelta(days=n)
        f = ev(MISSING3, h, day.isoformat())
        assert f is None or f.first_held_on <= day
