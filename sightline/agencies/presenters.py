""" "My work" as the page shows it: each registered section's items (core.extensions), overdue
first, with their deadlines in words. A section whose provider fails is shown as not loaded
rather than taking the whole landing page down."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from sightline.agencies.models import Team
from sightline.core import clock
from sightline.core.extensions import WorkItem, WorkSection, work_order

log = logging.getLogger(__name__)


@dataclass
class ItemView:
    item: WorkItem
    deadline_text: str
    deadline_iso: str
    due_today: bool


@dataclass
class SectionView:
    name: str
    title: str
    items: list[ItemView] = field(default_factory=list)
    failed: bool = False

    @property
    def overdue(self) -> int:
        return sum(1 for i in self.items if i.item.overdue)


def deadline_text(deadline: dt.date | None) -> tuple[str, str]:
    """The deadline in words ("Tuesday 3 December 2026"; "3 December 2026 at 2:30pm") and as
    ISO for <time>."""
    if deadline is None:
        return "No deadline", ""
    if isinstance(deadline, dt.datetime):
        local = timezone.localtime(deadline)
        hour = local.strftime("%I").lstrip("0") or "12"
        minute = f":{local:%M}" if local.minute else ""
        return (
            f"{local.day} {local:%B %Y} at {hour}{minute}{local:%p}".replace("AM", "am").replace(
                "PM", "pm"
            ),
            local.isoformat(),
        )
    return f"{deadline:%A} {deadline.day} {deadline:%B %Y}", deadline.isoformat()


def _item_view(item: WorkItem, today: dt.date) -> ItemView:
    text, iso = deadline_text(item.deadline)
    due = item.deadline
    day = timezone.localtime(due).date() if isinstance(due, dt.datetime) else due
    return ItemView(item, text, iso, due_today=not item.overdue and day == today)


def build_sections(
    sections: Sequence[WorkSection], call: Any, *, team: bool = False
) -> list[SectionView]:
    """Each section with its items in order (overdue first, nearest deadline next); the sections
    holding something overdue first, the rest in their registered order."""
    today = clock.today()
    out = []
    for section in sections:
        view = SectionView(section.name, section.title)
        try:
            items = list(call(section))
        except Exception:
            log.exception("my work: the %s section could not be loaded", section.name)
            view.failed = True
            items = []
        view.items = [_item_view(i, today) for i in sorted(items, key=work_order)]
        out.append(view)
    return sorted(out, key=lambda v: v.overdue == 0)  # stable: registered order otherwise


def team_names(teams: Sequence[Team]) -> str:
    names = [t.name for t in teams]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
