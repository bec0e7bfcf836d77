"""What the cases app announces. Receivers in upper apps only enqueue work (DESIGN.md).

`closure_objected` is sent after commit when an agency objects to another agency's proposal to
close its involvement with a child: the escalations app opens a professional disagreement for
the objection (a task). Arguments: `proposal_id`, `response_id` (the ClosureResponse),
`person_id`."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

closure_objected = Signal()


def announce_closure_objected(*, proposal_id: int, response_id: int, person_id: int) -> None:
    """Send `closure_objected` once the current transaction commits (nothing on rollback)."""
    transaction.on_commit(
        lambda: closure_objected.send(
            sender=announce_closure_objected,
            proposal_id=proposal_id,
            response_id=response_id,
            person_id=person_id,
        ),
        robust=True,
    )
