from django.apps import AppConfig


class ChronologyConfig(AppConfig):
    name = "sightline.chronology"
    label = "chronology"
