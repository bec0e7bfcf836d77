"""The restriction as a property: for any story (entries of any agency, type, sensitivity,
date and precision), any viewer and any filters, nothing a viewer may not read reaches the page,
the CSV, the PDF, the API or an entry's history; and changing what a restricted entry says
(its type, significance, text, grade, sensitivity, the day and time within its month, the day
it was recorded within its month) changes none of them, so which restricted entries are
returned, and where, cannot tell those things either."""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from random import Random
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sightline.agencies.tests.factories import practitioner
from sightline.chronology import selectors
from sightline.chronology.filters import StoryFilters
from sightline.chronology.models import ChronologyEntry, EntrySubject
from sightline.chronology.presenters import present_row
from sightline.chronology.tests.factories import entry_for, new_agency, new_person
from sightline.chronology.tests.pdftext import base_font, pdf_text
from sightline.chronology.vocabulary import entry_types
from sightline.core.dates import LONDON
from sightline.governance import access
from sightline.governance.models import AccessGrant, SharingDecision
from sightline.governance.vocabulary import sensitivities

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2022, 6, 15, 12, 0, tzinfo=dt.UTC)
AGENCIES = {
    "csc": ("childrens_social_care", "social_worker"),
    "police": ("police", "police_officer"),
    "school": ("school", "school_dsl"),
    "ae": ("health_ae", "health_nurse"),
}
# The school is cleared for the least, so is drawn most.
VIEWERS = ["school", "school", "school", "ae", "police", "csc", "mash"]
# Few types, themes and months, so that filters often match a restricted entry and restricted
# and readable entries share months (where an order or a date filter could tell a day).
TYPES = [
    "missing_episode",
    "arrest",
    "home_visit",
    "drug_use_disclosed",
    "ae_attendance",
    "intelligence_received",
    "school_exclusion",
]
THEMES = sorted({entry_types()[code].theme for code in TYPES})
# Mostly sensitivities some viewer is not cleared for.
SENSITIVITIES = [
    "health_confidential",
    "police_intelligence",
    "informant_protected",
    "health_confidential",
    "police_intelligence",
    "standard",
]
SEASON_START = {"spring": 3, "summer": 6, "autumn": 9, "winter": 12}

entries_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "agency": st.sampled_from(sorted(AGENCIES)),
            "type": st.sampled_from(TYPES),
            "sensitivity": st.sampled_from(SENSITIVITIES),
            "year": st.sampled_from([2019, 2019, 2019, 2020]),
            "month": st.integers(3, 4),
            "day": st.integers(1, 28),
            "hour": st.integers(0, 23),
            "minute": st.integers(0, 59),
            "precision": st.sampled_from(["day", "day", "month", "season", "year"]),
            "has_time": st.booleans(),
            "significant": st.booleans(),
            "ended": st.booleans(),
            "recorded_after": st.integers(0, 45),
            # A police handling code (C: read outside the recording agency only when a sharing
            # decision shared it with the viewer's), and whether one did.
            "handling": st.sampled_from([None, None, "P", "C", "C", "no_code"]),
            "shared": st.booleans(),
        }
    ),
    min_size=2,
    max_size=8,
)
dates = st.dates(dt.date(2019, 2, 20), dt.date(2019, 6, 10)) | st.dates(
    dt.date(2018, 1, 1), dt.date(2021, 6, 1)
)
_FILTER_VALUES = {
    "agency": st.lists(st.sampled_from(sorted(AGENCIES)), min_size=1, max_size=2, unique=True),
    "theme": st.lists(st.sampled_from(THEMES), min_size=1, max_size=2, unique=True),
    "type": st.sampled_from(TYPES),
    "significant": st.just(True),
    "from": dates,
    "to": dates,
    "as_known_on": dates,
}
_NO_FILTER: dict[str, Any] = {
    "agency": [],
    "theme": [],
    "type": None,
    "significant": False,
    "from": None,
    "to": None,
    "as_known_on": None,
}


@st.composite
def filters_strategy(draw: st.DrawFn, specs: list[dict[str, Any]]) -> dict[str, Any]:
    """No filter, or one or two of them (more would mostly select nothing). Dates are drawn
    mostly near the entries' dates and recording days, where a filter could tell one day from
    another."""
    near = sorted(
        {
            (when + dt.timedelta(days=shift)).date()
            for spec in specs
            for when in (_occurred(spec), _recorded(spec))
            for shift in (-3, -1, 0, 1, 3)
        }
    )
    values = {**_FILTER_VALUES}
    for name in ("from", "to", "as_known_on"):
        values[name] = st.sampled_from(near) | dates
    chosen = draw(st.sets(st.sampled_from(sorted(values)), max_size=2))
    return {**_NO_FILTER, **{name: draw(values[name]) for name in chosen}}


def _occurred(spec: dict[str, Any]) -> dt.datetime:
    precision = spec["precision"]
    if precision == "year":
        return dt.datetime(spec["year"], 1, 1, tzinfo=LONDON)
    if precision == "season":
        month = max(m for m in SEASON_START.values() if m <= max(spec["month"], 3))
        return dt.datetime(spec["year"], month, 1, tzinfo=LONDON)
    if precision == "month":
        return dt.datetime(spec["year"], spec["month"], 1, tzinfo=LONDON)
    hour, minute = (spec["hour"], spec["minute"]) if spec["has_time"] else (0, 0)
    return dt.datetime(spec["year"], spec["month"], spec["day"], hour, minute, tzinfo=LONDON)


def _recorded(spec: dict[str, Any]) -> dt.datetime:
    return _occurred(spec) + dt.timedelta(days=spec["recorded_after"], hours=1)


def _query(filters: dict[str, Any], agency_ids: dict[str, int], *, api: bool) -> str:
    pairs = [("agency", str(agency_ids[a])) for a in filters["agency"]]
    pairs += [("theme", t) for t in filters["theme"]]
    if filters["type"]:
        pairs.append(("type", filters["type"]))
    if filters["significant"]:
        pairs.append(("significant", "true" if api else "1"))
    for key in ("from", "to", "as_known_on"):
        if filters[key]:
            pairs.append((key, filters[key].isoformat()))
    if filters["from"] and filters["to"] and filters["to"] < filters["from"]:
        pairs = [p for p in pairs if p[0] != "to"]
    return "&".join(f"{k}={v}" for k, v in pairs)


# What differs between two requests whatever the story: the CSRF token and the CSP nonce.
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"|nonce="[^"]*"')


def outputs(client: Client, child: Any, query: str, api_query: str, lineages: list[int]) -> dict:
    """Everything the viewer is shown of the story for this query."""
    ref = child.reference
    page = client.get(reverse("chronology:child", args=[ref]) + f"?{query}")
    csv = client.get(reverse("chronology:export_csv", args=[ref]) + f"?{query}")
    pdf = client.get(reverse("chronology:export_pdf", args=[ref]) + f"?{query}")
    api = client.get(f"/api/children/{ref}/story?{api_query}")
    assert (page.status_code, csv.status_code, pdf.status_code, api.status_code) == (
        200,
        200,
        200,
        200,
    ), (page.status_code, csv.status_code, pdf.status_code, api.status_code, query)
    histories = {}
    for lineage in lineages:
        history = client.get(reverse("chronology:entry_history", args=[ref, lineage]))
        histories[lineage] = (history.status_code, _CSRF.sub("", history.content.decode()))
    return {
        "page": _CSRF.sub("", page.content.decode()),
        "csv": csv.content.decode("utf-8-sig"),
        "pdf": pdf_text(pdf.content),
        "api": json.dumps(api.json(), sort_keys=True),
        "history": histories,
    }


@contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _uncleared(story: Story, entry: ChronologyEntry) -> list[str]:
    """The sensitivities that keep this entry restricted for the story's viewer."""
    reader = selectors.reader_for(story.scope, story.child.pk)
    return [
        code
        for code in sensitivities()
        if not reader.can_read(
            agency_id=entry.agency_id,
            sensitivity=code,
            grade=entry.intelligence_grade,
            lineage=entry.lineage or entry.pk,
        )
    ]


def _grade(handling: str | None) -> dict[str, str] | None:
    if handling is None:
        return None
    if handling == "no_code":  # a grade an older feed sent without a handling code
        return {"system": "3x5x2", "source": "2", "assessment": "B"}
    return {"system": "3x5x2", "source": "2", "assessment": "B", "handling": handling}


@dataclass
class Story:
    child: Any
    agencies: dict[str, Any]
    viewer: Any
    scope: access.Scope
    entries: list[ChronologyEntry]
    restricted: list[ChronologyEntry]


def build(specs: list[dict[str, Any]], viewer_key: str, *, lead: bool = False) -> Story:
    child = new_person(given_names="Robin", family_name="Marsh")
    agencies = {}
    for key, (kind, _role) in AGENCIES.items():
        agencies[key] = new_agency(code=f"p-{key}", name=f"Agency {key}", kind=kind)
        access.grant(
            person_id=child.pk, agency_id=agencies[key].pk, basis=AccessGrant.Basis.INVOLVEMENT
        )
    if viewer_key == "mash":
        viewer = practitioner("mash_manager", agency=new_agency(code="p-mash", kind="mash"))
    else:
        viewer = practitioner(AGENCIES[viewer_key][1], agency=agencies[viewer_key])
    if viewer_key == "csc" and lead:
        # The child's lead social worker: cleared for health-confidential detail.
        apps.get_model("cases", "Involvement").objects.create(
            person=child,
            agency=agencies["csc"],
            is_lead=True,
            practitioner_email=viewer.email,
        )
    scope = access.scope_for(viewer)
    entries = []
    for n, spec in enumerate(specs):
        occurred = _occurred(spec)
        entries.append(
            entry_for(
                child,
                agency=agencies[spec["agency"]],
                type=spec["type"],
                sensitivity=spec["sensitivity"],
                occurred_at=occurred,
                precision=spec["precision"],
                has_time=spec["has_time"] and spec["precision"] == "day",
                ended_at=occurred + dt.timedelta(hours=5) if spec["ended"] else None,
                is_significant=spec["significant"],
                recorded_at=_recorded(spec),
                summary=f"Summary secret{n}x",
                detail=f"Detail secret{n}x",
                intelligence_grade=_grade(spec.get("handling")),
            )
        )
        if spec.get("shared") and scope.agency_id is not None:
            SharingDecision.objects.create(
                person=child,
                entry_lineage=entries[-1].lineage or entries[-1].pk,
                what="shared",
                recipient_agency_id=scope.agency_id,
                outcome=SharingDecision.Outcome.SHARED,
                purpose="safeguarding",
                lawful_basis="public_task",
                decided_by=viewer,
                decided_by_agency=agencies[spec["agency"]],
                decided_at=NOW,
            )
    reader = selectors.reader_for(scope, child.pk)
    restricted = [
        e
        for e in entries
        if not reader.can_read(
            agency_id=e.agency_id,
            sensitivity=e.sensitivity,
            grade=e.intelligence_grade,
            lineage=e.lineage or e.pk,
        )
    ]
    return Story(child, agencies, viewer, scope, entries, restricted)


def _month_edge(value: dt.datetime, rng: Random) -> dt.datetime:
    """The first or the last minute of the value's month (London): the far sides of any day a
    filter could name within it."""
    local = value.astimezone(LONDON)
    if rng.random() < 0.5:
        return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    last = calendar.monthrange(local.year, local.month)[1]
    return local.replace(day=last, hour=23, minute=59, second=0, microsecond=0)


def change_what_restricted_entries_say(story: Story, rng: Random) -> None:
    """Everything a restricted entry says, changed, keeping what an uncleared viewer may know:
    its agency, the month it happened, the month it was recorded."""
    for entry in story.restricted:
        moved = (
            _month_edge(entry.occurred_at, rng)
            if entry.precision == "day"
            else entry.occurred_at.astimezone(LONDON)
        )
        entry.type = rng.choice([t for t in TYPES if t != entry.type])
        entry.is_significant = not entry.is_significant
        entry.summary = "Changed summary"
        entry.detail = "Changed detail"
        entry.grade = rng.choice(["fact", "reported", "professional_opinion"])
        entry.sensitivity = rng.choice(_uncleared(story, entry))
        entry.occurred_at = moved
        entry.has_time = entry.precision == "day" and not entry.has_time
        entry.ended_at = None if entry.ended_at else moved + dt.timedelta(hours=2)
        entry.recorded_at = _month_edge(entry.recorded_at, rng)
        entry.entered_in_error = not entry.entered_in_error
        entry.save()
        EntrySubject.objects.filter(entry=entry).update(occurred_at=moved)


def _story_filters(filters: dict[str, Any], agency_ids: dict[str, int]) -> StoryFilters:
    date_to = filters["to"]
    if filters["from"] and date_to and date_to < filters["from"]:
        date_to = None
    return StoryFilters(
        agencies=tuple(sorted(agency_ids[a] for a in filters["agency"])),
        themes=tuple(filters["theme"]),
        type=filters["type"],
        date_from=filters["from"],
        date_to=date_to,
        significant_only=filters["significant"],
        as_known_on=filters["as_known_on"],
    )


_SLOW = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@settings(max_examples=250, deadline=None, suppress_health_check=_SLOW)
@given(
    specs=entries_strategy,
    viewer_key=st.sampled_from(VIEWERS),
    lead=st.booleans(),
    data=st.data(),
    rng=st.randoms(use_true_random=False),
)
def test_what_restricted_entries_say_never_changes_which_rows_are_returned(
    specs, viewer_key, lead, data, rng
):
    """At the source: the rows a selector returns (and so their order, count and what each
    shows) are the same whatever a restricted entry says."""
    filters = data.draw(filters_strategy(specs))
    with rolled_back(), time_machine.travel(NOW, tick=False):
        story = build(specs, viewer_key, lead=lead)
        found = selectors.child_get_for(viewer=story.viewer, reference=story.child.reference)
        wanted = _story_filters(filters, {k: a.pk for k, a in story.agencies.items()})

        def shown() -> tuple[int, list[Any], list[str]]:
            page = selectors.story_for(viewer=story.viewer, child=found, filters=wanted)
            agencies = selectors.story_agencies_for(
                viewer=story.viewer, child=found, as_known_on=wanted.as_known_on
            )
            items = [present_row(row, viewer_agency_id=story.scope.agency_id) for row in page.rows]
            return page.total, items, [a.name for a in agencies]

        before = shown()
        texts = repr(before)
        for entry in story.restricted:
            assert f"secret{story.entries.index(entry)}x" not in texts
        assert sum(not item.is_readable for item in before[1]) <= len(story.restricted)
        change_what_restricted_entries_say(story, rng)
        assert shown() == before


@settings(max_examples=25, deadline=None, suppress_health_check=_SLOW)
@given(
    specs=entries_strategy,
    viewer_key=st.sampled_from(VIEWERS),
    lead=st.booleans(),
    data=st.data(),
    rng=st.randoms(use_true_random=False),
)
def test_nothing_restricted_reaches_any_output(monkeypatch, specs, viewer_key, lead, data, rng):
    """Every surface, through the test client: the page, the CSV, the PDF's text, the API and
    each entry's history."""
    filters = data.draw(filters_strategy(specs))
    with rolled_back(), time_machine.travel(NOW, tick=False), base_font(monkeypatch):
        story = build(specs, viewer_key, lead=lead)
        agency_ids = {key: a.pk for key, a in story.agencies.items()}
        query = _query(filters, agency_ids, api=False)
        api_query = _query(filters, agency_ids, api=True)
        lineages = [e.pk for e in story.entries]
        client = Client()
        client.force_login(story.viewer)

        before = outputs(client, story.child, query, api_query, lineages)
        everything = json.dumps(before)
        for entry in story.restricted:
            assert f"secret{story.entries.index(entry)}x" not in everything
        change_what_restricted_entries_say(story, rng)
        after = outputs(client, story.child, query, api_query, lineages)
        for surface in before:
            assert after[surface] == before[surface], surface
        assert ChronologyEntry.objects.count() == len(story.entries)
