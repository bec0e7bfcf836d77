from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    name = "sightline.escalations"
    label = "escalations"

    def ready(self) -> None:
        from sightline.cases.signals import closure_objected
        from sightline.core import extensions, timescales
        from sightline.escalations import (
            checks,  # noqa: F401  (registers the procedure file's system check)
            panels,
            procedure,
            receivers,
            subjects,
            tasks,
            work,
        )

        # Every stage's timescale, in every version of the procedure (core.E002 otherwise).
        timescales.require_keys(
            "escalations", *sorted({s.timescale for p in procedure.versions() for s in p.stages})
        )

        # The clock (a stage not answered by its deadline moves up) and the objection task.
        tasks.register()
        # An objection to a closure (cases, below) opens a disagreement: a task, queued here.
        closure_objected.connect(
            receivers.closure_objected, dispatch_uid="escalations.open_for_objection"
        )
        # A disagreement about a referral's decision is a ground to reconsider it (referrals).
        from sightline.referrals.extensions import register_reconsideration_grounds

        register_reconsideration_grounds("disagreements", subjects.reconsideration_grounds)
        # The child's page: the disagreements about the child, and how to raise one.
        extensions.register_panel(
            "child", "aside", "disagreements", panels.disagreements_panel, order=12
        )
        extensions.register_person_fields("escalations.Escalation.person")
        # My work: disagreements to answer and those raised; a manager's teams' disagreements.
        extensions.register_work_section(
            "disagreements_to_answer", "Disagreements to answer", work.to_answer, order=30
        )
        extensions.register_work_section(
            "disagreements_raised", "Disagreements your agency raised", work.raised, order=32
        )
        extensions.register_team_work_section(
            "team_disagreements", "Disagreements involving your teams", work.for_teams, order=30
        )
        # The partnership's report on how escalation is used.
        extensions.register_nav_item(
            "disagreement_report",
            "Escalation report",
            "escalations:report",
            capabilities=["view_insight"],
            order=70,
        )
