"""Reads of a user's own things: their notifications. A user sees only their own (no case data
is read here: a notification links to its subject, whose page checks access itself)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sightline.accounts.models import Notification


def notifications_for(*, viewer: Any, unread_only: bool = False) -> QuerySet[Notification]:
    """The viewer's notifications, newest first."""
    if viewer is None or not getattr(viewer, "pk", None):
        return Notification.objects.none()
    rows = Notification.objects.filter(recipient_id=viewer.pk)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-pk")


def unread_count_for(*, viewer: Any) -> int:
    return notifications_for(viewer=viewer, unread_only=True).count()
