from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "sightline.ui"
    label = "ui"
