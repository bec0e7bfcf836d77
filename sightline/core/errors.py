"""One error hierarchy, mapped once to pages (ui) and to JSON (api)."""

from __future__ import annotations


class DomainError(Exception):
    """A refusal the user can act on; its message is shown to them."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """Not there, or not yours to see: callers cannot tell the two apart."""


class AccessDenied(DomainError):
    """The viewer may not do this. Reads raise NotFound instead so existence does not leak."""


class ValidationFailed(DomainError):
    """Input that breaks a rule; `errors` maps field names to messages."""

    def __init__(self, message: str, *, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or {}


class InvalidTransition(DomainError):
    """A change the record's current state does not allow."""
