from typing import Any

from django.apps import AppConfig


def _notifications_link(user: Any) -> Any:
    from django.urls import reverse

    from sightline.accounts.selectors import unread_count_for
    from sightline.core.extensions import HeaderLink

    count = unread_count_for(viewer=user)
    return HeaderLink(
        "Notifications",
        reverse("accounts:notifications"),
        count=count,
        count_label="unread",
    )


def _account_link(user: Any) -> Any:
    from django.urls import reverse

    from sightline.core.extensions import HeaderLink

    return HeaderLink("Your account", reverse("accounts:account"))


class AccountsConfig(AppConfig):
    name = "sightline.accounts"
    label = "accounts"

    def ready(self) -> None:
        from sightline.accounts import outbox
        from sightline.core import extensions

        # Notifications' emails leave through the outbox, sent by `sightline tick`.
        outbox.register()
        # The signed-in user's notifications, with the unread count, in the header.
        extensions.register_header_link("notifications", _notifications_link, order=10)
        # Two-factor sign-in and "sign out everywhere" (accounts.views.account).
        extensions.register_header_link("account", _account_link, order=90)
