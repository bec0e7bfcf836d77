from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "sightline.identity"
    label = "identity"

    def ready(self) -> None:
        # The ingest pipeline: link new person records on valid identifiers.
        from sightline.identity.resolve import IdentifierResolver
        from sightline.records.ingest.hooks import register_person_resolver

        register_person_resolver(IdentifierResolver())
