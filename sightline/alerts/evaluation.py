"""Evaluating the rules for children, and carrying out what they find (docs/alerts.md; ADR 16).

Two ways in, both run by the task queue with an audited system scope:
- `evaluate_people`: the children whose story just changed (an import, an entry recorded or
  corrected, a merge or a split: `chronology.signals.story_changed`, whose receiver only
  enqueues), and the people related to a child whose alert was raised;
- `sweep`: everyone, every day (`sightline tick`'s periodic job), because deadlines pass
  without new data: "no return interview within 72 hours" becomes true on a day nothing is
  recorded.

Both evaluate every rule in force today for each child over their whole history "as known
today", then follow `lifecycle.next_step` through the services. Re-evaluation is idempotent."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.db import transaction

from sightline.alerts import histories, rulesets, services
from sightline.alerts.engine.loader import RuleSet
from sightline.alerts.engine.model import Finding
from sightline.alerts.histories import ChildHistory
from sightline.alerts.services import Applied, RuleFacts
from sightline.core import clock
from sightline.core.workingdays import Calendar, england
from sightline.governance import access, audit

log = logging.getLogger(__name__)


def rule_set() -> RuleSet:
    """The partnership's rules, loaded and checked once per process (the system check refuses
    to start with a broken rule set, so this does not fail in a running server)."""
    return rulesets.active_rule_set()


@cache
def calendar() -> Calendar:
    return england()


@dataclass(frozen=True)
class _Rule:
    rule: Any  # engine.loader.Rule
    facts: RuleFacts


_in_force: dict[tuple[int, dt.date], tuple[RuleSet, list[_Rule]]] = {}


def rules_in_force(on: dt.date, rules: RuleSet | None = None) -> list[_Rule]:
    """The rules in force on `on`, with what an alert keeps of each (cached per rule set and
    day: one child's re-evaluation should not rebuild them)."""
    rules = rules or rule_set()
    key = (id(rules), on)
    cached = _in_force.get(key)
    if cached is None or cached[0] is not rules:  # a rule set reloaded since
        if len(_in_force) > 16:
            _in_force.clear()
        cached = _in_force[key] = (rules, [_Rule(r, RuleFacts.of(r)) for r in rules.effective(on)])
    return cached[1]


def _related_kinds(data: Any, found: set[str]) -> None:
    if isinstance(data, dict):
        related = data.get("related")
        if isinstance(related, dict) and isinstance(related.get("relationships"), list):
            found.update(str(r) for r in related["relationships"])
        for value in data.values():
            _related_kinds(value, found)
    elif isinstance(data, list):
        for value in data:
            _related_kinds(value, found)


_kinds_read: dict[tuple[tuple[str, int], ...], frozenset[str]] = {}


def relationships_read(rules: Sequence[_Rule]) -> frozenset[str]:
    """The kinds of related people the rules in force read (`related` conditions): only their
    histories need building."""
    key = tuple((r.facts.id, r.facts.version) for r in rules)
    cached = _kinds_read.get(key)
    if cached is None:
        found: set[str] = set()
        for r in rules:
            _related_kinds(r.rule.spec.model_dump(mode="json"), found)
        cached = _kinds_read[key] = frozenset(found)
    return cached


def oldest_age(rules: Sequence[_Rule]) -> int | None:
    """The age no rule in force applies at or beyond (None: some rule has no upper age)."""
    limits = []
    for r in rules:
        age = r.rule.spec.applies_to.age
        if age is None or age.under is None:
            return None
        limits.append(age.under)
    return max(limits) if limits else None


def _adults_before(on: dt.date, rules: Sequence[_Rule]) -> dt.date | None:
    """People born before this day are too old for every rule in force on `on`."""
    oldest = oldest_age(rules)
    if oldest is None:
        return None
    try:
        return on.replace(year=on.year - oldest)
    except ValueError:  # 29 February
        return on.replace(year=on.year - oldest, day=28)


def findings_for(
    child: ChildHistory, rules: Sequence[_Rule], *, on: dt.date
) -> dict[str, tuple[RuleFacts, Finding | None]]:
    """Every rule's finding for one child, sharing one index of their history."""
    from sightline.alerts.engine.evaluate import evaluate_rules

    found = {
        f.rule: f
        for f in evaluate_rules([r.rule for r in rules], child.history, on=on, calendar=calendar())
    }
    return {r.facts.id: (r.facts, found.get(r.facts.id)) for r in rules}


@dataclass
class Evaluated:
    """What an evaluation run did."""

    people: int = 0
    entries: int = 0  # entry versions built into histories (own and related people's)
    seconds: float = 0.0
    read_seconds: float = 0.0
    evaluate_seconds: float = 0.0
    write_seconds: float = 0.0
    applied: Applied = field(default_factory=Applied)

    def summary(self) -> str:
        counts = ", ".join(f"{n} {kind}" for kind, n in sorted(self.applied.counts.items()))
        return f"evaluated {self.people:,} people in {self.seconds:.1f} s" + (
            f": {counts}" if counts else ": nothing changed"
        )


@dataclass
class BatchResult:
    """What evaluating one batch found: the findings that hold, by child and rule (a child and
    rule not named held nothing), and what it cost."""

    ids: list[int]
    found: dict[int, dict[str, Finding]]
    entries: int = 0
    read_seconds: float = 0.0
    evaluate_seconds: float = 0.0


def evaluate_histories(
    batch: Sequence[ChildHistory],
    rules: Sequence[_Rule],
    *,
    on: dt.date,
    ids: Sequence[int] | None = None,
) -> BatchResult:
    """`ids`: everyone the batch stands for (default: the batch's children), of whom those
    with no history in it were left out by the reading as holding nothing."""
    started = time.perf_counter()
    found: dict[int, dict[str, Finding]] = {}
    for child in batch:
        held = {rule: f for rule, (_, f) in findings_for(child, rules, on=on).items() if f}
        if held:
            found[child.person_id] = held
    return BatchResult(
        ids=list(ids) if ids is not None else [c.person_id for c in batch],
        found=found,
        entries=sum(
            len(c.history.entries) + sum(len(r.history.entries) for r in c.history.related)
            for c in batch
        ),
        evaluate_seconds=time.perf_counter() - started,
    )


def _apply_batch(
    batch: BatchResult, rules: Sequence[_Rule], *, actor: Any, on: dt.date, result: Evaluated
) -> None:
    """Carry out the batch's findings. Most children have no finding and no alert: their rules'
    lifecycle is "nothing" without a write, so only children with either are looked at."""
    started = time.perf_counter()
    facts = {r.facts.id: r.facts for r in rules}
    latest = services.latest_alerts(batch.ids)
    by_person: dict[int, dict[str, Any]] = {}
    for (pid, rule), alert in latest.items():
        if rule in facts:  # a rule no longer in force: its alerts are left as they are
            by_person.setdefault(pid, {})[rule] = alert
    todo = [pid for pid in batch.ids if batch.found.get(pid) or by_person.get(pid)]
    # One transaction for the batch's writes, its audit rows appended to the chain together at
    # its end: a first sweep raises thousands of alerts, and a commit and a chain append for
    # each was most of its writing. Each alert is still its own savepoint (alerts_apply).
    with transaction.atomic(), audit.deferred():
        for pid in todo:
            found = batch.found.get(pid, {})
            held = by_person.get(pid, {})
            wanted = {rule: (facts[rule], found.get(rule)) for rule in {*found, *held}}
            result.applied.merge(
                services.alerts_apply(
                    actor=actor, person_id=pid, findings=wanted, on=on, latest=held
                )
            )
    result.people += len(batch.ids)
    result.entries += batch.entries
    result.read_seconds += batch.read_seconds
    result.evaluate_seconds += batch.evaluate_seconds
    result.write_seconds += time.perf_counter() - started


def _evaluate_batches(
    batches: Iterable[tuple[list[int], list[ChildHistory]]],
    *,
    actor: Any,
    on: dt.date,
    rules: Sequence[_Rule],
) -> Evaluated:
    result = Evaluated()
    started = time.perf_counter()
    read_started = started
    for ids, batch in batches:
        read = time.perf_counter() - read_started
        found = evaluate_histories(batch, rules, on=on, ids=ids)
        found.read_seconds = read
        _apply_batch(found, rules, actor=actor, on=on, result=result)
        read_started = time.perf_counter()
    result.seconds = time.perf_counter() - started
    return result


# --- the sweep in worker processes ------------------------------------------------------------
#
# Reading and evaluating are CPU-bound Python; with more than one core the sweep hands batches of
# children to worker processes (spawned: a fresh interpreter each, whatever threads the parent
# runs) which read and evaluate them and send back only what holds; the parent writes. Each worker
# opens its own database connection and reads through the run's system scope (one audit row for
# the run, as ADR 9 asks).

_worker_state: dict[Any, Any] = {}


def _worker_init(settings_module: str) -> None:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    import django

    django.setup()


def _worker_batch(job: tuple[Any, list[int], dt.date, frozenset[str], bool]) -> BatchResult:
    scope, ids, on, kinds, current_only = job
    rules = _worker_state.get(("rules", on))
    if rules is None:
        rules = _worker_state[("rules", on)] = rules_in_force(on)
    started = time.perf_counter()
    builder = _worker_state.get("builder")
    if builder is None or builder.current_only != current_only:
        builder = _worker_state["builder"] = histories._Builder(
            current_only=current_only, relationships=kinds, rules=[r.rule for r in rules]
        )
    access.require_system(scope)
    batch = builder.build(ids)
    read = time.perf_counter() - started
    found = evaluate_histories(batch, rules, on=on, ids=ids)
    found.read_seconds = read
    return found


def workers_wanted() -> int:
    """ALERTS_SWEEP_WORKERS: processes for the sweep (1: none, in this process; 0: one per core).
    Only with a database other processes can open (not SQLite in memory, as in tests)."""
    import os

    from django.conf import settings
    from django.db import connection

    wanted = int(getattr(settings, "ALERTS_SWEEP_WORKERS", 1) or 0)
    if wanted <= 0:
        wanted = os.cpu_count() or 1
    name = str(connection.settings_dict.get("NAME") or "")
    if connection.vendor == "sqlite" and (not name or name == ":memory:" or "mode=memory" in name):
        return 1
    return wanted


def _sweep_in_workers(
    *,
    scope: Any,
    actor: Any,
    on: dt.date,
    rules: Sequence[_Rule],
    batches: list[list[int]],
    workers: int,
    current_only: bool,
) -> Evaluated:
    import multiprocessing
    import os

    result = Evaluated()
    started = time.perf_counter()
    kinds = relationships_read(rules)
    jobs = [(scope, ids, on, kinds, current_only) for ids in batches]
    context = multiprocessing.get_context("spawn")
    settings_module = os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.base")
    with context.Pool(workers, initializer=_worker_init, initargs=(settings_module,)) as pool:
        for found in pool.imap_unordered(_worker_batch, jobs):
            _apply_batch(found, rules, actor=actor, on=on, result=result)
    result.seconds = time.perf_counter() - started
    return result


def evaluate_people(
    *, scope: Any, actor: Any, person_ids: Iterable[int], on: dt.date | None = None
) -> Evaluated:
    """Evaluate these people (each as the person they were merged into, if they were): alerts
    left on a merged-away person are combined into the survivor's first."""
    today = on is None or on == clock.today()
    on = on or clock.today()
    ids = sorted(set(person_ids))
    survivors = histories._survivors(ids)
    for pid, survivor in survivors.items():
        if pid != survivor:
            services.alerts_combine(actor=actor, person_id=pid, survivor_id=survivor)
    wanted = sorted(set(survivors.values()))
    rules = rules_in_force(on)
    kinds = relationships_read(rules)
    if len(wanted) == 1:
        batches: Iterable[tuple[list[int], list[ChildHistory]]] = [
            (
                wanted,
                [
                    histories.history_for(
                        viewer=scope,
                        person_id=wanted[0],
                        current_only=today,
                        relationships=kinds,
                        resolved=True,
                    )
                ],
            )
        ]
    else:
        batches = histories.sweep_batches(
            viewer=scope,
            people=wanted,
            current_only=today,
            relationships=kinds,
            rules=[r.rule for r in rules],
        )
    result = _evaluate_batches(batches, actor=actor, on=on, rules=rules)
    _related_of_raised(result.applied)
    return result


def sweep(
    *,
    scope: Any,
    actor: Any,
    on: dt.date | None = None,
    batch_size: int = 2000,
    workers: int | None = None,
    limit: int | None = None,
) -> Evaluated:
    """Evaluate everyone with a story (the daily sweep), in `workers` processes (default:
    ALERTS_SWEEP_WORKERS). `limit`: only the first so many people (benchmarks)."""
    today = on is None or on == clock.today()
    on = on or clock.today()
    histories.lookups_changed()  # read agencies, feeds and teams afresh for the day
    rules = rules_in_force(on)
    kinds = relationships_read(rules)
    workers = workers if workers is not None else workers_wanted()
    if workers > 1:
        access.require_system(scope)
        ids = histories.people_to_evaluate(adults_before=_adults_before(on, rules))[:limit]
        links = {
            pid: [link for link in found if link.relationship in kinds]
            for pid, found in (histories._links_of(None) if kinds else {}).items()
        }
        batches = histories._families(ids, links, batch_size)
        result = _sweep_in_workers(
            scope=scope, actor=actor, on=on, rules=rules, batches=batches, workers=workers,
            current_only=today,
        )  # fmt: skip
    else:
        people = None
        if limit is not None:
            people = histories.people_to_evaluate(adults_before=_adults_before(on, rules))[:limit]
        reading = histories.sweep_batches(
            viewer=scope,
            batch_size=batch_size,
            people=people,
            current_only=today,
            relationships=kinds,
            adults_before=_adults_before(on, rules),
            rules=[r.rule for r in rules],
        )
        result = _evaluate_batches(reading, actor=actor, on=on, rules=rules)
    _related_of_raised(result.applied)
    log.info("alerts sweep for %s: %s", on, result.summary())
    return result


def _related_of_raised(applied: Applied) -> None:
    """A rule can read a related child's alerts (a sibling with an open exploitation alert): the
    people related to a child whose alert was raised or re-opened are evaluated again."""
    from sightline.alerts import tasks

    raised = {a.person_id for a in applied.alerts if a.status == "open"}
    if not raised:
        return
    links = histories._links_of(sorted(raised))
    related = sorted({link.other for pid in raised for link in links.get(pid, ())} - raised)
    if related:
        tasks.evaluate_enqueue(related, reason="related")
