"""Probabilistic linking of people across feeds, over the database: the bridge between the
Splink engine (identity.linkage, which alone imports Splink and DuckDB) and the people held.

    scope = access.system_scope(actor=LINKER, purpose="link people across feeds")
    link_batch(actor=LINKER, scope=scope, batch_id=12)  # a new batch against everyone known
    link_full(actor=LINKER, scope=scope)                # everyone again (`sightline link --full`)

Every run reads the people held through an explicit system scope (governance.access), audited
once when it is opened; the task queue opens one for each link task it runs.

A run takes a snapshot of the current person source records (standardised in Python, handed to
DuckDB as an Arrow table), scores the pairs, and applies the decision bands
(settings.IDENTITY_AUTO_LINK_WEIGHT and IDENTITY_REVIEW_WEIGHT; identity.linkage.guard):

- **auto-link**: the two people are merged (identity.merging.person_merge), strongest pair
  first; a pair a reviewer rejected (or a split undid) is never merged again, and a merge that
  would join two valid NHS numbers or UPNs is refused and queued for review instead;
- **review**: a candidate link for the review queue (identity.review);
- **no link**: nothing.

An incremental run scores only the batch's records against the others and among themselves
(the engine's `predict_between`), never the whole population again. Records with no usable
field (no name, date of birth or valid identifier) are left out and reported by feed, never
linked to anyone. Every run is recorded (LinkRun) and audited once, with its counts.
"""

from __future__ import annotations

import itertools
import logging
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet

from sightline.core import clock, queue
from sightline.core.actors import LINKER
from sightline.core.errors import InvalidTransition, ValidationFailed
from sightline.governance import access, audit
from sightline.governance.access import SystemScope
from sightline.governance.audit import AuditAction
from sightline.identity.linkage import training
from sightline.identity.linkage.guard import Decision, Reason, Thresholds
from sightline.identity.linkage.predict import Linkage, PairDecision
from sightline.identity.linkage.standardise import COLUMNS, SCHEMA, standardise_record
from sightline.identity.merging import MergeEvidence, exclusive_conflicts, person_merge
from sightline.identity.models import CandidateLink, LinkRun
from sightline.identity.review import PairEvidence, candidate_link_create, candidates_withdraw
from sightline.people.models import Person
from sightline.records.models import ImportBatch, SourceRecord

log = logging.getLogger(__name__)

# A record needs one of these to be linked at all; postcode and sex alone describe a household.
USABLE_COLUMNS = ("first_name", "surname", "dob", "nhs_number", "upn", "pnc_id")
USABLE_TEXT = "no name, date of birth or valid NHS number, UPN or PNC ID"
# Fewer records than this cannot train a model worth using.
MIN_TRAINING_RECORDS = 200
_CHUNK = 2000
MERGES_PER_TRANSACTION = 500
ROWS_PER_SLICE = 5000
# What a run counts (LinkRun.counts), besides the records it read.
COUNTED = (
    "merged",
    "candidates",
    "already_linked",
    "kept_apart",
    "refused",
    "different_identifiers",
    "withdrawn",
)


class LinkError(RuntimeError):
    """Linking cannot run (no model and too few records to train one)."""


# --- the snapshot -------------------------------------------------------------------------


@dataclass
class Snapshot:
    """Standardised person records, and where each came from."""

    table: pa.Table
    record_of: dict[str, int] = field(default_factory=dict)  # unique id -> SourceRecord id
    person_of: dict[str, int] = field(default_factory=dict)  # unique id -> person id
    lines: Counter[str] = field(default_factory=Counter)  # feed -> person lines read
    unusable: Counter[str] = field(default_factory=Counter)  # feed -> lines left out

    @property
    def unusable_feeds(self) -> list[str]:
        """Feeds none of whose person lines (in this snapshot) could be linked."""
        return sorted(s for s, n in self.unusable.items() if n and n == self.lines[s])

    def report(self) -> dict[str, Any]:
        return {
            "unusable": dict(sorted(self.unusable.items())),
            "unusable_feeds": self.unusable_feeds,
        }


def is_usable(record: Mapping[str, Any]) -> bool:
    return any(record.get(c) for c in USABLE_COLUMNS)


def person_records(scope: SystemScope) -> QuerySet[SourceRecord]:
    """The current version of every person source record linked to a person, read through the
    system scope (which sees every child)."""
    records = SourceRecord.objects.filter(
        kind=SourceRecord.Kind.PERSON, is_current=True, person__isnull=False
    )
    return access.restrict_people(access.require_system(scope), records, field="person_id")


def snapshot(records: QuerySet[SourceRecord]) -> Snapshot:
    """Standardise `records` (streamed in chunks) into an Arrow table of COLUMNS."""
    columns: dict[str, list[Any]] = {c: [] for c in COLUMNS}
    found = Snapshot(table=pa.table({}))
    rows = records.order_by("pk").values_list(
        "pk", "person_id", "source_id", "payload", "source_system__code"
    )
    for pk, person_id, source_id, payload, code in rows.iterator(chunk_size=_CHUNK):
        found.lines[code] += 1
        line = {**(payload if isinstance(payload, dict) else {}), "source": code}
        line["source_id"] = source_id
        record = standardise_record(line)
        if not is_usable(record):
            found.unusable[code] += 1
            continue
        uid = record["unique_id"]
        found.record_of[uid] = pk
        found.person_of[uid] = person_id
        for c in COLUMNS:
            columns[c].append(record[c])
    found.table = pa.table({c: pa.array(columns[c], SCHEMA.field(c).type) for c in COLUMNS})
    return found


def _merge(left: Snapshot, right: Snapshot) -> Snapshot:
    """Both snapshots' lookups (the tables stay apart)."""
    both = Snapshot(table=left.table)
    both.record_of = {**left.record_of, **right.record_of}
    both.person_of = {**left.person_of, **right.person_of}
    both.lines = left.lines + right.lines
    both.unusable = left.unusable + right.unusable
    return both


# --- the model ----------------------------------------------------------------------------


def thresholds() -> Thresholds:
    return Thresholds(
        auto_link=float(settings.IDENTITY_AUTO_LINK_WEIGHT),
        review=float(settings.IDENTITY_REVIEW_WEIGHT),
    )


def _model_dirs() -> list[Path]:
    if settings.IDENTITY_MODEL_DIR:
        return [Path(settings.IDENTITY_MODEL_DIR)]
    return [training.TRAINED_DIR, Path(settings.VAR_DIR) / "linkage"]


def load_model(version: str | None = None) -> dict[str, Any] | None:
    """The newest model (or that version) in the model directories, or None."""
    for directory in _model_dirs():
        try:
            return training.load_model(version, directory)
        except (training.TrainingError, FileNotFoundError):
            continue
    return None


def model_for(
    records: pa.Table, *, version: str | None = None, train: bool = True
) -> dict[str, Any]:
    """A trained model: the one kept, or (when there is none and `train`) one trained on
    `records` and kept for next time."""
    model = load_model(version)
    if model is not None:
        return model
    if version is not None:
        raise LinkError(f"No linkage model version {version}.")
    if not train:
        raise LinkError("No trained linkage model yet: run `sightline link` once.")
    if records.num_rows < MIN_TRAINING_RECORDS:
        raise LinkError(
            f"No trained linkage model, and only {records.num_rows} person records to train "
            f"one on (at least {MIN_TRAINING_RECORDS} are needed): run "
            "`sightline identity train` first."
        )
    directory = _model_dirs()[-1]
    new_version = training.next_version(directory)
    log.info("No linkage model: training version %s on %s records", new_version, records.num_rows)
    model = training.train(
        records,
        version=new_version,
        description=f"trained by `sightline link` on {records.num_rows} records held",
    )
    training.save_model(model, directory)
    return model


@contextmanager
def _quiet_splink() -> Iterator[None]:
    """Splink's progress messages (it logs training and every prediction at INFO) kept out of
    a run's output: they go nowhere for the run, and everything is as it was after."""
    logger = logging.getLogger("splink")
    before = (logger.level, logger.propagate)
    sink = logging.NullHandler()
    logger.addHandler(sink)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(sink)
        logger.setLevel(before[0])
        logger.propagate = before[1]


def _decision(linkage: Linkage, row: dict[str, Any]) -> PairDecision:
    """A scored pair's decision with its explanation. The decision and reason the engine wrote
    on the pair (its SQL bands, then the ambiguity rule, which can send a weak automatic link
    to review) are the ones applied; `pair_decision` supplies the waterfall."""
    decided, reason = row.pop("decision", None), row.get("reason")
    found = linkage.pair_decision(row)
    if decided is not None and (decided != found.decision or (reason or None) != found.reason):
        found = replace(
            found, decision=Decision(decided), reason=Reason(reason) if reason else None
        )
    return found


def _rows(
    pairs: pa.Table, decision: Decision, *, strongest_first: bool
) -> Iterator[dict[str, Any]]:
    """The pairs with that decision as dicts, a slice at a time: a block of many identical
    records scores millions of pairs, and only the rows being applied are held as objects."""
    chosen = pairs.filter(pc.equal(pairs.column("decision"), str(decision)))
    if strongest_first and chosen.num_rows:
        chosen = chosen.take(pc.sort_indices(chosen, [("match_weight", "descending")]))
    for start in range(0, chosen.num_rows, ROWS_PER_SLICE):
        yield from chosen.slice(start, ROWS_PER_SLICE).to_pylist()


def _linkage(model: dict[str, Any], records: pa.Table) -> Linkage:
    return Linkage(model, records, thresholds=thresholds())


# --- runs ---------------------------------------------------------------------------------


def _run_start(actor: Any, kind: str, batch_id: int | None = None) -> LinkRun:
    return LinkRun.objects.create(
        kind=kind, batch_id=batch_id, started_at=clock.now(), actor_name=str(actor)
    )


def _run_finish(
    run: LinkRun, *, actor: Any, counts: Mapping[str, int], report: Mapping[str, Any]
) -> LinkRun:
    run.status = LinkRun.Status.DONE
    run.finished_at = clock.now()
    run.counts = dict(counts)
    run.report = dict(report)
    run.save()
    audit.record(
        actor,
        AuditAction.PEOPLE_LINKED,
        object_type="link_run",
        object_id=run.pk,
        detail={"kind": run.kind, "batch": run.batch_id, "counts": run.counts, **run.report},
    )
    return run


def _run_failed(run: LinkRun, error: BaseException) -> None:
    run.status = LinkRun.Status.FAILED
    run.finished_at = clock.now()
    run.report = {**run.report, "error": f"{type(error).__name__}: {error}"}
    run.save()


def batches_to_link(scope: SystemScope) -> list[int]:
    """Imported batches with person records that no finished run has linked yet, oldest first."""
    linked = LinkRun.objects.filter(status=LinkRun.Status.DONE, batch__isnull=False).values(
        "batch_id"
    )
    with_people = person_records(scope).values("batch_id")
    return list(
        ImportBatch.objects.filter(status=ImportBatch.Status.IMPORTED, pk__in=with_people)
        .exclude(pk__in=linked)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def has_linked() -> bool:
    return LinkRun.objects.filter(status=LinkRun.Status.DONE).exists()


def link_batch(
    *,
    actor: Any,
    scope: SystemScope,
    batch_id: int,
    model_version: str | None = None,
    again: bool = False,
    train: bool = True,
) -> LinkRun | None:
    """Link one import batch's person records against everyone already known (and among
    themselves). None when the batch holds no person records; the earlier run when it has been
    linked already (unless `again`). Without a model, one is trained on everyone held unless
    `train` is false (LinkError)."""
    if not again:
        done = LinkRun.objects.filter(batch_id=batch_id, status=LinkRun.Status.DONE).first()
        if done is not None:
            return done
    records = person_records(scope)
    if not records.filter(batch_id=batch_id).exists():
        return None
    if not train and load_model(model_version) is None:
        raise LinkError("No trained linkage model yet: run `sightline link` once.")
    run = _run_start(actor, LinkRun.Kind.BATCH, batch_id)
    try:
        with _quiet_splink():
            new = snapshot(records.filter(batch_id=batch_id))
            known = snapshot(records.exclude(batch_id=batch_id))
            both = _merge(known, new)
            counts: Counter[str] = Counter(records=new.table.num_rows, known=known.table.num_rows)
            if new.table.num_rows:
                model = model_for(
                    pa.concat_tables([known.table, new.table]), version=model_version, train=train
                )
                run.model_version = str(model.get("version", ""))
                if known.table.num_rows:
                    linkage = _linkage(model, known.table)
                    person_of = {uid: str(p) for uid, p in known.person_of.items()}
                    pairs = linkage.predict_between(new.table, person_of=person_of)
                else:
                    linkage = _linkage(model, new.table)
                    pairs = linkage.predict()
                counts.update(apply_pairs(linkage, pairs, both, actor=actor, run=run))
    except BaseException as exc:
        _run_failed(run, exc)
        raise
    return _run_finish(run, actor=actor, counts=counts, report=new.report())


def link_full(
    *, actor: Any, scope: SystemScope, model_version: str | None = None, train: bool = True
) -> LinkRun:
    """Score every pair of person records again (blocking as the model says) and apply the
    bands. People merged before stay merged; pairs decided by a person stay decided. Without
    a model, one is trained on everyone held unless `train` is false (LinkError)."""
    records = person_records(scope)
    run = _run_start(actor, LinkRun.Kind.FULL)
    try:
        with _quiet_splink():
            everyone = snapshot(records)
            counts: Counter[str] = Counter(records=everyone.table.num_rows)
            if everyone.table.num_rows > 1:
                model = model_for(everyone.table, version=model_version, train=train)
                run.model_version = str(model.get("version", ""))
                linkage = _linkage(model, everyone.table)
                pairs = linkage.predict()
                counts.update(apply_pairs(linkage, pairs, everyone, actor=actor, run=run))
    except BaseException as exc:
        _run_failed(run, exc)
        raise
    # A full run covers every batch imported so far.
    return _run_finish(run, actor=actor, counts=counts, report=everyone.report())


def link_imported(*, scope: SystemScope) -> None:
    """The link task (identity.tasks.LINK, run by `sightline tick`): every imported batch not
    linked yet, against everyone known (the first time ever: everyone, in one run). Never
    trains a model (that is `sightline link`'s job, on everyone held): without one the task
    fails for good and says so, and `sightline link` links the batches. Safe to run again: a
    linked batch is not linked twice."""
    try:
        link_pending(actor=LINKER, scope=scope, train=False)
    except LinkError as exc:
        raise queue.Permanent(str(exc)) from exc


def link_pending(
    *, actor: Any, scope: SystemScope, model_version: str | None = None, train: bool = True
) -> list[LinkRun]:
    """What `sightline link` (and the link task after an import) does: the first time,
    everyone (one full run); after that, each imported batch not linked yet."""
    if not has_linked():
        run = link_full(actor=actor, scope=scope, model_version=model_version, train=train)
        for batch_id in batches_to_link(scope):  # covered by the full run
            LinkRun.objects.create(
                kind=LinkRun.Kind.BATCH,
                batch_id=batch_id,
                status=LinkRun.Status.DONE,
                model_version=run.model_version,
                started_at=run.started_at,
                finished_at=run.finished_at,
                actor_name=run.actor_name,
                report={"covered_by_run": run.pk},
            )
        return [run]
    runs = []
    for batch_id in batches_to_link(scope):
        done = link_batch(
            actor=actor, scope=scope, batch_id=batch_id, model_version=model_version, train=train
        )
        if done is not None:
            runs.append(done)
    return runs


# --- applying decisions ---------------------------------------------------------------------


def _evidence(d: PairDecision, snap: Snapshot) -> PairEvidence:
    return PairEvidence(
        record_l=snap.record_of[d.unique_id_l],
        record_r=snap.record_of[d.unique_id_r],
        match_weight=round(d.match_weight, 2),
        match_probability=d.match_probability,
        reason=str(d.reason) if d.reason else "",
        model_version=d.model_version,
        waterfall=d.explanation(),
    )


def _kept_apart(person_a: int, person_b: int) -> bool:
    """A reviewer rejected (or a split undid) a pair of these two people's records."""
    return CandidateLink.objects.filter(
        status=CandidateLink.Status.REJECTED,
        record_a__person_id__in=(person_a, person_b),
        record_b__person_id__in=(person_a, person_b),
    ).exists()


def _live(person_id: int, redirect: dict[int, int]) -> int:
    seen = 0
    while person_id in redirect and seen < 100:
        person_id = redirect[person_id]
        seen += 1
    return person_id


def _current_person(record_id: int) -> int:
    return int(SourceRecord.objects.values_list("person_id", flat=True).get(pk=record_id))


def apply_pairs(
    linkage: Linkage, pairs: pa.Table, snap: Snapshot, *, actor: Any, run: LinkRun | None
) -> Counter[str]:
    """Merge the auto-links (strongest first), queue the reviews; return what was done.

    An auto-linked pair whose records are already one person is counted, not explained: a
    group of n records of one child scores up to n(n-1)/2 pairs, of which n-1 merge."""
    counts: Counter[str] = Counter(dict.fromkeys(COUNTED, 0))
    queued: set[int] = set()
    redirect: dict[int, int] = {}
    autos = _rows(pairs, Decision.AUTO_LINK, strongest_first=True)
    # Merges are committed in chunks: one transaction each would wait on the disk thousands of
    # times; a refused merge rolls back only itself (person_merge is atomic: a savepoint). Each
    # chunk's audit rows are appended at its end, so the audit chain's lock is held only from
    # there to the commit (governance.audit.deferred), not while the chunk merges.
    while chunk := list(itertools.islice(autos, MERGES_PER_TRANSACTION)):
        with transaction.atomic(), audit.deferred():
            for row in chunk:
                if _live(snap.person_of[row["unique_id_l"]], redirect) == _live(
                    snap.person_of[row["unique_id_r"]], redirect
                ):
                    counts["already_linked"] += 1
                    continue
                d = _decision(linkage, row)
                outcome = _auto_link(d, snap, actor=actor, redirect=redirect)
                if outcome == "refused":
                    _queue(
                        d, snap, actor=actor, run=run, counts=counts, queued=queued, refused=True
                    )
                else:
                    counts[outcome] += 1
                if outcome == "kept_apart":  # queued again only on new evidence (identity.review)
                    _queue(d, snap, actor=actor, run=run, counts=counts, queued=queued)
    # The review queue's writes lock the pairs they update (select_for_update): in transactions,
    # a chunk at a time, as the merges are (outside one, PostgreSQL refuses the lock).
    reviews = _rows(pairs, Decision.REVIEW, strongest_first=False)
    while chunk := list(itertools.islice(reviews, MERGES_PER_TRANSACTION)):
        with transaction.atomic(), audit.deferred():
            for row in chunk:
                _queue(
                    _decision(linkage, row),
                    snap,
                    actor=actor,
                    run=run,
                    counts=counts,
                    queued=queued,
                )
    with transaction.atomic():
        counts["withdrawn"] += candidates_withdraw(actor=actor, reason="The records were linked.")
    counts["candidates"] = (
        CandidateLink.objects.filter(pk__in=queued, status=CandidateLink.Status.PENDING).count()
        if queued
        else 0
    )
    return counts


def _auto_link(d: PairDecision, snap: Snapshot, *, actor: Any, redirect: dict[int, int]) -> str:
    """Merge the people of one auto-linked pair: "merged", "already_linked", "kept_apart" (a
    person rejected such a pair) or "refused" (different valid NHS numbers or UPNs)."""
    record_a, record_b = snap.record_of[d.unique_id_l], snap.record_of[d.unique_id_r]
    person_a = _live(snap.person_of[d.unique_id_l], redirect)
    person_b = _live(snap.person_of[d.unique_id_r], redirect)
    evidence = MergeEvidence(
        method=d.method,
        match_weight=round(d.match_weight, 2),
        explanation=d.explanation(),
        record_a_id=record_a,
        record_b_id=record_b,
    )
    for attempt in range(2):
        if person_a == person_b:
            return "already_linked"
        if _kept_apart(person_a, person_b):
            return "kept_apart"
        survivor, merged = sorted((person_a, person_b))
        try:
            person_merge(actor=actor, survivor=survivor, merged=merged, evidence=evidence)
        except ValidationFailed:
            return "refused"
        except InvalidTransition:
            if attempt:
                return "refused"
            # Merged meanwhile by someone else: read where the records are now, once.
            person_a, person_b = _current_person(record_a), _current_person(record_b)
            continue
        redirect[merged] = survivor
        return "merged"
    return "refused"


def _queue(
    d: PairDecision,
    snap: Snapshot,
    *,
    actor: Any,
    run: LinkRun | None,
    counts: Counter[str],
    queued: set[int],
    refused: bool = False,
) -> None:
    evidence = _evidence(d, snap)
    if refused:
        counts["refused"] += 1
    # The people may hold different valid NHS numbers or UPNs though these two records do not
    # show it. As the engine's guard does for records: two such people are different children
    # unless the evidence would otherwise link them (then a person looks, told why).
    records = [evidence.record_l, evidence.record_r]
    people = list(SourceRecord.objects.filter(pk__in=records).values_list("person_id", flat=True))
    conflicts = exclusive_conflicts(people)
    if conflicts:
        if not refused and d.match_weight < thresholds().auto_link:
            counts["different_identifiers"] += 1
            return
        reason = Reason.NHS_CONFLICT if "nhs_number" in conflicts else Reason.IDENTIFIER_CONFLICT
        evidence = replace(evidence, reason=str(reason))
    candidate = candidate_link_create(actor=actor, evidence=evidence, run=run)
    if candidate is not None and candidate.status == CandidateLink.Status.PENDING:
        queued.add(candidate.pk)


def people_count() -> int:
    return Person.objects.filter(merged_into__isnull=True).count()


def open_candidates() -> int:
    return (
        CandidateLink.objects.filter(status=CandidateLink.Status.PENDING)
        .exclude(record_a__person_id=F("record_b__person_id"))
        .count()
    )
