"""Reads of the records app. Source systems and batches are not case data (they name no
child), so the data officers' tools and the command line may list them; the records a batch
holds are read through the people and chronology selectors, which the access module scopes."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from sightline.records.models import ImportBatch, SourceSystem


def source_system_list_for(*, viewer: Any) -> QuerySet[SourceSystem]:
    """Every registered feed, with its agency and how many current records it holds."""
    return (
        SourceSystem.objects.select_related("agency")
        .annotate(current_records=Count("records", filter=Q(records__is_current=True)))
        .order_by("code")
    )


def import_batch_list_for(*, viewer: Any, limit: int = 50) -> QuerySet[ImportBatch]:
    return ImportBatch.objects.order_by("-started_at", "-id")[:limit]
