"""Properties of the audit chain (hypothesis): for any rows appended (any text, any JSON detail,
any address, any time) the chain verifies as read back from the database; and after any one
tampering operation, verify names the first bad row. Each example runs in a transaction rolled
back at its end. The canonical text written key by key is the one its plain definition gives."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sightline.governance import chain
from sightline.governance.models import AuditEvent
from sightline.governance.tests import tampering

pytestmark = pytest.mark.django_db

# Text both databases store: no NUL (PostgreSQL), no lone surrogates (UTF-8).
TEXT = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
JSON_TEXT = st.text(TEXT, max_size=12)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | JSON_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(JSON_TEXT, inner, max_size=4),
    max_leaves=12,
)
WHEN = st.datetimes(
    min_value=dt.datetime(2000, 1, 1),
    max_value=dt.datetime(2099, 12, 31),
    timezones=st.just(dt.UTC),
)
ADDRESS = st.none() | st.ip_addresses().map(str)
MARK = "\u2063"  # the tampering's own text: never generated below, so an edit always changes a row


@st.composite
def events(draw: st.DrawFn) -> AuditEvent:
    text = st.text(TEXT.filter(lambda c: c != MARK), max_size=40)
    return AuditEvent(
        occurred_at=draw(WHEN),
        actor_name=draw(text),
        actor_role=draw(st.sampled_from(["", "system", "social_worker"])),
        actor_agency_id=draw(st.none() | st.integers(1, 2**31)),
        actor_team_id=draw(st.none() | st.integers(1, 2**31)),
        action=draw(st.sampled_from(["story_viewed", "person_viewed", "access_refused"])),
        object_type=draw(st.text(TEXT, max_size=20)),
        object_id=draw(st.text(TEXT, max_size=30)),
        person_id=draw(st.none() | st.integers(1, 2**62)),
        purpose=draw(text),
        detail=draw(st.dictionaries(JSON_TEXT, JSON, max_size=5)),
        client_address=draw(ADDRESS),
    )


def _append(rows: list[AuditEvent], batches: list[int]) -> None:
    """In batches as drawn: one at a time (page views) and several at once (deferred)."""
    start = 0
    for size in batches:
        chain.append(rows[start : start + size])
        start += size
    chain.append(rows[start:])


HYPOTHESIS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@HYPOTHESIS
@given(rows=st.lists(events(), min_size=1, max_size=8), batches=st.lists(st.integers(1, 3)))
def test_any_rows_verify_as_read_back(rows: list[AuditEvent], batches: list[int]) -> None:
    with transaction.atomic():
        _append(rows, batches)
        report = chain.verify(chunk=3)
        assert report.ok, report.problem
        assert report.rows == len(rows)
        transaction.set_rollback(True)


OPERATIONS = ["edit", "edit_and_rehash", "delete", "insert", "insert_unforged", "append"]


@HYPOTHESIS
@given(
    rows=st.lists(events(), min_size=1, max_size=8),
    batches=st.lists(st.integers(1, 3), max_size=3),
    operation=st.sampled_from(OPERATIONS),
    where=st.integers(min_value=0),
)
def test_any_single_tampering_is_found_at_the_first_bad_row(
    rows: list[AuditEvent], batches: list[int], operation: str, where: int
) -> None:
    with transaction.atomic():
        _append(rows, batches)
        n = len(rows)
        k = where % n + 1
        expected_id: int | None = None
        if operation == "edit":
            tampering.edit(k, purpose=MARK)
            expected_id = tampering.ids_by_seq()[k]
        elif operation == "edit_and_rehash":
            _edit_and_rehash(k)
            expected_id = tampering.ids_by_seq()[k]
        elif operation == "delete":
            tampering.delete(k)
        elif operation in ("insert", "insert_unforged"):
            tampering.insert_before(k, forge=operation == "insert")
            expected_id = tampering.ids_by_seq()[k]
        else:
            k = tampering.insert_at_end()
            expected_id = tampering.ids_by_seq()[k]
        problem = chain.verify(chunk=3).problem
        assert problem is not None, f"{operation} at {k} went unnoticed"
        assert (problem.seq, problem.row_id) == (k, expected_id), (operation, problem)
        transaction.set_rollback(True)


def _edit_and_rehash(seq: int) -> None:
    with tampering.triggers_lifted():
        event = AuditEvent.objects.get(seq=seq)
        event.purpose = MARK
        tampering.sql(
            'UPDATE "governance_auditevent" SET "purpose" = %s, "row_hash" = %s WHERE "seq" = %s',
            [event.purpose, chain.event_hash(event), seq],
        )


VALUES = st.tuples(
    st.integers(1, 2**62),
    st.integers(1, 2**62),
    WHEN,
    st.none() | st.integers(1, 2**62),
    st.text(TEXT),
    st.text(TEXT),
    st.none() | st.integers(1, 2**62),
    st.none() | st.integers(1, 2**62),
    st.text(TEXT),
    st.text(TEXT),
    st.text(TEXT),
    st.none() | st.integers(1, 2**62),
    st.text(TEXT),
    st.dictionaries(JSON_TEXT, JSON, max_size=5),
    ADDRESS,
)


@settings(max_examples=300, deadline=None)
@given(values=VALUES, prev=st.text("0123456789abcdef", min_size=64, max_size=64))
def test_the_canonical_text_is_its_definition(values: tuple[Any, ...], prev: str) -> None:
    assert chain.canonical_text(values, prev) == chain.reference_text(values, prev)
