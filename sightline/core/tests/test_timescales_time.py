"""Timescales over time (time_machine): clocks started across weekends, bank holidays and the
change of a timescale's version; a record keeps the version it started under. And the files:
the TIMESCALES_FILE setting, the system check, and any file fuzzed (hypothesis)."""

import contextlib
import datetime as dt
from pathlib import Path

import pytest
import time_machine
import yaml
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from hypothesis import given
from hypothesis import strategies as st

from sightline.core import clock, timescales
from sightline.core.timescales import (
    TimescaleError,
    Unit,
    is_overdue,
    parse_timescales,
    timescale_by_label,
    timescale_for,
)
from sightline.core.workingdays import Counting, england

LONDON = dt.timezone(dt.timedelta(hours=1))  # British Summer Time, for the spring dates below


def _version(n, amount, start, end=None, unit="working_days", counting="after"):
    v = {
        "version": n,
        "amount": amount,
        "unit": unit,
        "effective_from": start,
        "source": f"test version {n}",
    }
    if unit != "hours":
        v["counting"] = counting
    if end is not None:
        v["effective_to"] = end
    return v


@pytest.fixture
def partnership_file(tmp_path: Path, settings):
    """A partnership's own file: the decision timescale goes from 1 to 2 working days on
    Monday 3 June 2024."""
    path = tmp_path / "timescales.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "format": "sightline-timescales/1",
                "timescales": {
                    "referral.decision": {
                        "title": "Decide on a referral",
                        "versions": [
                            _version(1, 1, dt.date(2000, 1, 1), dt.date(2024, 6, 2)),
                            _version(2, 2, dt.date(2024, 6, 3)),
                        ],
                    },
                    "referral.fast_track": {
                        "title": "Fast track",
                        "versions": [_version(1, 72, dt.date(2000, 1, 1), unit="hours")],
                    },
                },
            }
        ),
        encoding="utf-8",
    )
    settings.TIMESCALES_FILE = str(path)
    return path


class Record:
    """What an app's record stores when its clock starts: the version's label and the deadline."""

    def __init__(self, key: str):
        started = clock.now()
        ts = timescale_for(key, on=started)
        self.started, self.label = started, ts.label
        self.due = ts.deadline(started, england())

    def due_again(self):
        return timescale_by_label(self.label).deadline(self.started, england())


def test_a_referral_on_friday_evening_is_due_on_monday(partnership_file):
    with time_machine.travel(dt.datetime(2024, 5, 17, 18, tzinfo=LONDON), tick=False) as t:
        record = Record("referral.decision")
        assert record.due == dt.date(2024, 5, 20)
        t.move_to(dt.datetime(2024, 5, 20, 23, 59, tzinfo=LONDON))
        assert not is_overdue(record.due)
        t.move_to(dt.datetime(2024, 5, 21, 0, 0, tzinfo=LONDON))
        assert is_overdue(record.due)


def test_bank_holidays_are_not_counted(partnership_file):
    # Friday 24 May 2024; Monday 27 May is the spring bank holiday.
    with time_machine.travel(dt.datetime(2024, 5, 24, 10, tzinfo=LONDON), tick=False) as t:
        record = Record("referral.decision")
        assert record.due == dt.date(2024, 5, 28)
        t.move_to(dt.datetime(2024, 5, 28, 17, tzinfo=LONDON))
        assert not is_overdue(record.due)


def test_a_record_keeps_the_version_it_started_under(partnership_file):
    with time_machine.travel(dt.datetime(2024, 5, 31, 16, tzinfo=LONDON), tick=False) as t:
        before = Record("referral.decision")  # Friday: version 1, 1 working day
        assert before.label == "referral.decision@1"
        assert before.due == dt.date(2024, 6, 3)
        t.move_to(dt.datetime(2024, 6, 3, 9, tzinfo=LONDON))
        after = Record("referral.decision")  # Monday: version 2, 2 working days
        assert after.label == "referral.decision@2"
        assert after.due == dt.date(2024, 6, 5)
        # Recomputed later, under the new version's reign, the first keeps its own.
        t.move_to(dt.datetime(2024, 6, 10, 9, tzinfo=LONDON))
        assert before.due_again() == dt.date(2024, 6, 3)
        assert after.due_again() == dt.date(2024, 6, 5)
        assert is_overdue(before.due)


def test_a_clock_in_hours_crosses_the_change_to_summer_time(partnership_file):
    # 72 elapsed hours from noon on Friday 29 March 2024 (the clocks go forward on Sunday).
    with time_machine.travel(dt.datetime(2024, 3, 29, 12, tzinfo=dt.UTC), tick=False) as t:
        record = Record("referral.fast_track")
        assert record.due == dt.datetime(2024, 4, 1, 12, tzinfo=dt.UTC)
        t.move_to(dt.datetime(2024, 4, 1, 12, 59, tzinfo=LONDON))  # 11:59 UTC
        assert not is_overdue(record.due)
        t.move_to(dt.datetime(2024, 4, 1, 13, tzinfo=LONDON))
        assert is_overdue(record.due)


def test_the_setting_names_the_file_and_a_missing_key_is_refused(partnership_file):
    assert timescales.timescales_file() == partnership_file
    with pytest.raises(TimescaleError, match=r"no timescale 'referral\.assessment'"):
        timescale_for("referral.assessment", dt.date(2024, 6, 1))


def test_the_system_check_refuses_a_broken_file_naming_key_and_field(tmp_path, settings):
    path = tmp_path / "broken.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "format": "sightline-timescales/1",
                "timescales": {
                    "referral.decision": {
                        "title": "Decide",
                        "versions": [{**_version(1, 1, dt.date(2000, 1, 1)), "efective_to": 1}],
                    }
                },
            }
        ),
        encoding="utf-8",
    )
    settings.TIMESCALES_FILE = str(path)
    with pytest.raises(SystemCheckError) as caught:
        call_command("check")
    text = str(caught.value)
    assert "core.E001" in text
    assert "referral.decision, version 1, efective_to: not a field" in text


def test_the_system_check_refuses_a_file_without_a_key_an_app_reads(partnership_file):
    timescales.require_keys("tests", "closure.objection_window")
    try:
        with pytest.raises(SystemCheckError, match=r"core\.E002"):
            call_command("check")
    finally:
        timescales._required.pop("closure.objection_window")


def test_the_shipped_file_passes_the_check(settings):
    settings.TIMESCALES_FILE = None
    call_command("check")


# --- any file -----------------------------------------------------------------------------------

_days = st.dates(min_value=dt.date(2001, 1, 1), max_value=dt.date(2034, 1, 1))


@st.composite
def valid_files(draw):
    """A key with 1-4 versions following one another without gaps."""
    start = draw(st.dates(min_value=dt.date(2001, 1, 1), max_value=dt.date(2010, 1, 1)))
    versions = []
    for n in range(1, draw(st.integers(1, 4)) + 1):
        unit = draw(st.sampled_from(["working_days", "days", "hours"]))
        length = draw(st.integers(1, 2000))
        end = start + dt.timedelta(days=length)
        last = n == 4 or draw(st.booleans())
        versions.append(
            _version(
                n,
                draw(st.integers(1, 60)),
                start,
                None if last else end,
                unit=unit,
                counting=draw(st.sampled_from(["inclusive", "after"])),
            )
        )
        if last:
            break
        start = end + dt.timedelta(days=1)
    return {
        "format": "sightline-timescales/1",
        "timescales": {"t.key": {"title": "T", "versions": versions}},
    }


@given(valid_files(), _days)
def test_every_day_falls_in_exactly_one_version_and_deadlines_follow_the_rules(data, day):
    loaded = parse_timescales(data)
    versions = loaded.versions["t.key"]
    applying = [v for v in versions if v.applies_on(day)]
    last_day = versions[-1].effective_to
    if day < versions[0].effective_from or (last_day is not None and day > last_day):
        assert applying == []
        with pytest.raises(TimescaleError):
            loaded.on("t.key", day)
        return
    assert len(applying) == 1, "the versions follow one another: no gap, no overlap"
    ts = loaded.on("t.key", day)
    assert ts is applying[0]
    cal = england()
    due = ts.deadline(day, cal)
    if ts.unit is Unit.HOURS:
        assert isinstance(due, dt.datetime)
    elif ts.unit is Unit.DAYS:
        assert (due - day).days == ts.amount - (ts.counting is Counting.INCLUSIVE)
    else:
        first = day + dt.timedelta(days=ts.counting is Counting.AFTER)
        assert cal.is_working_day(due)
        assert cal.working_days_between(first, due) == ts.amount


_junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10) | st.dates() | st.floats(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=10,
)


@given(
    valid_files(),
    st.sampled_from(
        [
            "version",
            "amount",
            "unit",
            "counting",
            "effective_from",
            "effective_to",
            "source",
            "extra",
        ]
    ),
    _junk,
)
def test_a_file_with_any_value_anywhere_is_parsed_or_refused_with_the_key(data, field, value):
    data["timescales"]["t.key"]["versions"][0][field] = value
    problems: list = []
    try:
        parse_timescales(data)
    except TimescaleError as exc:
        problems = exc.problems or [None]
    assert all(p is not None and p.key == "t.key" for p in problems)


@given(_junk)
def test_any_document_is_parsed_or_refused_with_a_timescale_error(document):
    with contextlib.suppress(TimescaleError):
        parse_timescales(document)
