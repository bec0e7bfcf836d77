"""Test helpers: read a generated county back (JSON Lines and CSV alike) and check each line
against the sightline/1 rules, independently of the generator's own code."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from stdnum.gb import upn as stdnum_upn


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


LIST_FIELDS = {"other_names", "addresses", "subjects"}
BOOL_FIELDS = {"is_lead"}

AGENCIES = _words(
    """childrens_social_care early_help police police_other_force health_ae health_gp camhs
    school_nursing school alternative_provision pru local_authority_education youth_justice
    substance_misuse_service child_exploitation_team mash mace nrm_home_office probation
    housing residential_care foster_care voluntary_sector other"""
)
ENTRY_TYPES = _words(
    """missing_episode found_after_missing return_interview police_incident arrest
    arrest_out_of_area knife_incident assault_victim sexual_assault_victim
    intelligence_received released_under_investigation out_of_court_disposal conviction
    offender_disruption overdose self_harm suicidal_ideation suicide_attempt ae_attendance
    gp_attendance hospital_discharge mental_health_assessment drug_use_disclosed
    domestic_abuse physical_abuse neglect_indicator disclosure concern_raised bereavement
    referral_made referral_accepted referral_rejected allocation assessment_completed
    strategy_discussion s47_enquiry cin_plan_start cin_review cp_conference cp_plan_start
    cp_plan_end core_group became_looked_after placement_move lac_review care_proceedings
    court_order police_protection early_help_plan_start case_closed step_down
    step_up_requested step_up_refused threshold_discussion mash_discussion mace_discussion
    ce_screening nrm_referral nrm_decision school_start school_exclusion attendance_low
    attendance_summary not_in_education education_roll_change ehcp_issued ehcp_review
    alternative_provision_start home_visit no_access_visit appointment_missed
    appointment_cancelled_by_family appointment_cancelled disengagement
    voice_of_child_recorded direct_work information_shared change_of_residence
    parent_imprisoned parent_offending birth death police_investigation crime_recorded
    offender_arrested offender_charged offender_convicted multi_agency_meeting
    meeting_cancelled professional_consultation physical_restraint waiting_list
    practical_support education_ended ehcp_amended school_place_declined critical_moment
    other"""
)
ROLES = {"subject", "parent", "sibling", "perpetrator", "victim", "witness", "associate", "other"}
RELATIONSHIP_TYPES = {
    "parent",
    "child",
    "sibling",
    "half_sibling",
    "step_parent",
    "carer",
    "grandparent",
    "partner",
    "peer",
    "associate",
    "suspected_exploiter",
    "other",
}
ETHNICITIES = _words(
    """WBRI WIRI WOTH WIRT WROM MWBC MWBA MWAS MOTH AIND APKN ABAN AOTH BCRB BAFR BOTH CHNE OOTH
    REFU NOBT"""
)
SOURCE_AGENCY = {
    "csc": "childrens_social_care",
    "early_help": "early_help",
    "police": "police",
    "health_ae": "health_ae",
    "health_gp": "health_gp",
    "camhs": "camhs",
    "school_nursing": "school_nursing",
    "schools": "school",
    "youth_justice": "youth_justice",
    "child_exploitation_team": "child_exploitation_team",
}
# A person's first (clean) record is in the earliest of these feeds that holds them.
SOURCE_ORDER = [
    "health_gp",
    "schools",
    "health_ae",
    "csc",
    "early_help",
    "school_nursing",
    "camhs",
    "police",
    "youth_justice",
    "child_exploitation_team",
]
PERSON_KEYS = [
    "format",
    "kind",
    "source",
    "source_id",
    "agency",
    "given_names",
    "family_name",
    "other_names",
    "birth_date",
    "sex",
    "ethnicity",
    "identifiers",
    "addresses",
]
ENTRY_KEYS = [
    "format",
    "kind",
    "source",
    "source_id",
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
]
RELATIONSHIP_KEYS = [
    "format",
    "kind",
    "source",
    "source_id",
    "from",
    "to",
    "type",
    "from_date",
    "to_date",
]
INVOLVEMENT_KEYS = [
    "format",
    "kind",
    "source",
    "source_id",
    "person",
    "agency",
    "team",
    "practitioner",
    "is_lead",
    "from",
    "to",
]

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PARTIAL = re.compile(r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2})?)?)?$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$")
PNC = re.compile(r"^\d{2}/\d{6}[A-Z]$")
PHONE = re.compile(r"^01632 960\d{3}$")


def unflatten(row: dict[str, str]) -> dict[str, Any]:
    """A CSV row back into the nested line it stands for."""
    line: dict[str, Any] = {}
    for column, cell in row.items():
        value: object
        if column in LIST_FIELDS:
            value = json.loads(cell)
        elif column in BOOL_FIELDS:
            assert cell in ("true", "false"), (column, cell)
            value = cell == "true"
        else:
            value = cell if cell != "" else None
        if "." in column:
            outer, inner = column.split(".", 1)
            nested = line.setdefault(outer, {})
            assert isinstance(nested, dict)
            nested[inner] = value
        else:
            line[column] = value
    for outer in ("intelligence_grade", "location"):
        nested = line.get(outer)
        if isinstance(nested, dict) and all(v is None for v in nested.values()):
            line[outer] = None
    return line


def read_county(out: Path) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """(file name, line number, line) for every line of every feed."""
    for path in sorted(out.glob("*.jsonl")):
        with path.open("rb") as handle:
            for n, raw in enumerate(handle, 1):
                yield path.name, n, json.loads(raw)
    for path in sorted(out.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for n, row in enumerate(csv.DictReader(handle), 2):
                yield path.name, n, unflatten(row)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open("rb") as handle:
        return [json.loads(line) for line in handle]


def nhs_valid(number: str) -> bool:
    if len(number) != 10 or not number.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(number[9])


def upn_valid(value: str) -> bool:
    return stdnum_upn.is_valid(value)


def _partial_ok(value: object) -> bool:
    if not isinstance(value, str) or not PARTIAL.match(value):
        return False
    parts = value.split("T")[0].split("-")
    try:
        dt.date(
            int(parts[0]),
            int(parts[1]) if len(parts) > 1 else 1,
            int(parts[2]) if len(parts) > 2 else 1,
        )
    except ValueError:
        return False
    return True


def problems(line: dict[str, Any], reference: dt.date) -> list[str]:
    """Everything wrong with one line (an empty list for a good line)."""
    out: list[str] = []
    if line.get("format") != "sightline/1":
        out.append("format")
    kind = line.get("kind")
    source = line.get("source")
    if source not in SOURCE_AGENCY:
        return [*out, f"source {source!r}"]
    if not isinstance(line.get("source_id"), str) or not line["source_id"]:
        out.append("source_id")
    if kind == "person":
        if list(line) != PERSON_KEYS:
            out.append(f"person keys {list(line)}")
        if line["agency"] != SOURCE_AGENCY[source]:
            out.append("agency")
        out.extend(
            key
            for key in ("given_names", "family_name")
            if line[key] is not None and (not isinstance(line[key], str) or not line[key])
        )
        if not isinstance(line["other_names"], list):
            out.append("other_names")
        birth = line["birth_date"]
        if birth is not None and (not _partial_ok(birth) or "T" in str(birth)):
            out.append(f"birth_date {birth!r}")
        if line["sex"] not in ("male", "female", "unknown"):
            out.append("sex")
        if line["ethnicity"] not in ETHNICITIES:
            out.append("ethnicity")
        ids = line["identifiers"]
        if not isinstance(ids, dict) or set(ids) != {"nhs_number", "upn", "pnc_id", "local_id"}:
            out.append("identifiers")
        else:
            if ids["nhs_number"] is not None and not re.fullmatch(
                r"\d{10}", str(ids["nhs_number"])
            ):
                out.append("nhs_number")
            if ids["upn"] is not None and not upn_valid(str(ids["upn"])):
                out.append("upn")
            if ids["pnc_id"] is not None and not PNC.match(str(ids["pnc_id"])):
                out.append("pnc_id")
            if ids["local_id"] != line["source_id"]:
                out.append("local_id")
        addresses = line["addresses"]
        if not isinstance(addresses, list) or not addresses:
            out.append("addresses")
        else:
            for a in addresses:
                if set(a) != {"line", "postcode", "from", "to"} or not a["line"]:
                    out.append("address keys")
                    continue
                if a["postcode"] is not None:
                    normal = re.sub(r"[^A-Z0-9]", "", str(a["postcode"]).upper())
                    if not POSTCODE.match(normal[:-3] + " " + normal[-3:]):
                        out.append(f"postcode {a['postcode']!r}")
                if not DATE.match(str(a["from"])) or (
                    a["to"] is not None and not DATE.match(str(a["to"]))
                ):
                    out.append("address dates")
                elif a["to"] is not None and a["to"] < a["from"]:
                    out.append("address to < from")
    elif kind == "entry":
        if list(line) != ENTRY_KEYS:
            out.append(f"entry keys {list(line)}")
        if line["agency"] not in AGENCIES:
            out.append("agency")
        if line["type"] not in ENTRY_TYPES:
            out.append(f"type {line['type']!r}")
        occurred, precision = line["occurred_at"], line["precision"]
        if not _partial_ok(occurred):
            out.append(f"occurred_at {occurred!r}")
        implied = {1: "year", 2: "month", 3: "day"}[len(str(occurred).split("T")[0].split("-"))]
        allowed = {
            "year": {"year"},
            "month": {"month", "season", "year"},
            "day": {"day", "month", "season", "year"},
        }[implied]
        if precision not in allowed:
            out.append(f"precision {precision!r} for {occurred!r}")
        recorded = line["recorded_at"]
        if not isinstance(recorded, str) or not DATETIME.match(recorded):
            out.append("recorded_at format")
        elif recorded < str(occurred):
            out.append(f"recorded_at {recorded} before occurred_at {occurred}")
        elif recorded[:10] > reference.isoformat():
            out.append("recorded after the reference date")
        if line["ended_at"] is not None and (
            not DATETIME.match(str(line["ended_at"])) or str(line["ended_at"]) < str(occurred)
        ):
            out.append("ended_at")
        subjects = line["subjects"]
        if not isinstance(subjects, list) or not subjects:
            out.append("subjects")
        else:
            out.extend(
                f"subject {s!r}"
                for s in subjects
                if set(s) != {"source_id", "role"} or s["role"] not in ROLES
            )
        summary = line["summary"]
        if not isinstance(summary, str) or len(summary) < 10 or "{" in summary or "}" in summary:
            out.append(f"summary {summary!r}")
        if line["grade"] not in ("fact", "professional_opinion", "reported", "intelligence"):
            out.append("grade")
        if line["sensitivity"] not in (
            "standard",
            "health_confidential",
            "police_intelligence",
            "not_for_family_disclosure",
            "informant_protected",
        ):
            out.append("sensitivity")
        grade = line["intelligence_grade"]
        if line["grade"] == "intelligence":
            if (
                not isinstance(grade, dict)
                or grade.get("system") != "3x5x2"
                or grade.get("source") not in ("1", "2", "3")
                or grade.get("assessment") not in tuple("ABCDE")
                or grade.get("handling") not in ("P", "C")
            ):
                out.append(f"intelligence_grade {grade!r}")
        elif grade is not None:
            out.append("intelligence_grade without intelligence")
        location = line["location"]
        if location is not None and (
            not isinstance(location, dict) or set(location) != {"postcode", "label"}
        ):
            out.append("location")
    elif kind == "relationship":
        if list(line) != RELATIONSHIP_KEYS:
            out.append(f"relationship keys {list(line)}")
        if line["type"] not in RELATIONSHIP_TYPES:
            out.append("relationship type")
        out.extend(
            key
            for key in ("from_date", "to_date")
            if line[key] is not None and not DATE.match(str(line[key]))
        )
    elif kind == "involvement":
        if list(line) != INVOLVEMENT_KEYS:
            out.append(f"involvement keys {list(line)}")
        if line["agency"] != SOURCE_AGENCY[source]:
            out.append("agency")
        p = line["practitioner"]
        if not isinstance(p, dict) or set(p) != {"name", "role", "email", "phone"}:
            out.append("practitioner")
        else:
            if not str(p["email"]).endswith(".example.org") or "@" not in str(p["email"]):
                out.append("practitioner email")
            if not PHONE.match(str(p["phone"])):
                out.append("practitioner phone")
        if not isinstance(line["is_lead"], bool):
            out.append("is_lead")
        if not DATE.match(str(line["from"])) or (
            line["to"] is not None
            and (not DATE.match(str(line["to"])) or str(line["to"]) < str(line["from"]))
        ):
            out.append("involvement dates")
    else:
        out.append(f"kind {kind!r}")
    return out
