from typing import Any

from django.apps import AppConfig


def _audit_landing(viewer: Any) -> str | None:
    """The auditor, who reads no child's story, starts at the audit log."""
    from django.urls import reverse

    from sightline.governance import access
    from sightline.governance.policy import Capability

    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return None
    scope = access.scope_for(viewer)
    if scope.can(Capability.AUDIT_ACCESS) and not (
        scope.can(Capability.VIEW_ALL_CHILDREN) or scope.can(Capability.VIEW_GRANTED_CHILDREN)
    ):
        return reverse("audit:search")
    return None


class GovernanceConfig(AppConfig):
    name = "sightline.governance"
    label = "governance"
    # The access levels the access module checks (governance.policy; the role policy gives
    # them to roles).
    capabilities = {
        "view_all_children": "Finds and opens every child (the partnership's front door)",
        "view_granted_children": "Finds and opens the children their agency or team has a "
        "legitimate relationship with",
        "view_insight": "Sees the partnership in aggregate, never a named child",
        "administer": "Runs the system; reads no case file",
        "audit_access": "Reads the audit log: who looked at what, when and why (never case "
        "content); the unusual-access flags",
    }

    def ready(self) -> None:
        from sightline.core import extensions, queue
        from sightline.governance import (
            access,
            checks,  # noqa: F401  (registers the system checks)
            receivers,  # noqa: F401  (connects the audit receivers)
            tasks,
        )
        from sightline.governance.policy import Capability

        # core may not import governance: the task queue opens each task's system scope, and
        # the navigation checks each item's capability, through what is registered here.
        queue.register_scope_opener(access.system_scope)
        extensions.register_capability_check(
            lambda user, capability: access.scope_for(user).can(Capability(capability))
        )

        # The audit chain's head, exported daily (tick), so a rewrite of the log is found.
        tasks.register()

        # The auditor's pages: the log, and unusual access; "/" is the log for the auditor.
        extensions.register_nav_item(
            "audit", "Audit log", "audit:search", capabilities=["audit_access"], order=60
        )
        extensions.register_nav_item(
            "audit_flags",
            "Unusual access",
            "audit:flags",
            capabilities=["audit_access"],
            order=61,
        )
        extensions.register_landing("audit", _audit_landing, order=40)

        # Grants point at a person: a merge moves them to the survivor (identity.merging).
        extensions.register_person_fields("governance.AccessGrant.person")
