"""What the chronology announces. Receivers in upper apps only enqueue work (DESIGN.md)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after commit when an entry version is added to one or more people's stories
# (by hand, by a correction or by an import). Arguments: entry_id, person_ids.
entry_recorded = Signal()
