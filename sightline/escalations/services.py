"""Writes of professional disagreements: raise one, answer a stage, escalate it, resolve or
withdraw it, and the clock's job that moves a stage up when nobody answered by its deadline.

Who may do what (docs/workflow.md, "Professional disagreement"):
- anyone in an agency who may see the child and record entries may raise one about another
  agency's decision or silence;
- the agency it is about answers each stage (at the partnership's stage, the partnership: a
  MASH manager, may answer too);
- the agency that raised it escalates it, resolves it (agreed, the decision changed, the
  decision upheld) or withdraws it; at the last stage the partnership may resolve it.

Every change locks the disagreement and checks the stage the page showed is still the current
one, so two people acting at once cannot both succeed: the second is told what happened. Every
change is audited and each step is an entry in the child's story."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from sightline.accounts.models import User
from sightline.accounts.services import notification_send
from sightline.agencies.models import Agency, Role
from sightline.cases import recipients
from sightline.chronology.services import entry_record
from sightline.chronology.system_entries import entry_record_by_system, happened_now
from sightline.core import clock
from sightline.core.actors import CLOCK, actor_user
from sightline.core.dates import MONTHS
from sightline.core.errors import AccessDenied, InvalidTransition, NotFound, ValidationFailed
from sightline.core.textfields import check_text
from sightline.core.timescales import Timescale, is_overdue, timescale_for
from sightline.core.workingdays import england
from sightline.escalations import procedure as procedures
from sightline.escalations import subjects
from sightline.escalations.models import Escalation, EscalationStage
from sightline.governance import access, audit
from sightline.governance.audit import AuditAction
from sightline.governance.policy import Capability
from sightline.people.models import Person
from sightline.referrals.models import Referral
from sightline.referrals.selectors import OPEN_STATUSES

LABEL_MAX = 300
ENTRY_TYPE = "professional_disagreement"


# --- small helpers --------------------------------------------------------------------------------


def long_date(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _when(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local:%H:%M} on {long_date(local.date())}"


def _user_name(user: User | None) -> str:
    if user is None:
        return "the system"
    return user.display_name or user.get_username()


def stage_deadline(stage: procedures.Stage, start: dt.datetime) -> tuple[dt.date, Timescale]:
    """The last day to answer a stage that begins at `start`, under the stage's timescale in
    force that day (the version is kept on the stage)."""
    timescale = timescale_for(stage.timescale, start)
    due = timescale.deadline(start, england())
    if isinstance(due, dt.datetime):  # a stage counted in hours: due by the end of its day
        due = timezone.localtime(due).date()
    return due, timescale


@dataclass(frozen=True)
class Side:
    """Where a viewer stands in a disagreement."""

    raiser: bool
    responder: bool
    partnership: bool

    @property
    def any(self) -> bool:
        return self.raiser or self.responder or self.partnership


def side_of(scope: access.Scope, escalation: Escalation) -> Side:
    return Side(
        raiser=scope.agency_id == escalation.raised_by_agency_id,
        responder=scope.agency_id == escalation.about_agency_id,
        partnership=scope.role == Role.MASH_MANAGER,
    )


def _scope_for_change(actor: Any, escalation: Escalation) -> access.Scope:
    """The actor's scope, if they may change records about this child (else NotFound for a
    child they may not see, AccessDenied for a role that records nothing)."""
    access.require_person(actor, escalation.person_id)
    return access.require(actor, Capability.RECORD_ENTRIES)


def _lock(escalation: Escalation) -> Escalation:
    locked = (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("person", "raised_by_agency", "about_agency")
        .filter(pk=escalation.pk)
        .first()
    )
    if locked is None:
        raise NotFound("No disagreement found with that number.")
    return locked


def _current_stage(escalation: Escalation) -> EscalationStage:
    return EscalationStage.objects.select_related("answered_by", "answered_by_agency").get(
        escalation_id=escalation.pk, number=escalation.stage
    )


def _check_still(escalation: Escalation, stage: int | None) -> None:
    """Refuse a change made on a page that showed another state of the disagreement."""
    if escalation.status != Escalation.Status.OPEN:
        closed = escalation.closed_at or clock.now()
        raise InvalidTransition(
            f"This disagreement was {escalation.get_status_display().lower()} at "
            f"{_when(closed)}, so it cannot be changed. Raise a new one if you still disagree."
        )
    if stage is not None and stage != escalation.stage:
        procedure = procedures.procedure_version(escalation.procedure_version)
        title = procedure.stage(escalation.stage).title
        raise InvalidTransition(
            f"This disagreement has moved to stage {escalation.stage} ({title}) since the page "
            "was shown. Read the latest and try again."
        )


def _entry(actor: Any, escalation: Escalation, summary: str, detail: str = "") -> None:
    entry_record(
        actor=actor, person=escalation.person, fields=happened_now(ENTRY_TYPE, summary, detail)
    )


def _url(escalation: Escalation) -> str:
    return reverse("escalations:detail", args=[escalation.pk])


def _stage_people(escalation: Escalation, number: int) -> tuple[list[User], list[User]]:
    """(the raising side, the side it is about) to tell at stage `number`: at stage 1 the
    practitioners (the one whose decision it was first), then their managers, their heads of
    service, and the partnership."""
    procedure = procedures.procedure_version(escalation.procedure_version)
    who = procedure.stage(number).responders
    person_id = escalation.person_id
    raiser = [escalation.raised_by] if escalation.raised_by.is_active else []
    if who == "practitioners":
        about = recipients.practitioners_for(
            person_id=person_id,
            agency_id=escalation.about_agency_id,
            team_id=escalation.about_team_id,
            named=[escalation.about_user_id] if escalation.about_user_id else [],
        )
        return raiser, about
    if who == "team_managers":
        find = recipients.managers_for
    elif who == "heads_of_service":
        find = recipients.heads_for
    else:
        partnership = recipients.partnership_users()
        heads = [
            *recipients.heads_for(person_id=person_id, agency_id=escalation.raised_by_agency_id),
            *recipients.heads_for(person_id=person_id, agency_id=escalation.about_agency_id),
        ]
        return raiser, _dedupe([*partnership, *heads])
    mine = find(
        person_id=person_id,
        agency_id=escalation.raised_by_agency_id,
        team_id=escalation.raised_by_team_id,
    )
    theirs = find(
        person_id=person_id, agency_id=escalation.about_agency_id, team_id=escalation.about_team_id
    )
    return _dedupe([*raiser, *mine]), theirs


def _dedupe(users: Iterable[User]) -> list[User]:
    seen: set[int] = set()
    out = []
    for user in users:
        if user.pk not in seen:
            seen.add(user.pk)
            out.append(user)
    return out


def _tell(
    users: Iterable[User],
    *,
    key: str,
    subject: str,
    body: str,
    url: str,
    actor: Any,
    skip: int | None = None,
) -> None:
    for user in users:
        if user.pk == skip:
            continue
        notification_send(
            recipient=user,
            key=f"{key}:{user.pk}",
            subject=subject[:200],
            body=body,
            url=url,
            actor=actor,
        )


def _stage_title(escalation: Escalation, number: int) -> str:
    return procedures.procedure_version(escalation.procedure_version).stage(number).title


# --- raise ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RaiseFields:
    subject_kind: str
    subject_id: int | None
    subject_label: str
    about_agency_id: int | None
    disagreement: str
    outcome_sought: str


def _check_raise(
    actor: Any, person: Person, scope: access.Scope, fields: RaiseFields
) -> tuple[subjects.Subject | None, Agency | None, dict[str, str], str, str, str]:
    errors: dict[str, str] = {}
    subject: subjects.Subject | None = None
    label = ""
    if fields.subject_kind in subjects.SOURCES:
        found = (
            subjects.subject_get(actor, person, fields.subject_kind, fields.subject_id)
            if fields.subject_id is not None
            else None
        )
        if found is None:
            errors["subject"] = "Select the decision you disagree with"
        elif found.about_agency_id == scope.agency_id:
            errors["subject"] = (
                "That decision is your own agency's: discuss it within your agency. A "
                "disagreement is between two agencies"
            )
        else:
            subject, label = found, found.label
    elif fields.subject_kind in subjects.UNRECORDED:
        label = check_text(
            errors,
            "subject_label",
            fields.subject_label,
            missing="Enter what the disagreement is about",
            name="What it is about",
            max_length=LABEL_MAX,
            multiline=False,
        )
    else:
        errors["subject"] = "Select what the disagreement is about"
    agency: Agency | None = None
    if subject is not None:
        agency = Agency.objects.filter(pk=subject.about_agency_id).first()
    elif fields.about_agency_id is None:
        errors.setdefault("about_agency", "Select the agency you disagree with")
    else:
        agency = Agency.objects.filter(pk=fields.about_agency_id).first()
        if agency is None:
            errors["about_agency"] = "Select the agency you disagree with from the list"
        elif agency.pk == scope.agency_id:
            errors["about_agency"] = (
                "Select another agency: a disagreement within your own agency is for your manager"
            )
    disagreement = check_text(
        errors,
        "disagreement",
        fields.disagreement,
        missing="Enter what you disagree with",
        name="What you disagree with",
    )
    sought = check_text(
        errors,
        "outcome_sought",
        fields.outcome_sought,
        missing="Enter what you want to happen",
        name="What you want to happen",
    )
    return subject, agency, errors, label, disagreement, sought


def escalation_raise(
    *,
    actor: Any,
    person: Person,
    fields: RaiseFields,
    closure_objection_id: int | None = None,
) -> Escalation:
    """Raise a professional disagreement about a child with another agency: stage 1 begins now,
    its deadline from the procedure's stage 1 timescale; the other side is told."""
    scope = access.require(actor, Capability.RECORD_ENTRIES)
    access.require_person(actor, person.pk)
    if scope.agency_id is None:  # pragma: no cover - a recording role always has an agency
        raise AccessDenied("You need to belong to an agency to raise a disagreement.")
    subject, agency, errors, label, disagreement, sought = _check_raise(
        actor, person, scope, fields
    )
    if errors:
        raise ValidationFailed("Check the disagreement", errors=errors)
    assert agency is not None
    now = clock.now()
    procedure = procedures.procedure_on(timezone.localdate(now))
    first = procedure.stage(1)
    due, timescale = stage_deadline(first, now)
    user = actor_user(actor)
    membership = getattr(user, "membership", None)
    with transaction.atomic():
        escalation = Escalation.objects.create(
            person=person,
            subject_kind=fields.subject_kind,
            subject_id=subject.id if subject else None,
            subject_label=label[:LABEL_MAX],
            raised_by=user,
            raised_by_agency_id=scope.agency_id,
            raised_by_team_id=membership.team_id if membership else None,
            about_agency=agency,
            about_team_id=subject.about_team_id if subject else None,
            about_user_id=subject.about_user_id if subject else None,
            disagreement=disagreement,
            outcome_sought=sought,
            raised_at=now,
            procedure_version=procedure.version,
            stage=1,
            stage_due_on=due,
            closure_objection_id=closure_objection_id,
        )
        EscalationStage.objects.create(
            escalation=escalation,
            number=1,
            title=first.title,
            started_at=now,
            started_by=user,
            start=EscalationStage.Start.RAISED,
            due_on=due,
            timescale_key=timescale.key,
            timescale_version=timescale.version,
        )
        mine = Agency.objects.get(pk=scope.agency_id)
        if closure_objection_id is None:
            # An objection's disagreement is already in the story: the objection's own entry,
            # written with it (so the story never waits for this task to run).
            _entry(
                actor,
                escalation,
                f"{mine.name} raised a professional disagreement with {agency.name} about "
                f"{_quoted(label)}. Stage 1 ({first.title}): an answer is due by "
                f"{long_date(due)}.",
                f"What is disagreed: {disagreement}\n\nWhat {mine.name} wants to happen: {sought}",
            )
        audit.record(
            actor,
            AuditAction.DISAGREEMENT_RAISED,
            object_type="escalation",
            object_id=escalation.pk,
            person_id=person.pk,
            detail={
                "subject": fields.subject_kind,
                "subject_id": escalation.subject_id,
                "about_agency": agency.pk,
                "procedure_version": procedure.version,
                "stage": 1,
                "due_on": due.isoformat(),
                "timescale": timescale.label,
                **({"closure_objection": closure_objection_id} if closure_objection_id else {}),
            },
        )
        _referral_grant(escalation, actor, open_=True)
        _, theirs = _stage_people(escalation, 1)
        _tell(
            theirs,
            key=f"escalation:{escalation.pk}:stage:1:raised",
            subject=f"{mine.name} has raised a disagreement with {agency.name}",
            body=(
                f"{mine.name} has raised a professional disagreement with {agency.name} about a "
                f"child you work with. Answer it by {long_date(due)} (stage 1, {first.title}): "
                "if it is not answered by then, it moves to the next stage by itself."
            ),
            url=_url(escalation),
            actor=actor,
        )
    return escalation


def _quoted(text: str) -> str:
    return f"\u201c{text}\u201d"


# --- answer, escalate, resolve, withdraw ------------------------------------------------------------


def escalation_respond(
    *, actor: Any, escalation: Escalation, stage: int | None, response: str
) -> EscalationStage:
    """The agency it is about answers the current stage (one answer per stage: a second
    person answering at the same time is told who answered first)."""
    scope = _scope_for_change(actor, escalation)
    errors: dict[str, str] = {}
    text = check_text(
        errors, "response", response, missing="Enter your response", name="Your response"
    )
    with transaction.atomic():
        locked = _lock(escalation)
        _check_still(locked, stage)
        side = side_of(scope, locked)
        procedure = procedures.procedure_version(locked.procedure_version)
        at_partnership = procedure.stage(locked.stage).responders == "partnership"
        if not (side.responder or (side.partnership and at_partnership)):
            raise AccessDenied(
                f"Only {locked.about_agency.name} can answer this disagreement"
                + (" (or the partnership, at its stage)" if not at_partnership else "")
                + ". If you raised it, you can escalate, resolve or withdraw it."
            )
        current = _current_stage(locked)
        if current.answered_at is not None:
            raise InvalidTransition(
                f"Stage {current.number} was already answered by "
                f"{_user_name(current.answered_by)} at {_when(current.answered_at)}. Read "
                "their answer on the disagreement's page."
            )
        if errors:
            raise ValidationFailed("Check your response", errors=errors)
        now = clock.now()
        user = actor_user(actor)
        updated = EscalationStage.objects.filter(pk=current.pk, answered_at__isnull=True).update(
            answered_at=now, answered_by=user, answered_by_agency_id=scope.agency_id, response=text
        )
        if not updated:  # pragma: no cover - the lock above serialises answers
            raise InvalidTransition("This stage has just been answered. Read the answer.")
        Escalation.objects.filter(pk=locked.pk).update(revision=locked.revision + 1)
        audit.record(
            actor,
            AuditAction.DISAGREEMENT_ANSWERED,
            object_type="escalation",
            object_id=locked.pk,
            person_id=locked.person_id,
            detail={"stage": current.number},
        )
        answering = Agency.objects.get(pk=scope.agency_id or 0).name
        raisers, _ = _stage_people(locked, current.number)
        _tell(
            raisers,
            key=f"escalation:{locked.pk}:stage:{current.number}:answered",
            subject=f"{answering} answered your disagreement",
            body=(
                f"{answering} answered stage {current.number} of your disagreement. If the "
                "answer settles it, record the outcome; if not, escalate it to the next stage."
            ),
            url=_url(locked),
            actor=actor,
        )
    current.refresh_from_db()
    return current


def _begin_stage(
    escalation: Escalation,
    *,
    number: int,
    start: str,
    by: User | None,
    note: str,
    now: dt.datetime,
    end: str,
) -> EscalationStage | None:
    """End the current stage and begin stage `number`; None when another worker began it
    first (the unique stage row)."""
    procedure = procedures.procedure_version(escalation.procedure_version)
    spec = procedure.stage(number)
    due, timescale = stage_deadline(spec, now)
    try:
        with transaction.atomic():
            stage = EscalationStage.objects.create(
                escalation=escalation,
                number=number,
                title=spec.title,
                started_at=now,
                started_by=by,
                start=start,
                start_note=note,
                due_on=due,
                timescale_key=timescale.key,
                timescale_version=timescale.version,
            )
    except IntegrityError:
        return None
    EscalationStage.objects.filter(escalation=escalation, number=number - 1).update(
        ended_at=now, end=end
    )
    Escalation.objects.filter(pk=escalation.pk).update(
        stage=number, stage_due_on=due, revision=escalation.revision + 1
    )
    escalation.stage, escalation.stage_due_on = number, due
    escalation.revision += 1
    return stage


def escalation_escalate(
    *, actor: Any, escalation: Escalation, stage: int | None, reason: str
) -> EscalationStage:
    """The agency that raised it takes it to the next stage (not satisfied with the answer, or
    not willing to wait): both sides' people at that stage are told."""
    scope = _scope_for_change(actor, escalation)
    errors: dict[str, str] = {}
    text = check_text(
        errors,
        "reason",
        reason,
        missing="Enter why you are escalating it",
        name="Why you are escalating it",
    )
    with transaction.atomic():
        locked = _lock(escalation)
        _check_still(locked, stage)
        if not side_of(scope, locked).raiser:
            raise AccessDenied(
                f"Only {locked.raised_by_agency.name}, which raised this disagreement, can "
                "escalate it."
            )
        procedure = procedures.procedure_version(locked.procedure_version)
        if locked.stage >= procedure.last:
            raise InvalidTransition(
                "This disagreement is at the last stage of the procedure "
                f"({procedure.stage(locked.stage).title}): its decision stands."
            )
        if errors:
            raise ValidationFailed("Check the escalation", errors=errors)
        now = clock.now()
        new = _begin_stage(
            locked,
            number=locked.stage + 1,
            start=EscalationStage.Start.ESCALATED,
            by=actor_user(actor),
            note=text,
            now=now,
            end=EscalationStage.End.ESCALATED,
        )
        if new is None:  # pragma: no cover - the lock above serialises changes
            raise InvalidTransition("This disagreement has just moved up. Read the latest.")
        mine = locked.raised_by_agency.name
        _entry(
            actor,
            locked,
            f"{mine} escalated its disagreement with {locked.about_agency.name} to stage "
            f"{new.number} ({new.title}). An answer is due by {long_date(new.due_on)}.",
            f"Why: {text}",
        )
        audit.record(
            actor,
            AuditAction.DISAGREEMENT_ESCALATED,
            object_type="escalation",
            object_id=locked.pk,
            person_id=locked.person_id,
            detail={
                "stage": new.number,
                "due_on": new.due_on.isoformat(),
                "timescale": f"{new.timescale_key}@{new.timescale_version}",
            },
        )
        _tell_new_stage(locked, new, actor=actor, why=f"{mine} escalated it: {text}")
    return new


def _tell_new_stage(
    escalation: Escalation, stage: EscalationStage, *, actor: Any, why: str
) -> None:
    raisers, theirs = _stage_people(escalation, stage.number)
    body = (
        f"The disagreement between {escalation.raised_by_agency.name} and "
        f"{escalation.about_agency.name} is now at stage {stage.number} ({stage.title}). {why}"
        f"\n\nAn answer is due by {long_date(stage.due_on)}."
    )
    subject = f"A disagreement is now at stage {stage.number} ({stage.title})"
    key = f"escalation:{escalation.pk}:stage:{stage.number}:began"
    skip = getattr(actor_user(actor), "pk", None)
    _tell([*raisers, *theirs], key=key, subject=subject, body=body, url=_url(escalation),
          actor=actor, skip=skip)  # fmt: skip


RESOLVING = (
    Escalation.Outcome.AGREED,
    Escalation.Outcome.DECISION_CHANGED,
    Escalation.Outcome.UPHELD,
)


def _finish(
    actor: Any,
    locked: Escalation,
    *,
    status: str,
    outcome: str,
    text: str,
    now: dt.datetime,
    end: str,
) -> None:
    user = actor_user(actor)
    Escalation.objects.filter(pk=locked.pk, status=Escalation.Status.OPEN).update(
        status=status,
        outcome=outcome,
        outcome_text=text,
        closed_at=now,
        closed_by=user,
        revision=locked.revision + 1,
    )
    EscalationStage.objects.filter(escalation=locked, number=locked.stage).update(
        ended_at=now, end=end
    )
    locked.status, locked.outcome, locked.outcome_text = status, outcome, text
    locked.closed_at, locked.closed_by = now, user
    _referral_grant(locked, actor, open_=False)


def _referral_grant(escalation: Escalation, actor: Any, *, open_: bool) -> None:
    """A disagreement about a referral's decision keeps the deciding agency able to see the
    child while it is open (its referral grant ended with a "no further action"), so it can
    answer it and reconsider the decision; settled, the grant ends again unless the referral
    is open once more (reconsidered: the referral's own grant)."""
    if escalation.subject_kind != Escalation.Subject.REFERRAL or not escalation.subject_id:
        return
    referral = Referral.objects.filter(
        pk=escalation.subject_id, person_id=escalation.person_id
    ).first()
    if referral is None or referral.origin != Referral.Origin.SIGHTLINE:
        return
    if not open_:
        still = Escalation.objects.filter(
            subject_kind=Escalation.Subject.REFERRAL,
            subject_id=referral.pk,
            status=Escalation.Status.OPEN,
        ).exclude(pk=escalation.pk)
        if referral.status in OPEN_STATUSES or still.exists():
            return
    access.referral_grant_write(
        referral_id=referral.pk,
        person_id=referral.person_id,
        agency_id=referral.receiving_agency_id,
        ends_on=None if open_ else clock.today(),
    )
    if open_:
        audit.record(
            actor,
            AuditAction.ACCESS_GRANTED,
            object_type="person",
            object_id=escalation.person.reference,
            person_id=escalation.person_id,
            detail={
                "agency": referral.receiving_agency_id,
                "basis": "referral",
                "why": f"disagreement {escalation.pk} about referral {referral.pk}",
            },
        )


def escalation_resolve(
    *, actor: Any, escalation: Escalation, stage: int | None, outcome: str, text: str
) -> Escalation:
    """Record how it was resolved: agreed a way forward, the decision changed, or the decision
    upheld. By the agency that raised it; at the last stage, by the partnership too."""
    scope = _scope_for_change(actor, escalation)
    errors: dict[str, str] = {}
    if outcome not in RESOLVING:
        errors["outcome"] = "Select how the disagreement was resolved"
    note = check_text(
        errors, "text", text, missing="Enter what was agreed or decided", name="What was agreed"
    )
    with transaction.atomic():
        locked = _lock(escalation)
        _check_still(locked, stage)
        side = side_of(scope, locked)
        procedure = procedures.procedure_version(locked.procedure_version)
        at_partnership = procedure.stage(locked.stage).responders == "partnership"
        if not (side.raiser or (side.partnership and at_partnership)):
            raise AccessDenied(
                f"Only {locked.raised_by_agency.name}, which raised this disagreement, can record "
                "how it was resolved"
                + (" (or the partnership, at its stage)." if at_partnership else ".")
            )
        if errors:
            raise ValidationFailed("Check the outcome", errors=errors)
        now = clock.now()
        _finish(
            actor,
            locked,
            status=Escalation.Status.RESOLVED,
            outcome=outcome,
            text=note,
            now=now,
            end=EscalationStage.End.RESOLVED,
        )
        label = Escalation.Outcome(outcome).label
        _entry(
            actor,
            locked,
            f"The disagreement between {locked.raised_by_agency.name} and "
            f"{locked.about_agency.name} about {_quoted(locked.subject_label)} was resolved "
            f"at stage {locked.stage}: {label[:1].lower()}{label[1:]}.",
            note,
        )
        audit.record(
            actor,
            AuditAction.DISAGREEMENT_RESOLVED,
            object_type="escalation",
            object_id=locked.pk,
            person_id=locked.person_id,
            detail={"stage": locked.stage, "outcome": outcome},
        )
        _tell_closed(locked, actor=actor, what=f"resolved: {label[:1].lower()}{label[1:]}")
    return locked


def escalation_withdraw(
    *, actor: Any, escalation: Escalation, stage: int | None, reason: str
) -> Escalation:
    """The agency that raised it withdraws it, saying why."""
    scope = _scope_for_change(actor, escalation)
    errors: dict[str, str] = {}
    text = check_text(
        errors,
        "reason",
        reason,
        missing="Enter why you are withdrawing it",
        name="Why you are withdrawing it",
    )
    with transaction.atomic():
        locked = _lock(escalation)
        _check_still(locked, stage)
        if not side_of(scope, locked).raiser:
            raise AccessDenied(
                f"Only {locked.raised_by_agency.name}, which raised this disagreement, can "
                "withdraw it."
            )
        if errors:
            raise ValidationFailed("Check the reason", errors=errors)
        now = clock.now()
        _finish(
            actor,
            locked,
            status=Escalation.Status.WITHDRAWN,
            outcome=Escalation.Outcome.WITHDRAWN,
            text=text,
            now=now,
            end=EscalationStage.End.WITHDRAWN,
        )
        _entry(
            actor,
            locked,
            f"{locked.raised_by_agency.name} withdrew its disagreement with "
            f"{locked.about_agency.name} about {_quoted(locked.subject_label)} at stage "
            f"{locked.stage}.",
            f"Why: {text}",
        )
        audit.record(
            actor,
            AuditAction.DISAGREEMENT_WITHDRAWN,
            object_type="escalation",
            object_id=locked.pk,
            person_id=locked.person_id,
            detail={"stage": locked.stage},
        )
        _tell_closed(locked, actor=actor, what="withdrawn")
    return locked


def _tell_closed(escalation: Escalation, *, actor: Any, what: str) -> None:
    raisers, theirs = _stage_people(escalation, escalation.stage)
    skip = getattr(actor_user(actor), "pk", None)
    _tell(
        [*raisers, *theirs],
        key=f"escalation:{escalation.pk}:closed",
        subject=f"A disagreement was {what}",
        body=(
            f"The disagreement between {escalation.raised_by_agency.name} and "
            f"{escalation.about_agency.name} was {what} at stage {escalation.stage}."
        ),
        url=_url(escalation),
        actor=actor,
        skip=skip,
    )


# --- the clock ----------------------------------------------------------------------------------------


def escalations_move_up(*, scope: Any, now: dt.datetime | None = None) -> list[int]:
    """Move up every open disagreement whose current stage was not answered by its deadline
    (the stage's last day has ended): the next stage begins, both sides are told, and the step
    is an entry in the child's story. At the last stage there is nowhere to go: the partnership
    is told it is overdue, once. Idempotent: the next stage's row is unique, so a second run (or
    two ticks at once) changes nothing. Returns the ids moved up."""
    access.require_system(scope)
    now = now or clock.now()
    today = timezone.localdate(now)
    due = Escalation.objects.filter(status=Escalation.Status.OPEN, stage_due_on__lt=today)
    moved = []
    for pk in due.values_list("pk", flat=True).order_by("stage_due_on", "pk"):
        with transaction.atomic():
            locked = (
                Escalation.objects.select_for_update(of=("self",))
                .select_related("person", "raised_by", "raised_by_agency", "about_agency")
                .filter(pk=pk, status=Escalation.Status.OPEN)
                .first()
            )
            if locked is None:
                continue
            current = _current_stage(locked)
            if current.answered_at is not None or not is_overdue(current.due_on, now):
                continue
            procedure = procedures.procedure_version(locked.procedure_version)
            if locked.stage >= procedure.last:
                _tell_overdue_at_last(locked, current)
                continue
            new = _begin_stage(
                locked,
                number=locked.stage + 1,
                start=EscalationStage.Start.NOT_ANSWERED,
                by=None,
                note=f"Stage {current.number} was not answered by {long_date(current.due_on)}.",
                now=now,
                end=EscalationStage.End.MOVED_UP,
            )
            if new is None:
                continue
            summary = (
                f"The disagreement between {locked.raised_by_agency.name} and "
                f"{locked.about_agency.name} moved to stage {new.number} ({new.title}) by "
                f"itself: stage {current.number} was not answered by "
                f"{long_date(current.due_on)}. An answer is due by {long_date(new.due_on)}."
            )
            entry_record_by_system(
                actor=CLOCK,
                person=locked.person,
                agency_id=locked.raised_by_agency_id,
                fields=happened_now(ENTRY_TYPE, summary),
                why=f"disagreement {locked.pk} not answered by its deadline",
            )
            audit.record(
                CLOCK,
                AuditAction.DISAGREEMENT_MOVED_UP,
                object_type="escalation",
                object_id=locked.pk,
                person_id=locked.person_id,
                detail={
                    "from_stage": current.number,
                    "stage": new.number,
                    "missed": current.due_on.isoformat(),
                    "due_on": new.due_on.isoformat(),
                    "timescale": f"{new.timescale_key}@{new.timescale_version}",
                },
            )
            _tell_new_stage(
                locked,
                new,
                actor=CLOCK,
                why=(
                    f"{locked.about_agency.name} did not answer stage {current.number} by "
                    f"{long_date(current.due_on)}, so it moved up by itself."
                ),
            )
            moved.append(locked.pk)
    return moved


def _tell_overdue_at_last(escalation: Escalation, stage: EscalationStage) -> None:
    raisers, theirs = _stage_people(escalation, stage.number)
    _tell(
        [*raisers, *theirs],
        key=f"escalation:{escalation.pk}:stage:{stage.number}:overdue",
        subject="A disagreement is overdue at the partnership",
        body=(
            f"The disagreement between {escalation.raised_by_agency.name} and "
            f"{escalation.about_agency.name} was due to be decided by {long_date(stage.due_on)} (stage {stage.number}, "
            f"{stage.title}), the last stage of the procedure."
        ),
        url=_url(escalation),
        actor=CLOCK,
    )
