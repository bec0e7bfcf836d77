"""Writes to alerts: what evaluations raise and grow, and what people decide. Every write is
atomic and audited in its transaction (docs/alerts.md, "Handling alerts"; ADR 16).

The system's writes follow `lifecycle.next_step` for each child and rule:
`alert_raise` (a new concern), `alert_update` (new evidence, a reminder, a refresh, the rule no
longer holding or holding again). People's: `alert_acknowledge`, `alert_action` (one of the
rule's actions or their own words), `alert_dismiss` (with a reason). A person must be able to
see the child and to record in the child's story (`record_entries`); two people deciding one
alert at once are told when the other got there first."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from sightline.alerts import lifecycle
from sightline.alerts.engine.model import Finding, Part
from sightline.alerts.lifecycle import AlertState, Step, StepKind
from sightline.alerts.models import Alert, AlertEvent
from sightline.core import clock
from sightline.core.actors import actor_name, actor_user
from sightline.core.errors import AccessDenied, InvalidTransition, NotFound, ValidationFailed
from sightline.core.text import CONTROL_MULTILINE
from sightline.governance import access, audit
from sightline.governance.audit import AuditAction
from sightline.governance.policy import Capability

log = logging.getLogger(__name__)

ACTION_MAX = 500
NOTE_MAX = 2000
ACTIVE = (Alert.Status.OPEN, Alert.Status.ACKNOWLEDGED)


@dataclass(frozen=True)
class RuleFacts:
    """What an alert keeps of the rule it was raised under (the rule file may change later)."""

    id: str
    version: int
    title: str
    severity: str
    themes: tuple[str, ...]
    prompt: str
    actions: tuple[str, ...]
    suppress_days: int
    reference: tuple[dict[str, Any], ...] = ()

    @classmethod
    def of(cls, rule: Any) -> RuleFacts:
        """From a loaded rule (engine.loader.Rule)."""
        spec = rule.spec
        return cls(
            id=spec.id,
            version=spec.version,
            title=spec.title,
            severity=spec.severity,
            themes=tuple(spec.themes),
            prompt=spec.prompt.strip(),
            actions=tuple(spec.actions),
            suppress_days=spec.suppress_days,
            reference=tuple(
                r.model_dump(mode="json") if hasattr(r, "model_dump") else dict(r)
                for r in spec.reference
            ),
        )


def parts_data(parts: Iterable[Part]) -> list[dict[str, Any]]:
    return [
        {
            "text": p.text,
            "evidence": list(p.evidence),
            "certainty": p.certainty,
            "negative": p.negative,
        }
        for p in parts
    ]


def state_of(alert: Alert) -> AlertState:
    return AlertState(
        status=alert.status,
        seen=frozenset(alert.seen_evidence),
        fingerprint=alert.fingerprint,
        holds=alert.holds,
        first_held_on=alert.first_held_on,
        suppressed_until=alert.suppressed_until,
    )


def _event(
    alert: Alert,
    kind: str,
    *,
    actor: Any,
    at: dt.datetime,
    on: dt.date | None = None,
    added: Sequence[str] = (),
    parts: list[dict[str, Any]] | None = None,
    action: str = "",
    note: str = "",
    detail: dict[str, Any] | None = None,
) -> AlertEvent:
    return AlertEvent.objects.create(
        alert=alert,
        kind=kind,
        at=at,
        on=on,
        actor=actor_user(actor),
        actor_name=actor_name(actor),
        added=list(added),
        parts=parts or [],
        action=action,
        note=note,
        detail=detail or {},
    )


def _audit(actor: Any, what: AuditAction, alert: Alert, **detail: Any) -> None:
    audit.record(
        actor,
        what,
        object_type="alert",
        object_id=alert.pk,
        person_id=alert.person_id,
        detail={"rule": alert.rule, "version": alert.rule_version, **detail},
    )


def _merge_keys(*lists: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(key for keys in lists for key in keys))


def _apply_finding(alert: Alert, rule: RuleFacts, finding: Finding) -> None:
    """The alert says what this finding says, under this version of the rule."""
    alert.rule_version = rule.version
    alert.title = rule.title
    alert.severity = rule.severity
    alert.themes = list(rule.themes)
    alert.prompt = rule.prompt
    alert.actions = list(rule.actions)
    alert.reference = list(rule.reference)
    alert.suppress_days = rule.suppress_days
    alert.certainty = finding.certainty
    alert.first_held_on = finding.first_held_on
    alert.parts = parts_data(finding.parts)
    alert.explanation = finding.explanation
    alert.evidence = list(finding.evidence)
    alert.seen_evidence = _merge_keys(alert.seen_evidence or [], finding.evidence)
    alert.fingerprint = lifecycle.fingerprint(finding)
    alert.holds = True
    alert.stopped_holding_on = None


# --- what evaluations do -------------------------------------------------------------------

# Told when a critical alert is raised or raised again (the notifications, registered by
# apps.py when the notifications exist), after the alert and its event are written.
CriticalHook = Callable[[Alert, AlertEvent], None]
_critical_hooks: list[CriticalHook] = []


def register_critical_hook(hook: CriticalHook) -> None:
    if hook not in _critical_hooks:
        _critical_hooks.append(hook)


def _critical(alert: Alert, event: AlertEvent) -> None:
    if alert.severity != "critical":
        return
    for hook in _critical_hooks:
        hook(alert, event)


def alert_raise(
    *,
    actor: Any,
    person_id: int,
    rule: RuleFacts,
    finding: Finding,
    on: dt.date,
    since: Alert | None = None,
    added: Sequence[str] | None = None,
) -> Alert:
    """A new alert for this child and rule. `since`: the decided alert before it, when the rule
    stopped holding and now holds again with new evidence (`added`: what is new since)."""
    now = clock.now()
    with transaction.atomic():
        alert = Alert(person_id=person_id, rule=rule.id, status=Alert.Status.OPEN)
        alert.seen_evidence = list(since.seen_evidence) if since is not None else []
        _apply_finding(alert, rule, finding)
        alert.raised_at = alert.updated_at = now
        alert.save()
        detail: dict[str, Any] = {"certainty": finding.certainty}
        if since is not None:
            detail["after"] = since.pk
        event = _event(
            alert,
            AlertEvent.Kind.RAISED,
            actor=actor,
            at=now,
            on=on,
            added=list(added) if added is not None else list(finding.evidence),
            parts=alert.parts,
            detail=detail,
        )
        _audit(
            actor,
            AuditAction.ALERT_RAISED,
            alert,
            severity=alert.severity,
            first_held_on=alert.first_held_on.isoformat(),
            evidence=alert.evidence,
        )
        _critical(alert, event)
    return alert


_UPDATE_EVENTS = {
    StepKind.ADD_EVIDENCE: AlertEvent.Kind.EVIDENCE_ADDED,
    StepKind.REOPEN: AlertEvent.Kind.EVIDENCE_ADDED,
    StepKind.REMIND: AlertEvent.Kind.REMINDED,
    StepKind.STOPPED: AlertEvent.Kind.NO_LONGER_HOLDS,
    StepKind.HOLDS_AGAIN: AlertEvent.Kind.HOLDS_AGAIN,
}


def alert_update(
    *,
    actor: Any,
    alert: Alert,
    step: Step,
    rule: RuleFacts | None,
    finding: Finding | None,
    on: dt.date,
) -> Alert:
    """Carry out an evaluation's step on an existing alert (lifecycle.next_step): grow it with
    new evidence, re-open it (new evidence since its decision, or a reminder after its
    window), refresh what it says, or mark that its rule no longer holds or holds again."""
    if step.kind in (StepKind.NOTHING, StepKind.RAISE):
        raise ValueError(f"alert_update does not {step.kind}")
    now = clock.now()
    with transaction.atomic():
        locked = Alert.objects.select_for_update().filter(pk=alert.pk).first()
        if locked is None:  # pragma: no cover - alerts are never deleted
            raise NotFound("No such alert.")
        alert = locked
        before = alert.status
        if step.kind == StepKind.STOPPED:
            alert.holds = False
            alert.stopped_holding_on = on
        elif step.kind == StepKind.HOLDS_AGAIN and before != Alert.Status.OPEN:
            alert.holds = True  # within a decided alert's window: nothing to say
            alert.stopped_holding_on = None
            alert.save(update_fields=["holds", "stopped_holding_on"])
            return alert
        else:
            assert rule is not None
            assert finding is not None
            _apply_finding(alert, rule, finding)
        if step.kind in (StepKind.REOPEN, StepKind.REMIND):
            alert.status = Alert.Status.OPEN
            alert.suppressed_until = None
        alert.updated_at = now
        alert.save()
        kind = _UPDATE_EVENTS.get(step.kind)
        if kind is None:  # a refresh: the same evidence in other words; no event
            return alert
        detail: dict[str, Any] = {}
        if step.kind in (StepKind.REOPEN, StepKind.REMIND):
            detail["reopened_from"] = before
            last = alert.events.filter(
                kind__in=[
                    AlertEvent.Kind.ACKNOWLEDGED,
                    AlertEvent.Kind.ACTIONED,
                    AlertEvent.Kind.DISMISSED,
                ]
            ).last()
            if last is not None:
                detail["since_decision"] = last.pk
        event = _event(
            alert,
            kind,
            actor=actor,
            at=now,
            on=on,
            added=step.added,
            parts=alert.parts if step.kind != StepKind.STOPPED else [],
            detail=detail,
        )
        _audit(
            actor,
            AuditAction.ALERT_UPDATED,
            alert,
            change=str(kind),
            added=list(step.added),
            status=alert.status,
        )
        if step.kind in (StepKind.REOPEN, StepKind.REMIND):
            _critical(alert, event)
    return alert


@dataclass
class Applied:
    """What evaluating one child did, by step kind."""

    counts: dict[str, int] = field(default_factory=dict)
    alerts: list[Alert] = field(default_factory=list)  # raised or changed

    def add(self, kind: StepKind, alert: Alert | None) -> None:
        self.counts[str(kind)] = self.counts.get(str(kind), 0) + 1
        if alert is not None:
            self.alerts.append(alert)

    def merge(self, other: Applied) -> None:
        for kind, n in other.counts.items():
            self.counts[kind] = self.counts.get(kind, 0) + n
        self.alerts += other.alerts


def latest_alerts(person_ids: Sequence[int]) -> dict[tuple[int, str], Alert]:
    """The latest alert of each of these children for each rule (the one the lifecycle reads)."""
    latest: dict[tuple[int, str], Alert] = {}
    ids = sorted(set(person_ids))
    for start in range(0, len(ids), 500):
        rows = (
            Alert.objects.filter(person_id__in=ids[start : start + 500])
            .exclude(status=Alert.Status.COMBINED)
            .order_by("person_id", "rule", "raised_at", "id")
        )
        for alert in rows:
            latest[(alert.person_id, alert.rule)] = alert
    return latest


def alerts_apply(
    *,
    actor: Any,
    person_id: int,
    findings: Mapping[str, tuple[RuleFacts, Finding | None]],
    on: dt.date,
    latest: Mapping[str, Alert] | None = None,
) -> Applied:
    """Carry out, for one child, what each rule's finding means for their alerts. `findings`:
    rule id -> (the rule, what it found today or None). `latest`: the child's latest alert for
    each rule, if already read. Rules with a stored alert and no finding count as not
    holding."""
    if latest is None:
        latest = {rule: a for (pid, rule), a in latest_alerts([person_id]).items()}
    applied = Applied()
    for rule_id, (rule, finding) in findings.items():
        alert = latest.get(rule_id)
        step = lifecycle.next_step(state_of(alert) if alert is not None else None, finding, on=on)
        if step.kind == StepKind.NOTHING:
            continue
        if step.kind == StepKind.RAISE:
            assert finding is not None
            try:
                with transaction.atomic():
                    raised = alert_raise(
                        actor=actor,
                        person_id=person_id,
                        rule=rule,
                        finding=finding,
                        on=on,
                        since=alert,
                        added=step.added,
                    )
            except IntegrityError:
                # Another evaluation of this child raised it a moment ago (two ticks): the
                # constraint kept one open alert; this evaluation's finding is theirs.
                log.info("alert for person %s rule %s raised meanwhile", person_id, rule_id)
                continue
            applied.add(step.kind, raised)
        else:
            assert alert is not None
            applied.add(
                step.kind,
                alert_update(
                    actor=actor, alert=alert, step=step, rule=rule, finding=finding, on=on
                ),
            )
    return applied


def alerts_combine(*, actor: Any, person_id: int, survivor_id: int) -> int:
    """The alerts left on a person merged into another because the survivor had its own open
    alert for the rule (the merge moves the others): each is combined into the survivor's, whose
    evidence history takes in what it had rested on. Returns how many were combined."""
    now = clock.now()
    combined = 0
    with transaction.atomic():
        left = list(
            Alert.objects.select_for_update()
            .filter(person_id=person_id, status__in=ACTIVE)
            .order_by("id")
        )
        for alert in left:
            into = (
                Alert.objects.select_for_update()
                .filter(person_id=survivor_id, rule=alert.rule, status__in=ACTIVE)
                .order_by("-raised_at")
                .first()
            )
            if into is None:
                continue  # nothing to combine with: the survivor's evaluation raises its own
            into.seen_evidence = _merge_keys(into.seen_evidence, alert.seen_evidence)
            into.updated_at = now
            into.save(update_fields=["seen_evidence", "updated_at"])
            alert.status = Alert.Status.COMBINED
            alert.combined_into = into
            alert.updated_at = now
            alert.save(update_fields=["status", "combined_into", "updated_at"])
            for target, other in ((alert, into), (into, alert)):
                _event(
                    target,
                    AlertEvent.Kind.COMBINED,
                    actor=actor,
                    at=now,
                    detail={"with": other.pk},
                )
            _audit(actor, AuditAction.ALERT_UPDATED, alert, change="combined", into=into.pk)
            combined += 1
    return combined


# --- what people decide -----------------------------------------------------------------------


def _clean(text: str, *, field: str, limit: int, errors: dict[str, str], what: str) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        errors[field] = f"{what} must be {limit:,} characters or fewer"
    elif CONTROL_MULTILINE.search(text):
        errors[field] = f"{what} must not contain control characters"
    return text


def _may_act(actor: Any, alert: Alert | int) -> int:
    """The alert's id, if the actor may act on it: they may see the child (NotFound as for a
    child who does not exist otherwise: the refusal is audited outside any transaction, so it
    stays) and record in children's stories."""
    alert_id = alert if isinstance(alert, int) else alert.pk
    person_id = Alert.objects.filter(pk=alert_id).values_list("person_id", flat=True).first()
    access.require_person(actor, person_id)
    if not access.scope_for(actor).can(Capability.RECORD_ENTRIES):
        raise AccessDenied("Your role does not include acting on alerts.")
    return alert_id


def _locked(alert_id: int) -> Alert:
    found = Alert.objects.select_for_update().filter(pk=alert_id).first()
    if found is None:  # pragma: no cover - alerts are never deleted
        raise NotFound("No such alert.")
    return found


def _decided(alert: Alert, actor: Any, status: str, now: dt.datetime) -> None:
    alert.status = status
    alert.decided_at = now
    alert.decided_by = actor_user(actor)
    alert.decided_by_name = actor_name(actor)
    alert.suppressed_until = clock.today() + dt.timedelta(days=alert.suppress_days)
    alert.updated_at = now
    alert.save()


def _who_decided(alert: Alert) -> str:
    return alert.decided_by_name or "someone else"


def alert_acknowledge(*, actor: Any, alert: Alert | int, note: str = "") -> Alert:
    """The actor has seen the alert and is dealing with it: it leaves the inbox."""
    errors: dict[str, str] = {}
    alert_id = _may_act(actor, alert)
    with transaction.atomic():
        found = _locked(alert_id)
        note = _clean(note, field="note", limit=NOTE_MAX, errors=errors, what="The note")
        if errors:
            raise ValidationFailed("Check the note", errors=errors)
        if found.status != Alert.Status.OPEN:
            raise InvalidTransition(
                f"This alert has already been {found.get_status_display().lower()} by "
                f"{_who_decided(found)}."
            )
        now = clock.now()
        _decided(found, actor, Alert.Status.ACKNOWLEDGED, now)
        _event(found, AlertEvent.Kind.ACKNOWLEDGED, actor=actor, at=now, note=note)
        _audit(actor, AuditAction.ALERT_ACKNOWLEDGED, found, note=bool(note))
    return found


def alert_action(*, actor: Any, alert: Alert | int, action: str, note: str = "") -> Alert:
    """Record the action taken: one of the rule's actions, or the actor's own words."""
    errors: dict[str, str] = {}
    alert_id = _may_act(actor, alert)
    with transaction.atomic():
        found = _locked(alert_id)
        action = _clean(action, field="action", limit=ACTION_MAX, errors=errors, what="The action")
        if not action and "action" not in errors:
            errors["action"] = "Select the action taken, or describe it"
        note = _clean(note, field="note", limit=NOTE_MAX, errors=errors, what="The note")
        if errors:
            raise ValidationFailed("Check the action", errors=errors)
        if found.status not in (*ACTIVE, Alert.Status.ACTIONED):
            raise InvalidTransition(
                f"This alert has been {found.get_status_display().lower()} by "
                f"{_who_decided(found)}: it is no longer waiting for an action."
            )
        now = clock.now()
        chosen = action in found.actions
        _decided(found, actor, Alert.Status.ACTIONED, now)
        _event(
            found,
            AlertEvent.Kind.ACTIONED,
            actor=actor,
            at=now,
            action=action,
            note=note,
            detail={"chosen": chosen},
        )
        _audit(actor, AuditAction.ALERT_ACTIONED, found, action=action, chosen=chosen)
    return found


def alert_dismiss(*, actor: Any, alert: Alert | int, reason: str) -> Alert:
    """Dismiss the alert, saying why: it is not raised again within its rule's window unless
    new evidence arrives."""
    errors: dict[str, str] = {}
    alert_id = _may_act(actor, alert)
    with transaction.atomic():
        found = _locked(alert_id)
        reason = _clean(reason, field="reason", limit=NOTE_MAX, errors=errors, what="The reason")
        if not reason and "reason" not in errors:
            errors["reason"] = "Enter why you are dismissing this alert"
        if errors:
            raise ValidationFailed("Check the reason", errors=errors)
        if found.status not in (*ACTIVE, Alert.Status.ACTIONED):
            raise InvalidTransition(
                f"This alert has already been {found.get_status_display().lower()} by "
                f"{_who_decided(found)}."
            )
        now = clock.now()
        _decided(found, actor, Alert.Status.DISMISSED, now)
        _event(found, AlertEvent.Kind.DISMISSED, actor=actor, at=now, note=reason)
        _audit(actor, AuditAction.ALERT_DISMISSED, found, reason=reason[:200])
    return found
