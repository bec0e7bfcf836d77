"""The sightline/1 exchange format as data: the kinds of line, their fields, and how CSV
flattens them. docs/exchange-format.md is the prose contract; docs/schema/sightline-1.schema.json
the machine-readable one; the tests check all three agree."""

from __future__ import annotations

import datetime as dt
from typing import Final

FORMAT: Final = "sightline/1"

PERSON: Final = "person"
ENTRY: Final = "entry"
RELATIONSHIP: Final = "relationship"
INVOLVEMENT: Final = "involvement"
KINDS: Final = (PERSON, ENTRY, RELATIONSHIP, INVOLVEMENT)

COMMON_FIELDS: Final = ("format", "kind", "source", "source_id")

# Top-level fields of each kind, in the order the documentation and CSV headers use.
FIELDS: Final[dict[str, tuple[str, ...]]] = {
    PERSON: (
        *COMMON_FIELDS,
        "agency",
        "given_names",
        "family_name",
        "other_names",
        "birth_date",
        "sex",
        "ethnicity",
        "identifiers",
        "addresses",
    ),
    ENTRY: (
        *COMMON_FIELDS,
        "agency",
        "type",
        "occurred_at",
        "precision",
        "ended_at",
        "recorded_at",
        "subjects",
        "summary",
        "detail",
        "grade",
        "sensitivity",
        "intelligence_grade",
        "location",
    ),
    RELATIONSHIP: (*COMMON_FIELDS, "from", "to", "type", "from_date", "to_date"),
    INVOLVEMENT: (
        *COMMON_FIELDS,
        "person",
        "agency",
        "team",
        "practitioner",
        "is_lead",
        "from",
        "to",
    ),
}

# Fields holding one object: flattened in CSV as dotted columns (`identifiers.nhs_number`).
OBJECT_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "identifiers": ("nhs_number", "upn", "pnc_id", "local_id"),
    "intelligence_grade": ("system", "source", "assessment", "handling"),
    "location": ("postcode", "label"),
    "practitioner": ("name", "role", "email", "phone"),
}
# Fields holding a list: in CSV, a JSON array in one cell.
LIST_FIELDS: Final = frozenset({"other_names", "addresses", "subjects"})
LIST_ITEM_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "addresses": ("line", "postcode", "from", "to"),
    "subjects": ("source_id", "role"),
}
# Fields holding true or false: in CSV, the cell reads true or false.
BOOLEAN_FIELDS: Final = frozenset({"is_lead"})

SEXES: Final = ("male", "female", "unknown")
GRADES: Final = ("fact", "professional_opinion", "reported", "intelligence")
SENSITIVITIES: Final = (
    "standard",
    "health_confidential",
    "police_intelligence",
    "not_for_family_disclosure",
    "informant_protected",
)
PRECISIONS: Final = ("year", "season", "month", "day")
SUBJECT_ROLES: Final = (
    "subject",
    "parent",
    "sibling",
    "perpetrator",
    "victim",
    "witness",
    "associate",
    "other",
)
# What `from` is to `to`. The relationships practice reviews turn on have their own codes, so a
# feed need not send them as `other`: a parent's partner (often not a step-parent), an aunt or
# uncle, a cousin, other extended family, a family friend.
RELATIONSHIP_TYPES: Final = (
    "parent",
    "child",
    "sibling",
    "half_sibling",
    "step_parent",
    "parents_partner",
    "carer",
    "grandparent",
    "aunt_or_uncle",
    "cousin",
    "extended_family",
    "family_friend",
    "partner",
    "peer",
    "associate",
    "suspected_exploiter",
    "other",
)
# The 20 ethnicity codes of the children in need census (domain-standards.md §2).
ETHNICITIES: Final = (
    "WBRI",
    "WIRI",
    "WOTH",
    "WIRT",
    "WROM",
    "MWBC",
    "MWBA",
    "MWAS",
    "MOTH",
    "AIND",
    "APKN",
    "ABAN",
    "AOTH",
    "BCRB",
    "BAFR",
    "BOTH",
    "CHNE",
    "OOTH",
    "REFU",
    "NOBT",
)
# Police intelligence grading, kept as given and never converted (DESIGN.md): the current
# 3x5x2 (source 1-3, assessment A-E, handling P or C) and the older 5x5x5 (source A-E,
# assessment 1-5, handling 1-5).
INTELLIGENCE_SYSTEMS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "3x5x2": {
        "source": ("1", "2", "3"),
        "assessment": ("A", "B", "C", "D", "E"),
        "handling": ("P", "C"),
    },
    "5x5x5": {
        "source": ("A", "B", "C", "D", "E"),
        "assessment": ("1", "2", "3", "4", "5"),
        "handling": ("1", "2", "3", "4", "5"),
    },
}

# How long before a person was born an entry about them may be: work with an unborn child
# (a concern in pregnancy, a pre-birth assessment) starts in pregnancy, so an entry is refused
# only when its whole period ends more than a full-term pregnancy before the earliest day the
# person's line says they may have been born (at the precision given: "2004-10" is from
# 1 October 2004).
BEFORE_BIRTH_TOLERANCE: Final = dt.timedelta(weeks=40)

# Most items each list may hold.
MAX_ITEMS: Final[dict[str, int]] = {"other_names": 50, "addresses": 100, "subjects": 100}

# Longest text each field may hold (the database columns' sizes). An entry's summary and detail
# have the chronology's limits, the same as its form's (hooks.entry_text_limits).
MAX_LENGTH: Final[dict[str, int]] = {
    "source": 60,
    "source_id": 120,
    "given_names": 200,
    "family_name": 200,
    "other_names[]": 400,
    "identifier": 64,
    "address.line": 300,
    "postcode": 10,
    "location.label": 200,
    "team": 200,
    "practitioner.name": 200,
    "practitioner.role": 200,
    "practitioner.email": 254,
    "practitioner.phone": 40,
}


def csv_columns(kind: str) -> list[str]:
    """The CSV header of a kind: its fields, objects flattened to dotted columns."""
    columns: list[str] = []
    for name in FIELDS[kind]:
        if name in OBJECT_FIELDS:
            columns += [f"{name}.{sub}" for sub in OBJECT_FIELDS[name]]
        else:
            columns.append(name)
    return columns
