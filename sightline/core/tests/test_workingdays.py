"""Working days: the shipped calendar agrees with the `holidays` package, and both counting
conventions do what docs/workflow.md says, across weekends and bank holidays."""

import datetime as dt
import json

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sightline.core.workingdays import (
    DEFAULT_FILE,
    Calendar,
    CalendarError,
    Counting,
    calendar_from_file,
)

CAL = calendar_from_file(DEFAULT_FILE)


def test_the_shipped_file_agrees_with_the_holidays_package():
    for year in range(CAL.first.year, CAL.last.year + 1):
        theirs = {
            d for d in holidays.country_holidays("GB", subdiv="ENG", years=year) if d.weekday() < 5
        }
        ours = {d for d in CAL.holidays if d.year == year}
        assert ours == theirs, year


@given(st.dates(min_value=dt.date(2001, 1, 1), max_value=dt.date(2034, 12, 1)))
def test_a_working_day_is_a_weekday_that_is_no_bank_holiday(day):
    eng = holidays.country_holidays("GB", subdiv="ENG", years=day.year)
    assert CAL.is_working_day(day) == (day.weekday() < 5 and day not in eng)


@given(
    st.dates(min_value=dt.date(2001, 1, 1), max_value=dt.date(2034, 6, 1)),
    st.integers(min_value=1, max_value=60),
)
def test_the_inclusive_deadline_is_the_nth_working_day_counting_the_start(start, n):
    end = CAL.add_working_days(start, n, counting=Counting.INCLUSIVE)
    assert CAL.is_working_day(end)
    assert CAL.working_days_between(start, end) == n
    after = CAL.add_working_days(start, n, counting=Counting.AFTER)
    assert CAL.working_days_between(start + dt.timedelta(days=1), after) == n
    assert after >= end


def test_known_dates():
    # Easter 2024: Good Friday 29 March, Easter Monday 1 April.
    thursday = dt.date(2024, 3, 28)
    assert CAL.add_working_days(thursday, 1) == thursday
    assert CAL.add_working_days(thursday, 1, counting=Counting.AFTER) == dt.date(2024, 4, 2)
    # A Saturday referral: day 1 is the Monday either way.
    saturday = dt.date(2024, 6, 1)
    assert CAL.add_working_days(saturday, 1) == dt.date(2024, 6, 3)
    assert CAL.add_working_days(saturday, 1, counting=Counting.AFTER) == dt.date(2024, 6, 3)
    # 45 working days from Monday 2 September 2024, the DfE way: Friday 1 November.
    assert CAL.add_working_days(dt.date(2024, 9, 2), 45) == dt.date(2024, 11, 1)
    # The Queen's funeral was a bank holiday.
    assert not CAL.is_working_day(dt.date(2022, 9, 19))


def test_a_bad_file_is_named(tmp_path):
    bad = tmp_path / "bank-holidays.json"
    bad.write_text(json.dumps({"scotland": {"events": []}}))
    with pytest.raises(CalendarError, match=r"bank-holidays\.json"):
        calendar_from_file(bad)
    with pytest.raises(CalendarError, match="no such"):
        calendar_from_file(tmp_path / "missing.json")
    with pytest.raises(ValueError, match="at least one day"):
        Calendar.of([], first=dt.date(2020, 1, 1), last=dt.date(2020, 12, 31)).add_working_days(
            dt.date(2020, 1, 1), 0
        )
