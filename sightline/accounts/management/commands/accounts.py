"""`sightline accounts reset-2fa EMAIL` and `sightline accounts sign-out-everywhere EMAIL`
(docs/security.md): an administrator's recovery of a user who lost their authenticator, and
ending every session of a user (a lost laptop, a leaver)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sightline.accounts.models import User
from sightline.accounts.services import normalise_username, otp_reset, user_sessions_end
from sightline.core.actors import SystemActor, actor_for_command
from sightline.core.errors import AccessDenied

# Whoever runs the command on the server, unless --user names the administrator.
ACCOUNTS_TOOL = SystemActor("accounts")


class Command(BaseCommand):
    help = "Accounts: reset a user's two-factor sign-in; sign a user out everywhere."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        reset = sub.add_parser(
            "reset-2fa",
            help="Remove a user's authenticator app and backup codes and end their sessions; "
            "they set two-factor sign-in up again at their next sign-in.",
        )
        reset.add_argument("email", help="the user's work email address (their username)")
        reset.add_argument("--user", metavar="USERNAME", help="the administrator doing it (audit)")
        everywhere = sub.add_parser(
            "sign-out-everywhere", help="End every session the user has, on every browser."
        )
        everywhere.add_argument("email", help="the user's work email address (their username)")
        everywhere.add_argument(
            "--user", metavar="USERNAME", help="the administrator doing it (audit)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_for_command(options.get("user"), default=ACCOUNTS_TOOL)
        username = normalise_username(str(options["email"]))
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account with the email address {username!r}.")
        try:
            if options["action"] == "reset-2fa":
                removed = otp_reset(actor=actor, user=user)
                self.stdout.write(
                    f"Reset two-factor sign-in for {username}: {removed} device"
                    f"{'' if removed == 1 else 's'} removed, every session ended. They set it up "
                    "again when they next sign in."
                )
            else:
                user_sessions_end(actor=actor, user=user)
                self.stdout.write(f"Signed {username} out everywhere.")
        except AccessDenied as exc:
            raise CommandError(exc.message) from exc
