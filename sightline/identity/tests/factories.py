"""People with person source records, as an import leaves them, for identity tests.
Synthetic people only. Apps above identity's layer (cases) are looked up, not imported."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from sightline.agencies.models import Agency
from sightline.agencies.tests.factories import AgencyFactory
from sightline.identity.models import IdentityLink
from sightline.people.bulk import new_reference
from sightline.people.models import (
    Address,
    Identifier,
    NameKey,
    Person,
    PersonName,
    RecordedDetails,
)
from sightline.people.search_keys import name_keys
from sightline.records.models import ImportBatch, SourceRecord, SourceSystem

_lines = itertools.count(1)


def feed(code: str, *, kind: str = "police", name: str | None = None) -> SourceSystem:
    system = SourceSystem.objects.filter(code=code).first()
    if system is not None:
        return system
    agency: Agency = AgencyFactory.create(
        code=f"{code}-agency", kind=kind, name=name or f"{code.title()} agency"
    )
    return SourceSystem.objects.create(
        code=code, name=f"{code} feed", agency=agency, registered_at=timezone.now()
    )


def batch(filename: str = "feed.jsonl") -> ImportBatch:
    return ImportBatch.objects.create(
        filename=filename,
        file_sha256="0" * 64,
        started_at=timezone.now(),
        status=ImportBatch.Status.IMPORTED,
        phase=ImportBatch.Phase.PEOPLE,
    )


def person_line(
    source: str,
    source_id: str,
    *,
    given: str = "Jordan",
    family: str = "Ellis",
    birth_date: str | None = "2012-03-04",
    sex: str = "male",
    nhs: str | None = None,
    upn: str | None = None,
    postcode: str | None = "XS1 4EQ",
    line: str = "12 High Street, Hallowford",
) -> dict[str, Any]:
    return {
        "format": "sightline/1",
        "kind": "person",
        "source": source,
        "source_id": source_id,
        "given_names": given,
        "family_name": family,
        "other_names": [],
        "birth_date": birth_date,
        "sex": sex,
        "ethnicity": "WBRI",
        "identifiers": {"nhs_number": nhs, "upn": upn, "pnc_id": None, "local_id": source_id},
        "addresses": [{"line": line, "postcode": postcode, "from": "2019-01-01", "to": None}]
        if postcode
        else [],
    }


def record_for(
    system: SourceSystem,
    line: dict[str, Any],
    *,
    person: Person | None = None,
    in_batch: ImportBatch | None = None,
    method: str = IdentityLink.Method.FIRST_SEEN,
) -> SourceRecord:
    """A person source record as the importer writes it: the person (new unless given), the
    record, its identity link, and the names, identifiers, addresses and details it gives. The
    person's shown details are not chosen again here (a merge does that)."""
    now = timezone.now()
    if person is None:
        birth = line.get("birth_date")
        person = Person.objects.create(
            reference=new_reference(),
            given_names=line["given_names"],
            family_name=line["family_name"],
            birth_date=dt.date.fromisoformat(birth) if birth and len(birth) == 10 else None,
            sex=line.get("sex") or "unknown",
            created_at=now,
        )
        method = IdentityLink.Method.FIRST_SEEN
    record = SourceRecord.objects.create(
        source_system=system,
        source_id=line["source_id"],
        kind=SourceRecord.Kind.PERSON,
        payload=line,
        payload_hash=f"{next(_lines):064d}",
        batch=in_batch or batch(),
        line_number=next(_lines),
        person=person,
    )
    IdentityLink.objects.create(
        source_record=record, person=person, method=method, explanation={}, decided_at=now
    )
    PersonName.objects.create(
        person=person,
        given_names=line["given_names"],
        family_name=line["family_name"],
        source_record=record,
    )
    birth = line.get("birth_date")
    RecordedDetails.objects.create(
        source_record=record,
        agency=system.agency,
        birth_date=dt.date.fromisoformat(birth) if birth and len(birth) == 10 else None,
        sex=line.get("sex") or "",
        ethnicity=line.get("ethnicity") or "",
    )
    existing = set(NameKey.objects.filter(person=person).values_list("key", flat=True))
    NameKey.objects.bulk_create(
        [
            NameKey(person=person, key=k)
            for k in sorted(name_keys(line["given_names"], line["family_name"]) - existing)
        ]
    )
    for scheme in ("nhs_number", "upn", "local_id"):
        value = line["identifiers"].get(scheme)
        if value:
            Identifier.objects.create(
                person=person,
                scheme=scheme,
                value=value,
                issuer=system.code if scheme == "local_id" else "",
                source_record=record,
            )
    for address in line["addresses"]:
        Address.objects.create(
            person=person,
            line=address["line"],
            postcode=address["postcode"],
            from_on=dt.date.fromisoformat(address["from"]),
            source_record=record,
        )
    return record
