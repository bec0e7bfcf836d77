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
        # Registers the system checks and connects the audit receivers.
        from sightline.governance import checks, receivers  # noqa: F401
