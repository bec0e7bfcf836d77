from django.apps import AppConfig


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
    }

    def ready(self) -> None:
        from sightline.core import extensions, queue
        from sightline.governance import (
            access,
            checks,  # noqa: F401  (registers the system checks)
            receivers,  # noqa: F401  (connects the audit receivers)
        )
        from sightline.governance.policy import Capability

        # core may not import governance: the task queue opens each task's system scope, and
        # the navigation checks each item's capability, through what is registered here.
        queue.register_scope_opener(access.system_scope)
        extensions.register_capability_check(
            lambda user, capability: access.scope_for(user).can(Capability(capability))
        )

        # Grants point at a person: a merge moves them to the survivor (identity.merging).
        extensions.register_person_fields("governance.AccessGrant.person")
