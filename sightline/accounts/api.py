"""Notifications in the JSON API: the signed-in user's own, and marking them read (the same
services as the pages). Another user's notification is "not found", as one that does not exist."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from sightline.accounts.models import Notification
from sightline.accounts.selectors import notifications_for, unread_count_for
from sightline.accounts.services import notification_mark_all_read, notification_mark_read

router = Router(tags=["notifications"])
PAGE_SIZE = 50


class NotificationOut(Schema):
    id: int
    key: str
    subject: str
    body: str
    url: str  # a path on this site: what it is about
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationsOut(Schema):
    results: list[NotificationOut]
    unread: int
    has_more: bool


class MarkedOut(Schema):
    marked: int


def _out(n: Notification) -> NotificationOut:
    return NotificationOut(
        id=n.pk,
        key=n.key,
        subject=n.subject,
        body=n.body,
        url=n.url,
        created_at=n.created_at,
        read_at=n.read_at,
    )


@router.get(
    "/notifications",
    response=NotificationsOut,
    summary="Your notifications",
    url_name="notifications",
    description="The signed-in user's notifications, newest first (50 a page; `page` from 1).",
)
def notifications(
    request: HttpRequest, unread_only: bool = False, page: int = 1
) -> NotificationsOut:
    page = max(1, min(page, 100_000))
    rows = notifications_for(viewer=request.user, unread_only=unread_only)
    start = (page - 1) * PAGE_SIZE
    chunk = list(rows[start : start + PAGE_SIZE + 1])
    return NotificationsOut(
        results=[_out(n) for n in chunk[:PAGE_SIZE]],
        unread=unread_count_for(viewer=request.user),
        has_more=len(chunk) > PAGE_SIZE,
    )


@router.post(
    "/notifications/{notification_id}/read",
    response=NotificationOut,
    summary="Mark a notification read",
    url_name="notification_read",
)
def notification_read(request: HttpRequest, notification_id: int) -> NotificationOut:
    return _out(notification_mark_read(actor=request.user, notification_id=notification_id))  # type: ignore[arg-type]


@router.post(
    "/notifications/read-all",
    response=MarkedOut,
    summary="Mark every notification read",
    url_name="notifications_read_all",
)
def notifications_read_all(request: HttpRequest) -> MarkedOut:
    return MarkedOut(marked=notification_mark_all_read(actor=request.user))  # type: ignore[arg-type]
