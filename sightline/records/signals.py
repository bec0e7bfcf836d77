"""What the records app announces. Receivers only enqueue work (DESIGN.md)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after an import batch has committed, with `batch_id` (an ImportBatch id). The identity
# app links the batch's people probabilistically from here.
batch_imported = Signal()
