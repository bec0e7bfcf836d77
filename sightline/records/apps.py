from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "sightline.records"
    label = "records"
