"""Extension points of the referral pages, for the apps above referrals (alerts first) to fill
in their AppConfig.ready(), without referrals importing them (DESIGN.md layer order).

- **The front door's flags**: `register_queue_flags(name, provider)`. On the queue, each row
  (a child) shows the flags every provider gives it: `provider(viewer, person_ids)` returns
  `{person_id: [Flag(text, tag)]}`, already scoped to the viewer (say, "2 open alerts", red).
  One call per page for all its children, so a provider reads them in one query.
- **The triage panel**: the referral's page shows the panels registered with
  `core.extensions.register_panel("referral", "triage", name, provider)`: `provider(viewer,
  person)` returns a Panel (the child's open alerts, say) or None, beside the child's history
  at a glance."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Flag:
    text: str
    # A GOV.UK tag colour class: govuk-tag--red, govuk-tag--orange, … ("" for the default).
    tag: str = ""


QueueFlagProvider = Callable[[Any, list[int]], dict[int, list[Flag]]]
_queue_flags: list[tuple[int, str, QueueFlagProvider]] = []

# The page and slot of the triage panel (core.extensions.register_panel).
TRIAGE_PAGE = "referral"
TRIAGE_SLOT = "triage"


def register_queue_flags(name: str, provider: QueueFlagProvider, *, order: int = 50) -> None:
    """Add (or, by name, replace) a provider of flags for the front door's rows."""
    _queue_flags[:] = [e for e in _queue_flags if e[1] != name]
    _queue_flags.append((order, name, provider))
    _queue_flags.sort(key=lambda e: (e[0], e[1]))


def unregister_queue_flags(name: str) -> None:
    _queue_flags[:] = [e for e in _queue_flags if e[1] != name]


def queue_flags_for(viewer: Any, person_ids: Iterable[int]) -> dict[int, list[Flag]]:
    ids = sorted(set(person_ids))
    out: dict[int, list[Flag]] = {pk: [] for pk in ids}
    if not ids:
        return out
    for _, _, provider in _queue_flags:
        for person_id, flags in provider(viewer, ids).items():
            if person_id in out:
                out[person_id].extend(flags)
    return out


# --- grounds to reconsider a decision ----------------------------------------------------------
#
# A decided referral may be decided again when a professional disagreement about its decision
# asks for it (the escalations app, above, holds them) or on a manager's reason. The app that
# holds disagreements registers `provider(viewer, referral) -> [Ground]`: the open and resolved
# disagreements about that referral's decision (the viewer may already open the referral).


@dataclass(frozen=True)
class Ground:
    id: int  # the disagreement's id
    label: str
    status: str = ""
    url: str = ""


GroundsProvider = Callable[[Any, Any], "list[Ground]"]
_grounds: dict[str, GroundsProvider] = {}


def register_reconsideration_grounds(name: str, provider: GroundsProvider) -> None:
    """Add (or, by name, replace) a provider of grounds to reconsider a referral's decision."""
    _grounds[name] = provider


def reconsideration_grounds_for(viewer: Any, referral: Any) -> list[Ground]:
    out: list[Ground] = []
    for name in sorted(_grounds):
        out.extend(_grounds[name](viewer, referral))
    return out
