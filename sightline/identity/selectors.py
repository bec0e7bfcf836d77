"""Reads of identity data, always for one viewer, through the access module.

The review queue, a candidate pair, a person's identity (records, links, merges) and a merge
are for people with the identity-review capability (data officers and MASH managers): anyone
else is refused (AccessDenied, a 403) before anything is read. How a child's records were
linked (the child's page panel) is for anyone who may see the child.

A reviewer sees who each record is and the shape of each person's chronology (how many entries,
from which agencies, of which types, when), never an entry's content: that is the story, which
their role may not read (docs/access.md)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q

from sightline.agencies.models import Agency
from sightline.chronology.models import ChronologyEntry, EntrySubject
from sightline.core.actors import SystemActor
from sightline.core.errors import NotFound
from sightline.governance import access
from sightline.governance.policy import Capability
from sightline.identity.models import CandidateLink, IdentityLink, MatchDecision, PersonMerge
from sightline.people.models import Address, Identifier, Person, PersonName
from sightline.records.models import SourceRecord, SourceSystem

PER_PAGE = 25
OPEN = (CandidateLink.Status.PENDING, CandidateLink.Status.ASK_SOURCE)
RECENT_ENTRIES = 6
_MAX_MERGE_HOPS = 10


def require_reviewer(actor: Any) -> access.Scope | None:
    """The one check before identity is read for review or changed: the identity-review
    capability. The linker (a system actor) merges too, reading through its own system scope;
    it has no reviewer's scope (None)."""
    if actor is None:
        raise ValueError("an identity change needs an actor")
    if isinstance(actor, SystemActor):
        return None
    return access.require(actor, Capability.REVIEW_IDENTITY)


# --- the queue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueuePage:
    status: str
    candidates: list[CandidateLink]
    total: int
    page: int
    pages: int
    counts: dict[str, int]


def _open_and_apart(qs: Any) -> Any:
    """Open candidates whose records are still on two people (the rest are moot)."""
    return qs.exclude(record_a__person_id=F("record_b__person_id"))


def queue_counts_for(*, viewer: Any) -> dict[str, int]:
    require_reviewer(viewer)
    counts = dict.fromkeys(CandidateLink.Status.values, 0)
    open_ = _open_and_apart(CandidateLink.objects.filter(status__in=OPEN))
    decided = CandidateLink.objects.exclude(status__in=OPEN)
    for qs in (open_, decided):
        counts.update(dict(qs.values_list("status").annotate(n=Count("pk"))))
    return counts


def candidate_queue_for(*, viewer: Any, status: str = "pending", page: int = 1) -> QueuePage:
    """One page of candidates with this status: open ones strongest first, decided ones most
    recent first."""
    require_reviewer(viewer)
    if status not in CandidateLink.Status.values:
        status = CandidateLink.Status.PENDING
    qs = CandidateLink.objects.filter(status=status)
    if status in OPEN:
        qs = _open_and_apart(qs).order_by("-match_weight", "pk")
    else:
        qs = qs.order_by(F("decided_at").desc(nulls_last=True), "-updated_at", "-pk")
    counts = queue_counts_for(viewer=viewer)
    total = counts.get(status, 0)
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, page), pages)
    rows = list(
        qs.select_related(
            "record_a__person",
            "record_b__person",
            "record_a__source_system__agency",
            "record_b__source_system__agency",
            "decided_by",
        )[(page - 1) * PER_PAGE : page * PER_PAGE]
    )
    return QueuePage(status, rows, total, page, pages, counts)


# --- a pair ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Glance:
    """A person's chronology at a glance: counts, dates, agencies and types, no content."""

    total: int
    first: dt.datetime | None
    last: dt.datetime | None
    agencies: list[tuple[str, int]]
    recent: list[ChronologyEntry]


@dataclass(frozen=True)
class PersonSide:
    record: SourceRecord  # the candidate's record on this side
    person: Person  # the person it belongs to now
    names: list[PersonName]
    identifiers: list[Identifier]
    addresses: list[Address]
    records: list[SourceRecord]  # every current person record of the person
    glance: Glance


@dataclass(frozen=True)
class CandidatePair:
    candidate: CandidateLink
    a: PersonSide
    b: PersonSide
    decisions: list[MatchDecision]
    # Decisions on other pairs of records of the same two people (a decision settles them all).
    earlier: list[MatchDecision] = field(default_factory=list)
    # Agency references' issuing feeds, by code: the agency's name.
    issuers: dict[str, str] = field(default_factory=dict)

    @property
    def same_person(self) -> bool:
        return self.a.person.pk == self.b.person.pk

    @property
    def is_open(self) -> bool:
        return self.candidate.status in OPEN and not self.same_person


def glance_for(person_id: int) -> Glance:
    current = EntrySubject.objects.filter(person_id=person_id, entry__superseded_at__isnull=True)
    total = current.count()
    if not total:
        return Glance(0, None, None, [], [])
    span = current.order_by("occurred_at").values_list("occurred_at", flat=True)
    first, last = (
        span.first(),
        current.order_by("-occurred_at").values_list("occurred_at", flat=True).first(),
    )
    by_agency = Counter(dict(current.values_list("entry__agency_id").annotate(n=Count("pk"))))
    names = dict(Agency.objects.filter(pk__in=list(by_agency)).values_list("pk", "name"))
    recent = list(
        ChronologyEntry.objects.filter(
            pk__in=current.order_by("-occurred_at").values("entry_id")[:RECENT_ENTRIES]
        )
        .select_related("agency")
        .order_by("-occurred_at")
    )
    agencies = sorted(
        ((names.get(a, "Unknown agency"), n) for a, n in by_agency.items()), key=lambda x: -x[1]
    )
    return Glance(total, first, last, agencies, recent)


def distinct_identifiers(person_id: int) -> list[Identifier]:
    """A person's identifiers, each (scheme, value) once (several records often carry one)."""
    seen: set[tuple[str, str, bool]] = set()
    out = []
    rank = {"nhs_number": 0, "upn": 1, "pnc_id": 2}
    found = Identifier.objects.filter(person_id=person_id).order_by("pk")
    for i in sorted(found, key=lambda i: (rank.get(i.scheme, 3), i.issuer, i.value)):
        key = (i.scheme, i.value, i.is_valid)
        if key not in seen:
            seen.add(key)
            out.append(i)
    return out


def distinct_addresses(person_id: int) -> list[Address]:
    """A person's addresses, current first, each (line, postcode) once."""
    seen: set[tuple[str, str]] = set()
    out = []
    for a in Address.objects.filter(person_id=person_id).order_by(
        F("to_on").desc(nulls_first=True), F("from_on").desc(nulls_last=True), "pk"
    ):
        key = (
            " ".join(a.line.lower().replace(",", " ").split()),
            a.postcode.replace(" ", "").upper(),
        )
        if key not in seen:
            seen.add(key)
            out.append(a)
    return out


def _side(record: SourceRecord) -> PersonSide:
    person = record.person
    assert person is not None
    return PersonSide(
        record=record,
        person=person,
        names=list(PersonName.objects.filter(person_id=person.pk).order_by("pk")),
        identifiers=distinct_identifiers(person.pk),
        addresses=distinct_addresses(person.pk),
        records=list(
            SourceRecord.objects.filter(
                person_id=person.pk, kind=SourceRecord.Kind.PERSON, is_current=True
            )
            .select_related("source_system__agency")
            .order_by("pk")
        ),
        glance=glance_for(person.pk),
    )


def candidate_get_for(*, viewer: Any, candidate_id: int) -> CandidatePair:
    require_reviewer(viewer)
    candidate = (
        CandidateLink.objects.select_related(
            "record_a__person",
            "record_b__person",
            "record_a__source_system__agency",
            "record_b__source_system__agency",
            "decided_by",
        )
        .filter(pk=candidate_id)
        .first()
    )
    if candidate is None:
        raise NotFound("No such pair of records.")
    decisions = list(candidate.decisions.select_related("decided_by"))
    a, b = _side(candidate.record_a), _side(candidate.record_b)
    earlier = list(
        MatchDecision.objects.filter(
            Q(
                candidate__record_a__person_id=a.person.pk,
                candidate__record_b__person_id=b.person.pk,
            )
            | Q(
                candidate__record_a__person_id=b.person.pk,
                candidate__record_b__person_id=a.person.pk,
            )
        )
        .exclude(candidate_id=candidate.pk)
        .exclude(decision=MatchDecision.Decision.WITHDRAW)
        .select_related("decided_by")
        .order_by("decided_at", "pk")
    )
    issuers = issuer_names([*a.identifiers, *b.identifiers])
    return CandidatePair(candidate, a, b, decisions, earlier, issuers)


def issuer_names(identifiers: list[Identifier]) -> dict[str, str]:
    """The agency behind each feed that issued these agency references (code to name)."""
    codes = {i.issuer for i in identifiers if i.scheme == Identifier.Scheme.LOCAL_ID and i.issuer}
    if not codes:
        return {}
    return dict(SourceSystem.objects.filter(code__in=codes).values_list("code", "agency__name"))


# --- a person's identity ----------------------------------------------------------------------


@dataclass(frozen=True)
class RecordLink:
    record: SourceRecord
    link: IdentityLink | None


@dataclass(frozen=True)
class PersonIdentity:
    person: Person
    requested_reference: str
    names: list[PersonName]
    identifiers: list[Identifier]
    addresses: list[Address]
    records: list[RecordLink]
    merges: list[PersonMerge]  # merges into this person, newest first (split ones too)
    merged_from: list[Person]
    open_candidates: list[CandidateLink]
    issuers: dict[str, str] = field(default_factory=dict)

    @property
    def was_merged(self) -> bool:
        return self.person.reference != self.requested_reference


def resolve_reference(reference: str) -> Person:
    """The person with this reference, or the person it was merged into (followed)."""
    person = Person.objects.filter(reference=reference).first()
    hops = 0
    while person is not None and person.merged_into_id is not None and hops < _MAX_MERGE_HOPS:
        person = Person.objects.filter(pk=person.merged_into_id).first()
        hops += 1
    if person is None or person.merged_into_id is not None:
        raise NotFound("No person found with that reference.")
    return person


def record_links(person_id: int) -> list[RecordLink]:
    records = list(
        SourceRecord.objects.filter(
            person_id=person_id, kind=SourceRecord.Kind.PERSON, is_current=True
        )
        .select_related("source_system__agency")
        .order_by("pk")
    )
    links = {
        link.source_record_id: link
        for link in IdentityLink.objects.filter(
            source_record_id__in=[r.pk for r in records]
        ).select_related("decided_by")
    }
    return [RecordLink(r, links.get(r.pk)) for r in records]


def person_identity_for(*, viewer: Any, reference: str) -> PersonIdentity:
    require_reviewer(viewer)
    person = resolve_reference(reference)
    merges = list(
        PersonMerge.objects.filter(survivor_id=person.pk)
        .select_related("merged", "merged_by", "split_by")
        .order_by("-merged_at", "-pk")
    )
    open_candidates = list(
        _open_and_apart(
            CandidateLink.objects.filter(status__in=OPEN).filter(
                Q(record_a__person_id=person.pk) | Q(record_b__person_id=person.pk)
            )
        )
        .select_related("record_a__person", "record_b__person")
        .order_by("-match_weight")
    )
    identifiers = distinct_identifiers(person.pk)
    return PersonIdentity(
        person=person,
        requested_reference=reference,
        names=list(PersonName.objects.filter(person_id=person.pk).order_by("pk")),
        identifiers=identifiers,
        addresses=distinct_addresses(person.pk),
        records=record_links(person.pk),
        merges=merges,
        merged_from=list(Person.objects.filter(merged_into_id=person.pk).order_by("pk")),
        open_candidates=open_candidates,
        issuers=issuer_names(identifiers),
    )


def person_lookup_for(*, viewer: Any, text: str) -> list[Person]:
    """The people a reviewer is looking for by a number: a Sightline reference (followed to the
    person it was merged into), or an NHS number, UPN, PNC ID or agency reference held exactly
    (spaces and letter case ignored). For identity review: no name search, no story."""
    require_reviewer(viewer)
    compact = "".join(text.split()).upper()
    if not compact:
        return []
    found: dict[int, Person] = {}
    try:
        person = resolve_reference(compact)
    except NotFound:
        pass
    else:
        found[person.pk] = person
    # Naming every scheme lets the (scheme, value) index serve the lookup.
    holders = Identifier.objects.filter(
        scheme__in=Identifier.Scheme.values, value=compact
    ).values_list("person_id", flat=True)
    for person in Person.objects.filter(pk__in=list(holders[:100]), merged_into__isnull=True):
        found.setdefault(person.pk, person)
    return sorted(found.values(), key=lambda p: (p.family_name, p.given_names, p.reference))


def merge_get_for(*, viewer: Any, merge_id: int) -> PersonMerge:
    require_reviewer(viewer)
    merge = (
        PersonMerge.objects.select_related("survivor", "merged", "merged_by", "split_by")
        .filter(pk=merge_id)
        .first()
    )
    if merge is None:
        raise NotFound("No such merge.")
    return merge


# --- the child's page ---------------------------------------------------------------------------


def links_for(*, viewer: Any, person: Person) -> list[RecordLink]:
    """How each of a child's records came to be linked, for a viewer who may see the child;
    nothing for anyone else. One query (the access check is inside it)."""
    links = access.restrict_people(
        viewer,
        IdentityLink.objects.filter(
            source_record__person_id=person.pk,
            source_record__kind=SourceRecord.Kind.PERSON,
            source_record__is_current=True,
        ),
        field="source_record__person_id",
    )
    found = links.select_related("source_record__source_system__agency", "decided_by").order_by(
        "source_record_id"
    )
    return [RecordLink(link.source_record, link) for link in found]


@dataclass(frozen=True)
class PendingMatch:
    """An open pair between one of a child's records and someone else's."""

    candidate: CandidateLink
    other: Person
    other_visible: bool  # the viewer may see the other person too


def pending_matches_for(*, viewer: Any, person: Person) -> list[PendingMatch]:
    """Open candidate pairs between this child and another person, for a viewer who may see the
    child (the child's page). Whether the viewer may see the other person is said, so a page
    shows nothing of them to a viewer who may not. One query when there are none."""
    open_ = _open_and_apart(CandidateLink.objects.filter(status__in=OPEN))
    # The access check is inside the query, on whichever side the child is.
    mine = access.restrict_people(
        viewer, open_.filter(record_a__person_id=person.pk), field="record_a__person_id"
    ) | access.restrict_people(
        viewer, open_.filter(record_b__person_id=person.pk), field="record_b__person_id"
    )
    open_pairs = list(
        mine.select_related("record_a__person", "record_b__person").order_by("-match_weight", "pk")
    )
    if not open_pairs:
        return []
    others = {
        c.pk: (c.record_b.person if c.record_a.person_id == person.pk else c.record_a.person)
        for c in open_pairs
    }
    visible = set(
        access.restrict_people(
            viewer, Person.objects.filter(pk__in=[o.pk for o in others.values() if o]), field="pk"
        ).values_list("pk", flat=True)
    )
    return [
        PendingMatch(c, other, other.pk in visible)
        for c in open_pairs
        if (other := others[c.pk]) is not None
    ]


# --- export -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportedPerson:
    reference: str
    records: list[tuple[str, str]]  # (source, source_id)


def people_export_for(*, viewer: Any) -> Iterator[ExportedPerson]:
    """Every Sightline person not merged away, with the person source records linked to it,
    in reference order of creation. For identity reviewers and the command line (a system
    actor); streamed, so a county never sits in memory."""
    if not isinstance(viewer, SystemActor):
        require_reviewer(viewer)
    people = (
        Person.objects.filter(merged_into__isnull=True)
        .order_by("pk")
        .values_list("pk", "reference")
        .iterator(chunk_size=5000)
    )
    records = (
        SourceRecord.objects.filter(
            kind=SourceRecord.Kind.PERSON,
            is_current=True,
            person__isnull=False,
            person__merged_into__isnull=True,
        )
        .order_by("person_id", "source_system__code", "source_id")
        .values_list("person_id", "source_system__code", "source_id")
        .iterator(chunk_size=5000)
    )
    pending = next(records, None)
    for pk, reference in people:
        found: list[tuple[str, str]] = []
        while pending is not None and pending[0] <= pk:
            if pending[0] == pk:
                found.append((pending[1], pending[2]))
            pending = next(records, None)
        yield ExportedPerson(reference, found)
