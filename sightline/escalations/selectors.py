"""Reads of professional disagreements, always for one viewer, through the access module. A
disagreement is seen by everyone who may see its child (the agencies involved); one about a
child the viewer may not see is "not found", exactly as one that does not exist."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from sightline.agencies.models import Agency
from sightline.core.workingdays import england
from sightline.escalations import procedure as procedures
from sightline.escalations.models import Escalation, EscalationStage
from sightline.governance import access
from sightline.governance.policy import Capability
from sightline.people.models import Person


def _base() -> QuerySet[Escalation]:
    return Escalation.objects.select_related(
        "person",
        "raised_by",
        "raised_by_agency",
        "raised_by_team",
        "about_agency",
        "about_team",
        "closed_by",
    )


def escalation_get_for(*, viewer: Any, escalation_id: int) -> Escalation:
    found = _base().filter(pk=escalation_id).first()
    access.require_person(
        viewer,
        found.person_id if found is not None else None,
        detail={"escalation": escalation_id},
    )
    assert found is not None
    return found


def stages_of(escalation: Escalation) -> list[EscalationStage]:
    return list(
        EscalationStage.objects.filter(escalation=escalation)
        .select_related("answered_by", "answered_by_agency", "started_by")
        .order_by("number")
    )


def escalations_for_child(*, viewer: Any, person: Person) -> list[Escalation]:
    """Every disagreement about this child, open first, newest first (empty for a viewer who
    may not see the child)."""
    rows = access.restrict_people(viewer, _base().filter(person_id=person.pk), field="person_id")
    return sorted(
        rows, key=lambda e: (e.status != Escalation.Status.OPEN, -e.raised_at.timestamp())
    )


def _open_visible(viewer: Any) -> QuerySet[Escalation]:
    return access.restrict_people(
        viewer, _base().filter(status=Escalation.Status.OPEN), field="person_id"
    )


def escalations_to_answer_for(*, viewer: Any) -> list[tuple[Escalation, EscalationStage]]:
    """Open disagreements waiting on the viewer's agency's answer (at the partnership's stage,
    on a MASH manager's too), with their current stage, nearest deadline first."""
    scope = access.scope_for(viewer)
    if scope.agency_id is None:
        return []
    rows = _open_visible(viewer).filter(about_agency_id=scope.agency_id)
    if scope.role == "mash_manager":
        # The partnership answers at its own stage, in whichever version of the procedure.
        at_partnership = Q(pk__in=[])
        for version in procedures.versions():
            for stage in version.stages:
                if stage.responders == "partnership":
                    at_partnership |= Q(procedure_version=version.version, stage=stage.number)
        rows = (
            _open_visible(viewer)
            .filter(Q(about_agency_id=scope.agency_id) | at_partnership)
            .exclude(raised_by_agency_id=scope.agency_id)
        )
    return _waiting_answer(rows)


def _waiting_answer(rows: QuerySet[Escalation]) -> list[tuple[Escalation, EscalationStage]]:
    escalations = {e.pk: e for e in rows}
    stages = EscalationStage.objects.filter(
        escalation_id__in=list(escalations), answered_at__isnull=True, ended_at__isnull=True
    )
    out = [(escalations[s.escalation_id], s) for s in stages]
    return sorted(out, key=lambda pair: (pair[1].due_on, pair[0].pk))


def escalations_raised_for(*, viewer: Any) -> list[tuple[Escalation, EscalationStage]]:
    """Open disagreements the viewer's agency raised, with their current stage."""
    scope = access.scope_for(viewer)
    if scope.agency_id is None:
        return []
    rows = {e.pk: e for e in _open_visible(viewer).filter(raised_by_agency_id=scope.agency_id)}
    stages = EscalationStage.objects.filter(
        escalation_id__in=list(rows), ended_at__isnull=True
    ).select_related("answered_by_agency")
    out = [(rows[s.escalation_id], s) for s in stages]
    return sorted(out, key=lambda pair: (pair[1].answered_at is None, pair[1].due_on))


def escalations_for_teams(
    *, viewer: Any, teams: Sequence[Any]
) -> list[tuple[Escalation, EscalationStage]]:
    """Open disagreements raised by, or about, the teams a manager oversees (about their
    agency when no team was named), that the manager may see."""
    team_ids = [t.pk for t in teams]
    agency_ids = sorted({t.agency_id for t in teams})
    rows = _open_visible(viewer).filter(
        Q(raised_by_team_id__in=team_ids)
        | Q(about_team_id__in=team_ids)
        | Q(about_team__isnull=True, about_agency_id__in=agency_ids)
    )
    escalations = {e.pk: e for e in rows}
    stages = EscalationStage.objects.filter(
        escalation_id__in=list(escalations), ended_at__isnull=True
    )
    return sorted(
        [(escalations[s.escalation_id], s) for s in stages], key=lambda p: (p[1].due_on, p[0].pk)
    )


def open_for_subject(*, viewer: Any, kind: str, subject_id: int) -> list[Escalation]:
    """The open disagreements about one record (shown on the record's page)."""
    return list(_open_visible(viewer).filter(subject_kind=kind, subject_id=subject_id))


# --- the partnership's report -----------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    label: str
    count: int
    share: str = ""


@dataclass
class Report:
    date_from: dt.date
    date_to: dt.date
    raised: int = 0
    open_now: int = 0
    resolved: int = 0
    withdrawn: int = 0
    moved_up_by_itself: int = 0
    by_raising_agency: list[Count] = field(default_factory=list)
    by_raising_kind: list[Count] = field(default_factory=list)
    by_about_agency: list[Count] = field(default_factory=list)
    by_subject: list[Count] = field(default_factory=list)
    by_outcome: list[Count] = field(default_factory=list)
    by_highest_stage: list[Count] = field(default_factory=list)
    median_days: float | None = None
    mean_days: float | None = None
    longest_days: int | None = None
    days_by_outcome: list[tuple[str, int, float]] = field(default_factory=list)


def _counts(counter: Counter[str], total: int) -> list[Count]:
    return [
        Count(label, n, f"{round(100 * n / total)}%" if total else "")
        for label, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def escalation_report_for(*, viewer: Any, date_from: dt.date, date_to: dt.date) -> Report:
    """How the partnership uses escalation, for disagreements raised from `date_from` to
    `date_to` (both included): how often, by whom, about what, how resolved and how long it
    took (working days from raising to the outcome). Aggregates only: no child is named.
    For roles that see the partnership's insight (view_insight)."""
    access.require(viewer, Capability.VIEW_INSIGHT)
    from django.utils import timezone

    rows = list(
        Escalation.objects.filter(
            raised_at__date__gte=date_from, raised_at__date__lte=date_to
        ).select_related("raised_by_agency", "about_agency")
    )
    report = Report(date_from=date_from, date_to=date_to, raised=len(rows))
    if not rows:
        return report
    kinds = _agency_kind_labels()
    subjects = dict(Escalation.Subject.choices)
    outcomes = dict(Escalation.Outcome.choices)
    report.open_now = sum(e.status == Escalation.Status.OPEN for e in rows)
    report.resolved = sum(e.status == Escalation.Status.RESOLVED for e in rows)
    report.withdrawn = sum(e.status == Escalation.Status.WITHDRAWN for e in rows)
    report.by_raising_agency = _counts(Counter(e.raised_by_agency.name for e in rows), len(rows))
    report.by_raising_kind = _counts(
        Counter(kinds.get(e.raised_by_agency.kind, e.raised_by_agency.kind) for e in rows),
        len(rows),
    )
    report.by_about_agency = _counts(Counter(e.about_agency.name for e in rows), len(rows))
    report.by_subject = _counts(Counter(subjects[e.subject_kind] for e in rows), len(rows))
    closed = [e for e in rows if e.status != Escalation.Status.OPEN]
    report.by_outcome = _counts(Counter(outcomes[e.outcome] for e in closed), len(closed))
    report.by_highest_stage = [
        Count(f"Stage {n}", c, f"{round(100 * c / len(rows))}%")
        for n, c in sorted(Counter(e.stage for e in rows).items())
    ]
    report.moved_up_by_itself = EscalationStage.objects.filter(
        escalation__in=rows, start=EscalationStage.Start.NOT_ANSWERED
    ).count()
    calendar = england()
    days: dict[str, list[int]] = {}
    for e in closed:
        assert e.closed_at is not None
        taken = calendar.working_days_between(
            timezone.localdate(e.raised_at), timezone.localdate(e.closed_at)
        )
        days.setdefault(outcomes[e.outcome], []).append(taken)
    every = [d for ds in days.values() for d in ds]
    if every:
        report.median_days = float(statistics.median(every))
        report.mean_days = round(statistics.fmean(every), 1)
        report.longest_days = max(every)
        report.days_by_outcome = [
            (label, len(ds), float(statistics.median(ds))) for label, ds in sorted(days.items())
        ]
    return report


def _agency_kind_labels() -> dict[str, str]:
    from sightline.agencies.vocabulary import agency_kinds

    return agency_kinds()


def agencies_to_disagree_with(*, viewer: Any) -> list[Agency]:
    scope = access.scope_for(viewer)
    return list(Agency.objects.exclude(pk=scope.agency_id or 0).order_by("name"))
