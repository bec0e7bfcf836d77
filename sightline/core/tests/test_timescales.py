"""Timescales as versioned data: the shipped file, lookups by date and by version, deadlines in
working days (both counting conventions), days and hours, and the file's validation."""

import datetime as dt
from pathlib import Path

import pytest
import yaml

from sightline.core import timescales
from sightline.core.timescales import (
    DEFAULT_FILE,
    Timescale,
    TimescaleError,
    Unit,
    load_timescales,
    parse_timescales,
    timescale_by_label,
    timescale_for,
    timescale_version,
)
from sightline.core.workingdays import DEFAULT_FILE as HOLIDAYS
from sightline.core.workingdays import Counting, calendar_from_file

CAL = calendar_from_file(HOLIDAYS)
SPEC_KEYS = [
    "referral.decision",
    "referral.acknowledgement",
    "referral.assessment",
    "referral.fast_track",
    "referral.escalate_to_head_of_service",
    "escalation.stage1",
    "escalation.stage2",
    "escalation.stage3",
    "escalation.stage4",
    "closure.objection_window",
]


def test_the_shipped_file_holds_every_key_the_clocks_need():
    shipped = load_timescales(DEFAULT_FILE)
    assert set(SPEC_KEYS) <= set(shipped.keys)
    services = [k for k in shipped.keys if k.startswith("referral.allocation.")]
    assert len(services) >= 6
    today = dt.date(2026, 12, 2)
    for key in shipped.keys:
        assert shipped.on(key, today).source


def test_the_statutory_timescales_are_as_working_together_says():
    decision = timescale_for("referral.decision", dt.date(2026, 12, 2))
    assert (decision.amount, decision.unit, decision.counting) == (
        1,
        Unit.WORKING_DAYS,
        Counting.AFTER,
    )
    assessment = timescale_for("referral.assessment", dt.date(2026, 12, 2))
    assert (assessment.amount, assessment.unit, assessment.counting) == (
        45,
        Unit.WORKING_DAYS,
        Counting.INCLUSIVE,
    )
    assert "8670Q" in assessment.source


def test_a_version_is_found_by_number_and_by_label():
    ts = timescale_for("referral.decision", dt.date(2026, 12, 2))
    assert timescale_version("referral.decision", ts.version) == ts
    assert timescale_by_label(ts.label) == ts
    with pytest.raises(TimescaleError, match="no version 99"):
        timescale_version("referral.decision", 99)
    with pytest.raises(TimescaleError, match="not a timescale label"):
        timescale_by_label("referral.decision")
    with pytest.raises(TimescaleError, match=r"no timescale 'referral\.nope'"):
        timescale_for("referral.nope", dt.date(2026, 1, 1))


def _ts(amount, unit, counting=Counting.AFTER):
    return Timescale("t.x", 1, amount, Unit(unit), counting, dt.date(2000, 1, 1), None, "test")


def test_deadlines_in_working_days_follow_the_counting_convention():
    thursday = dt.date(2024, 3, 28)  # Good Friday and Easter Monday follow
    assert _ts(1, "working_days").deadline(thursday, CAL) == dt.date(2024, 4, 2)
    assert _ts(1, "working_days", Counting.INCLUSIVE).deadline(thursday, CAL) == thursday
    with pytest.raises(ValueError, match="needs a calendar"):
        _ts(1, "working_days").deadline(thursday)


def test_a_datetime_start_counts_from_its_day_in_england():
    # 23:30 UTC on Sunday 30 June 2024 is 00:30 on Monday 1 July in London.
    late = dt.datetime(2024, 6, 30, 23, 30, tzinfo=dt.UTC)
    assert _ts(1, "working_days", Counting.INCLUSIVE).deadline(late, CAL) == dt.date(2024, 7, 1)


def test_deadlines_in_days_and_hours():
    saturday = dt.date(2024, 6, 1)
    assert _ts(2, "days").deadline(saturday) == dt.date(2024, 6, 3)
    assert _ts(2, "days", Counting.INCLUSIVE).deadline(saturday) == dt.date(2024, 6, 2)
    start = dt.datetime(2024, 3, 30, 12, tzinfo=dt.UTC)  # the clocks go forward the next night
    assert _ts(72, "hours").deadline(start) == start + dt.timedelta(hours=72)


def test_passes_at_is_the_start_of_the_next_day_in_england():
    passed = timescales.passes_at(dt.date(2024, 7, 1))
    assert passed == dt.datetime(2024, 7, 1, 23, tzinfo=dt.UTC)  # midnight BST
    assert not timescales.is_overdue(
        dt.date(2024, 7, 1), dt.datetime(2024, 7, 1, 22, 59, tzinfo=dt.UTC)
    )
    assert timescales.is_overdue(dt.date(2024, 7, 1), passed)
    assert not timescales.is_overdue(None)


def _file(**versions):
    return {
        "format": "sightline-timescales/1",
        "timescales": {
            key.replace("_", "."): {"title": key, "versions": vs} for key, vs in versions.items()
        },
    }


V1 = {
    "version": 1,
    "amount": 1,
    "unit": "working_days",
    "counting": "after",
    "effective_from": dt.date(2000, 1, 1),
    "effective_to": dt.date(2024, 12, 31),
    "source": "test",
}
V2 = {**V1, "version": 2, "amount": 2, "effective_from": dt.date(2025, 1, 1), "effective_to": None}


def test_versions_apply_by_their_effective_dates():
    loaded = parse_timescales(_file(referral_decision=[V1, V2]))
    assert loaded.on("referral.decision", dt.date(2024, 12, 31)).version == 1
    assert loaded.on("referral.decision", dt.date(2025, 1, 1)).version == 2
    with pytest.raises(TimescaleError, match="in force on 1999-12-31"):
        loaded.on("referral.decision", dt.date(1999, 12, 31))


@pytest.mark.parametrize(
    ("versions", "expected"),
    [
        ([{**V1, "amount": 0}], "referral.decision, version 1, amount"),
        ([{**V1, "colour": "red"}], "referral.decision, version 1, colour: not a field"),
        ([{k: v for k, v in V1.items() if k != "source"}], "version 1, source: missing"),
        ([{**V1, "unit": "weeks"}], "version 1, unit"),
        ([{k: v for k, v in V1.items() if k != "counting"}], "counting: say how days"),
        ([{**V1, "unit": "hours", "counting": "inclusive"}], "hours are elapsed time"),
        (
            [V1, {**V2, "effective_from": dt.date(2024, 12, 1)}],
            "version 2, effective_from: overlaps",
        ),
        ([V1, {**V2, "effective_from": dt.date(2025, 2, 1)}], "leaves a gap"),
        (
            [V2, {**V1, "version": 1, "effective_from": dt.date(2026, 1, 1), "effective_to": None}],
            "effective_to: needed",
        ),
        ([{**V1, "effective_to": dt.date(1999, 1, 1)}], "is before effective_from"),
        ([{**V1, "effective_from": dt.datetime(2000, 1, 1, 9)}], "not a date and time"),
        ([], "versions"),
    ],
)
def test_a_broken_file_names_the_key_the_version_and_the_field(versions, expected):
    with pytest.raises(TimescaleError) as caught:
        parse_timescales(_file(referral_decision=versions))
    assert expected in str(caught.value)


def test_a_file_that_is_not_yaml_or_not_there_is_refused(tmp_path: Path):
    with pytest.raises(TimescaleError, match="no such timescales file"):
        load_timescales(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("timescales: [", encoding="utf-8")
    with pytest.raises(TimescaleError, match="not valid YAML"):
        load_timescales(bad)
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(yaml.safe_dump({"format": "other", "timescales": {}}), encoding="utf-8")
    with pytest.raises(TimescaleError, match="format"):
        load_timescales(wrong)
