from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "sightline.decisions"
    label = "decisions"

    def ready(self) -> None:
        from sightline.core import extensions
        from sightline.decisions import (
            checks,  # noqa: F401  (registers the levels file's system check)
            panels,
            work,
        )

        extensions.register_panel("child", "aside", "step_requests", panels.steps_panel, order=14)
        extensions.register_person_fields("decisions.StepRequest.person")
        extensions.register_work_section(
            "step_requests_to_decide", "Step up and step down decisions waiting", work.to_decide,
            order=40,
        )  # fmt: skip
        extensions.register_work_section(
            "step_requests_made", "Step requests your agency made", work.made, order=42
        )
        extensions.register_team_work_section(
            "team_step_requests", "Step requests involving your teams", work.for_teams, order=40
        )
