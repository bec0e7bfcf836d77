from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "sightline.records"
    label = "records"

    def ready(self) -> None:
        from sightline.core import extensions

        # A merge moves the merged person's source records to the survivor (identity.merging).
        extensions.register_person_fields("records.SourceRecord.person")
