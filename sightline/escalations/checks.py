"""System checks (`python manage.py check`, run before every command and by the server): a
broken escalation procedure file is refused at start-up, not found when a disagreement is
raised."""

from __future__ import annotations

from typing import Any

from django.core import checks

from sightline.escalations.procedure import ProcedureError, versions


@checks.register()
def procedure_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        versions()
    except ProcedureError as exc:
        return [
            checks.Error(
                str(exc), hint="docs/workflow.md, Professional disagreement", id="escalations.E001"
            )
        ]
    return []
