from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "sightline.alerts"
    label = "alerts"

    def ready(self) -> None:
        # A broken rule set stops `check`, `migrate` and `serve` (alerts.E001).
        from sightline.alerts import checks  # noqa: F401  (registers the system check)
