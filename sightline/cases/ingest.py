"""Wiring the ingest pipeline (records.ingest) to the apps that own the rows it derives.

`records` and `chronology` are siblings in the layer order and may not import each other, and
`records` may not import `cases`; cases is the lowest app above all three, so it registers:

- the writer of `involvement` lines (cases.services.involvements_import);
- the writer of `entry` lines (chronology.bulk.entries_write) and chronology's entry-type
  vocabulary and text limits, which the pipeline validates `type`, `summary` and `detail`
  against (the form's limits: one definition).

Called from CasesConfig.ready(); registering again replaces.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sightline.cases.services import InvolvementValue, involvements_import
from sightline.chronology import bulk as chronology_bulk
from sightline.chronology.services import DETAIL_MAX, SUMMARY_MAX
from sightline.chronology.signals import StoryCause, StoryChanges
from sightline.chronology.vocabulary import entry_types
from sightline.records.ingest import hooks, spec
from sightline.records.ingest.hooks import WriteContext, WriteItem
from sightline.records.ingest.lines import EntryLine, InvolvementLine
from sightline.records.models import SourceSystem


def register() -> None:
    hooks.register_entry_types(_entry_types)
    hooks.register_entry_text_limits(lambda: {"summary": SUMMARY_MAX, "detail": DETAIL_MAX})
    hooks.register_line_writer(spec.ENTRY, write_entries)
    hooks.register_line_writer(spec.INVOLVEMENT, write_involvements)


def _entry_types() -> Mapping[str, bool]:
    return {code: t.significant for code, t in entry_types().items()}


def write_entries(context: WriteContext, items: Sequence[WriteItem]) -> None:
    writes = []
    for item in items:
        line = item.line
        assert isinstance(line, EntryLine)
        assert item.agency_id is not None
        writes.append(
            chronology_bulk.EntryWrite(
                entry=line,
                source_record_id=item.source_record_id,
                previous_record_id=item.previous_record_id,
                agency_id=item.agency_id,
                subjects=[
                    (person_id, subject.role)
                    for person_id, subject in zip(item.people, line.subjects, strict=True)
                ],
            )
        )
    # One announcement for the whole batch, however many chunks and sources it writes.
    changes = context.batch_state.setdefault(
        "chronology.story_changes", StoryChanges(StoryCause.IMPORTED, batch_id=context.batch_id)
    )
    chronology_bulk.entries_write(writes, adapter=context.adapter, changes=changes)


def write_involvements(context: WriteContext, items: Sequence[WriteItem]) -> None:
    values = []
    for item in items:
        line = item.line
        assert isinstance(line, InvolvementLine)
        assert item.agency_id is not None
        values.append(
            InvolvementValue(
                source_record_id=item.source_record_id,
                previous_record_id=item.previous_record_id,
                person_id=item.people[0],
                agency_id=item.agency_id,
                team_name=line.team,
                practitioner_name=line.practitioner_name,
                practitioner_role=line.practitioner_role,
                practitioner_email=line.practitioner_email,
                practitioner_phone=line.practitioner_phone,
                is_lead=line.is_lead,
                started_on=line.started_on,
                ended_on=line.ended_on,
            )
        )
    involvements_import(
        actor=context.actor,
        items=values,
        team_scoped=context.source.access_scope == SourceSystem.AccessScope.TEAM,
        adapter=context.adapter,
    )
