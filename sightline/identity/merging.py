"""Merging two people into one, and splitting a wrong merge apart again, exactly.

A merge re-points every row that belonged to the merged-away person to the survivor, field by
field, through the fields each app declares in its AppConfig.ready()
(`core.extensions.register_person_fields`, "app_label.Model.field" strings looked up with
`django.apps.apps.get_model`): identity never imports the apps whose rows it moves (Data Hub's
merge configuration; DESIGN.md layer order). The merged-away person
keeps its reference and redirects to the survivor (`Person.merged_into`), so a Sightline
reference never changes meaning.

The merge records exactly which rows moved (`PersonMerge.moved`), which it left where they were
because the survivor already held the same row (`kept`: a unique constraint, e.g. both people
were subjects of one entry), the survivor's fields it filled in, and the identity links it
rewrote. `person_split` puts every one of them back, so a split restores the database as it was
for those rows; rows added to the survivor after the merge stay with the survivor. After either,
the details each person shows (name, date of birth, sex, ethnicity) are chosen again from the
records they now hold (people.consensus).

Refused: merging a person with itself or with someone already merged away, and any merge that
would give one person two different valid NHS numbers or two different valid UPNs (two valid
numbers are two children, however alike the names). Both services are atomic and audited in
the same transaction, and each announces the change to both people's stories once it commits
(chronology.signals.story_changed, `merged` or `split`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models import Q

from sightline.chronology.models import EntrySubject
from sightline.chronology.signals import StoryCause, announce_story_changed
from sightline.core import clock, extensions
from sightline.core.actors import SystemActor, actor_name, actor_user
from sightline.core.errors import InvalidTransition, NotFound, ValidationFailed
from sightline.governance import audit
from sightline.governance.audit import AuditAction
from sightline.identity.models import CandidateLink, IdentityLink, MatchDecision, PersonMerge
from sightline.identity.selectors import require_reviewer
from sightline.people import bulk as people_bulk
from sightline.people.identifiers import EXCLUSIVE_SCHEMES
from sightline.people.models import Identifier, Person

# The survivor's own fields a merge fills in when the survivor has none and the other has one
# (people recorded before their details were kept per record; everyone else's shown details are
# chosen again from all their records, people.bulk.people_details_refresh).
FILLED_FIELDS = ("given_names", "family_name", "birth_date", "sex", "ethnicity")
_IN_BATCH = 1000
SCHEME_LABELS = {"nhs_number": "NHS numbers", "upn": "unique pupil numbers (UPN)"}


@dataclass(frozen=True)
class RepointField:
    """One declared field: the model, the foreign key's column, and the unique sets it is in."""

    label: str  # "chronology.EntrySubject.person"
    model: type[models.Model]
    attname: str  # "person_id"
    # Other columns of each unique constraint that includes this field, with the constraint's
    # condition (a partial constraint holds only among the rows that meet it).
    unique_with: tuple[tuple[tuple[str, ...], Q | None], ...] = ()


def _field_of(label: str) -> tuple[type[models.Model], models.Field[Any, Any]]:
    try:
        app_label, model_name, field_name = label.split(".")
        model = apps.get_model(app_label, model_name)
        found = model._meta.get_field(field_name)
    except (ValueError, LookupError, FieldDoesNotExist) as exc:
        raise ValueError(f"declared person field: no field {label!r}") from exc
    if not isinstance(found, models.ForeignKey) or found.related_model is not Person:
        raise ValueError(f"declared person field: {label} is not a foreign key to people.Person")
    return model, found


def _unique_sets(
    model: type[models.Model], name: str
) -> tuple[tuple[tuple[str, ...], Q | None], ...]:
    meta = model._meta
    sets: list[tuple[tuple[str, ...], Q | None]] = [
        (tuple(fields), None) for fields in meta.unique_together
    ]
    sets += [
        (tuple(c.fields), c.condition)
        for c in meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.fields
    ]
    if getattr(meta.get_field(name), "unique", False):
        sets.append(((name,), None))
    return tuple(
        (tuple(_attname(model, n) for n in names if n != name), condition)
        for names, condition in sets
        if name in names
    )


def _attname(model: type[models.Model], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "attname", name))


def repoint_fields(labels: Iterable[str] | None = None) -> list[RepointField]:
    """The declared fields, checked: each must be a foreign key to people.Person."""
    out = []
    for label in extensions.person_fields("repoint") if labels is None else labels:
        model, fk = _field_of(label)
        out.append(RepointField(label, model, fk.attname, _unique_sets(model, fk.name)))
    return out


def undeclared_person_fields() -> list[str]:
    """Foreign keys to people.Person in any installed app that no app declared (a merge would
    leave their rows on the merged-away person, unknowingly)."""
    declared = {*extensions.person_fields("repoint"), *extensions.person_fields("keep")}
    missing = []
    for model in apps.get_models():
        for f in model._meta.get_fields():
            if isinstance(f, models.ForeignKey) and f.related_model is Person:
                label = f"{model._meta.app_label}.{model.__name__}.{f.name}"
                if label not in declared:
                    missing.append(label)
    return sorted(missing)


@dataclass(frozen=True)
class MergeEvidence:
    """Why two people are one: an identifier, the model's weight on a pair of records, or a
    reviewer's confirmation of a candidate."""

    method: str  # IdentityLink.Method: nhs_number, upn, pnc_id, probabilistic, confirmed
    match_weight: float | None = None
    explanation: Mapping[str, Any] = field(default_factory=dict)
    record_a_id: int | None = None
    record_b_id: int | None = None
    candidate_id: int | None = None


def exclusive_conflicts(person_ids: Sequence[int]) -> dict[str, list[str]]:
    """Scheme -> the different valid values the people hold, for schemes (NHS number, UPN) where
    they hold more than one: such people are different children."""
    held: dict[str, dict[int, set[str]]] = {}
    for pid, scheme, value in Identifier.objects.filter(
        person_id__in=list(person_ids), scheme__in=EXCLUSIVE_SCHEMES, is_valid=True
    ).values_list("person_id", "scheme", "value"):
        held.setdefault(scheme, {}).setdefault(pid, set()).add(value)
    out: dict[str, list[str]] = {}
    for scheme, by_person in held.items():
        if len(by_person) < 2:
            continue
        values = set().union(*by_person.values())
        sides = list(by_person.values())
        if any(a != b for a in sides[0] for other in sides[1:] for b in other):
            out[scheme] = sorted(values)
    return out


def conflict_message(conflicts: Mapping[str, list[str]]) -> str:
    parts = [
        f"two different valid {SCHEME_LABELS.get(s, s)} ({' and '.join(v)})"
        for s, v in conflicts.items()
    ]
    return (
        "These records cannot be merged: they carry "
        + " and ".join(parts)
        + ", so they are two different children. If one number was keyed wrongly, ask the "
        "agency that sent it to correct its record; the records can be linked once it is."
    )


def _lock_people(ids: Sequence[int]) -> dict[int, Person]:
    return {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=list(ids))}


def _chunks(values: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(values), _IN_BATCH):
        yield list(values[start : start + _IN_BATCH])


def _move(spec: RepointField, *, source: int, target: int) -> tuple[list[int], list[int]]:
    """Re-point `spec`'s rows from person `source` to `target`; return (moved, kept) ids. A row
    the target already holds the same of (a unique constraint) stays where it is: kept."""
    manager = spec.model._default_manager
    columns = sorted({c for cols, _ in spec.unique_with for c in cols})
    rows = list(manager.filter(**{spec.attname: source}).values_list("pk", *columns))
    if not rows:
        return [], []
    kept: set[int] = set()
    for cols, condition in spec.unique_with:
        targets = manager.filter(**{spec.attname: target})
        candidates = rows
        if condition is not None:
            targets = targets.filter(condition)
            meeting = set(
                manager.filter(**{spec.attname: source})
                .filter(condition)
                .values_list("pk", flat=True)
            )
            candidates = [row for row in rows if row[0] in meeting]
        if not cols:  # the field alone is unique: the target's own row stays the one
            if targets.exists():
                kept.update(row[0] for row in candidates)
            continue
        held = set(targets.values_list(*cols))
        index = [columns.index(c) + 1 for c in cols]
        kept.update(row[0] for row in candidates if tuple(row[i] for i in index) in held)
    moved = sorted(row[0] for row in rows if row[0] not in kept)
    for chunk in _chunks(moved):
        manager.filter(pk__in=chunk).update(**{spec.attname: target})
    return moved, sorted(kept)


def _link_state(link: IdentityLink) -> dict[str, Any]:
    return {
        "id": link.pk,
        "method": link.method,
        "match_weight": link.match_weight,
        "explanation": link.explanation,
        "decided_by_id": link.decided_by_id,
        "decided_at": link.decided_at.isoformat(),
    }


def _value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _is_blank(name: str, value: Any) -> bool:
    return value in (None, "") or (name == "sex" and value == Person.Sex.UNKNOWN)


@transaction.atomic
def person_merge(
    *,
    actor: Any,
    survivor: Person | int,
    merged: Person | int,
    evidence: MergeEvidence,
    reason: str = "",
) -> PersonMerge:
    """Merge `merged` into `survivor`: every declared row of `merged` moves to `survivor`, and
    `merged` redirects to it. Refused (ValidationFailed) when the two hold different valid NHS
    numbers or UPNs; InvalidTransition when either is already merged away."""
    require_reviewer(actor)
    survivor_id = survivor if isinstance(survivor, int) else survivor.pk
    merged_id = merged if isinstance(merged, int) else merged.pk
    if survivor_id == merged_id:
        raise InvalidTransition("These records already belong to the same person.")
    people = _lock_people([survivor_id, merged_id])
    if len(people) != 2:
        raise NotFound("No such person.")
    keep, gone = people[survivor_id], people[merged_id]
    for person in (keep, gone):
        if person.merged_into_id is not None:
            raise InvalidTransition(
                f"{person.reference} has already been merged into another person."
            )
    conflicts = exclusive_conflicts([survivor_id, merged_id])
    if conflicts:
        raise ValidationFailed(conflict_message(conflicts), errors={"decision": "conflict"})

    now = clock.now()
    links_before = [
        _link_state(link)
        for link in IdentityLink.objects.filter(
            person_id=merged_id, method=IdentityLink.Method.FIRST_SEEN
        )
    ]
    # The merged person's entries join the survivor's story (moved, or already shared).
    entry_ids = list(
        EntrySubject.objects.filter(person_id=merged_id).values_list("entry_id", flat=True)
    )
    moved: dict[str, list[int]] = {}
    kept: dict[str, list[int]] = {}
    for spec in repoint_fields():
        did_move, did_keep = _move(spec, source=merged_id, target=survivor_id)
        if did_move:
            moved[spec.label] = did_move
        if did_keep:
            kept[spec.label] = did_keep

    # The first record of the merged-away person is now linked by this merge's evidence.
    user = actor_user(actor)
    if links_before:
        IdentityLink.objects.filter(pk__in=[s["id"] for s in links_before]).update(
            method=evidence.method,
            match_weight=evidence.match_weight,
            explanation=dict(evidence.explanation),
            decided_by=user,
            decided_at=now,
        )

    survivor_before: dict[str, Any] = {}
    for name in FILLED_FIELDS:
        if _is_blank(name, getattr(keep, name)) and not _is_blank(name, getattr(gone, name)):
            survivor_before[name] = _value(getattr(keep, name))
            setattr(keep, name, getattr(gone, name))
            if name == "birth_date":
                survivor_before["birth_date_precision"] = keep.birth_date_precision
                keep.birth_date_precision = gone.birth_date_precision
    if survivor_before:
        keep.save(update_fields=[*survivor_before])
    gone.merged_into = keep
    gone.save(update_fields=["merged_into"])
    # The survivor now holds both people's records: its details are chosen again from all.
    for name, value in people_bulk.people_details_refresh([keep.pk]).get(keep.pk, {}).items():
        survivor_before.setdefault(name, _value(value))

    merge = PersonMerge.objects.create(
        survivor=keep,
        merged=gone,
        method=evidence.method,
        match_weight=evidence.match_weight,
        explanation=dict(evidence.explanation),
        record_a_id=evidence.record_a_id,
        record_b_id=evidence.record_b_id,
        candidate_id=evidence.candidate_id,
        reason=reason,
        merged_at=now,
        merged_by=user,
        merged_by_name=actor_name(actor),
        moved=moved,
        kept=kept,
        survivor_before=survivor_before,
        links_before=links_before,
    )
    audit.record(
        actor,
        AuditAction.PEOPLE_MERGED,
        object_type="person_merge",
        object_id=merge.pk,
        person_id=keep.pk,
        purpose=reason[:200],
        detail={
            "survivor": keep.reference,
            "merged": gone.reference,
            "method": evidence.method,
            "match_weight": evidence.match_weight,
            "candidate": evidence.candidate_id,
            "moved": {label: len(ids) for label, ids in moved.items()},
            "kept": {label: len(ids) for label, ids in kept.items()},
        },
    )
    announce_story_changed(
        StoryCause.MERGED,
        entry_ids=entry_ids,
        person_ids=[keep.pk, gone.pk],
        merge_id=merge.pk,
    )
    return merge


@transaction.atomic
def person_split(*, actor: Any, merge: PersonMerge | int, reason: str) -> PersonMerge:
    """Undo a merge: every row it moved goes back to the merged-away person (if it still
    points at the survivor), the identity links and the survivor's fields are restored, and the
    reference stops redirecting. The pair that caused the merge is recorded as rejected, so
    linking never joins the two again on the same evidence."""
    require_reviewer(actor)
    reason = reason.strip()
    if not reason and not isinstance(actor, SystemActor):
        raise ValidationFailed(
            "Enter why the records are being split",
            errors={"reason": "Enter why the records are being split"},
        )
    merge_id = merge if isinstance(merge, int) else merge.pk
    found = PersonMerge.objects.select_for_update().filter(pk=merge_id).first()
    if found is None:
        raise NotFound("No such merge.")
    merge = found
    if merge.split_at is not None:
        raise InvalidTransition("This merge has already been undone.")
    people = _lock_people([merge.survivor_id, merge.merged_id])
    keep, gone = people[merge.survivor_id], people[merge.merged_id]
    if keep.merged_into_id is not None:
        raise InvalidTransition(
            f"{keep.reference} has since been merged into another person: undo that merge first."
        )
    if gone.merged_into_id != keep.pk:
        raise InvalidTransition(f"{gone.reference} is no longer merged into {keep.reference}.")

    restored: dict[str, int] = {}
    missing: dict[str, int] = {}
    for label, ids in merge.moved.items():
        try:
            app_label, model_name, field_name = label.split(".")
            model = apps.get_model(app_label, model_name)
            attname = _attname(model, field_name)
        except (ValueError, LookupError, FieldDoesNotExist):
            missing[label] = len(ids)
            continue
        count = 0
        for chunk in _chunks(ids):
            count += model._default_manager.filter(pk__in=chunk, **{attname: keep.pk}).update(
                **{attname: gone.pk}
            )
        restored[label] = count
        if count != len(ids):
            missing[label] = len(ids) - count

    for state in merge.links_before:
        IdentityLink.objects.filter(pk=state["id"]).update(
            method=state["method"],
            match_weight=state["match_weight"],
            explanation=state["explanation"],
            decided_by_id=state["decided_by_id"],
            decided_at=dt.datetime.fromisoformat(state["decided_at"]),
        )
    if merge.survivor_before:
        for name, value in merge.survivor_before.items():
            if name == "birth_date" and value is not None:
                value = dt.date.fromisoformat(value)
            setattr(keep, name, value)
        keep.save(update_fields=list(merge.survivor_before))
    gone.merged_into = None
    gone.save(update_fields=["merged_into"])
    # Each keeps its own records again, and shows what they say.
    people_bulk.people_details_refresh([keep.pk, gone.pk])

    now = clock.now()
    user = actor_user(actor)
    merge.split_at = now
    merge.split_by = user
    merge.split_by_name = actor_name(actor)
    merge.split_reason = reason
    merge.save(update_fields=["split_at", "split_by", "split_by_name", "split_reason"])
    candidate = _reject_evidence(merge, actor=actor, reason=reason, now=now)
    audit.record(
        actor,
        AuditAction.PERSON_SPLIT,
        object_type="person_merge",
        object_id=merge.pk,
        person_id=keep.pk,
        purpose=reason[:200],
        detail={
            "survivor": keep.reference,
            "restored_person": gone.reference,
            "restored": restored,
            "not_restored": missing,
            "candidate": candidate.pk if candidate else None,
        },
    )
    # The entries that went back leave the survivor's story for the restored person's.
    returned = merge.moved.get("chronology.EntrySubject.person", [])
    entry_ids = [
        entry_id
        for chunk in _chunks(returned)
        for entry_id in EntrySubject.objects.filter(pk__in=chunk, person_id=gone.pk).values_list(
            "entry_id", flat=True
        )
    ]
    announce_story_changed(
        StoryCause.SPLIT, entry_ids=entry_ids, person_ids=[keep.pk, gone.pk], merge_id=merge.pk
    )
    return merge


def _reject_evidence(
    merge: PersonMerge, *, actor: Any, reason: str, now: dt.datetime
) -> CandidateLink | None:
    """Record the merge's pair of records as rejected (a "cannot link" for later runs)."""
    candidate = merge.candidate
    if candidate is None and merge.record_a_id and merge.record_b_id:
        a, b = sorted((merge.record_a_id, merge.record_b_id))
        candidate, _ = CandidateLink.objects.get_or_create(
            record_a_id=a,
            record_b_id=b,
            defaults={
                "status": CandidateLink.Status.CONFIRMED,
                "match_weight": merge.match_weight or 0.0,
                "reason": "",
                "model_version": str(merge.explanation.get("model_version", "")),
                "waterfall": merge.explanation,
                "created_at": now,
                "updated_at": now,
            },
        )
    if candidate is None:
        return None
    MatchDecision.objects.create(
        candidate=candidate,
        decision=MatchDecision.Decision.SPLIT,
        reason=reason,
        from_status=candidate.status,
        from_version=candidate.version,
        decided_at=now,
        decided_by=actor_user(actor),
        actor_name=actor_name(actor),
    )
    candidate.status = CandidateLink.Status.REJECTED
    candidate.version += 1
    candidate.decided_at = now
    candidate.decided_by = actor_user(actor)
    candidate.decision_reason = reason
    candidate.updated_at = now
    candidate.save()
    return candidate
