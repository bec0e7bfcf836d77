from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "sightline.identity"
    label = "identity"
    # Checked by identity's selectors and merges; given to roles by governance's role policy.
    capabilities = {
        "review_identity": "Settles identity questions: the review queue, merges and splits"
    }

    def ready(self) -> None:
        # The ingest pipeline: link new person records on valid identifiers.
        from sightline.identity.resolve import IdentifierResolver
        from sightline.records.ingest.hooks import register_person_resolver

        register_person_resolver(IdentifierResolver())

        # A new import batch is linked against everyone known (probabilistic linking), by a
        # task the receiver queues and `sightline tick` runs.
        from sightline.identity import receivers, tasks
        from sightline.records.signals import batch_imported

        tasks.register()
        batch_imported.connect(
            receivers.batch_imported, dispatch_uid="identity.link_imported_batch"
        )

        # The child's page: a possible match waiting for review, how the records were linked.
        from sightline.core import extensions
        from sightline.identity.navigation import landing
        from sightline.identity.panels import links_panel, pending_match_panel

        extensions.register_panel(
            "child", "summary", "identity_pending_match", pending_match_panel, order=5
        )
        extensions.register_panel("child", "aside", "identity_links", links_panel, order=20)

        # Merges re-point identity links; the merge's own two people stay as they are.
        extensions.register_person_fields("identity.IdentityLink.person")
        extensions.register_person_fields(
            "identity.PersonMerge.survivor", "identity.PersonMerge.merged", on_merge="keep"
        )

        # "Review matches" for those who settle identity questions.
        extensions.register_nav_item(
            "review",
            "Review matches",
            "identity:queue",
            capabilities=["review_identity"],
            order=20,
        )
        # The data officer, who settles identity questions without reading children's stories,
        # looks a person's records up by reference or number, and starts at the review queue.
        extensions.register_nav_item(
            "identity_find",
            "Find a person's records",
            "identity:find",
            capabilities=["review_identity"],
            unless=["view_all_children", "view_granted_children"],
            order=30,
        )
        extensions.register_landing("identity_review", landing, order=50)
