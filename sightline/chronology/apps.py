from django.apps import AppConfig


class ChronologyConfig(AppConfig):
    name = "sightline.chronology"
    label = "chronology"
    # Checked by chronology.services; given to roles by governance's role policy.
    capabilities = {"record_entries": "Records entries in the story of a child they may see"}

    def ready(self) -> None:
        from sightline.core import extensions

        # A merge moves the merged person's entries to the survivor's story (identity.merging).
        extensions.register_person_fields("chronology.EntrySubject.person")

        # The child's page: the sharing decisions the viewer may see (governance.sharing).
        from sightline.chronology.sharing_views import sharing_panel

        extensions.register_panel("child", "aside", "sharing", sharing_panel, order=40)
