"""The retention schedule's deletion runs and legal holds (docs/information-governance.md,
Retention). A run is planned (who would go, and what, under the schedule in effect), approved by
a second person, then executed: only the planned people who still qualify at that moment are
deleted, each audited. The rule itself is governance.retention; this module gathers the facts
it needs and deletes through the registry of every foreign key to a person
(core.extensions.person_fields), which identity merging keeps complete."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.db.models import Max, ProtectedError, RestrictedError

from sightline.agencies.models import Agency
from sightline.cases.models import Involvement
from sightline.chronology.models import ChronologyEntry, EntrySubject
from sightline.core import clock, extensions
from sightline.core.actors import SystemActor, actor_name, actor_user
from sightline.governance import access, audit, retention
from sightline.governance.audit import AuditAction
from sightline.governance.models import LegalHold, RetentionRun
from sightline.governance.policy import Capability
from sightline.people.models import Person
from sightline.referrals.models import Referral

# The system actor whose scope reads every person's facts for a plan or an execution.
RETENTION = SystemActor("retention")
_CHUNK = 500
_PASSES = 8
ENTRIES = "chronology.ChronologyEntry"


class RetentionError(ValueError):
    """A step refused: the message says why (the CLI prints it; the refusal is audited)."""


def _officer(actor: Any) -> None:
    access.require(actor, Capability.HANDLE_SUBJECT_ACCESS)


# --- holds ------------------------------------------------------------------------------------


def legal_hold_place(*, actor: Any, person: Person, reason: str) -> LegalHold:
    _officer(actor)
    reason = " ".join(reason.split())
    if not reason:
        raise RetentionError("Give the reason for the hold")
    with transaction.atomic():
        hold = LegalHold.objects.create(
            person=person,
            reason=reason,
            placed_by=actor_user(actor),
            placed_by_name=actor_name(actor),
            placed_at=clock.now(),
        )
        audit.record(
            actor,
            AuditAction.LEGAL_HOLD_PLACED,
            object_type="legal_hold",
            object_id=hold.pk,
            person_id=person.pk,
            purpose="legal hold on deletion",
            detail={"reason": reason[:200]},
        )
    return hold


def legal_hold_lift(*, actor: Any, hold: LegalHold) -> LegalHold:
    _officer(actor)
    with transaction.atomic():
        hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
        if hold.lifted_at is not None:
            raise RetentionError("This hold has already been lifted")
        hold.lifted_at, hold.lifted_by = clock.now(), actor_user(actor)
        hold.save(update_fields=["lifted_at", "lifted_by"])
        audit.record(
            actor,
            AuditAction.LEGAL_HOLD_LIFTED,
            object_type="legal_hold",
            object_id=hold.pk,
            person_id=hold.person_id,
            purpose="legal hold on deletion",
        )
    return hold


def held_ids(ids: Iterable[int]) -> set[int]:
    return set(
        LegalHold.objects.filter(person_id__in=list(ids), lifted_at__isnull=True).values_list(
            "person_id", flat=True
        )
    )


# --- the facts the schedule needs --------------------------------------------------------------


def _groups(survivors: Sequence[int]) -> dict[int, list[int]]:
    """Each surviving person and the people merged into them (their rows may still point at the
    merged-away ids)."""
    groups = {pid: [pid] for pid in survivors}
    frontier = list(survivors)
    owner = {pid: pid for pid in survivors}
    for _ in range(10):
        found = list(
            Person.objects.filter(merged_into_id__in=frontier).values_list("pk", "merged_into_id")
        )
        if not found:
            break
        for pid, into in found:
            owner[pid] = owner[into]
            groups[owner[pid]].append(pid)
        frontier = [pid for pid, _ in found]
    return groups


def facts_for(groups: dict[int, list[int]]) -> dict[int, retention.PersonFacts]:
    """The schedule's facts for each group, in a few grouped queries."""
    owner = {pid: head for head, ids in groups.items() for pid in ids}
    ids = list(owner)
    types: dict[int, set[str]] = defaultdict(set)
    sens: dict[int, set[str]] = defaultdict(set)
    grades: dict[int, set[str]] = defaultdict(set)
    kinds: dict[int, set[str]] = defaultdict(set)
    last: dict[int, dt.date] = {}

    def seen(head: int, when: dt.datetime | dt.date | None) -> None:
        if when is None:
            return
        day = when.date() if isinstance(when, dt.datetime) else when
        if head not in last or day > last[head]:
            last[head] = day

    for pid, etype, sensitivity, grade, recorded in EntrySubject.objects.filter(
        person_id__in=ids
    ).values_list(
        "person_id", "entry__type", "entry__sensitivity", "entry__grade", "entry__recorded_at"
    ):
        head = owner[pid]
        types[head].add(etype)
        sens[head].add(sensitivity)
        grades[head].add(grade)
        seen(head, recorded)
    agency_kinds = dict(Agency.objects.values_list("pk", "kind"))
    for pid, agency_id, started, ended in Involvement.objects.filter(person_id__in=ids).values_list(
        "person_id", "agency_id", "started_on", "ended_on"
    ):
        kinds[owner[pid]].add(agency_kinds.get(agency_id, ""))
        seen(owner[pid], ended or started)
        if ended is None and started is not None:
            seen(owner[pid], clock.today())  # still open: a record of today
    for pid, received in (
        Referral.objects.filter(person_id__in=ids)
        .values("person_id")
        .annotate(last=Max("received_at"))
        .values_list("person_id", "last")
    ):
        seen(owner[pid], received)
    people = {p.pk: p for p in Person.objects.filter(pk__in=list(groups))}
    out = {}
    for head in groups:
        person = people.get(head)
        if person is None:
            continue
        seen(head, person.created_at)
        out[head] = retention.PersonFacts(
            birth_latest=retention.latest_birth(person.birth_date, person.birth_date_precision),
            last_record_on=last.get(head),
            entry_types=frozenset(types[head]),
            agency_kinds=frozenset(kinds[head]),
            sensitivities=frozenset(sens[head]),
            grades=frozenset(grades[head]),
        )
    return out


def _candidates(schedule: retention.Schedule, today: dt.date) -> Iterable[list[int]]:
    """Surviving people who might have passed retention, in chunks. Everyone falls in the
    schedule's class for everyone, so its birthday term (when it has one) rules out anyone
    younger than that without reading their records."""
    qs = Person.objects.filter(merged_into__isnull=True)
    years = min(
        (
            c.keep_until["birthday"]
            for c in schedule.classes
            if c.matches_everyone and "birthday" in c.keep_until
        ),
        default=None,
    )
    if years is not None:
        qs = qs.filter(birth_date__isnull=False, birth_date__lt=retention.birthday(today, -years))
    ids = list(qs.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def due_for_deletion(
    *, today: dt.date, only: Sequence[int] | None = None
) -> tuple[retention.Schedule, dict[int, tuple[list[int], retention.Verdict]]]:
    """Who has passed retention today and is held by no one: survivor id -> (every id of them,
    the verdict). `only` limits it to those survivors (execution re-checks its plan)."""
    schedule = retention.schedule_on(today)
    due: dict[int, tuple[list[int], retention.Verdict]] = {}
    chunks = [list(only)] if only is not None else _candidates(schedule, today)
    for chunk in chunks:
        alive = list(
            Person.objects.filter(pk__in=chunk, merged_into__isnull=True).values_list(
                "pk", flat=True
            )
        )
        groups = _groups(alive)
        facts = facts_for(groups)
        held = held_ids(pid for ids in groups.values() for pid in ids)
        for head, ids in groups.items():
            if head not in facts or held & set(ids):
                continue
            verdict = retention.verdict(schedule, facts[head])
            if verdict.passed(today):
                due[head] = (ids, verdict)
    return schedule, due


# --- what would go -----------------------------------------------------------------------------


def _person_field_querysets(ids: Sequence[int]) -> list[tuple[str, models.QuerySet[Any]]]:
    out = []
    for label in [*extensions.person_fields("repoint"), *extensions.person_fields("keep")]:
        app_label, model_name, field = label.split(".")
        model = apps.get_model(app_label, model_name)
        if model is Person:
            continue  # merged_into: the merged-away people are in `ids` themselves
        out.append((label, model._default_manager.filter(**{f"{field}__in": list(ids)})))
    return out


def _entries_to_delete(ids: Sequence[int]) -> models.QuerySet[ChronologyEntry]:
    """Every version of the entries about these people and no one else: an entry that is also
    about someone kept stays, as part of that person's record."""
    about = EntrySubject.objects.filter(person_id__in=list(ids)).values("entry_id")
    shared = (
        EntrySubject.objects.filter(entry_id__in=about)
        .exclude(person_id__in=list(ids))
        .values("entry_id")
    )
    return ChronologyEntry.objects.filter(pk__in=about).exclude(pk__in=shared)


def counts_for(ids: Sequence[int]) -> dict[str, int]:
    """Rows that would go, by table ("chronology.EntrySubject": 12)."""
    counts: dict[str, int] = defaultdict(int)
    for label, qs in _person_field_querysets(ids):
        counts[label.rsplit(".", 1)[0]] += qs.count()
    counts[ENTRIES] = _entries_to_delete(ids).count()
    counts["people.Person"] = len(ids)
    return {k: v for k, v in sorted(counts.items()) if v}


# --- the run ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Executed:
    run: RetentionRun
    deleted: list[int]
    kept: list[dict[str, Any]]


def retention_plan(*, actor: Any) -> RetentionRun:
    _officer(actor)
    today = clock.today()
    with transaction.atomic():
        access.system_scope(actor=RETENTION, purpose="retention: plan a deletion run")
        schedule, due = due_for_deletion(today=today)
        references = dict(Person.objects.filter(pk__in=list(due)).values_list("pk", "reference"))
        plan = [
            {
                "person_id": head,
                "reference": references.get(head, ""),
                "merged_ids": [pid for pid in ids if pid != head],
                "keep_until": verdict.keep_until.isoformat() if verdict.keep_until else None,
                "rule": verdict.rule,
                "counts": counts_for(ids),
            }
            for head, (ids, verdict) in sorted(due.items())
        ]
        run = RetentionRun.objects.create(
            rules_version=schedule.version,
            planned_by=actor_user(actor),
            planned_by_name=actor_name(actor),
            planned_at=clock.now(),
            plan=plan,
        )
        audit.record(
            actor,
            AuditAction.RETENTION_PLANNED,
            object_type="retention_run",
            object_id=run.pk,
            purpose="retention: plan a deletion run",
            detail={"people": len(plan), "rules_version": schedule.version},
        )
    return run


def _refuse(actor: Any, run: RetentionRun, why: str) -> RetentionError:
    audit.record(
        actor,
        AuditAction.RETENTION_REFUSED,
        object_type="retention_run",
        object_id=run.pk,
        purpose="retention: approve a deletion run",
        detail={"why": why},
    )
    return RetentionError(why)


def retention_approve(*, actor: Any, run: RetentionRun) -> RetentionRun:
    """The second person's approval: never the planner's own."""
    _officer(actor)
    with transaction.atomic():
        run = RetentionRun.objects.select_for_update().get(pk=run.pk)
        if run.status != RetentionRun.Status.PLANNED:
            error = _refuse(
                actor,
                run,
                f"Run {run.pk} is {run.get_status_display().lower()}, not waiting for approval",
            )
        elif actor_user(actor) is None or run.planned_by_id == actor_user(actor).pk:
            error = _refuse(
                actor,
                run,
                "The run must be approved by someone other than the person who planned it",
            )
        else:
            run.status = RetentionRun.Status.APPROVED
            run.approved_by, run.approved_at = actor_user(actor), clock.now()
            run.save(update_fields=["status", "approved_by", "approved_at"])
            audit.record(
                actor,
                AuditAction.RETENTION_APPROVED,
                object_type="retention_run",
                object_id=run.pk,
                purpose="retention: approve a deletion run",
                detail={"people": len(run.plan), "planned_by": run.planned_by_name},
            )
            return run
    raise error


def _delete_all(ids: Sequence[int]) -> None:
    """Delete every row about these people, then the people: in passes, since one table's rows
    may protect another's until they go. Raises when something still stands (the caller's
    savepoint then undoes it all)."""
    # The entries are found through their subjects, which go in the same passes: fix them first.
    entry_ids = list(_entries_to_delete(ids).values_list("pk", flat=True))
    targets = [
        (ENTRIES, ChronologyEntry.objects.filter(pk__in=entry_ids)),
        *_person_field_querysets(ids),
    ]
    targets.append(("people.Person", Person.objects.filter(pk__in=list(ids))))
    for _ in range(_PASSES):
        left = False
        for _label, qs in targets:
            if not qs.exists():
                continue
            try:
                with transaction.atomic():
                    qs.delete()
            except (ProtectedError, RestrictedError, IntegrityError):
                left = True
        if not left:
            return
    standing = [label for label, qs in targets if qs.exists()]
    raise RetentionError(f"records another person's rows depend on: {', '.join(standing)}")


def retention_run_execute(*, actor: Any, run: RetentionRun) -> Executed:
    """Delete the planned people who still qualify now (no hold, retention still passed under
    the schedule in effect today); each deletion audited with the person's id and counts. An
    executed run deletes nothing more. The actor is an officer, or the retention system actor
    (a scheduled execution): the second person's approval is the authority either way."""
    if actor is not RETENTION:
        _officer(actor)
    with transaction.atomic():
        run = RetentionRun.objects.select_for_update().get(pk=run.pk)
        if run.status == RetentionRun.Status.EXECUTED:
            return Executed(run, [], [])
        if run.status != RetentionRun.Status.APPROVED:
            error = _refuse(actor, run, f"Run {run.pk} has not been approved by a second person")
        else:
            return _execute(actor, run)
    # Outside the transaction, so the refusal's audit row is kept.
    raise error


def _execute(actor: Any, run: RetentionRun) -> Executed:
    """Delete the approved run's people who still qualify (in the caller's transaction, which
    holds the run's lock)."""
    access.system_scope(actor=RETENTION, purpose=f"retention: execute deletion run {run.pk}")
    planned = [int(item["person_id"]) for item in run.plan]
    _, due = due_for_deletion(today=clock.today(), only=planned)
    deleted: list[int] = []
    kept: list[dict[str, Any]] = []
    for item in run.plan:
        head = int(item["person_id"])
        if head not in due:
            why = "held" if held_ids([head, *item.get("merged_ids", [])]) else "no longer due"
            if not Person.objects.filter(pk=head).exists():
                why = "already gone"
            kept.append({"person_id": head, "why": why})
            continue
        ids, _verdict = due[head]
        counts = counts_for(ids)
        try:
            with transaction.atomic(), audit.deferred():
                _delete_all(ids)
                audit.record(
                    actor,
                    AuditAction.PERSON_DELETED,
                    object_type="person",
                    object_id=head,
                    person_id=head,
                    purpose=f"retention: deletion run {run.pk}",
                    detail={"ids": ids, "counts": counts, "rules_version": run.rules_version},
                )
        except RetentionError as exc:
            kept.append({"person_id": head, "why": str(exc)})
            continue
        deleted.append(head)
    run.status = RetentionRun.Status.EXECUTED
    run.executed_at, run.deleted, run.kept = clock.now(), deleted, kept
    run.save(update_fields=["status", "executed_at", "deleted", "kept"])
    audit.record(
        actor,
        AuditAction.RETENTION_EXECUTED,
        object_type="retention_run",
        object_id=run.pk,
        purpose=f"retention: execute deletion run {run.pk}",
        detail={"deleted": len(deleted), "kept": kept[:100]},
    )
    return Executed(run, deleted, kept)
