"""What the agencies app announces. The governance app's receivers write the audit rows
(agencies sits below governance, so it cannot call the audit module itself). Sent inside the
service's transaction, so the audit row commits with the change."""

from __future__ import annotations

from django.dispatch import Signal

# actor, change ("agency_created" | "team_created"), detail (dict).
organisation_changed = Signal()
