"""Writing a chunk of person lines: link or create the person, keep the record, and derive the
person's names, identifiers, addresses, search keys, identity links and access grants.

- A **new record** is offered to the registered person resolver (identity: same valid NHS
  number, UPN or PNC id). Matched, it joins that person; otherwise it starts a new person.
- A **changed record** stays with its person; its earlier version's names, identifiers,
  addresses and details are replaced by the new version's.
- The person's own fields (name, date of birth, sex, ethnicity) are chosen again from every one
  of their records whenever a record is added or changed: the value most agencies record
  (people.consensus), not the first record's.
- **Access**: the agency holding the record gets a `holds_records` grant, unless the source is
  team-scoped (then only involvements grant access, to the team named on them).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from sightline.core.fastinsert import Adapter
from sightline.governance import access
from sightline.governance.models import AccessGrant
from sightline.people import bulk as people_bulk
from sightline.records.ingest import hooks
from sightline.records.ingest.hooks import PersonCandidate, PersonLink, PersonMatch, SourceInfo
from sightline.records.ingest.lines import PersonLine
from sightline.records.models import SourceSystem

FIRST_SEEN = "first_seen"
SAME_SOURCE_KEY = "same_source_key"

# (line, held version or None, new source record id, person id) -> insert the records
InsertRecords = Callable[[Sequence[tuple[Any, Any, int, int | None]]], None]


class PersonWriter:
    def __init__(
        self,
        *,
        source: SourceInfo,
        actor: Any,
        adapter: Adapter,
        now: dt.datetime,
        agency_for: Callable[[str | None], int],
    ) -> None:
        self.source = source
        self.actor = actor
        self.adapter = adapter
        self.now = now
        self.agency_for = agency_for

    def write(
        self,
        items: Sequence[tuple[PersonLine, Any]],
        record_ids: list[int],
        insert_records: InsertRecords,
    ) -> list[int]:
        """Write person lines (line, held version or None); returns each line's person id."""
        new = [i for i, (_, held) in enumerate(items) if held is None]
        matches = self._resolve([items[i][0] for i in new])
        person_of: dict[int, int] = {}  # item index -> person id
        links: list[PersonLink] = []
        to_create: list[int] = []  # item indexes that start a new person
        for position, index in enumerate(new):
            match = matches[position]
            if match.person_id is not None:
                person_of[index] = match.person_id
            elif match.same_as is None:
                to_create.append(index)
        created_ids = people_bulk.people_create(
            [_own_fields(items[i][0]) for i in to_create], adapter=self.adapter, now=self.now
        )
        person_of.update(zip(to_create, created_ids, strict=True))
        for position, index in enumerate(new):  # joins an earlier record of this chunk
            same_as = matches[position].same_as
            if same_as is not None:
                person_of[index] = person_of[new[same_as]]
        for index, (_, held) in enumerate(items):
            if held is not None:
                person_of[index] = held.person_id
        person_ids = [person_of[i] for i in range(len(items))]

        insert_records(
            [
                (line, held, rid, pid)
                for (line, held), rid, pid in zip(items, record_ids, person_ids, strict=True)
            ]
        )
        details = [
            _details(line, rid, pid, self.source.code, self.agency_for(line.agency_kind))
            for (line, _), rid, pid in zip(items, record_ids, person_ids, strict=True)
        ]
        replaced = [held.id for _, held in items if held is not None]
        people_bulk.person_details_write(details, adapter=self.adapter, replacing=replaced)

        new_people = set(created_ids)
        keys: dict[int, set[str]] = defaultdict(set)
        for detail in details:
            if detail.person_id in new_people:
                keys[detail.person_id] |= people_bulk.keys_of(detail.names())
        touched = {pid for pid in person_ids if pid not in new_people}
        people_bulk.name_keys_write(new_people=keys, rebuild=touched)
        # A person started by one record of this chunk already shows what that record says.
        records_of = Counter(person_ids)
        people_bulk.people_details_refresh(
            [pid for pid in records_of if pid not in new_people or records_of[pid] > 1]
        )

        starts = set(to_create)
        for position, index in enumerate(new):
            match = matches[position]
            method = FIRST_SEEN if index in starts else match.method
            links.append(
                PersonLink(record_ids[index], person_ids[index], method, dict(match.explanation))
            )
        links += [
            PersonLink(record_ids[i], person_ids[i], SAME_SOURCE_KEY, {"version": held.version + 1})
            for i, (_, held) in enumerate(items)
            if held is not None
        ]
        resolver = hooks.person_resolver()
        if resolver is not None:
            resolver.record(actor=self.actor, links=links)
        self._grant(items, person_ids)
        return person_ids

    def _resolve(self, lines: Sequence[PersonLine]) -> list[PersonMatch]:
        resolver = hooks.person_resolver()
        if resolver is None or not lines:
            return [PersonMatch(method=FIRST_SEEN) for _ in lines]
        candidates = [
            PersonCandidate(index=i, identifiers=line.linking_identifiers())
            for i, line in enumerate(lines)
        ]
        matches = resolver.resolve(candidates)
        if len(matches) != len(lines):
            raise RuntimeError("the person resolver must answer every candidate")
        return matches

    def _grant(self, items: Sequence[tuple[PersonLine, Any]], person_ids: list[int]) -> None:
        if self.source.access_scope == SourceSystem.AccessScope.TEAM:
            return
        by_agency: dict[int, set[int]] = defaultdict(set)
        for (line, _), pid in zip(items, person_ids, strict=True):
            by_agency[self.agency_for(line.agency_kind)].add(pid)
        for agency_id, pids in by_agency.items():
            access.grant_many(
                person_ids=pids, agency_id=agency_id, basis=AccessGrant.Basis.HOLDS_RECORDS
            )


def _own_fields(line: PersonLine) -> people_bulk.NewPerson:
    return people_bulk.NewPerson(
        given_names=line.given_names,
        family_name=line.family_name,
        birth_date=line.birth_date,
        birth_date_precision=line.birth_date_precision,
        sex=line.sex,
        ethnicity=line.ethnicity,
    )


def _details(
    line: PersonLine, record_id: int, person_id: int, issuer: str, agency_id: int
) -> people_bulk.PersonDetails:
    return people_bulk.PersonDetails(
        person_id=person_id,
        source_record_id=record_id,
        issuer=issuer,
        given_names=line.given_names,
        family_name=line.family_name,
        aliases=line.aliases,
        identifiers=line.identifiers,
        addresses=[
            people_bulk.AddressValue(
                line=a.line, postcode=a.postcode, from_on=a.from_on, to_on=a.to_on
            )
            for a in line.addresses
        ],
        agency_id=agency_id,
        birth_date=line.birth_date,
        birth_date_precision=line.birth_date_precision,
        sex=line.sex,
        ethnicity=line.ethnicity,
    )
