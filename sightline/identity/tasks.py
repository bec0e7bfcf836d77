"""Background work of the identity app: thin wrappers that take ids and call one service.

There is no task queue yet (DESIGN.md: database-backed tasks to come): a task runs when it is
enqueued, after the commit that asked for it."""

from __future__ import annotations

import logging

from sightline.core.actors import LINKER

log = logging.getLogger(__name__)


def link_batch_task(batch_id: int) -> None:
    """Link a newly imported batch against everyone known. Never trains a model (that is
    `sightline link`'s job, on everyone held), and never fails the import that enqueued it: a
    failure is logged and recorded on the link run, and `sightline link` tries the batch again."""
    from sightline.identity.linking import LinkError, link_batch

    try:
        link_batch(actor=LINKER, batch_id=batch_id, train=False)
    except LinkError as exc:
        log.info("batch %s not linked: %s", batch_id, exc)
    except Exception:
        log.exception("linking batch %s failed; `sightline link` will try it again", batch_id)
