"""Reads of alerts, always for one viewer, always through the access module.

An alert is about a child: a viewer sees it when they may see the child, and gets the same
"not found" as for an alert that does not exist otherwise. What an alert says is shown part by
part, each only to a viewer who may read every entry it rests on (presenters); these selectors
return the rows (chronology's StoryRow / RestrictedRow, ADR 14) that decide it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from sightline.agencies.models import Team
from sightline.alerts.models import SEVERITY_RANK, Alert, AlertEvent
from sightline.cases.models import Involvement
from sightline.chronology import selectors as story
from sightline.chronology.models import ChronologyEntry, EntrySubject
from sightline.chronology.selectors import AgencyContact, Child, RestrictedRow, Row
from sightline.core import clock
from sightline.core.errors import NotFound
from sightline.governance import access
from sightline.people.models import Person

PER_PAGE = 50
ACTIVE = (Alert.Status.OPEN, Alert.Status.ACKNOWLEDGED)
_NOT_FOUND = "No alert found with that number, or you do not have access to it."


def _severity_order() -> Case:
    return Case(
        *(When(severity=code, then=Value(rank)) for code, rank in SEVERITY_RANK.items()),
        default=Value(9),
        output_field=IntegerField(),
    )


@dataclass(frozen=True)
class FoundAlert:
    """An alert the viewer may see, and its child (the person it was merged into, if it was)."""

    alert: Alert
    child: Child


def alert_get_for(*, viewer: Any, alert_id: int) -> FoundAlert:
    alert = Alert.objects.filter(pk=alert_id).first()
    if alert is None:
        access.require_person(viewer, None, detail={"alert": alert_id})
        raise NotFound(_NOT_FOUND)  # pragma: no cover - require_person raised
    reference = Person.objects.filter(pk=alert.person_id).values_list("reference", flat=True)[0]
    child = story.child_get_for(viewer=viewer, reference=reference)
    return FoundAlert(alert=alert, child=child)


def alerts_for_child(*, viewer: Any, child: Child, active_only: bool = True) -> list[Alert]:
    """The child's alerts, highest severity first, then oldest first. `active_only`: open and
    acknowledged (what the child's page shows); otherwise every alert, newest first after the
    active ones."""
    qs = Alert.objects.filter(person_id=child.person.pk).exclude(status=Alert.Status.COMBINED)
    if active_only:
        qs = qs.filter(status__in=ACTIVE)
    rows: list[Alert] = list(
        qs.annotate(rank=_severity_order()).order_by("rank", "raised_at", "id")
    )
    if active_only:
        return rows
    active = [a for a in rows if a.status in ACTIVE]
    past = sorted((a for a in rows if a.status not in ACTIVE), key=lambda a: a.raised_at)
    return active + past[::-1]


@dataclass(frozen=True)
class Evidence:
    """The entries alerts rest on, as one viewer may see them: by lineage, the row (StoryRow,
    or RestrictedRow when the viewer may not read it) and whose story it is in."""

    rows: dict[int, Row]
    references: dict[int, str]


def evidence_rows_for(*, viewer: Any, child: Child, alerts: list[Alert]) -> Evidence:
    """The entries these alerts rest on (their current evidence, every key they have rested on,
    so every key an event added), as the viewer may see them, by lineage. An entry of a related
    person (a sibling's, for a rule about a sibling) is read in that person's story: as a
    StoryRow or RestrictedRow when the viewer may see that person, and otherwise as a
    RestrictedRow (its agency and whom to contact, nothing else)."""
    keys: set[int] = set()
    for alert in alerts:
        for key in [*alert.evidence, *alert.seen_evidence]:
            if str(key).isdigit():
                keys.add(int(key))
    rows = story.entries_by_lineage_for(viewer=viewer, child=child, lineages=sorted(keys))
    references = dict.fromkeys(rows, child.person.reference)
    missing = sorted(keys - set(rows))
    if not missing:
        return Evidence(rows, references)
    elsewhere: dict[int, list[int]] = {}
    for person_id, lineage in (
        EntrySubject.objects.filter(entry__superseded_at__isnull=True, entry__lineage__in=missing)
        .order_by("entry__lineage", "person_id")
        .values_list("person_id", "entry__lineage")
    ):
        if lineage is not None:
            elsewhere.setdefault(person_id, []).append(lineage)
    scope = access.scope_for(viewer)
    people = Person.objects.in_bulk(list(elsewhere))
    for person_id, lineages in elsewhere.items():
        person = people.get(person_id)
        wanted = [n for n in lineages if n not in rows]
        if person is None or not wanted or not access.can_view_person(viewer, person_id):
            continue
        other = Child(person=person, scope=scope, requested_reference=person.reference)
        for lineage, row in story.entries_by_lineage_for(
            viewer=viewer, child=other, lineages=wanted
        ).items():
            rows[lineage] = row
            references[lineage] = person.reference
    unseen = [n for n in missing if n not in rows]
    for entry in ChronologyEntry.objects.filter(
        lineage__in=unseen, superseded_at__isnull=True
    ).select_related("agency"):
        start, precision = story.restricted_period(entry.occurred_at, entry.precision)
        agency = entry.agency
        rows[entry.lineage or entry.pk] = RestrictedRow(
            agency=AgencyContact(agency.pk, agency.name, agency.phone, agency.email),
            period_start=start,
            precision=precision,
        )
    return Evidence(rows, references)


def events_for(*, viewer: Any, found: FoundAlert) -> list[AlertEvent]:
    return list(found.alert.events.select_related("actor").order_by("at", "id"))


# --- the inbox ------------------------------------------------------------------------------

SHOW_CHOICES = ("mine", "team", "all")
STATUS_CHOICES = ("open", "acknowledged")
_RULE = re.compile(r"[a-z0-9-]{1,80}")


@dataclass(frozen=True)
class InboxFilters:
    show: str = "all"  # mine: children I am named on; team: my team's; all: every child I see
    rules: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    team: int | None = None
    statuses: tuple[str, ...] = ("open",)

    @property
    def is_filtered(self) -> bool:
        return bool(self.rules or self.themes or self.team)

    def query(self) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = [("show", self.show)]
        pairs += [("rule", r) for r in self.rules]
        pairs += [("theme", t) for t in self.themes]
        if self.team:
            pairs.append(("team", str(self.team)))
        pairs += [("status", s) for s in self.statuses]
        return pairs

    def audit_detail(self) -> dict[str, Any]:
        return {k: v for k, v in (("show", self.show), ("rules", list(self.rules)),
                                  ("themes", list(self.themes)), ("team", self.team),
                                  ("statuses", list(self.statuses))) if v}  # fmt: skip


@dataclass
class ParsedInbox:
    filters: InboxFilters
    errors: dict[str, str] = field(default_factory=dict)


def default_show(scope: access.Scope) -> str:
    """A practitioner in a team starts at their team's children; anyone else at every child
    they may see (a MASH manager: the front door)."""
    return "team" if scope.team_id else "all"


def parse_inbox_filters(
    query: Any, *, scope: access.Scope, known_rules: Mapping[str, str], themes: Mapping[str, str]
) -> ParsedInbox:
    """The inbox's filters from a query string, with GOV.UK messages for what cannot be used
    (an unknown value is reported and not applied; the rest still filters)."""
    errors: dict[str, str] = {}
    show = (query.get("show") or "").strip() or default_show(scope)
    if show not in SHOW_CHOICES:
        errors["show"] = "Select whose alerts to show"
        show = default_show(scope)
    if show == "team" and not scope.team_id:
        errors["show"] = "You are not in a team: select your own alerts or all alerts"
        show = "all"
    rules = tuple(dict.fromkeys(r.strip() for r in query.getlist("rule") if r.strip()))
    if any(not _RULE.fullmatch(r) or r not in known_rules for r in rules):
        errors["rule"] = "Select a rule from the list"
        rules = tuple(r for r in rules if r in known_rules)
    wanted_themes = tuple(dict.fromkeys(t.strip() for t in query.getlist("theme") if t.strip()))
    if any(t not in themes for t in wanted_themes):
        errors["theme"] = "Select a theme from the list"
        wanted_themes = tuple(t for t in wanted_themes if t in themes)
    team: int | None = None
    team_text = (query.get("team") or "").strip()
    if team_text:
        if (
            team_text.isdigit()
            and len(team_text) < 19
            and Team.objects.filter(pk=int(team_text)).exists()
        ):
            team = int(team_text)
        else:
            errors["team"] = "Select a team from the list"
    statuses = tuple(dict.fromkeys(s.strip() for s in query.getlist("status") if s.strip()))
    if any(s not in STATUS_CHOICES for s in statuses):
        errors["status"] = "Select new or acknowledged alerts"
        statuses = tuple(s for s in statuses if s in STATUS_CHOICES)
    return ParsedInbox(
        InboxFilters(show, rules, wanted_themes, team, statuses or ("open",)), errors
    )


@dataclass(frozen=True)
class InboxRow:
    alert: Alert
    person: Person


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    total: int
    page: int
    pages: int
    per_page: int
    counts: dict[str, int]  # severity -> how many match

    @property
    def first_number(self) -> int:
        return 0 if self.total == 0 else (self.page - 1) * self.per_page + 1

    @property
    def last_number(self) -> int:
        return min(self.page * self.per_page, self.total)


def _current_involvement(today: dt.date) -> Q:
    return (Q(started_on__isnull=True) | Q(started_on__lte=today)) & (
        Q(ended_on__isnull=True) | Q(ended_on__gte=today)
    )


def inbox_queryset(
    *, viewer: Any, filters: InboxFilters, rules_with_theme: Mapping[str, set[str]]
) -> QuerySet[Alert]:
    """The alerts the inbox lists for this viewer: on children they may see (access module),
    narrowed by whose, rule, theme (the rules of that theme), team and status."""
    scope = access.scope_for(viewer)
    today = clock.today()
    qs = access.restrict_people(
        viewer, Alert.objects.filter(status__in=list(filters.statuses)), field="person_id"
    )
    involved = Involvement.objects.filter(person_id=OuterRef("person_id")).filter(
        _current_involvement(today)
    )
    if filters.show == "mine":
        email = (getattr(viewer, "email", "") or "").strip()
        qs = (
            qs.filter(Exists(involved.filter(practitioner_email__iexact=email)))
            if email
            else qs.none()
        )
    elif filters.show == "team" and scope.team_id:
        qs = qs.filter(Exists(involved.filter(team_id=scope.team_id)))
    if filters.team:
        qs = qs.filter(Exists(involved.filter(team_id=filters.team)))
    if filters.rules:
        qs = qs.filter(rule__in=list(filters.rules))
    if filters.themes:
        ids = sorted({r for t in filters.themes for r in rules_with_theme.get(t, set())})
        qs = qs.filter(rule__in=ids)
    return qs


def inbox_for(
    *,
    viewer: Any,
    filters: InboxFilters,
    rules_with_theme: Mapping[str, set[str]],
    page: int = 1,
    per_page: int = PER_PAGE,
) -> InboxPage:
    """One page of the inbox: highest severity first, then the longest waiting."""
    qs = inbox_queryset(viewer=viewer, filters=filters, rules_with_theme=rules_with_theme)
    counts: dict[str, int] = {}
    for severity in qs.values_list("severity", flat=True):
        counts[severity] = counts.get(severity, 0) + 1
    total = sum(counts.values())
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    alerts = list(
        qs.annotate(rank=_severity_order()).order_by("rank", "raised_at", "id")[
            (page - 1) * per_page : page * per_page
        ]
    )
    people = Person.objects.in_bulk([a.person_id for a in alerts])
    rows = [InboxRow(a, people[a.person_id]) for a in alerts if a.person_id in people]
    return InboxPage(rows, total, page, pages, per_page, counts)


def rules_with_theme(extra: Mapping[str, tuple[str, ...]] = {}) -> dict[str, set[str]]:
    """Theme -> the rules (ids) that name it: the rule set's, and those stored on alerts (a rule
    since removed still has its alerts)."""
    out: dict[str, set[str]] = {}
    stored = Alert.objects.filter(status__in=ACTIVE).values_list("rule", "themes").distinct()
    for rule, themes in [*stored, *extra.items()]:
        for theme in themes or ():
            out.setdefault(theme, set()).add(rule)
    return out


def inbox_teams(*, viewer: Any) -> list[Team]:
    """The teams the inbox's team filter offers: every team involved with a child who has an
    active alert the viewer may see."""
    visible = access.restrict_people(
        viewer, Alert.objects.filter(status__in=ACTIVE), field="person_id"
    ).values("person_id")
    team_ids = Involvement.objects.filter(person_id__in=visible, team__isnull=False).values(
        "team_id"
    )
    return list(Team.objects.filter(pk__in=team_ids).select_related("agency").order_by("name"))
