"""What every page needs to know from identity: which navigation items to offer
(settings.TEMPLATES, ui/base.html), and the data officer's home page (core.extensions)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from sightline.governance import access
from sightline.governance.policy import Capability


def _identity_only(scope: access.Scope) -> bool:
    """An identity reviewer who does not see children's stories: the data officer."""
    return scope.can(Capability.REVIEW_IDENTITY) and not (
        scope.can(Capability.VIEW_ALL_CHILDREN) or scope.can(Capability.VIEW_GRANTED_CHILDREN)
    )


def navigation(request: HttpRequest) -> dict[str, Any]:
    """ "Review matches" for identity reviewers. The data officer, who settles identity
    questions and does not read children's stories, is offered their own tools instead of
    "Find a child": the queue and "Find a person's records"."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"can_review_identity": False, "identity_only": False}
    scope = access.scope_for(user)
    return {
        "can_review_identity": scope.can(Capability.REVIEW_IDENTITY),
        "identity_only": _identity_only(scope),
    }


def landing(viewer: Any) -> str | None:
    """The data officer's home page is the review queue."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return None
    return reverse("identity:queue") if _identity_only(access.scope_for(viewer)) else None
