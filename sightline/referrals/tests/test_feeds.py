"""Referrals from a social care system's feed: `referral_made` opens a referral on the same
clocks, `referral_rejected` decides it; old lines stay history; a line is applied once; lines
from agencies that receive no service are left alone. Hypothesis throws odd lines at it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import orjson
import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sightline.core.actors import CLOCK, IMPORTER
from sightline.core.dates import LONDON
from sightline.governance import access
from sightline.records.ingest.pipeline import ImportOptions, import_file
from sightline.records.models import ImportBatch
from sightline.records.services import source_system_register
from sightline.records.tests.lines import entry, person
from sightline.referrals import feeds, services
from sightline.referrals.models import Referral, ReferralClock, ReferralEvent

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 11, 12, 0, tzinfo=LONDON)


def _import(tmp_path: Path, name: str, lines: list[dict[str, Any]], capture: Any) -> None:
    path = tmp_path / name
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    with capture(execute=True):
        result = import_file(path, actor=IMPORTER, options=ImportOptions())
        assert result.status == "imported", result.errors


def _line(key: str, type: str, occurred: str, summary: str, **changes: Any) -> dict[str, Any]:
    changes.setdefault("recorded_at", occurred)
    return entry(
        key,
        "csc",
        "C-1",
        agency="childrens_social_care",
        type=type,
        occurred_at=occurred,
        ended_at=None,
        summary=summary,
        **changes,
    )


@pytest.fixture
def csc_feed(db: Any) -> None:
    source_system_register(
        actor=IMPORTER, code="csc", name="Social care", agency_kind="childrens_social_care"
    )
    source_system_register(actor=IMPORTER, code="school", name="School", agency_kind="school")


def test_a_feeds_referral_lines_run_on_the_clocks(
    csc_feed, tmp_path, run_tasks, django_capture_on_commit_callbacks
) -> None:
    with time_machine.travel(NOW, tick=False):
        _import(
            tmp_path,
            "csc.jsonl",
            [
                person("C-1", "csc", given_names="Jordan", family_name="Ellis"),
                _line("R-1", "referral_made", "2026-03-10T09:00", "Referral from school: car."),
                _line("R-0", "referral_made", "2019-01-07T09:00", "An old referral."),
                _line(
                    "R-M",
                    "referral_made",
                    "2026-03",
                    "Known to the month.",
                    precision="month",
                    recorded_at="2026-03-10T10:00",
                ),
            ],
            django_capture_on_commit_callbacks,
        )
        run_tasks()
    referral = Referral.objects.get()
    assert referral.origin == Referral.Origin.FEED
    assert referral.service == "mash"
    assert referral.receiving_agency.kind == "childrens_social_care"
    assert referral.referrer is None
    assert referral.concerns == "Referral from school: car."
    decision = ReferralClock.objects.get(referral=referral, clock="decision")
    assert decision.due_on == dt.date(2026, 3, 11)
    assert not ReferralClock.objects.filter(referral=referral, clock="acknowledgement").exists()

    # The same clocks: overdue from Thursday, escalated by the clock job.
    with time_machine.travel(dt.datetime(2026, 3, 12, 1, tzinfo=LONDON), tick=False):
        scope = access.system_scope(actor=CLOCK, purpose="test")
        escalated = services.referral_clocks_run(scope=scope).escalated
    assert [(r, c) for r, c, _ in escalated] == [(referral.pk, "decision")]

    # The rejection arrives in the next batch and decides it: no further action.
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        _import(
            tmp_path,
            "csc-2.jsonl",
            [
                person("C-1", "csc", given_names="Jordan", family_name="Ellis"),
                _line("R-2", "referral_rejected", "2026-03-12T09:00", "NFA: threshold not met."),
            ],
            django_capture_on_commit_callbacks,
        )
        run_tasks()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.CLOSED
    assert referral.decision == "no_further_action"
    assert referral.decision_reasons == ["recorded_in_agency_system"]
    assert referral.decision_text == "NFA: threshold not met."
    decision.refresh_from_db()
    assert decision.met_at == dt.datetime(2026, 3, 12, 9, tzinfo=LONDON)
    kinds = list(ReferralEvent.objects.filter(referral=referral).values_list("kind", flat=True))
    assert kinds[0] == "received_from_feed"
    assert "decided" in kinds

    # Running a batch again changes nothing.
    batch = ImportBatch.objects.order_by("-pk").first()
    assert batch is not None
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        run = feeds.referrals_from_batch(
            scope=access.system_scope(actor=IMPORTER, purpose="test"), batch_id=batch.pk
        )
    assert run.decided == 0
    assert run.skipped == {"already applied": 1}


def test_a_rejection_with_no_referral_opens_and_decides_one(
    csc_feed, tmp_path, run_tasks, django_capture_on_commit_callbacks
) -> None:
    with time_machine.travel(NOW, tick=False):
        _import(
            tmp_path,
            "csc.jsonl",
            [
                person("C-1", "csc"),
                _line("R-9", "referral_rejected", "2026-03-11T08:00", "Rejected: lack of consent."),
            ],
            django_capture_on_commit_callbacks,
        )
        run_tasks()
    referral = Referral.objects.get()
    assert referral.decision == "no_further_action"
    assert ReferralClock.objects.get(referral=referral, clock="decision").met_at is not None


def test_lines_from_an_agency_that_receives_no_service_are_left_alone(
    csc_feed, tmp_path, run_tasks, django_capture_on_commit_callbacks
) -> None:
    with time_machine.travel(NOW, tick=False):
        _import(
            tmp_path,
            "school.jsonl",
            [
                person("S-1", "school"),
                entry(
                    "E-1",
                    "school",
                    "S-1",
                    agency="school",
                    type="referral_made",
                    occurred_at="2026-03-10T09:00",
                    ended_at=None,
                    recorded_at="2026-03-10T09:00",
                ),
            ],
            django_capture_on_commit_callbacks,
        )
        run_tasks()
    assert not Referral.objects.exists()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    lines=st.lists(
        st.tuples(
            st.sampled_from(list(feeds.FEED_TYPES)),
            st.integers(min_value=0, max_value=40),
            st.integers(min_value=0, max_value=23),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_any_sequence_of_feed_lines_is_applied_without_error(
    csc_feed, lines: list[tuple[str, int, int]]
) -> None:
    """Whatever order the lines come in (a decision before its referral, an allocation with
    nothing decided, lines a month apart), each is applied or skipped, never a crash, and no
    referral is decided twice."""
    from sightline.agencies.models import Agency
    from sightline.chronology.tests.factories import entry_for, new_person, source_record_for

    csc = Agency.objects.get(kind="childrens_social_care")
    child = new_person()
    record = source_record_for(csc)
    for type, days_ago, hour in lines:
        when = NOW - dt.timedelta(days=days_ago, hours=hour)
        made = entry_for(child, agency=csc, type=type, occurred_at=when, source_record=record)
        assert made.pk
    with time_machine.travel(NOW, tick=False):
        run = feeds.referrals_from_batch(
            scope=access.system_scope(actor=IMPORTER, purpose="test"), batch_id=record.batch_id
        )
    assert run.decided <= len(lines)
    for referral in Referral.objects.filter(person=child):
        assert referral.status in Referral.Status.values
        if referral.status != Referral.Status.RECEIVED:
            assert referral.decision
