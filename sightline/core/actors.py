"""Who did something, when it was not a person at a keyboard."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SystemActor:
    """An automated actor (an import, the clock, the linker). Audited by name."""

    name: str
    pk: None = None
    is_authenticated: bool = True

    def __str__(self) -> str:
        return f"system:{self.name}"


IMPORTER = SystemActor("importer")
LINKER = SystemActor("linker")
CLOCK = SystemActor("clock")


# --- One actor type -------------------------------------------------------------------------
#
# Every service takes `actor`: a signed-in user or a SystemActor. These are the only places that
# tell them apart, so a row's "by whom" (a user foreign key, or none for the system) and its
# name read the same wherever they are written.

Actor = Any  # a User (accounts.User: core may not import accounts) or a SystemActor


def actor_user(actor: Actor) -> Any:
    """The user to store in a "by" foreign key: the person, or None for the system."""
    if actor is None or isinstance(actor, SystemActor) or not getattr(actor, "pk", None):
        return None
    return actor


def actor_name(actor: Actor) -> str:
    """The name audited and shown for an actor: `system:<name>`, a user's username, or
    "anonymous" for a visitor who has not signed in."""
    if isinstance(actor, SystemActor):
        return str(actor)
    if not getattr(actor, "pk", None):
        return "anonymous"
    return str(actor.get_username())


def actor_for_command(username: str | None, *, default: SystemActor) -> Actor:
    """The actor a command runs as: the active user named by `--user`, else the system actor
    the command is (the importer, the linker). An unknown or inactive user is refused."""
    if not username:
        return default
    from django.contrib.auth import get_user_model
    from django.core.management.base import CommandError

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"No active user {username}.")
    return user
