from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "sightline.governance"
    label = "governance"

    def ready(self) -> None:
        from sightline.core import extensions, queue
        from sightline.governance import (
            access,
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
