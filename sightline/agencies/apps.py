from typing import Any

from django.apps import AppConfig


def _my_work_landing(viewer: Any) -> str | None:
    """ "My work" is home for everyone with a role in the partnership (the data officer's home,
    the review queue, answers before it; an app with a better home for a role registers its
    own landing with a lower order)."""
    from django.urls import reverse

    from sightline.agencies.models import Membership

    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return None
    if not Membership.objects.filter(user_id=viewer.pk).exists():
        return None
    return reverse("agencies:my_work")


class AgenciesConfig(AppConfig):
    name = "sightline.agencies"
    label = "agencies"
    # Checked by the team's view of "my work"; given to roles by governance's role policy.
    capabilities = {
        "view_team_work": "Sees the work waiting on the teams they manage or head, overdue first",
    }

    def ready(self) -> None:
        from sightline.core import extensions

        extensions.register_nav_item("my_work", "My work", "agencies:my_work", order=5)
        extensions.register_landing("my_work", _my_work_landing, order=90)
