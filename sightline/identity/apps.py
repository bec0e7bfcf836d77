from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "sightline.identity"
    label = "identity"
