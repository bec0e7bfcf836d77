"""A person's own records for a subject access request (UK GDPR Article 15): gathered in a
system scope opened for the request, redacted by the rules below, and written as a PDF and a
JSON file for the requester and a withheld log for the officer (never for the requester).

What is withheld or redacted, and why (each rule is named in the withheld log):

- an entry `not_for_family_disclosure` (a live investigation): withheld whole;
- an entry `informant_protected`: withheld whole (it would identify an informant);
- an entry whose intelligence grade has handling code C: withheld whole (its sharing has
  conditions the force sets);
- other people: each other subject of an entry is shown by role only ("[third party: alleged
  perpetrator]"), the other person in a relationship likewise, and their names and identifiers
  are cut from every text (summaries, details, concerns);
- health-confidential entries and police intelligence are disclosed, and listed in the log to
  check with a health professional or the force before release (the serious-harm test).

docs/information-governance.md, Subject access."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, SimpleDocTemplate, Table

from sightline.agencies.models import Agency, Team
from sightline.cases.models import Involvement
from sightline.chronology.export import (
    MARKING,
    _cell,
    _grid_style,
    _numbered_canvas,
    _p,
    _pieces,
    _styles,
)
from sightline.chronology.models import ChronologyEntry, EntrySubject
from sightline.chronology.vocabulary import entry_types
from sightline.core.actors import SystemActor
from sightline.governance import access
from sightline.people.models import Address, Identifier, Person, PersonName, Relationship
from sightline.referrals.models import Referral

FORMAT = "sightline-subject-access/1"
# The system actor that reads for a request: its scope's purpose names the request.
READER = SystemActor("subject_access")

RULE_NOT_FOR_FAMILY = "not_for_family_disclosure"
RULE_INFORMANT = "informant_protected"
RULE_HANDLING_C = "handling_code_c"
RULE_THIRD_PARTY = "third_party"
RULE_HEALTH = "health_professional_check"
RULE_POLICE = "police_disclosure_check"

RULES: dict[str, str] = {
    RULE_NOT_FOR_FAMILY: "Marked not for disclosure to the family (for example a live "
    "investigation): withheld (DPA 2018 Schedule 2 paragraph 2, crime).",
    RULE_INFORMANT: "Would identify an informant: withheld (DPA 2018 Schedule 2 paragraphs 2 "
    "and 16).",
    RULE_HANDLING_C: "Police intelligence with handling code C (conditions on its sharing): "
    "withheld (DPA 2018 Schedule 2 paragraph 2).",
    RULE_THIRD_PARTY: "Another person's information: their name and identifiers redacted (DPA "
    "2018 Schedule 2 paragraph 16, other individuals).",
    RULE_HEALTH: "Health information: disclosed here; check with the appropriate health "
    "professional before release (DPA 2018 Schedule 3 paragraphs 5 and 6, serious harm).",
    RULE_POLICE: "Police intelligence: disclosed here; check with the force's disclosure "
    "officer before release (DPA 2018 Schedule 2 paragraph 2).",
}
WITHHELD, REDACTED, CHECK = "withheld", "redacted", "check"
THIRD_PARTY = "[redacted: third party]"
STATEMENT = (
    "These are the records Sightline holds about you. Some information may have been withheld "
    "or redacted where the law allows it, for example to protect other people or the "
    "prevention or detection of crime. You may complain to the Information Commissioner's "
    "Office if you are unhappy with this response."
)


@dataclass(frozen=True)
class LogLine:
    """One item withheld, redacted or to check: for the officer only."""

    item: str  # "entry 412 (version 2)", "relationship 9"
    action: str  # withheld, redacted, check
    rule: str
    what: str  # what it is, enough for the officer to find it, never its content


@dataclass
class Pack:
    """What the requester receives (everything but `log`), and the officer's log."""

    reference: str
    person: dict[str, Any]
    entries: list[dict[str, Any]] = field(default_factory=list)
    involvements: list[dict[str, Any]] = field(default_factory=list)
    referrals: list[dict[str, Any]] = field(default_factory=list)
    relationships: list[dict[str, Any]] = field(default_factory=list)
    log: list[LogLine] = field(default_factory=list)

    def disclosed(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "statement": STATEMENT,
            "person": self.person,
            "entries": self.entries,
            "involvements": self.involvements,
            "referrals": self.referrals,
            "relationships": self.relationships,
        }


# --- third parties ----------------------------------------------------------------------------


class Redactor:
    """Cuts other people's names and identifiers out of a text. A name the requester shares
    (a sibling's family name) is not cut: it is the requester's own too."""

    def __init__(
        self, own_words: Iterable[str], others: Iterable[tuple[str, str]], ids: Iterable[str]
    ):
        own = {w.casefold() for w in own_words if w}
        phrases: set[str] = set()
        for given, family in others:
            full = " ".join(f"{given} {family}".split())
            if full and full.casefold() not in own:
                phrases.add(full)
            phrases.update(
                w for w in f"{given} {family}".split() if len(w) > 1 and w.casefold() not in own
            )
        phrases.update(i for i in ids if len(i) > 2)
        # Longest first, so "Jo Bloggs" goes before "Jo".
        ordered = sorted(phrases, key=len, reverse=True)
        self._pattern = (
            re.compile("|".join(rf"(?<!\w){re.escape(p)}(?!\w)" for p in ordered), re.IGNORECASE)
            if ordered
            else None
        )

    def __call__(self, text: str) -> tuple[str, bool]:
        if not text or self._pattern is None:
            return text, False
        out, count = self._pattern.subn(THIRD_PARTY, text)
        return out, count > 0


def _names_of(person_ids: Iterable[int]) -> dict[int, set[tuple[str, str]]]:
    names: dict[int, set[tuple[str, str]]] = {}
    ids = list(person_ids)
    for pid, given, family in Person.objects.filter(pk__in=ids).values_list(
        "pk", "given_names", "family_name"
    ):
        names.setdefault(pid, set()).add((given, family))
    for pid, given, family in PersonName.objects.filter(person_id__in=ids).values_list(
        "person_id", "given_names", "family_name"
    ):
        names.setdefault(pid, set()).add((given, family))
    return names


# --- gathering ------------------------------------------------------------------------------


def _grade_text(entry: ChronologyEntry) -> str:
    grade = entry.get_grade_display()
    ig = entry.intelligence_grade
    if isinstance(ig, dict) and ig.get("system") == "3x5x2":
        grade += f" ({ig.get('source', '')}{ig.get('assessment', '')}{ig.get('handling', '')})"
    return grade


def _withheld_rule(entry: ChronologyEntry) -> str:
    if entry.sensitivity == ChronologyEntry.Sensitivity.NOT_FOR_FAMILY_DISCLOSURE:
        return RULE_NOT_FOR_FAMILY
    if entry.sensitivity == ChronologyEntry.Sensitivity.INFORMANT_PROTECTED:
        return RULE_INFORMANT
    ig = entry.intelligence_grade
    if isinstance(ig, dict) and ig.get("handling") == "C":
        return RULE_HANDLING_C
    return ""


def pack_build(*, scope: access.SystemScope, person: Person, reference: str) -> Pack:
    """Everything held about `person` (and anyone merged into them), redacted. Reads only with
    a system scope opened for this request."""
    access.require_system(scope)
    ids = [person.pk, *Person.objects.filter(merged_into=person).values_list("pk", flat=True)]
    agencies = dict(Agency.objects.values_list("pk", "name"))
    teams = dict(Team.objects.values_list("pk", "name"))
    types = entry_types()

    # Everyone else the records name: co-subjects of entries and related people.
    subjects = list(
        EntrySubject.objects.filter(
            entry__subjects__person_id__in=ids, entry__superseded_at__isnull=True
        )
        .exclude(person_id__in=ids)
        .values_list("entry_id", "person_id", "role")
        .distinct()
    )
    rels = list(
        Relationship.objects.filter(from_person_id__in=ids)
        | Relationship.objects.filter(to_person_id__in=ids)
    )
    other_ids = {pid for _, pid, _ in subjects} | {
        r.to_person_id if r.from_person_id in ids else r.from_person_id for r in rels
    }
    other_ids -= set(ids)
    own_names = _names_of(ids)
    other_names = _names_of(other_ids)
    own_words = {
        w
        for pairs in own_names.values()
        for g, f in pairs
        for w in [*f"{g} {f}".split(), f"{g} {f}"]
    }
    redact = Redactor(
        own_words,
        (pair for pairs in other_names.values() for pair in pairs),
        Identifier.objects.filter(person_id__in=other_ids).values_list("value", flat=True),
    )

    pack = Pack(reference=reference, person=_identity(person, ids, agencies))

    co_subjects: dict[int, list[str]] = {}
    roles = dict(EntrySubject.Role.choices)
    for entry_id, _pid, role in subjects:
        co_subjects.setdefault(entry_id, []).append(roles.get(role, role).lower())

    entries = (
        ChronologyEntry.objects.filter(subjects__person_id__in=ids, superseded_at__isnull=True)
        .distinct()
        .order_by("occurred_at", "id")
    )
    for entry in entries:
        item = f"entry {entry.lineage or entry.pk} (version {entry.version})"
        type_label = types[entry.type].label if entry.type in types else entry.type
        what = f"{type_label}, {agencies.get(entry.agency_id, '')}, {entry.occurred_at:%Y-%m-%d}"
        rule = _withheld_rule(entry)
        if rule:
            pack.log.append(LogLine(item, WITHHELD, rule, what))
            continue
        summary, cut_summary = redact(entry.summary)
        detail, cut_detail = redact(entry.detail)
        location, cut_location = redact(entry.location_label)
        others = [f"[third party: {r}]" for r in sorted(co_subjects.get(entry.pk, []))]
        if others or cut_summary or cut_detail or cut_location:
            pack.log.append(LogLine(item, REDACTED, RULE_THIRD_PARTY, what))
        if entry.sensitivity == ChronologyEntry.Sensitivity.HEALTH_CONFIDENTIAL:
            pack.log.append(LogLine(item, CHECK, RULE_HEALTH, what))
        elif entry.sensitivity == ChronologyEntry.Sensitivity.POLICE_INTELLIGENCE:
            pack.log.append(LogLine(item, CHECK, RULE_POLICE, what))
        pack.entries.append(
            {
                "entry": entry.lineage or entry.pk,
                "version": entry.version,
                "occurred": entry.occurred_at.date().isoformat(),
                "precision": entry.precision,
                "recorded": entry.recorded_at.date().isoformat(),
                "agency": agencies.get(entry.agency_id, ""),
                "type": type_label,
                "grade": _grade_text(entry),
                "summary": summary,
                "detail": detail,
                "location": location,
                "others_named": others,
                "entered_in_error": entry.entered_in_error,
            }
        )

    for inv in Involvement.objects.filter(person_id__in=ids).order_by("started_on", "id"):
        pack.involvements.append(
            {
                "agency": agencies.get(inv.agency_id, ""),
                "team": teams.get(inv.team_id, "") if inv.team_id else "",
                "practitioner": inv.practitioner_name,
                "practitioner_role": inv.practitioner_role,
                "lead": inv.is_lead,
                "started": inv.started_on.isoformat() if inv.started_on else None,
                "ended": inv.ended_on.isoformat() if inv.ended_on else None,
            }
        )

    for ref in Referral.objects.filter(person_id__in=ids).order_by("received_at", "id"):
        texts = {}
        cut = False
        for name in ("concerns", "family_knows", "child_words", "decision_text"):
            texts[name], was_cut = redact(getattr(ref, name))
            cut = cut or was_cut
        if cut:
            pack.log.append(
                LogLine(
                    f"referral {ref.pk}",
                    REDACTED,
                    RULE_THIRD_PARTY,
                    f"{ref.get_kind_display()}, {ref.received_at:%Y-%m-%d}",
                )
            )
        pack.referrals.append(
            {
                "kind": ref.get_kind_display(),
                "received": ref.received_at.date().isoformat(),
                "service": ref.service,
                "from_agency": agencies.get(ref.referring_agency_id, "")
                if ref.referring_agency_id
                else "",
                "to_agency": agencies.get(ref.receiving_agency_id, ""),
                "status": ref.get_status_display(),
                "decision": ref.decision,
                **texts,
            }
        )

    rel_types = dict(Relationship.Type.choices)
    for rel in rels:
        pack.log.append(
            LogLine(
                f"relationship {rel.pk}",
                REDACTED,
                RULE_THIRD_PARTY,
                rel_types.get(rel.type, rel.type),
            )
        )
        pack.relationships.append(
            {
                "relationship": rel_types.get(rel.type, rel.type),
                "direction": "from you" if rel.from_person_id in ids else "to you",
                "other_person": THIRD_PARTY,
                "from": rel.from_on.isoformat() if rel.from_on else None,
                "to": rel.to_on.isoformat() if rel.to_on else None,
            }
        )
    return pack


def _identity(person: Person, ids: Sequence[int], agencies: dict[int, str]) -> dict[str, Any]:
    names = sorted(
        {
            " ".join(f"{g} {f}".split())
            for g, f in PersonName.objects.filter(person_id__in=ids).values_list(
                "given_names", "family_name"
            )
        }
        - {" ".join(f"{person.given_names} {person.family_name}".split())}
    )
    return {
        "sightline_reference": person.reference,
        "name": " ".join(f"{person.given_names} {person.family_name}".split()),
        "other_names": names,
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "birth_date_precision": person.birth_date_precision,
        "sex": person.get_sex_display(),
        "ethnicity": person.ethnicity,
        "identifiers": sorted(
            {
                (i.get_scheme_display(), i.value, i.issuer)
                for i in Identifier.objects.filter(person_id__in=ids)
            }
        ),
        "addresses": [
            {
                "address": a.line,
                "postcode": a.postcode,
                "from": a.from_on.isoformat() if a.from_on else None,
                "to": a.to_on.isoformat() if a.to_on else None,
            }
            for a in Address.objects.filter(person_id__in=ids).order_by("from_on", "id")
        ],
    }


# --- files ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Files:
    pdf: bytes
    json: bytes
    withheld_log: bytes

    def digests(self) -> dict[str, str]:
        return {
            name: hashlib.sha256(getattr(self, name)).hexdigest()
            for name in ("pdf", "json", "withheld_log")
        }


def pack_json(pack: Pack) -> bytes:
    data = pack.disclosed()
    data["person"] = {
        **data["person"],
        "identifiers": [
            {"scheme": s, "value": v, "issuer": i} for s, v, i in data["person"]["identifiers"]
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def withheld_csv(pack: Pack, *, produced_at: dt.datetime, produced_by: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(
        [
            [MARKING],
            ["Withheld log: for the officer only. Never give this file to the requester."],
            ["Request", _cell(pack.reference)],
            ["Sightline reference", pack.person["sightline_reference"]],
            ["Produced at", f"{produced_at:%-d %B %Y at %H:%M}"],
            ["Produced by", _cell(produced_by)],
            [],
            ["Item", "Action", "Rule", "What", "Why"],
        ]
    )
    for line in pack.log:
        writer.writerow(
            [_cell(v) for v in (line.item, line.action, line.rule, line.what, RULES[line.rule])]
        )
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def pack_pdf(pack: Pack, *, produced_at: dt.datetime) -> bytes:
    styles = _styles()
    buffer = io.BytesIO()
    person = pack.person
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=22 * mm,
        title=f"Your records: {person['name']}",
        subject=MARKING,
    )

    def table(rows: list[tuple[str, str]]) -> Table:
        t = Table(
            [[_p(k, styles["bold"]), _p(v, styles["base"])] for k, v in rows],
            colWidths=[50 * mm, 124 * mm],
            hAlign="LEFT",
        )
        t.setStyle(_grid_style())
        return t

    flow: list[Any] = [
        _p(f"Your records: {person['name']}", styles["title"]),
        _p(f"Subject access request {pack.reference}", styles["subtitle"]),
        _p(STATEMENT, styles["body"]),
        _p("About you", styles["h2"]),
        table(
            [
                ("Name", person["name"]),
                ("Other names", ", ".join(person["other_names"]) or "None recorded"),
                ("Date of birth", person["birth_date"] or "Not recorded"),
                ("Sex", person["sex"]),
                ("Sightline reference", person["sightline_reference"]),
                *[(s, f"{v}" + (f" ({i})" if i else "")) for s, v, i in person["identifiers"]],
                *[
                    (
                        "Address",
                        f"{a['address']} {a['postcode']}".strip()
                        + f" (from {a['from'] or '?'} to {a['to'] or 'now'})",
                    )
                    for a in person["addresses"]
                ],
            ]
        ),
    ]
    if pack.involvements:
        flow.append(_p("Services that have worked with you", styles["h2"]))
        flow.append(
            table(
                [
                    (
                        inv["agency"],
                        ", ".join(
                            x
                            for x in (
                                inv["team"],
                                inv["practitioner"],
                                inv["practitioner_role"],
                                f"from {inv['started'] or '?'} to {inv['ended'] or 'now'}",
                            )
                            if x
                        ),
                    )
                    for inv in pack.involvements
                ]
            )
        )
    if pack.referrals:
        flow.append(_p("Referrals about you", styles["h2"]))
        flow.extend(
            table(
                [
                    ("Received", ref["received"]),
                    ("Kind", ref["kind"]),
                    ("From", ref["from_agency"] or "Not recorded"),
                    ("To", ref["to_agency"]),
                    ("Status", ref["status"]),
                    ("Concerns", ref["concerns"]),
                ]
            )
            for ref in pack.referrals
        )
    if pack.relationships:
        flow.append(_p("Relationships recorded", styles["h2"]))
        flow.append(
            table(
                [
                    (r["relationship"], f"{r['other_person']} ({r['direction']})")
                    for r in pack.relationships
                ]
            )
        )
    flow.append(PageBreak())
    flow.append(_p("Your records, oldest first", styles["h2"]))
    if not pack.entries:
        flow.append(_p("No entries.", styles["body"]))
    for e in pack.entries:
        body = "\n".join(x for x in (e["summary"], e["detail"]) if x)
        extra = [f"{e['agency']}. {e['grade']}."]
        if e["others_named"]:
            extra.append("Also about: " + ", ".join(e["others_named"]) + ".")
        if e["entered_in_error"]:
            extra.append("This entry was recorded in error and withdrawn.")
        rows = [(f"{e['occurred']}: {e['type']}", piece) for piece in _pieces(body)]
        rows.append(("", " ".join(extra)))
        flow.append(table(rows))
    footer = f"{person['name']} ({person['sightline_reference']}) — subject access {pack.reference}"
    pages: list[int] = []
    doc.build(flow, canvasmaker=_numbered_canvas(footer, pages))
    return buffer.getvalue()


def files_build(pack: Pack, *, produced_at: dt.datetime, produced_by: str) -> Files:
    return Files(
        pdf=pack_pdf(pack, produced_at=produced_at),
        json=pack_json(pack),
        withheld_log=withheld_csv(pack, produced_at=produced_at, produced_by=produced_by),
    )


_FILE_NAMES = {
    "pdf": "{ref}-records.pdf",
    "json": "{ref}-records.json",
    # Named so that nobody attaches it to the reply by mistake.
    "withheld_log": "{ref}-WITHHELD-LOG-officer-only.csv",
}


def file_name(reference: str, kind: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in reference)
    return _FILE_NAMES[kind].format(ref=safe)


def log_as_dicts(pack: Pack) -> list[dict[str, str]]:
    return [asdict(line) for line in pack.log]
