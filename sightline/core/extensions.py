"""Extension points that let an upper app add to a lower app's page without the lower app
importing it (DESIGN.md layer order). An app registers in its AppConfig.ready().

- page panels: the child's page (chronology) shows who is involved (cases) and how the records
  were linked (identity) through panels those apps register for the "child" page;
- person fields: each app's foreign keys to a person, which a merge re-points (identity);
- navigation items: each app's entry in the service navigation, with the capability that shows it;
- home pages: where "/" sends a viewer (identity: the data officer's review queue; "my work"
  for everyone who works with children);
- work sections: each app's part of "my work" (referrals to decide, disagreements to answer…)
  and of a manager's view of their team's work;
- header links: a link in the header with a count (the signed-in user's unread notifications);
- page banners: a notice on every page while something lasts (break-glass access);
- open items: what is still open for a child (alerts, referrals, plans), which a step down and a
  closure show and "last agency standing" asks about.

The task queue's registry (handlers and periodic jobs) is in sightline.core.queue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal


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


# --- Foreign keys to a person: what a merge does with them ---------------------------------------
#
# identity.merging re-points every row of a merged-away person to the survivor, field by field,
# without importing the apps that own the rows. Each app that holds a foreign key to
# people.Person declares it here in its AppConfig.ready(); a test fails while one is undeclared.

MergeHandling = Literal["repoint", "keep"]
_person_fields: dict[str, MergeHandling] = {}


def register_person_fields(*labels: str, on_merge: MergeHandling = "repoint") -> None:
    """Declare foreign keys to people.Person ("app_label.Model.field"). On a merge, "repoint"
    moves their rows to the surviving person; "keep" leaves them (the merge's own bookkeeping,
    such as Person.merged_into)."""
    if on_merge not in ("repoint", "keep"):
        raise ValueError(f"on_merge must be 'repoint' or 'keep', not {on_merge!r}")
    for label in labels:
        if label.count(".") != 2:
            raise ValueError(f"{label!r}: give a person field as 'app_label.Model.field'")
        _person_fields[label] = on_merge


def person_fields(on_merge: MergeHandling = "repoint") -> list[str]:
    """The declared fields with that handling, in the order they were declared (the apps'
    order in INSTALLED_APPS)."""
    return [label for label, handling in _person_fields.items() if handling == on_merge]


# --- The service navigation ----------------------------------------------------------------------
#
# Each app adds its own item (ui/base.html renders them in order). Capabilities are governance's
# names; core cannot import governance, so governance registers the check that reads them.


@dataclass(frozen=True)
class NavItem:
    name: str  # what a page passes as `active_nav` to mark it current
    text: str
    url_name: str
    # The item shows to a user holding any of these; none: to every signed-in user.
    capabilities: tuple[str, ...] = ()
    order: int = 50
    # ... and not to a user holding any of these (the data officer's own tools, which anyone
    # who can open children's pages has a better way to do).
    unless: tuple[str, ...] = ()


CapabilityCheck = Callable[[Any, str], bool]  # (user, capability name) -> holds it
_nav: dict[str, NavItem] = {}
_capability_check: list[CapabilityCheck] = []


def register_nav_item(
    name: str,
    text: str,
    url_name: str,
    *,
    capabilities: Sequence[str] = (),
    order: int = 50,
    unless: Sequence[str] = (),
) -> None:
    _nav[name] = NavItem(
        name,
        text,
        url_name,
        tuple(str(c) for c in capabilities),
        order,
        tuple(str(c) for c in unless),
    )


def nav_items() -> list[NavItem]:
    return sorted(_nav.values(), key=lambda item: (item.order, item.name))


def register_capability_check(check: CapabilityCheck) -> None:
    _capability_check[:] = [check]


def holds(user: Any, capability: str) -> bool:
    """Whether a signed-in user holds a capability (governance's check, registered by it)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not _capability_check:
        raise RuntimeError("no capability check registered (sightline.governance)")
    return bool(_capability_check[0](user, capability))


# Which users see case data, and so must sign in with a second factor when OTP_REQUIRED is on
# (accounts.twofactor): governance's rule over their roles' capabilities, registered by it.
_case_data_rule: list[Callable[[Any], bool]] = []


def register_case_data_rule(rule: Callable[[Any], bool]) -> None:
    _case_data_rule[:] = [rule]


def sees_case_data(user: Any) -> bool:
    """Whether a signed-in user's roles let them see case data (governance's rule)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not _case_data_rule:
        raise RuntimeError("no case data rule registered (sightline.governance)")
    return bool(_case_data_rule[0](user))


def nav_items_for(user: Any) -> list[NavItem]:
    """The items this signed-in user may use, in order."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    shown = []
    for item in nav_items():
        if item.capabilities or item.unless:
            if not _capability_check:
                raise RuntimeError("no capability check registered (sightline.governance)")
            holds = _capability_check[0]
            if item.capabilities and not any(holds(user, c) for c in item.capabilities):
                continue
            if any(holds(user, c) for c in item.unless):
                continue
        shown.append(item)
    return shown


# --- Home pages: where "/" sends a viewer -------------------------------------------------------

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


# --- My work: what is waiting on the viewer, and on a manager's teams ----------------------------
#
# Each app that gives people work registers a section in its AppConfig.ready(). A provider reads
# through the app's own selectors, scoped to the viewer (governance.access), and returns the
# items waiting on them; the page (agencies' "my work") puts what is overdue first.


@dataclass(frozen=True)
class WorkItem:
    """One thing waiting on someone: what it is, where to act on it, and by when."""

    title: str
    url: str
    deadline: dt.date | None  # a day (due by its end) or, for a clock in hours, an instant
    overdue: bool
    status: str
    child_name: str | None = None
    kind: str = ""  # the app's word for it ("referral", "disagreement"): for tests and styling
    # On a team's view: who holds it now (a practitioner's name), or None when nobody does.
    owner: str | None = None


def work_order(item: WorkItem) -> tuple[bool, int, str, str]:
    """Overdue first, then the nearest deadline, then those without one, then by title."""
    from sightline.core.timescales import passes_at

    # A day's deadline passes at the start of the next day in England: an instant that day
    # comes before it.
    when = 1 << 62 if item.deadline is None else int(passes_at(item.deadline).timestamp())
    return (not item.overdue, when, item.title, item.url)


# provider(viewer) -> the items waiting on this viewer (an empty list: nothing, or not for them).
WorkProvider = Callable[[Any], "list[WorkItem]"]
# provider(viewer, teams) -> the items waiting on those teams (agencies.Team rows the viewer
# manages or heads; the page works out which).
TeamWorkProvider = Callable[[Any, Sequence[Any]], "list[WorkItem]"]


@dataclass(frozen=True)
class WorkSection:
    name: str
    title: str
    provider: Callable[..., list[WorkItem]]
    order: int = 50


_work_sections: dict[str, WorkSection] = {}
_team_work_sections: dict[str, WorkSection] = {}


def register_work_section(
    name: str, title: str, provider: WorkProvider, *, order: int = 50
) -> None:
    """A section of "my work" (title: "Referrals to decide"). Re-registering replaces."""
    _work_sections[name] = WorkSection(name, title, provider, order)


def register_team_work_section(
    name: str, title: str, provider: TeamWorkProvider, *, order: int = 50
) -> None:
    """A section of a manager's view of their teams' work. Re-registering replaces."""
    _team_work_sections[name] = WorkSection(name, title, provider, order)


def unregister_work_section(name: str) -> None:
    _work_sections.pop(name, None)
    _team_work_sections.pop(name, None)


def work_sections() -> list[WorkSection]:
    return sorted(_work_sections.values(), key=lambda s: (s.order, s.name))


def team_work_sections() -> list[WorkSection]:
    return sorted(_team_work_sections.values(), key=lambda s: (s.order, s.name))


# --- Header links: the signed-in user's notifications -------------------------------------------


@dataclass(frozen=True)
class HeaderLink:
    text: str
    url: str
    count: int = 0  # shown beside the text when more than 0 (unread notifications)
    count_label: str = ""  # read after the count by screen readers: "unread"


# provider(user) -> a link for this signed-in user, or None.
HeaderProvider = Callable[[Any], "HeaderLink | None"]
_header_links: list[tuple[int, str, HeaderProvider]] = []


def register_header_link(name: str, provider: HeaderProvider, *, order: int = 50) -> None:
    _header_links[:] = [e for e in _header_links if e[1] != name]
    _header_links.append((order, name, provider))
    _header_links.sort(key=lambda e: (e[0], e[1]))


def header_links_for(user: Any) -> list[HeaderLink]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    links = []
    for _, _, provider in _header_links:
        link = provider(user)
        if link is not None:
            links.append(link)
    return links


# --- Page banners: a notice on every page while something lasts ----------------------------------


@dataclass(frozen=True)
class PageBanner:
    """A notice shown at the top of every page for this user (their break-glass access, with
    when it ends), with an optional form button (a POST to `action`)."""

    heading: str
    text: str
    link_text: str = ""
    link_url: str = ""
    action: str = ""  # a path to POST to (with the CSRF token), or ""
    action_text: str = ""


BannerProvider = Callable[[Any], "Sequence[PageBanner]"]
_banners: list[tuple[int, str, BannerProvider]] = []


def register_page_banner(name: str, provider: BannerProvider, *, order: int = 50) -> None:
    _banners[:] = [e for e in _banners if e[1] != name]
    _banners.append((order, name, provider))
    _banners.sort(key=lambda e: (e[0], e[1]))


def page_banners_for(user: Any) -> list[PageBanner]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return [banner for _, _, provider in _banners for banner in provider(user)]


# --- Naming people on a lower app's page ---------------------------------------------------------
#
# governance's auditor pages answer "who has looked at this child" from the audit log, which
# holds person ids; people (an upper app) tells them which ids a Sightline reference stands for
# and each id's reference, without governance importing it.


@dataclass(frozen=True)
class PersonDirectory:
    # The person a reference names and everyone merged with them (an audit row keeps the id it
    # was written with); [] when the reference names nobody.
    ids_for_reference: Callable[[str], list[int]]
    # Each id's Sightline reference (ids that name nobody are left out).
    references: Callable[[Sequence[int]], dict[int, str]]


_directory: list[PersonDirectory] = []


def register_person_directory(directory: PersonDirectory) -> None:
    _directory[:] = [directory]


def person_directory() -> PersonDirectory:
    if not _directory:
        raise RuntimeError("no person directory registered (is sightline.people installed?)")
    return _directory[0]


# --- What is still open for a child ---------------------------------------------------------------
#
# A step down and a closure show what is still open before they are agreed (open referrals,
# alerts, plans), and "last agency standing" needs to know whether a child has open alerts.
# The apps that hold those records (referrals, alerts, meetings) register a provider here; the
# apps that ask (cases, decisions) sit below them and cannot import them.


@dataclass(frozen=True)
class OpenItem:
    """Something still open for a child, as one viewer may see it."""

    kind: str  # "alert", "referral", "plan"…: what the provider holds
    title: str
    url: str = ""
    agency: str = ""
    status: str = ""
    since: Any = None  # a date, when known


# items(viewer, person) -> the open items this viewer may see (scoped like a panel).
OpenItemsProvider = Callable[[Any, Any], "Sequence[OpenItem]"]
# people(scope) -> ids of the people with at least one open item (for a sweep over every child).
OpenPeopleProvider = Callable[[Any], "Iterable[int]"]


@dataclass(frozen=True)
class _OpenItems:
    name: str
    kind: str
    items: OpenItemsProvider
    people: OpenPeopleProvider | None
    order: int


_open_items: dict[str, _OpenItems] = {}


def register_open_items(
    name: str,
    kind: str,
    items: OpenItemsProvider,
    *,
    people: OpenPeopleProvider | None = None,
    order: int = 50,
) -> None:
    """An app's open records of one `kind` for a child: `items` lists them for a viewer,
    `people` (optional) the ids of every person with one, read with the system's scope."""
    _open_items[name] = _OpenItems(name, kind, items, people, order)


def open_items_for(viewer: Any, person: Any, *, kinds: Sequence[str] = ()) -> list[OpenItem]:
    """Everything registered as still open for this person that the viewer may see (only the
    `kinds` named, when given), in the providers' order."""
    out: list[OpenItem] = []
    for entry in sorted(_open_items.values(), key=lambda e: (e.order, e.name)):
        if kinds and entry.kind not in kinds:
            continue
        out.extend(entry.items(viewer, person))
    return out


def people_with_open(scope: Any, *, kind: str) -> set[int] | None:
    """The people with an open item of `kind`, from the providers that can say; None when no
    provider of that kind can (the caller then checks people one by one, or not at all)."""
    found: set[int] = set()
    answered = False
    for entry in _open_items.values():
        if entry.kind == kind and entry.people is not None:
            answered = True
            found.update(entry.people(scope))
    return found if answered else None


def open_item_kinds() -> set[str]:
    return {entry.kind for entry in _open_items.values()}
