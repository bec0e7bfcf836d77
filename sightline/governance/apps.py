from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "sightline.governance"
    label = "governance"

    def ready(self) -> None:
        from sightline.governance import receivers  # noqa: F401  (connects the audit receivers)
