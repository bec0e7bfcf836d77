"""Extension points that let an upper app add to a lower app's page without the lower app
importing it (DESIGN.md layer order). An app registers in its AppConfig.ready().

Example: the child's page (chronology) shows who is involved (cases) and how the records were
linked (identity) through panels those apps register for the "child" page; the home page ("/",
ui) sends each viewer to the page an app registers for them (identity: the data officer's review
queue)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Panel:
    """A block of a page: a template and its context, already scoped to the viewer."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


# provider(viewer, person) -> Panel | None ; None means nothing to show this viewer.
PanelProvider = Callable[[Any, Any], "Panel | None"]

_panels: dict[tuple[str, str], list[tuple[int, str, PanelProvider]]] = {}


def register_panel(
    page: str, slot: str, name: str, provider: PanelProvider, *, order: int = 50
) -> None:
    entries = _panels.setdefault((page, slot), [])
    entries[:] = [e for e in entries if e[1] != name]  # re-registration replaces (autoreload)
    entries.append((order, name, provider))
    entries.sort(key=lambda e: (e[0], e[1]))


def panels_for(page: str, slot: str, viewer: Any, subject: Any) -> list[Panel]:
    out = []
    for _, _, provider in _panels.get((page, slot), []):
        panel = provider(viewer, subject)
        if panel is not None:
            out.append(panel)
    return out


# provider(viewer) -> a path, or None when the app has no home page for this viewer.
LandingProvider = Callable[[Any], "str | None"]

_landings: list[tuple[int, str, LandingProvider]] = []


def register_landing(name: str, provider: LandingProvider, *, order: int = 50) -> None:
    """An app's home page for the viewers it fits (the data officer's review queue): the first
    provider in order that answers decides where "/" goes; with none, the ui app's default."""
    _landings[:] = [e for e in _landings if e[1] != name]
    _landings.append((order, name, provider))
    _landings.sort(key=lambda e: (e[0], e[1]))


def landing_for(viewer: Any) -> str | None:
    for _, _, provider in _landings:
        found = provider(viewer)
        if found:
            return found
    return None
