"""Where identity's reviewers start. The data officer settles identity questions and does not
read children's stories: "/" sends them to the review queue (core.extensions.register_landing)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from sightline.governance import access
from sightline.governance.policy import Capability


def identity_only(scope: access.Scope) -> bool:
    """An identity reviewer who does not see children's stories: the data officer."""
    return scope.can(Capability.REVIEW_IDENTITY) and not (
        scope.can(Capability.VIEW_ALL_CHILDREN) or scope.can(Capability.VIEW_GRANTED_CHILDREN)
    )


def landing(viewer: Any) -> str | None:
    """The data officer's home page is the review queue."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return None
    return reverse("identity:queue") if identity_only(access.scope_for(viewer)) else None
