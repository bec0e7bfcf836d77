from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "sightline.identity"
    label = "identity"

    def ready(self) -> None:
        # The ingest pipeline: link new person records on valid identifiers.
        from sightline.identity.resolve import IdentifierResolver
        from sightline.records.ingest.hooks import register_person_resolver

        register_person_resolver(IdentifierResolver())

        # A new import batch is linked against everyone known (probabilistic linking).
        from sightline.identity import receivers
        from sightline.records.signals import batch_imported

        batch_imported.connect(
            receivers.batch_imported, dispatch_uid="identity.link_imported_batch"
        )

        # The child's page: a possible match waiting for review, how the records were linked.
        from sightline.core.extensions import register_landing, register_panel
        from sightline.identity.panels import links_panel, pending_match_panel

        register_panel("child", "summary", "identity_pending_match", pending_match_panel, order=5)
        register_panel("child", "aside", "identity_links", links_panel, order=20)

        # The data officer's home: the review queue (they do not see children's stories).
        from sightline.identity.context_processors import landing

        register_landing("identity_review", landing, order=50)
