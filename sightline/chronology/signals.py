"""What the chronology announces. Receivers in upper apps only enqueue work (DESIGN.md).

`story_changed` is sent once, after commit, for every change to any child's story, whatever
made it (docs/child-story.md, "When the story changes"):

| cause | sent by | once per |
|---|---|---|
| `imported` | the import pipeline's entry writer (chronology.bulk, wired by cases.ingest) | import batch that added or superseded entries |
| `recorded` | chronology.services.entry_record | entry recorded by hand |
| `corrected` | chronology.services.entry_correct | correction |
| `merged` | identity.merging.person_merge | merge of two people |
| `split` | identity.merging.person_split | split of a merge |

Arguments: `cause` (a StoryCause), `entry_ids` and `person_ids` (sorted tuples: the entry
versions added, or whose people changed; the people whose story changed), and `batch_id` or
`merge_id` when the change came from one. Nothing is sent when the transaction rolls back, nor
for a change that touches no entry."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from django.db import transaction
from django.dispatch import Signal


class StoryCause(StrEnum):
    IMPORTED = "imported"
    RECORDED = "recorded"
    CORRECTED = "corrected"
    MERGED = "merged"
    SPLIT = "split"


story_changed = Signal()


class StoryChanges:
    """The entries and people one change touches, announced once after its transaction commits.

    A change written in steps (an import batch, chunk by chunk) adds to one collector; the
    announcement is arranged on the first `add`, inside the transaction, so a rollback (of the
    transaction or of the savepoint it was arranged in) sends nothing."""

    def __init__(
        self, cause: StoryCause, *, batch_id: int | None = None, merge_id: int | None = None
    ) -> None:
        self.cause = cause
        self.batch_id = batch_id
        self.merge_id = merge_id
        self.entry_ids: set[int] = set()
        self.person_ids: set[int] = set()
        self._arranged = False

    def add(self, entry_ids: Iterable[int], person_ids: Iterable[int]) -> None:
        self.entry_ids.update(entry_ids)
        self.person_ids.update(person_ids)
        if not self._arranged and self.entry_ids:
            self._arranged = True
            transaction.on_commit(self.send, robust=True)

    def send(self) -> None:
        story_changed.send(
            sender=StoryChanges,
            cause=self.cause,
            entry_ids=tuple(sorted(self.entry_ids)),
            person_ids=tuple(sorted(self.person_ids)),
            batch_id=self.batch_id,
            merge_id=self.merge_id,
        )


def announce_story_changed(
    cause: StoryCause,
    *,
    entry_ids: Iterable[int],
    person_ids: Iterable[int],
    batch_id: int | None = None,
    merge_id: int | None = None,
) -> None:
    """Announce one change after the current transaction commits (at once outside one)."""
    StoryChanges(cause, batch_id=batch_id, merge_id=merge_id).add(entry_ids, person_ids)
