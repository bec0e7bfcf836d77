from django.apps import AppConfig


class DataProtectionConfig(AppConfig):
    """Subject access requests and the retention schedule's deletion runs: the two jobs that
    read or delete everything held about one person across every app, so the app sits above
    them all (docs/adr/0026-subject-access-and-retention.md)."""

    name = "sightline.dataprotection"
    label = "dataprotection"

    def ready(self) -> None:
        from sightline.core import extensions
        from sightline.dataprotection import checks  # noqa: F401  (registers the system check)

        extensions.register_nav_item(
            "subject_access",
            "Subject access",
            "dataprotection:list",
            capabilities=["handle_subject_access"],
            order=63,
        )
