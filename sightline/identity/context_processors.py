"""What every page needs to know from identity: whether to offer "Review matches" in the
navigation (settings.TEMPLATES, ui/base.html)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sightline.governance import access
from sightline.governance.policy import Capability


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"can_review_identity": False}
    return {"can_review_identity": access.scope_for(user).can(Capability.REVIEW_IDENTITY)}
