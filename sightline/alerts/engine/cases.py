"""A rule's own cases: each builds a small history from the rule file, evaluates the rule on the
case's day and compares the finding with what the case expects. A rule whose cases fail is
refused by the loader."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

from sightline.alerts.engine.evaluate import evaluate
from sightline.alerts.engine.loader import Rule, Vocabulary
from sightline.alerts.engine.model import (
    Entry,
    Finding,
    History,
    Involvement,
    Related,
    RelatedAlert,
)
from sightline.alerts.engine.schema import Case, CaseChild, CaseEntry, CaseRelated
from sightline.core.workingdays import Calendar

_PARTIAL = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})(?:[T ](?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?)?)?$"
)
_RANK = {"year": 0, "season": 1, "month": 2, "day": 3}


def wall_clock(day: dt.date, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    """A case's times are the partnership's wall-clock times; the engine reads only their
    dates and differences, so they stay naive."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, second)  # noqa: DTZ001


class CaseError(ValueError):
    """A case that cannot be built (a date that is not a date)."""


@dataclass(frozen=True)
class CaseFailure:
    index: int
    name: str
    reason: str


@dataclass(frozen=True)
class Partial:
    start: dt.date
    end: dt.date
    precision: str
    instant: dt.datetime | None


def parse_partial(text: str, precision: str | None = None) -> Partial:
    """ "2019", "2019-08", "2019-08-03" or "2019-08-03T22:10": its days, precision and instant.
    `precision` may lower what the text gives ("2019-06" as a season), never raise it."""
    m = _PARTIAL.match(text.strip())
    if not m:
        raise CaseError(f"{text!r} is not a year, year-month, date or date and time")
    try:
        start = dt.date(int(m["y"]), int(m["m"] or 1), int(m["d"] or 1))
        instant = wall_clock(start, int(m["H"]), int(m["M"]), int(m["S"] or 0)) if m["H"] else None
    except ValueError as exc:
        raise CaseError(f"{text!r} is not a real date ({exc})") from exc
    implied = "day" if m["d"] else "month" if m["m"] else "year"
    chosen = precision or implied
    if _RANK[chosen] > _RANK[implied]:
        raise CaseError(f"{text!r} is not precise to the {chosen}")
    return Partial(start, period_end(start, chosen), chosen, instant if chosen == "day" else None)


def period_end(start: dt.date, precision: str) -> dt.date:
    if precision == "year":
        return dt.date(start.year, 12, 31)
    months = {"season": 3, "month": 1}.get(precision, 0)
    if not months:
        return start
    month = start.month - 1 + months
    return dt.date(start.year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def _instant(text: str) -> dt.datetime:
    p = parse_partial(text)
    if p.instant is not None:
        return p.instant
    return wall_clock(p.end)


def case_entries(items: list[CaseEntry], vocabulary: Vocabulary) -> tuple[Entry, ...]:
    """Case entries as entry versions. Defaults: agency = agency kind, recorded on the day it
    occurred (its last possible day for a partial date), theme from the vocabulary; an earlier
    version of a key is superseded when the next one is recorded."""
    built: list[Entry] = []
    for item in items:
        occurred = parse_partial(item.on, item.precision)
        recorded = (
            _instant(item.recorded)
            if item.recorded
            else (occurred.instant or wall_clock(occurred.end))
        )
        built.append(
            Entry(
                key=item.key,
                version=item.version,
                type=item.type,
                theme=item.theme or vocabulary.entry_types.get(item.type, "other"),
                agency=item.agency or item.agency_kind,
                agency_kind=item.agency_kind,
                agency_name=item.agency_name or _name(item.agency, item.agency_kind, vocabulary),
                start=occurred.start,
                end=occurred.end,
                precision=occurred.precision,
                occurred_at=occurred.instant,
                ended_at=_instant(item.ended) if item.ended else None,
                recorded_at=recorded,
                superseded_at=_instant(item.superseded) if item.superseded else None,
                entered_in_error=item.entered_in_error,
                grade=item.grade,
                sensitivity=item.sensitivity,
                source=item.source,
                source_id=item.source_id,
            )
        )
    out: list[Entry] = []
    for e in built:
        if e.superseded_at is None:
            later = [x for x in built if x.key == e.key and x.version > e.version]
            if later:
                nxt = min(later, key=lambda x: x.version)
                e = dataclasses.replace(e, superseded_at=nxt.recorded_at)
        out.append(e)
    return tuple(out)


def _name(agency: str | None, kind: str, vocabulary: Vocabulary) -> str:
    if agency:
        return agency
    return vocabulary.agency_labels.get(kind) or kind.replace("_", " ").capitalize()


def _child(
    person: str, child: CaseChild, vocabulary: Vocabulary
) -> tuple[dt.date | None, dt.date | None, tuple[Involvement, ...]]:
    birth = parse_partial(child.birth_date) if child.birth_date else None
    invs = tuple(
        Involvement(
            agency=i.agency or i.agency_kind,
            agency_kind=i.agency_kind,
            agency_name=i.agency_name or _name(i.agency, i.agency_kind, vocabulary),
            team=i.team,
            started_on=i.started_on,
            ended_on=i.ended_on,
        )
        for i in child.involvements
    )
    return (birth.start if birth else None, birth.end if birth else None, invs)


def _related(r: CaseRelated, i: int, vocabulary: Vocabulary) -> Related:
    start, end, invs = _child(f"related-{i}", r.child, vocabulary)
    return Related(
        relationship=r.relationship,
        from_date=r.from_date,
        to_date=r.to_date,
        history=History(
            person=f"related-{i}",
            birth_start=start,
            birth_end=end,
            entries=case_entries(r.entries, vocabulary),
            involvements=invs,
        ),
        alerts=tuple(RelatedAlert(a.rule, a.raised_on, a.open) for a in r.alerts),
    )


def case_history(case: Case, vocabulary: Vocabulary) -> History:
    start, end, invs = _child("child", case.child, vocabulary)
    return History(
        person="child",
        birth_start=start,
        birth_end=end,
        entries=case_entries(case.entries, vocabulary),
        involvements=invs,
        related=tuple(_related(r, i, vocabulary) for i, r in enumerate(case.related)),
    )


def check_case(case: Case, finding: Finding | None) -> list[str]:
    """What differs between the finding and what the case expects (nothing: it passes)."""
    want = case.expect
    if not want.fires:
        return [f"expected no finding, got: {finding.explanation}"] if finding else []
    if finding is None:
        return ["expected it to fire; it did not"]
    wrong = []
    if want.first_held_on is not None and finding.first_held_on != want.first_held_on:
        wrong.append(f"first held on {finding.first_held_on}, expected {want.first_held_on}")
    if want.evidence is not None and list(finding.evidence) != want.evidence:
        wrong.append(f"evidence {list(finding.evidence)}, expected {want.evidence}")
    if want.certainty is not None and finding.certainty != want.certainty:
        wrong.append(f"certainty {finding.certainty}, expected {want.certainty}")
    wrong += [
        f"explanation lacks {text!r}: {finding.explanation!r}"
        for text in want.explanation_contains
        if text.casefold() not in finding.explanation.casefold()
    ]
    return wrong


def run_case(rule: Rule, case: Case, calendar: Calendar) -> Finding | None:
    return evaluate(
        rule,
        case_history(case, rule.vocabulary),
        on=case.on,
        known_on=case.known_on,
        calendar=calendar,
    )


def run_cases(rule: Rule, calendar: Calendar) -> list[CaseFailure]:
    """Every case of the rule that fails, with why."""
    failures = []
    for i, case in enumerate(rule.spec.cases):
        try:
            wrong = check_case(case, run_case(rule, case, calendar))
        except CaseError as exc:
            wrong = [str(exc)]
        except Exception as exc:
            wrong = [f"the engine failed on this case ({type(exc).__name__}: {exc})"]
        if wrong:
            failures.append(CaseFailure(i, case.name, "; ".join(wrong)))
    return failures
