from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "sightline.cases"
    label = "cases"

    def ready(self) -> None:
        # The child's page: who is involved (agencies, named practitioners, lead first).
        from sightline.cases.panels import involvements_panel
        from sightline.core.extensions import register_panel

        register_panel("child", "summary", "involvements", involvements_panel, order=10)

        # The ingest pipeline: involvement and entry lines (records.ingest.hooks).
        from sightline.cases import ingest

        ingest.register()

        # A merge moves the merged person's involvements to the survivor (identity.merging).
        from sightline.core.extensions import register_person_fields

        register_person_fields("cases.Involvement.person")
