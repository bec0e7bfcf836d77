"""Who did something, when it was not a person at a keyboard."""

from __future__ import annotations

from dataclasses import dataclass


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
