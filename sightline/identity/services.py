"""The identity app owns how person records are linked to people: the link of every person
source record (IdentityLink), candidate links awaiting a decision, merges and splits.

Deterministic links are made during an import (identity.resolve, registered with the ingest
pipeline) and written here in the import's transaction; the import's own audit event covers
them (one event per batch, not one per record)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from sightline.core import clock
from sightline.core.fastinsert import Adapter, FastTable
from sightline.identity.models import IdentityLink
from sightline.records.ingest.hooks import PersonLink


def identity_links_record(*, actor: Any, links: Sequence[PersonLink]) -> None:
    """Record how each person source record came to its person (one IdentityLink each).
    Machine decisions: `decided_by` stays empty; `actor` is the import's, audited with it."""
    if actor is None:
        raise ValueError("identity_links_record needs an actor")
    if not links:
        return
    adapter = Adapter()
    decided_at = adapter.datetime(clock.now())
    table = FastTable(
        IdentityLink,
        [
            "source_record_id",
            "person_id",
            "method",
            "match_weight",
            "explanation",
            "decided_by_id",
            "decided_at",
        ],
    )
    ids = table.allocate(len(links))
    table.insert(
        [
            (
                pk,
                link.source_record_id,
                link.person_id,
                link.method,
                None,
                orjson.dumps(dict(link.explanation)).decode(),
                None,
                decided_at,
            )
            for pk, link in zip(ids, links, strict=True)
        ]
    )
