from django.apps import AppConfig


class ChronologyConfig(AppConfig):
    name = "sightline.chronology"
    label = "chronology"
    # Checked by chronology.services; given to roles by governance's role policy.
    capabilities = {"record_entries": "Records entries in the story of a child they may see"}
