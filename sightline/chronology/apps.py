from django.apps import AppConfig


class ChronologyConfig(AppConfig):
    name = "sightline.chronology"
    label = "chronology"

    def ready(self) -> None:
        from sightline.core import extensions

        # A merge moves the merged person's entries to the survivor's story (identity.merging).
        extensions.register_person_fields("chronology.EntrySubject.person")
