from typing import Any

from django.apps import AppConfig


def _break_glass_banners(user: Any) -> list[Any]:
    """The user's break-glass access, on every page while it lasts, with its end time."""
    from django.urls import reverse

    from sightline.core.dates import time_on_day_text
    from sightline.core.extensions import PageBanner
    from sightline.governance import breakglass

    return [
        PageBanner(
            heading="Break-glass access: every page you see is recorded with your reason",
            text=f"You can see the record of {row.person.full_name} until "
            f"{time_on_day_text(row.until)}.",
            link_text=f"Open {row.person.full_name}'s record",
            link_url=reverse("chronology:child", args=[row.person.reference]),
            action=reverse("cases:break_glass_end", args=[row.pk]),
            action_text="End break-glass access now",
        )
        for row in breakglass.break_glass_banner_for(viewer=user)
    ]


class CasesConfig(AppConfig):
    name = "sightline.cases"
    label = "cases"

    def ready(self) -> None:
        # The child's page: who is involved (agencies, named practitioners, lead first).
        from sightline.cases.panels import involvements_panel
        from sightline.core.extensions import register_panel

        register_panel("child", "summary", "involvements", involvements_panel, order=10)

        # Who the child's lead social worker is: cleared for health-confidential detail on
        # this child (governance/vocabulary/sensitivities.yaml, cleared_people).
        from sightline.cases.selectors import is_lead_social_worker
        from sightline.governance import access

        access.register_clearance_check("lead_social_worker", is_lead_social_worker)
        # Break-glass access, shown on every page while it lasts (cases.lockdown).
        from sightline.core.extensions import register_page_banner

        register_page_banner("break_glass", _break_glass_banners, order=10)

        # The ingest pipeline: involvement and entry lines (records.ingest.hooks).
        from sightline.cases import ingest

        ingest.register()

        # A merge moves the merged person's involvements to the survivor (identity.merging).
        from sightline.core.extensions import register_person_fields

        register_person_fields("cases.Involvement.person")
        register_person_fields("cases.ClosureProposal.person", "cases.LastAgencyFlag.person")

        # Closure agreement: its clock (a window passed with no objection), the "last agency
        # standing" sweep, the child's page, and my work.
        from sightline.cases import panels, tasks, work
        from sightline.core import extensions, timescales

        tasks.register()
        timescales.require_keys("cases", "closure.objection_window")
        extensions.register_panel(
            "child", "summary", "last_agency", panels.last_agency_panel, order=8
        )
        extensions.register_panel("child", "aside", "closures", panels.closures_panel, order=16)
        extensions.register_work_section(
            "closures_to_answer", "Closures to respond to", work.closures_to_answer, order=34
        )
        extensions.register_work_section(
            "closures_proposed", "Closures your agency proposed", work.closures_proposed, order=36
        )
        extensions.register_work_section(
            "last_agency", "Children your team is the last agency working with", work.last_agency,
            order=20,
        )  # fmt: skip
        extensions.register_team_work_section(
            "team_last_agency",
            "Children your teams are the last agency working with",
            work.last_agency_for_teams,
            order=20,
        )
