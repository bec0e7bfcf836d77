from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "sightline.alerts"
    label = "alerts"

    def ready(self) -> None:
        # A broken rule set stops `check`, `migrate` and `serve` (alerts.E001).
        # Evaluation: a change to a child's story queues their evaluation (the receiver only
        # enqueues); `sightline tick` runs it, and sweeps everyone once a day.
        from sightline.alerts import (
            checks,  # noqa: F401  (registers the system check)
            receivers,
            tasks,
        )
        from sightline.chronology.signals import story_changed

        tasks.register()
        story_changed.connect(receivers.story_changed, dispatch_uid="alerts.evaluate_changed")

        # Histories name agencies, feeds and teams from a kept copy: a change clears it.
        from django.db.models.signals import post_delete, post_save

        from sightline.agencies.models import Agency, Team
        from sightline.alerts.histories import lookups_changed
        from sightline.records.models import SourceSystem

        for model in (Agency, Team, SourceSystem):
            for signal in (post_save, post_delete):
                signal.connect(
                    lookups_changed, sender=model, dispatch_uid=f"alerts.{model.__name__}"
                )

        # The child's page: the open alerts, above the story. The service navigation: the inbox.
        from sightline.alerts.panels import alerts_panel
        from sightline.core import extensions

        extensions.register_panel("child", "alerts", "alerts", alerts_panel, order=10)
        extensions.register_nav_item(
            "alerts",
            "Alerts",
            "alerts:inbox",
            capabilities=["view_all_children", "view_granted_children"],
            order=15,
        )

        # Critical alerts tell the heads of service over the teams working with the child.
        from sightline.alerts import notify, services

        services.register_critical_hook(notify.critical_raised)

        # "My work": the open alerts on children the user is named on; a manager's teams' too.
        from sightline.alerts import work

        extensions.register_work_section("alerts", "Alerts to act on", work.my_alerts, order=30)
        extensions.register_team_work_section(
            "alerts", "Alerts to act on", work.team_alerts, order=30
        )

        # What is still open for a child (a step down, a closure, last agency standing) and the
        # front door's flags: the lower apps ask through their extension points.
        from sightline.alerts import openitems
        from sightline.referrals.extensions import register_queue_flags

        extensions.register_open_items(
            "alerts", "alert", openitems.open_alert_items, people=openitems.people_with_open_alerts
        )
        register_queue_flags("alerts", openitems.front_door_flags)

        # A merge moves the merged person's alerts to the survivor; one left behind because the
        # survivor has its own open alert for the rule is combined into it when evaluated.
        extensions.register_person_fields("alerts.Alert.person")
