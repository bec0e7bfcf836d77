"""Extension points that let an upper app add to a lower app's page without the lower app
importing it (DESIGN.md layer order). An app registers in its AppConfig.ready().

Example: the child's page (chronology) shows who is involved (cases) and how the records were
linked (identity) through panels those apps register for the "child" page."""

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
