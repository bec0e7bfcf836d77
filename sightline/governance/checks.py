"""System checks (`python manage.py check`, and before every command and the server): the
access rules' configuration is refused at start-up rather than found wanting at a child's page.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from sightline.governance.policy import policy_problems
from sightline.governance.vocabulary import identifier_policy


@checks.register(checks.Tags.security)
def role_policy_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every role has its capabilities, and every capability given is declared by an app."""
    return [
        checks.Error(problem, hint="docs/access.md, Roles", id="governance.E001")
        for problem in policy_problems()
    ]


@checks.register(checks.Tags.security)
def grace_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    value = getattr(settings, "ACCESS_GRACE_DAYS", 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return [
            checks.Error(
                f"ACCESS_GRACE_DAYS must be a whole number of days, 0 or more (not {value!r})",
                id="governance.E002",
            )
        ]
    return []


@checks.register(checks.Tags.security)
def refused_reads_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A refused read is audited just before the 404 it ends in; a request-wide transaction
    would roll that row back with the request."""
    return [
        checks.Error(
            f"DATABASES[{alias!r}]['ATOMIC_REQUESTS'] is on: refused reads would not be audited",
            hint="Sightline's services open their own transactions; leave ATOMIC_REQUESTS off.",
            id="governance.E003",
        )
        for alias, config in settings.DATABASES.items()
        if config.get("ATOMIC_REQUESTS")
    ]


@checks.register(checks.Tags.security)
def identifier_policy_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """identifiers.yaml reads, and names every identifier scheme the people app records."""
    try:
        policy = identifier_policy()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="governance.E004")]
    if not apps.is_installed("sightline.people"):
        return []
    # Read through the app registry: people sits above governance in the layer order.
    scheme_field = apps.get_model("people", "Identifier")._meta.get_field("scheme")
    missing = sorted(
        str(value) for value, _ in scheme_field.choices or [] if value not in policy.schemes
    )
    if missing:
        return [
            checks.Error(
                f"identifiers.yaml names no rule for the identifier schemes {missing}",
                hint="Add each to `schemes` (a scheme not named is shown to nobody).",
                id="governance.E005",
            )
        ]
    return []
