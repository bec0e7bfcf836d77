"""The review queue's services: candidate links are created by linking (identity.linking) and
decided by people with the identity-review capability (data officers, MASH managers).

- `candidate_link_create`: one open candidate per pair of people; a pending one takes the
  strongest evidence seen. Two people a reviewer said are different children stay apart: a
  later run queues a pair of theirs again only on new evidence, a pair with a person record
  imported (or re-sent) after that decision; re-scoring the same records never reopens it.
- `candidate_decide`: confirm (the people are merged, identity.merging), reject (never linked
  automatically again), or "not sure: ask the source agency" (kept apart until someone decides).
  A decision settles every open pair of records between the same two people, not only the one
  shown. Confirming a pair that cannot be merged (two different valid NHS numbers or UPNs) is
  refused. A reason is required to reject or to ask; every decision is kept (MatchDecision) and
  audited. The decision names the candidate's version it was made on: of two reviewers deciding
  the same pair at once, the second is refused (a conditional update, on SQLite and PostgreSQL
  alike).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.db.models import F, Q

from sightline.core import clock
from sightline.core.actors import SystemActor, actor_name, actor_user
from sightline.core.errors import InvalidTransition, NotFound, ValidationFailed
from sightline.governance import audit
from sightline.governance.audit import AuditAction
from sightline.identity.merging import (
    MergeEvidence,
    conflict_message,
    exclusive_conflicts,
    person_merge,
)
from sightline.identity.models import CandidateLink, IdentityLink, LinkRun, MatchDecision
from sightline.identity.selectors import require_reviewer
from sightline.records.models import SourceRecord

OPEN = (CandidateLink.Status.PENDING, CandidateLink.Status.ASK_SOURCE)


class Verdict(StrEnum):
    CONFIRM = "confirm"
    REJECT = "reject"
    ASK_SOURCE = "ask_source"


STATUS_OF = {
    Verdict.CONFIRM: CandidateLink.Status.CONFIRMED,
    Verdict.REJECT: CandidateLink.Status.REJECTED,
    Verdict.ASK_SOURCE: CandidateLink.Status.ASK_SOURCE,
}
REASON_REQUIRED = {
    Verdict.REJECT: "Enter why these are different children",
    Verdict.ASK_SOURCE: "Enter what the source agency needs to check",
}
STALE = (
    "Someone else decided this pair while you were looking at it. Their decision stands; "
    "the page now shows it."
)


@dataclass(frozen=True)
class PairEvidence:
    """What linking found about two person source records."""

    record_l: int
    record_r: int
    match_weight: float
    match_probability: float | None = None
    reason: str = ""
    model_version: str = ""
    # PairDecision.explanation(): steps with `left` for record_l and `right` for record_r.
    waterfall: Mapping[str, Any] = field(default_factory=dict)


def _ordered(evidence: PairEvidence) -> tuple[int, int, dict[str, Any]]:
    """(record_a, record_b, waterfall) with record_a the lower id and `left` its values."""
    waterfall = dict(evidence.waterfall)
    if evidence.record_l < evidence.record_r:
        return evidence.record_l, evidence.record_r, waterfall
    steps = []
    for step in waterfall.get("steps", []):
        swapped = dict(step)
        if "left" in step or "right" in step:
            swapped["left"], swapped["right"] = step.get("right"), step.get("left")
        steps.append(swapped)
    waterfall["steps"] = steps
    return evidence.record_r, evidence.record_l, waterfall


def _between(person_a: int, person_b: int) -> Q:
    return Q(record_a__person_id=person_a, record_b__person_id=person_b) | Q(
        record_a__person_id=person_b, record_b__person_id=person_a
    )


@transaction.atomic
def candidate_link_create(
    *, actor: Any, evidence: PairEvidence, run: LinkRun | None = None
) -> CandidateLink | None:
    """Queue a pair of records for review; None when they already belong to one person. The
    link run that calls this is audited as a whole (PEOPLE_LINKED with its counts)."""
    if actor is None:
        raise ValueError("candidate_link_create needs an actor")
    a, b, waterfall = _ordered(evidence)
    persons = dict(SourceRecord.objects.filter(pk__in=[a, b]).values_list("pk", "person_id"))
    if len(persons) != 2 or persons[a] is None or persons[b] is None:
        raise NotFound("No such person record.")
    if persons[a] == persons[b]:
        return None
    now = clock.now()
    values = {
        "match_weight": evidence.match_weight,
        "match_probability": evidence.match_probability,
        "reason": evidence.reason,
        "model_version": evidence.model_version,
        "waterfall": waterfall,
        "updated_at": now,
        "run": run,
    }
    same_pair = CandidateLink.objects.select_for_update().filter(record_a_id=a, record_b_id=b)
    existing = same_pair.first()
    if existing is None:
        between = list(
            CandidateLink.objects.select_for_update()
            .filter(_between(persons[a], persons[b]))
            .order_by("-match_weight", "pk")
        )
        existing = next((c for c in between if c.status in OPEN), None)
        if existing is not None and existing.status == CandidateLink.Status.PENDING:
            if evidence.match_weight > existing.match_weight:
                values.update(record_a_id=a, record_b_id=b)
            else:
                return existing
        if existing is None:
            rejected = [c for c in between if c.status == CandidateLink.Status.REJECTED]
            if rejected and not _new_evidence([a, b], since=rejected):
                return max(rejected, key=lambda c: (c.decided_at or c.updated_at, c.pk))
    if existing is None:
        return CandidateLink.objects.create(record_a_id=a, record_b_id=b, created_at=now, **values)
    if existing.status != CandidateLink.Status.PENDING:
        return existing  # decided by a person: it stays decided
    for name, value in values.items():
        setattr(existing, name, value)
    existing.save()
    return existing


def _new_evidence(record_ids: list[int], *, since: list[CandidateLink]) -> bool:
    """A record of the pair arrived after the two people were last said to be different."""
    decided = max(c.decided_at or c.updated_at for c in since)
    return SourceRecord.objects.filter(pk__in=record_ids, batch__started_at__gt=decided).exists()


def check_decision(decision: str, reason: str) -> tuple[Verdict, str]:
    """The decision and reason as given, or ValidationFailed with GOV.UK error messages."""
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    try:
        verdict = Verdict(decision)
    except ValueError:
        errors["decision"] = "Select whether these records are the same child"
        verdict = None
    if verdict in REASON_REQUIRED and not reason:
        errors["reason"] = REASON_REQUIRED[verdict]
    if len(reason) > 2000:
        errors["reason"] = "Reason must be 2,000 characters or fewer"
    if errors or verdict is None:
        raise ValidationFailed(next(iter(errors.values())), errors=errors)
    return verdict, reason


@transaction.atomic
def candidate_decide(
    *, actor: Any, candidate_id: int, decision: str, reason: str, version: int
) -> CandidateLink:
    """Decide a pending (or asked-about) candidate. Confirming merges the two people."""
    if isinstance(actor, SystemActor):
        raise ValueError("a match is decided by a person")
    require_reviewer(actor)
    verdict, reason = check_decision(decision, reason)
    candidate = (
        CandidateLink.objects.select_for_update()
        .select_related("record_a", "record_b")
        .filter(pk=candidate_id)
        .first()
    )
    if candidate is None:
        raise NotFound("No such pair of records.")
    if candidate.status not in OPEN or candidate.version != version:
        raise InvalidTransition(STALE)
    people = _people_of(candidate)
    if verdict == Verdict.CONFIRM:
        conflicts = exclusive_conflicts(list(people))
        if conflicts:
            message = conflict_message(conflicts)
            raise ValidationFailed(message, errors={"decision": message})
    now = clock.now()
    new_status = STATUS_OF[verdict]
    # The conditional update is the guard: a decision made on an older version changes nothing.
    changed = CandidateLink.objects.filter(
        pk=candidate.pk, version=version, status__in=OPEN
    ).update(
        status=new_status,
        version=F("version") + 1,
        decided_at=now,
        decided_by=actor_user(actor),
        decision_reason=reason,
        updated_at=now,
    )
    if changed != 1:
        raise InvalidTransition(STALE)
    MatchDecision.objects.create(
        candidate=candidate,
        decision=str(verdict),
        reason=reason,
        from_status=candidate.status,
        from_version=version,
        decided_at=now,
        decided_by=actor_user(actor),
        actor_name=actor_name(actor),
    )
    merge_id = None
    settled: list[int] = []
    if verdict == Verdict.CONFIRM:
        merge_id = _confirm(candidate, actor=actor, reason=reason, now=now)
    else:
        settled = _settle_others(
            candidate, people, verdict=verdict, reason=reason, actor=actor, now=now
        )
    audit.record(
        actor,
        AuditAction.MATCH_DECIDED,
        object_type="candidate_link",
        object_id=candidate.pk,
        person_id=candidate.record_a.person_id,
        purpose=reason[:200],
        detail={
            "decision": str(verdict),
            "reason": reason,
            "from_status": candidate.status,
            "version": version,
            "match_weight": candidate.match_weight,
            "records": [candidate.record_a_id, candidate.record_b_id],
            "people": list(people),
            "merge": merge_id,
            "settled": settled,
        },
    )
    candidate.refresh_from_db()
    return candidate


def _people_of(candidate: CandidateLink) -> tuple[int, int]:
    """The two people the candidate's records belong to now."""
    people = dict(
        SourceRecord.objects.filter(
            pk__in=[candidate.record_a_id, candidate.record_b_id]
        ).values_list("pk", "person_id")
    )
    return people[candidate.record_a_id], people[candidate.record_b_id]


def _settle_others(
    candidate: CandidateLink,
    people: tuple[int, int],
    *,
    verdict: Verdict,
    reason: str,
    actor: Any,
    now: Any,
) -> list[int]:
    """Give every other open pair of records between the same two people the same decision:
    it is a decision about the two people, not about two records. Returns their ids."""
    if people[0] == people[1]:
        return []
    others = list(
        CandidateLink.objects.select_for_update()
        .filter(_between(*people), status__in=OPEN)
        .exclude(pk=candidate.pk)
        .order_by("pk")
    )
    if not others:
        return []
    MatchDecision.objects.bulk_create(
        [
            MatchDecision(
                candidate=other,
                decision=str(verdict),
                reason=f"Decided with pair {candidate.pk}: {reason}" if reason else "",
                from_status=other.status,
                from_version=other.version,
                decided_at=now,
                decided_by=actor_user(actor),
                actor_name=actor_name(actor),
            )
            for other in others
        ]
    )
    CandidateLink.objects.filter(pk__in=[o.pk for o in others]).update(
        status=STATUS_OF[verdict],
        version=F("version") + 1,
        decided_at=now,
        decided_by=actor_user(actor),
        decision_reason=reason,
        updated_at=now,
    )
    return [o.pk for o in others]


def _confirm(candidate: CandidateLink, *, actor: Any, reason: str, now: Any) -> int | None:
    person_a, person_b = _people_of(candidate)
    if person_a == person_b:
        return None  # joined meanwhile by another route: nothing to merge
    survivor, merged = sorted((person_a, person_b))
    merge = person_merge(
        actor=actor,
        survivor=survivor,
        merged=merged,
        evidence=MergeEvidence(
            method=IdentityLink.Method.CONFIRMED,
            match_weight=candidate.match_weight,
            explanation={**candidate.waterfall, "candidate": candidate.pk},
            record_a_id=candidate.record_a_id,
            record_b_id=candidate.record_b_id,
            candidate_id=candidate.pk,
        ),
        reason=reason,
    )
    candidates_withdraw(actor=actor, person_id=survivor, reason="The records were merged.")
    return merge.pk


def candidates_withdraw(*, actor: Any, person_id: int | None = None, reason: str) -> int:
    """Withdraw the open candidates whose two records now belong to one person (merged by a
    decision or a link run), for one person or for everyone: there is nothing left to decide.
    Returns how many."""
    now = clock.now()
    moot = CandidateLink.objects.select_for_update().filter(
        status__in=OPEN, record_a__person_id=F("record_b__person_id")
    )
    if person_id is not None:
        moot = moot.filter(record_a__person_id=person_id)
    found = list(moot)
    MatchDecision.objects.bulk_create(
        [
            MatchDecision(
                candidate=candidate,
                decision=MatchDecision.Decision.WITHDRAW,
                reason=reason,
                from_status=candidate.status,
                from_version=candidate.version,
                decided_at=now,
                decided_by=actor_user(actor),
                actor_name=actor_name(actor),
            )
            for candidate in found
        ]
    )
    if found:
        CandidateLink.objects.filter(pk__in=[c.pk for c in found]).update(
            status=CandidateLink.Status.WITHDRAWN, version=F("version") + 1, updated_at=now
        )
    return len(found)
