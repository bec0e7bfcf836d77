"""An entry line sent again and again, changed or not, with its recorded_at earlier, equal or
later than the version it replaces: the child's story "as known on" any date shows at most one
version of the entry, the one known then, and no version is rewritten (cases.ingest writes
imported entries with chronology.bulk; docs/adr/0012-what-an-import-promises.md)."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.forms.models import model_to_dict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sightline.agencies.tests.factories import practitioner
from sightline.chronology.bitemporal import known_cutoff
from sightline.chronology.filters import StoryFilters
from sightline.chronology.models import ChronologyEntry
from sightline.chronology.selectors import StoryRow, child_get_for, story_for
from sightline.core import clock
from sightline.core.actors import IMPORTER
from sightline.core.dates import LONDON
from sightline.people.models import Person
from sightline.records.ingest.pipeline import ImportOptions, import_file
from sightline.records.models import SourceSystem
from sightline.records.services import source_system_register
from sightline.records.tests import lines
from sightline.records.tests.conftest import write_jsonl

pytestmark = pytest.mark.django_db

FIRST = dt.datetime(2019, 8, 4, 9, 30, tzinfo=LONDON)


@pytest.fixture
def police(db: Any) -> SourceSystem:
    return source_system_register(
        actor=IMPORTER, code="police", name="Police records", agency_kind="police"
    )


@contextmanager
def rolled_back() -> Iterator[None]:
    """Each example starts from the same database."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@dataclass
class Known:
    """What the test expects: each version's summary and when it became known."""

    summary: str
    recorded_at: dt.datetime


def entry_line(summary: str, recorded_at: dt.datetime) -> dict[str, Any]:
    return lines.entry("E-77", summary=summary, recorded_at=recorded_at.strftime("%Y-%m-%dT%H:%M"))


def shown(viewer: Any, reference: str, on: dt.date | None) -> list[tuple[int | None, str]]:
    child = child_get_for(viewer=viewer, reference=reference)
    page = story_for(viewer=viewer, child=child, filters=StoryFilters(as_known_on=on))
    assert all(isinstance(row, StoryRow) for row in page.rows)  # the viewer reads every entry
    return [
        (row.entry.lineage, row.entry.summary) for row in page.rows if isinstance(row, StoryRow)
    ]


SENDS = st.lists(
    st.one_of(
        st.just(None),  # the current line, sent again unchanged
        st.tuples(
            st.sampled_from(["Seen.", "Seen alone.", "Not seen.", "Found in Coventry."]),
            # Hours after the first version: before, at or after the current version.
            st.integers(min_value=0, max_value=24 * 40).map(lambda h: dt.timedelta(hours=h)),
        ),
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sends=SENDS)
def test_the_story_as_known_on_any_date_shows_one_version_the_one_known_then(
    police: SourceSystem, sends: list[tuple[str, dt.timedelta] | None]
) -> None:
    with rolled_back(), tempfile.TemporaryDirectory() as folder:
        viewer = practitioner("police_officer", agency=police.agency)
        path = Path(folder) / "police.jsonl"
        current = entry_line("Reported missing overnight.", FIRST)
        write_jsonl(path, [lines.person(), current])
        import_file(path, actor=IMPORTER, options=ImportOptions())
        expected = [Known(current["summary"], FIRST)]
        reference = Person.objects.get().reference

        for send in sends:
            written = {e.pk: model_to_dict(e) for e in ChronologyEntry.objects.all()}
            line = current if send is None else entry_line(send[0], FIRST + send[1])
            write_jsonl(path, [line])
            before = clock.now()
            result = import_file(path, actor=IMPORTER, options=ImportOptions())
            assert result.status == "imported"
            if line != current:
                claimed = FIRST + send[1] if send else FIRST
                if claimed > expected[-1].recorded_at:
                    expected.append(Known(line["summary"], claimed))
                else:  # dated no later than what it replaces: known from its import
                    recorded = ChronologyEntry.objects.get(superseded_at__isnull=True).recorded_at
                    assert before <= recorded <= clock.now()
                    expected.append(Known(line["summary"], recorded))
                current = line
            # What was written stays written: only the replaced version is closed, once.
            for entry in ChronologyEntry.objects.filter(pk__in=written):
                now = model_to_dict(entry)
                if written[entry.pk]["superseded_at"] is None:
                    now["superseded_at"], now["superseded_by"] = None, None
                assert now == written[entry.pk]

        versions = list(ChronologyEntry.objects.order_by("version"))
        assert [v.summary for v in versions] == [k.summary for k in expected]
        assert [v.recorded_at for v in versions] == [k.recorded_at for k in expected]
        lineage = versions[0].lineage
        days = {
            k.recorded_at.astimezone(LONDON).date() + dt.timedelta(days=d)
            for k in expected
            for d in (-1, 0, 1)
        }
        for day in sorted(d for d in days if d <= clock.today()):
            cutoff = known_cutoff(day)
            known = [k.summary for k in expected if k.recorded_at < cutoff][-1:]
            assert shown(viewer, reference, day) == [(lineage, s) for s in known], day
        assert shown(viewer, reference, None) == [(lineage, expected[-1].summary)]


def test_two_versions_of_one_entry_in_one_file_are_refused(
    police: SourceSystem, tmp_path: Path
) -> None:
    path = write_jsonl(
        tmp_path / "police.jsonl",
        [
            lines.person(),
            entry_line("First.", FIRST),
            entry_line("Second.", FIRST + dt.timedelta(days=1)),
        ],
    )
    result = import_file(path, actor=IMPORTER, options=ImportOptions(accept_valid=True))
    assert [(e.line, e.field, e.reason) for e in result.errors] == [
        (3, "source_id", "E-77 appears twice in this file (first on line 2)")
    ]
    [entry] = ChronologyEntry.objects.all()
    assert (entry.summary, entry.version, entry.superseded_at) == ("First.", 1, None)
