from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sightline.core"
    label = "core"

    def ready(self) -> None:
        from sightline.core import checks  # noqa: F401  (registers the system checks)
