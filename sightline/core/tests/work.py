"""For tests of "my work": register sections for the length of a block, and build items.

    with work_sections(("referrals", "Referrals to decide", lambda viewer: [item("A")])):
        page = client.get("/my-work/")

Any app's tests may use it (core is below every app)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sightline.core import extensions
from sightline.core.extensions import WorkItem


def item(
    title: str,
    *,
    deadline: dt.date | None = None,
    overdue: bool = False,
    status: str = "Waiting",
    child_name: str | None = None,
    kind: str = "example",
    url: str | None = None,
    owner: str | None = None,
) -> WorkItem:
    return WorkItem(
        title=title,
        url=url or f"/example/{title.lower().replace(' ', '-')}/",
        deadline=deadline,
        overdue=overdue,
        status=status,
        child_name=child_name,
        kind=kind,
        owner=owner,
    )


Section = tuple[str, str, Callable[..., list[WorkItem]]]


@contextmanager
def work_sections(*sections: Section, team: tuple[Section, ...] = ()) -> Iterator[None]:
    """These sections (name, title, provider) registered for the block, in the order given; the
    registries as they were after."""
    mine, teams = dict(extensions._work_sections), dict(extensions._team_work_sections)
    try:
        for order, (name, title, provider) in enumerate(sections):
            extensions.register_work_section(name, title, provider, order=order)
        for order, (name, title, provider) in enumerate(team):
            extensions.register_team_work_section(name, title, provider, order=order)
        yield
    finally:
        extensions._work_sections.clear()
        extensions._work_sections.update(mine)
        extensions._team_work_sections.clear()
        extensions._team_work_sections.update(teams)


class example_section:  # noqa: N801 - used as a function: example_section([...])
    """A provider that gives every viewer these items, and records who asked (`viewers`)."""

    def __init__(self, items: list[WorkItem]) -> None:
        self.items = list(items)
        self.viewers: list[Any] = []

    def __call__(self, viewer: Any) -> list[WorkItem]:
        self.viewers.append(viewer)
        return list(self.items)
