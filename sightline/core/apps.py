from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sightline.core"
    label = "core"
