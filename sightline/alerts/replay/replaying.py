"""Replay everyone held in the (throwaway) database with the engine, day by day, and report
every alert as it would first have been raised, with its evidence named by feed record.

Nobody acknowledges anything in a replay: each alert is taken as decided on the last day of its
rule's suppression window (the engine's `replay`, docs/alerts.md "Lifecycle"), so a condition
that still holds then is raised again as a reminder, and new evidence raises it again sooner.

A rule about a related person's alerts (a sibling's) needs those alerts first: everyone is
replayed once with no related alerts, then the people whose relatives raised any are replayed
again with them."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sightline.alerts.engine.loader import RuleSet, RuleSetError, load_rule_set
from sightline.alerts.engine.model import Entry, History, Raised, Related, RelatedAlert
from sightline.alerts.replay.histories import Cited, Everyone, PersonFacts, cited, everyone
from sightline.alerts.rulesets import vocabulary
from sightline.core.actors import SystemActor
from sightline.core.dates import format_partial
from sightline.core.workingdays import DEFAULT_FILE, Calendar, calendar_from_file
from sightline.governance import access

REPLAYER = SystemActor("replay")
FORMAT = "sightline-replay/1"


class ReplayProblem(Exception):
    """The replay cannot run (a broken rule set, an empty window); messages say why."""

    def __init__(self, messages: Sequence[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = list(messages)


def calendar(holidays: str | None) -> Calendar:
    return calendar_from_file(Path(holidays) if holidays else DEFAULT_FILE)


def rule_set(dirs: list[Path], holidays: str | None = None, *, run_cases: bool = True) -> RuleSet:
    """The rule set to replay (the partnership's, or the directories named), checked as the
    server checks it: a broken set stops the replay, naming file, rule and field. Its cases
    need not run twice: `sightline replay` runs them before starting the worker."""
    try:
        return load_rule_set(dirs, vocabulary(), calendar=calendar(holidays), run_cases=run_cases)
    except RuleSetError as exc:
        raise ReplayProblem([str(p) for p in exc.problems]) from exc


def _first_day(history: History) -> dt.date | None:
    days = [e.start for e in history.entries] + [e.recorded_at.date() for e in history.entries]
    return min(days) if days else None


def _last_day(histories: Sequence[History]) -> dt.date | None:
    days = [e.recorded_at.date() for h in histories for e in h.entries]
    return max(days) if days else None


def window(
    histories: Sequence[History], start: dt.date | None, end: dt.date | None
) -> tuple[dt.date, dt.date]:
    """The days replayed: by default from the first day anything happened or was recorded to
    the last day anything was recorded (the feeds' extract date as far as they show it)."""
    first = start or min((d for h in histories if (d := _first_day(h))), default=None)
    last = end or _last_day(histories)
    if first is None or last is None:
        raise ReplayProblem(["the feeds hold no entries: there is nothing to replay"])
    if last < first:
        raise ReplayProblem([f"--to {last} is before --from {first}"])
    return first, last


def _with_related_alerts(history: History, raised: dict[str, list[Raised]]) -> History | None:
    """The history with its relatives' alerts, or None when they raised none."""
    related: list[Related] = []
    changed = False
    for rel in history.related:
        alerts = tuple(
            RelatedAlert(rule=r.rule, raised_on=r.raised_on, open=True)
            for r in raised.get(rel.history.person, [])
        )
        changed = changed or bool(alerts)
        related.append(Related(rel.relationship, rel.from_date, rel.to_date, rel.history, alerts))
    if not changed:
        return None
    return History(
        person=history.person,
        birth_start=history.birth_start,
        birth_end=history.birth_end,
        entries=history.entries,
        involvements=history.involvements,
        related=tuple(related),
    )


def _evidence(
    keys: Sequence[str], found: Everyone, texts: dict[str, Cited]
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for key in keys:
        entry: Entry | None = found.entries.get(key)
        feed = texts.get(key)
        item: dict[str, Any] = {
            "source": feed.source if feed else None,
            "source_id": feed.source_id if feed else None,
        }
        if entry is not None:  # not when it is an entry of a related person's history
            item.update(
                occurred=format_partial(entry.start, entry.precision),
                type=entry.type,
                agency=entry.agency_kind,
            )
        item["summary"] = feed.summary if feed else ""
        out.append(item)
    return out


def _alert(
    raised: Raised, rules: RuleSet, found: Everyone, texts: dict[str, Cited]
) -> dict[str, Any]:
    rule = rules.get(raised.rule, raised.version)
    return {
        "rule": raised.rule,
        "version": raised.version,
        "severity": raised.severity,
        "title": rule.title if rule else raised.rule,
        "first_raised_on": raised.raised_on.isoformat(),
        "reason": raised.reason,
        "certainty": raised.finding.certainty,
        "evidence": _evidence(raised.finding.evidence, found, texts),
        "new_evidence": _evidence(raised.new_evidence, found, texts)
        if raised.reason != "new"
        else [],
        "explanation": raised.finding.explanation,
        "prompt": rule.spec.prompt if rule else "",
        "decided_on": raised.decided_on.isoformat(),
        "updates": [
            {
                "on": update.on.isoformat(),
                "evidence": _evidence(update.added, found, texts),
                "explanation": update.finding.explanation,
            }
            for update in raised.updates
        ],
    }


def _person(
    facts: PersonFacts,
    alerts: list[dict[str, Any]],
    entries: int,
    days: tuple[dt.date, dt.date] | None,
) -> dict[str, Any]:
    born = facts.birth_date
    return {
        "reference": facts.reference,
        "name": facts.name,
        "born": format_partial(born, facts.birth_precision) if born else None,
        "records": [{"source": s, "source_id": i} for s, i in facts.records],
        "entries": entries,
        "replayed": {"from": days[0].isoformat(), "to": days[1].isoformat()} if days else None,
        "alerts": alerts,
    }


def replay_everyone(
    rules: RuleSet,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    holidays: str | None = None,
    timings: dict[str, float] | None = None,
) -> dict[str, Any]:
    """The replay report (the `sightline-replay/1` document) for everyone in the database."""
    from sightline.alerts.engine.replay import replay

    clock = time.perf_counter()
    scope = access.system_scope(actor=REPLAYER, purpose="replay the feeds in a replay database")
    found = everyone(scope)
    if timings is not None:
        timings["read"] = round(time.perf_counter() - clock, 3)
        clock = time.perf_counter()
    first, last = window(list(found.histories.values()), start, end)
    cal = calendar(holidays)
    days: dict[str, tuple[dt.date, dt.date]] = {}

    def run(history: History) -> list[Raised]:
        own = _first_day(history)
        if own is None:
            return []
        begin = max(first, own)
        if begin > last:
            return []
        days[history.person] = (begin, last)
        return replay(rules, history, start=begin, end=last, calendar=cal)

    raised: dict[str, list[Raised]] = {}
    for history in found.histories.values():
        raised[history.person] = run(history)
    for history in found.histories.values():
        again = _with_related_alerts(history, raised)
        if again is not None:
            raised[history.person] = run(again)
    if timings is not None:
        timings["engine"] = round(time.perf_counter() - clock, 3)

    keys = {
        key
        for found_raised in raised.values()
        for r in found_raised
        for key in (*r.finding.evidence, *(k for u in r.updates for k in u.added))
    }
    texts = cited(keys)
    people = []
    for pk, facts in found.people.items():
        alerts = sorted(
            (_alert(r, rules, found, texts) for r in raised.get(facts.reference, [])),
            key=lambda a: (a["first_raised_on"], a["rule"]),
        )
        history = found.histories[pk]
        people.append(_person(facts, alerts, len(history.entries), days.get(history.person)))
    people.sort(key=lambda p: (not p["alerts"], p["name"], p["reference"]))
    in_force = [r for r in rules.rules if r.spec.effective_from <= last and
                (r.spec.effective_to is None or r.spec.effective_to >= first)]  # fmt: skip
    return {
        "format": FORMAT,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "rules": [
            {"id": r.id, "version": r.version, "title": r.title, "severity": r.severity}
            for r in sorted(in_force, key=lambda r: (r.id, r.version))
        ],
        "people": people,
    }
