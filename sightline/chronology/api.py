"""The child's story over JSON: read it (same filters and "as known on" as the page, paged,
audited) and record an entry. Mounted by sightline.api.router at /api/."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from sightline.chronology import selectors, services
from sightline.chronology.filters import clean_purpose, from_mapping
from sightline.chronology.presenters import present_entry, present_restricted
from sightline.chronology.selectors import Row, StoryRow
from sightline.core import clock
from sightline.core.dates import PartialDateError, parse_partial
from sightline.core.errors import ValidationFailed
from sightline.governance import audit, sharing
from sightline.governance.audit import AuditAction

router = Router(tags=["Child's story"])


class AgencyOut(Schema):
    id: int
    name: str


class EntryOut(Schema):
    """One entry version. An entry the caller is not cleared to read (restricted=true) carries
    only its period, its agency and whom to contact: every other field is null."""

    id: int | None = Field(description="This version's number (null when restricted)")
    lineage: int | None = Field(
        description="The number shared by every version of the entry (null when restricted)"
    )
    version: int | None
    occurred: str = Field(
        description="When, at its precision: 2019, 2019-03, 2019-03-04T22:10 (a restricted "
        "entry: its month, 2019-03, or its season or year)"
    )
    precision: str = Field(description="day, month, season or year")
    occurred_text: str = Field(description='As shown on the page: "summer 2018"')
    agency: AgencyOut
    type: str | None
    type_label: str | None
    significant: bool | None
    restricted: bool = Field(description="True when the viewer is not cleared to read it")
    restricted_message: str | None = None
    summary: str | None = None
    detail: str | None = None
    grade: str | None = None
    grade_text: str | None = None
    intelligence_grade: dict[str, Any] | None = None
    sensitivity: str | None = None
    source: str | None = None
    recorded_at: dt.datetime | None
    corrected: bool | None = Field(description="This version replaced an earlier one")
    superseded: bool | None = Field(description="A later correction replaced this version")
    entered_in_error: bool | None = Field(
        None, description="This version withdraws the entry as entered in error"
    )


class ChildOut(Schema):
    reference: str
    name: str


class StoryOut(Schema):
    child: ChildOut
    as_known_on: dt.date | None
    page: int
    pages: int
    per_page: int
    total: int
    entries: list[EntryOut]


class StoryQuery(Schema):
    agency: list[int] = Field(default_factory=list, description="Agency ids (any of)")
    theme: list[str] = Field(default_factory=list, description="Themes (any of)")
    type: str | None = Field(None, description="One entry type")
    from_: str | None = Field(None, alias="from", description="YYYY-MM-DD")
    to: str | None = Field(None, description="YYYY-MM-DD")
    significant: bool = False
    as_known_on: str | None = Field(None, description="YYYY-MM-DD: the story as known then")
    page: int = Field(1, ge=1)
    purpose: str = Field("", max_length=200)


class IntelligenceGradeIn(Schema):
    source: str = Field(description="1, 2 or 3")
    assessment: str = Field(description="A to E")
    handling: str = Field(description="P or C")
    conditions: str = Field("", description="Required for handling code C")


class EntryIn(Schema):
    type: str
    occurred_at: str = Field(description="2019, 2019-03, 2019-03-04 or 2019-03-04T22:10")
    precision: str | None = Field(None, description="day, month, season or year")
    summary: str
    detail: str = ""
    grade: str = "fact"
    sensitivity: str = "standard"
    intelligence_grade: IntelligenceGradeIn | None = None
    is_significant: bool = False


def _entry_out(row: Row, child: selectors.Child) -> EntryOut:
    if not isinstance(row, StoryRow):
        hidden = present_restricted(row)
        return EntryOut(
            id=None,
            lineage=None,
            version=None,
            occurred=hidden.when_iso,
            precision=row.precision,
            occurred_text=hidden.when,
            agency=AgencyOut(id=row.agency.id, name=row.agency.name),
            type=None,
            type_label=None,
            significant=None,
            restricted=True,
            restricted_message=hidden.restricted,
            recorded_at=None,
            corrected=None,
            superseded=None,
            entered_in_error=None,
        )
    entry = row.entry
    view = present_entry(entry, viewer_agency_id=child.scope.agency_id)
    return EntryOut(
        id=view.id,
        lineage=view.lineage,
        version=view.version,
        occurred=view.when_iso,
        precision=entry.precision,
        occurred_text=view.when,
        agency=AgencyOut(id=entry.agency_id, name=view.agency_name),
        type=entry.type,
        type_label=view.type_label,
        significant=view.is_significant,
        restricted=False,
        summary=entry.summary,
        detail=entry.detail,
        grade=entry.grade,
        grade_text=view.grade_text,
        intelligence_grade=entry.intelligence_grade,
        sensitivity=entry.sensitivity,
        source=view.source,
        recorded_at=entry.recorded_at,
        corrected=view.is_corrected,
        superseded=view.is_later_corrected,
        entered_in_error=view.is_entered_in_error,
    )


@router.get(
    "/children/{reference}/story",
    response=StoryOut,
    summary="A child's story, newest first",
    description="The same filters as the child's page. An entry the caller is not cleared to "
    "read comes with restricted=true and whom to contact, never its content. Audited.",
)
def story(request: HttpRequest, reference: str, query: Query[StoryQuery]) -> StoryOut:
    child = selectors.child_get_for(viewer=request.user, reference=reference)
    parsed = from_mapping(
        {
            "agency": [str(a) for a in query.agency],
            "theme": query.theme,
            "type": query.type,
            "from": query.from_,
            "to": query.to,
            "significant": "1" if query.significant else "",
            "as_known_on": query.as_known_on,
        },
        today=clock.today(),
    )
    if parsed.errors:
        raise ValidationFailed(
            "Check the filters",
            errors={k.rsplit("-", 1)[0]: v for k, v in parsed.errors.items()},
        )
    filters = parsed.filters
    page = selectors.story_for(viewer=request.user, child=child, filters=filters, page=query.page)
    audit.record(
        request.user,
        AuditAction.STORY_VIEWED,
        object_type="person",
        object_id=child.person.reference,
        person_id=child.person.pk,
        purpose=clean_purpose(query.purpose),
        detail={"filters": filters.audit_detail(), "page": page.page, "via": "api"},
    )
    return StoryOut(
        child=ChildOut(reference=child.person.reference, name=child.person.full_name),
        as_known_on=filters.as_known_on,
        page=page.page,
        pages=page.pages,
        per_page=page.per_page,
        total=page.total,
        entries=[_entry_out(row, child) for row in page.rows],
    )


@router.post(
    "/children/{reference}/entries",
    response={201: EntryOut},
    summary="Record an entry in a child's story",
    description="Recorded for the caller's agency, now. Needs a role that records entries and a "
    "relationship with the child. Audited.",
)
def record_entry(request: HttpRequest, reference: str, payload: EntryIn) -> Status[EntryOut]:
    child = selectors.child_get_for(viewer=request.user, reference=reference)
    try:
        occurred = parse_partial(payload.occurred_at, payload.precision)
    except PartialDateError as exc:
        raise ValidationFailed(
            "Check the entry", errors={"occurred_at": f"occurred_at {exc}"}
        ) from exc
    fields = services.EntryFields(
        type=payload.type,
        occurred=occurred,
        summary=payload.summary,
        detail=payload.detail,
        grade=payload.grade,
        sensitivity=payload.sensitivity,
        intelligence_grade=payload.intelligence_grade.dict()
        if payload.intelligence_grade
        else None,
        is_significant=payload.is_significant,
    )
    entry = services.entry_record(actor=request.user, person=child.person, fields=fields)
    row = selectors.entry_get_for(viewer=request.user, child=child, entry_id=entry.pk)
    return Status(201, _entry_out(row, child))


# --- sharing decisions (governance.sharing) -------------------------------------------------------


class SharingDecisionIn(Schema):
    outcome: str = Field(description="shared or not_shared")
    entry: int | None = Field(
        None, description="An entry's number (a version), when the decision is about one entry"
    )
    what: str = Field("", description="What information (needed unless an entry is given)")
    recipient_agency: int | None = Field(None, description="The agency's id")
    recipient_other: str = Field("", description="Someone outside the partnership, in words")
    purpose: str = Field("", description="Why it was shared (needed when shared)")
    lawful_basis: str = Field("", description="A code of the lawful bases (needed when shared)")
    reason_not_shared: str = Field("", description="A code of the reasons (needed when not)")
    reason_text: str = Field("", description="The decision explained (needed when not shared)")


class SharingDecisionOut(Schema):
    id: int
    decided_at: dt.datetime
    outcome: str
    entry_lineage: int | None
    what: str
    recipient_agency: AgencyOut | None
    recipient_other: str
    purpose: str
    lawful_basis: str
    reason_not_shared: str
    reason_text: str
    decided_by_agency: AgencyOut


def _decision_out(d: Any) -> SharingDecisionOut:
    return SharingDecisionOut(
        id=d.pk,
        decided_at=d.decided_at,
        outcome=d.outcome,
        entry_lineage=d.entry_lineage,
        what=d.what,
        recipient_agency=AgencyOut(id=d.recipient_agency.pk, name=d.recipient_agency.name)
        if d.recipient_agency
        else None,
        recipient_other=d.recipient_other,
        purpose=d.purpose,
        lawful_basis=d.lawful_basis,
        reason_not_shared=d.reason_not_shared,
        reason_text=d.reason_text,
        decided_by_agency=AgencyOut(id=d.decided_by_agency.pk, name=d.decided_by_agency.name),
    )


@router.get(
    "/children/{reference}/sharing-decisions",
    response=list[SharingDecisionOut],
    summary="The sharing decisions about a child that the caller may see",
    description="Their agency's decisions, those that shared something with their agency, and "
    "all of them for the partnership-wide roles. Audited.",
)
def sharing_decisions(request: HttpRequest, reference: str) -> list[SharingDecisionOut]:
    child = selectors.child_get_for(viewer=request.user, reference=reference)
    rows = sharing.sharing_decisions_for(viewer=request.user, person_id=child.person.pk)
    audit.record(
        request.user,
        AuditAction.STORY_VIEWED,
        object_type="sharing_decisions",
        object_id=child.person.reference,
        person_id=child.person.pk,
        purpose="read the sharing decisions",
        detail={"via": "api", "count": len(rows)},
    )
    return [_decision_out(d) for d in rows]


@router.post(
    "/children/{reference}/sharing-decisions",
    response={201: SharingDecisionOut},
    summary="Record a decision to share or not to share information about a child",
    description="A decision about one entry is the recording agency's to make; an entry with "
    "handling code C is read by another agency only once shared with it this way. Audited.",
)
def record_sharing_decision(
    request: HttpRequest, reference: str, payload: SharingDecisionIn
) -> Status[SharingDecisionOut]:
    child = selectors.child_get_for(viewer=request.user, reference=reference)
    entry = None
    if payload.entry is not None:
        row = selectors.entry_get_for(viewer=request.user, child=child, entry_id=payload.entry)
        entry = sharing.SharedEntry(
            lineage=row.entry.lineage or row.entry.pk,
            agency_id=row.entry.agency_id,
            summary=row.entry.summary[:2000],
        )
    decision = sharing.sharing_decision_record(
        actor=request.user,
        person_id=child.person.pk,
        entry=entry,
        fields=sharing.SharingFields(
            outcome=payload.outcome,
            what=payload.what,
            recipient_agency_id=payload.recipient_agency,
            recipient_other=payload.recipient_other,
            purpose=payload.purpose,
            lawful_basis=payload.lawful_basis,
            reason_not_shared=payload.reason_not_shared,
            reason_text=payload.reason_text,
        ),
    )
    decision = next(
        d
        for d in sharing.sharing_decisions_for(viewer=request.user, person_id=child.person.pk)
        if d.pk == decision.pk
    )
    return Status(201, _decision_out(decision))
