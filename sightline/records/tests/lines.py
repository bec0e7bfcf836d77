"""Good lines of each kind, to build tests from (synthetic people only). `key` is the line's
source_id and `feed` its source; other keyword arguments change fields (see `_changed`)."""

from __future__ import annotations

import copy
from typing import Any

FORMAT = "sightline/1"


def person(key: str = "P-1001", feed: str = "police", /, **changes: Any) -> dict[str, Any]:
    line = {
        "format": FORMAT,
        "kind": "person",
        "source": feed,
        "source_id": key,
        "given_names": "James",
        "family_name": "Smith",
        "other_names": ["Jim Smith"],
        "birth_date": "2004-10",
        "sex": "male",
        "ethnicity": "WBRI",
        "identifiers": {
            "nhs_number": "9434765919",
            "upn": None,
            "pnc_id": None,
            "local_id": key,
        },
        "addresses": [
            {"line": "12 High St", "postcode": "CV34 4AB", "from": "2019-10-01", "to": None}
        ],
    }
    return _changed(line, changes)


def entry(
    key: str = "E-77", feed: str = "police", subject: str = "P-1001", /, **changes: Any
) -> dict[str, Any]:
    line = {
        "format": FORMAT,
        "kind": "entry",
        "source": feed,
        "source_id": key,
        "agency": "police",
        "type": "missing_episode",
        "occurred_at": "2019-08-03T22:10",
        "precision": "day",
        "ended_at": "2019-08-04T09:00",
        "recorded_at": "2019-08-04T09:30",
        "subjects": [{"source_id": subject, "role": "subject"}],
        "summary": "Reported missing overnight; found in another town.",
        "detail": None,
        "grade": "fact",
        "sensitivity": "standard",
        "intelligence_grade": None,
        "location": {"postcode": "B1 1AA", "label": None},
    }
    return _changed(line, changes)


def relationship(key: str = "R-5", feed: str = "police", /, **changes: Any) -> dict[str, Any]:
    line = {
        "format": FORMAT,
        "kind": "relationship",
        "source": feed,
        "source_id": key,
        "from": "P-1001",
        "to": "P-1002",
        "type": "sibling",
        "from_date": None,
        "to_date": None,
    }
    return _changed(line, changes)


def involvement(
    key: str = "I-1", feed: str = "police", subject: str = "P-1001", /, **changes: Any
) -> dict[str, Any]:
    line = {
        "format": FORMAT,
        "kind": "involvement",
        "source": feed,
        "source_id": key,
        "person": subject,
        "agency": "police",
        "team": "Exploitation Team North",
        "practitioner": {
            "name": "Sam Jones",
            "role": "Detective constable",
            "email": "sam.jones@example.org",
            "phone": "01632 960001",
        },
        "is_lead": True,
        "from": "2019-09-01",
        "to": None,
    }
    return _changed(line, changes)


def _changed(line: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Apply changes; a dotted key ("identifiers.nhs_number", "subjects.0.role") changes a
    nested value and the value DELETE removes the field."""
    line = copy.deepcopy(line)
    for key, value in changes.items():
        target = line
        *parents, last = key.split(".")
        for parent in parents:
            target = target[int(parent)] if isinstance(target, list) else target[parent]
        if value is DELETE:
            del target[last]
        else:
            target[last] = value
    return line


DELETE = object()
