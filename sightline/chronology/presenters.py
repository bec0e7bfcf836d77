"""Display-ready views of the child's story: dates at their real precision, grades, sources,
restriction notices. Receives already-fetched, already access-checked objects; makes no
queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sightline.chronology.vocabulary import entry_types, themes
from sightline.core.dates import LONDON, MONTHS, Precision, age_text, format_partial
from sightline.governance.vocabulary import sensitivities

GRADE_LABELS = {
    "fact": "Fact",
    "professional_opinion": "Professional opinion",
    "reported": "Reported (hearsay)",
    "intelligence": "Intelligence",
}
# GOV.UK tag colours: the words carry the meaning, the colour only helps scanning.
GRADE_TAG_CLASSES = {
    "fact": "govuk-tag--green",
    "professional_opinion": "govuk-tag--blue",
    "reported": "govuk-tag--yellow",
    "intelligence": "govuk-tag--purple",
}
VOICE_OF_CHILD = "voice_of_child_recorded"


def long_date(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        value = value.astimezone(LONDON) if value.tzinfo else value
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def long_datetime(value: dt.datetime) -> str:
    local = value.astimezone(LONDON)
    return f"{long_date(local)}, {local:%H:%M}"


def short_name(user: Any) -> str:
    """ "A. Smith" for a user; the username when no name was given."""
    if user is None:
        return ""
    first = (getattr(user, "first_name", "") or "").strip()
    last = (getattr(user, "last_name", "") or "").strip()
    if first and last:
        return f"{first[0]}. {last}"
    return last or first or str(getattr(user, "username", ""))


def type_label(code: str) -> str:
    spec = entry_types().get(code)
    return spec.label if spec else code.replace("_", " ").capitalize()


def theme_label(code: str) -> str:
    spec = entry_types().get(code)
    return themes().get(spec.theme, "") if spec else ""


def sensitivity_label(code: str) -> str:
    spec = sensitivities().get(code)
    return str(spec["label"]) if spec else code.replace("_", " ").capitalize()


def format_intelligence_grade(value: Any) -> str:
    """A police grade exactly as given: 3x5x2 as "2B P"; 5x5x5 as "5x5x5 B2 3"; text as is.

    Accepts the exchange format's object ({"system", "source", "assessment", "handling"}) and
    older shapes (an "intelligence" key for 5x5x5, or a plain string)."""
    if not value:
        return ""
    if isinstance(value, str):
        return value.strip()
    if not isinstance(value, Mapping):
        return str(value)
    system = str(value.get("system") or value.get("scheme") or "3x5x2")
    source = str(value.get("source") or "").strip()
    assessment = str(value.get("assessment") or value.get("intelligence") or "").strip()
    handling = str(value.get("handling") or "").strip()
    if system == "5x5x5":
        text = f"{source}{assessment}"
        return f"5x5x5 {text} {handling}".strip()
    text = f"{source}{assessment}"
    return f"{text} {handling}".strip()


def grade_text(grade: str, intelligence_grade: Any) -> str:
    label = GRADE_LABELS.get(grade, grade.replace("_", " ").capitalize())
    if grade == "intelligence":
        graded = format_intelligence_grade(intelligence_grade)
        return f"{label} {graded}".strip()
    return label


def grade_note(grade: str, intelligence_grade: Any) -> str:
    """What a one-line mention of an entry says of its grade: nothing for a fact; "reported
    (hearsay)", "professional opinion" or the intelligence grade otherwise, so hearsay is never
    read as fact wherever the entry appears."""
    if grade == "fact" or not grade:
        return ""
    text = grade_text(grade, intelligence_grade)
    return text[:1].lower() + text[1:]


def handling_conditions(intelligence_grade: Any) -> str:
    if isinstance(intelligence_grade, Mapping) and intelligence_grade.get("handling") == "C":
        return str(intelligence_grade.get("conditions") or "")
    return ""


def iso_for(value: dt.datetime, precision: str, has_time: bool) -> str:
    """A machine-readable date for <time datetime>, no more precise than what is known."""
    local = value.astimezone(LONDON)
    if precision == Precision.YEAR or precision == Precision.SEASON:
        return f"{local.year:04d}"
    if precision == Precision.MONTH:
        return f"{local.year:04d}-{local.month:02d}"
    if has_time:
        return local.strftime("%Y-%m-%dT%H:%M")
    return local.strftime("%Y-%m-%d")


def when_text(
    occurred_at: dt.datetime,
    precision: str,
    has_time: bool,
    ended_at: dt.datetime | None = None,
) -> str:
    text = format_partial(occurred_at, precision, with_time=has_time)
    if ended_at is not None and precision == Precision.DAY:
        end_local = ended_at.astimezone(LONDON)
        start_local = occurred_at.astimezone(LONDON)
        if end_local.date() == start_local.date() and has_time:
            text += f" to {end_local:%H:%M}"
        else:
            text += " to " + format_partial(ended_at, Precision.DAY, with_time=has_time)
    return text


def source_text(entry: Any) -> str:
    """Where an entry came from: "Imported from Police feed, recorded 4 August 2019" or
    "Recorded by A. Smith, Children's social care, 4 August 2019"."""
    recorded = long_date(entry.recorded_at)
    if entry.source_record_id:
        system = entry.source_record.source_system
        return f"Imported from {system.name} feed, recorded {recorded}"
    if entry.author_id:
        return f"Recorded by {short_name(entry.author)}, {entry.agency.name}, {recorded}"
    return f"Recorded by {entry.agency.name}, {recorded}"


def recorded_by_text(entry: Any) -> str:
    """Who put this version in the story: "A. Smith, Children's social care" or "the Police
    feed"."""
    if entry.source_record_id:
        return f"the {entry.source_record.source_system.name} feed"
    if entry.author_id:
        return f"{short_name(entry.author)}, {entry.agency.name}"
    return str(entry.agency.name)


def restricted_text(agency: Any) -> str:
    """Whom to ask about an entry the viewer is not cleared to read; nothing about the entry."""
    contact = ", ".join(c for c in (agency.phone, agency.email) if c)
    who = f"{agency.name} ({contact})" if contact else agency.name
    return (
        "Restricted: you are not cleared to read this entry. "
        f"Contact {who} if you need this information."
    )


@dataclass(frozen=True)
class EntryView:
    id: int
    lineage: int
    version: int
    when: str
    when_iso: str
    agency_name: str
    type_code: str
    type_label: str
    theme_label: str
    is_significant: bool
    is_corrected: bool
    is_later_corrected: bool
    is_voice_of_child: bool
    is_imported: bool
    can_correct: bool
    role_label: str
    # The viewer's agency recorded it: theirs to decide whether to share (governance.sharing).
    can_share: bool = False
    summary: str = ""
    detail: str = ""
    grade: str = ""
    grade_text: str = ""
    grade_tag_class: str = ""
    handling_conditions: str = ""
    sensitivity_text: str = ""
    sensitivity_warning: str = ""
    location: str = ""
    source: str = ""
    correction_reason: str = ""
    recorded_at: str = ""
    recorded_by: str = ""
    is_entered_in_error: bool = False
    is_readable: Literal[True] = True

    @property
    def title(self) -> str:
        return self.type_label


@dataclass(frozen=True)
class RestrictedView:
    """An entry the viewer is not cleared to read, as every page and file shows it: the period,
    the agency and whom to ask (selectors.RestrictedRow holds nothing more)."""

    when: str
    when_iso: str
    agency_name: str
    restricted: str
    is_readable: Literal[False] = False
    title: str = "Restricted entry"


StoryItem = EntryView | RestrictedView


def present_restricted(row: Any) -> RestrictedView:
    """A `selectors.RestrictedRow` for the page, the exports and the API."""
    return RestrictedView(
        when=format_partial(row.period_start, row.precision),
        when_iso=iso_for(row.period_start, row.precision, False),
        agency_name=row.agency.name,
        restricted=restricted_text(row.agency),
    )


def present_entry(
    entry: Any,
    *,
    viewer_agency_id: int | None = None,
    role: str = "subject",
    role_labels: Mapping[str, str] | None = None,
) -> EntryView:
    """One entry of the story that the viewer may read (a `selectors.StoryRow`'s entry)."""
    spec = entry_types().get(entry.type)
    vocabulary_significant = bool(spec and spec.significant)
    is_imported = bool(entry.source_record_id)
    in_error = bool(getattr(entry, "entered_in_error", False))
    sensitivity = entry.sensitivity
    spec_sens = sensitivities().get(sensitivity, {})
    location = ", ".join(v for v in (entry.location_label, entry.location_postcode) if v)
    return EntryView(
        id=entry.pk,
        lineage=entry.lineage or entry.pk,
        version=entry.version,
        when=when_text(entry.occurred_at, entry.precision, entry.has_time, entry.ended_at),
        when_iso=iso_for(entry.occurred_at, entry.precision, entry.has_time),
        agency_name=entry.agency.name,
        type_code=entry.type,
        type_label=type_label(entry.type),
        theme_label=theme_label(entry.type),
        # An entry withdrawn as entered in error is no longer highlighted.
        is_significant=(vocabulary_significant or entry.is_significant) and not in_error,
        is_corrected=entry.version > 1,
        is_later_corrected=entry.superseded_at is not None,
        is_voice_of_child=entry.type == VOICE_OF_CHILD,
        is_imported=is_imported,
        can_correct=(
            not is_imported
            and not in_error
            and entry.superseded_at is None
            and viewer_agency_id is not None
            and entry.agency_id == viewer_agency_id
        ),
        can_share=(
            not in_error
            and entry.superseded_at is None
            and viewer_agency_id is not None
            and entry.agency_id == viewer_agency_id
        ),
        role_label=""
        if role == "subject"
        else (role_labels or {}).get(role, role.replace("_", " ")),
        summary=entry.summary,
        detail=entry.detail,
        grade=entry.grade,
        grade_text=grade_text(entry.grade, entry.intelligence_grade),
        grade_tag_class=GRADE_TAG_CLASSES.get(entry.grade, "govuk-tag--grey"),
        handling_conditions=handling_conditions(entry.intelligence_grade),
        sensitivity_text="" if sensitivity == "standard" else sensitivity_label(sensitivity),
        sensitivity_warning=str(spec_sens.get("warning", "")),
        location=location,
        source=source_text(entry),
        correction_reason=entry.correction_reason,
        recorded_at=long_datetime(entry.recorded_at),
        recorded_by=recorded_by_text(entry),
        is_entered_in_error=in_error,
    )


def present_row(
    row: Any,
    *,
    viewer_agency_id: int | None = None,
    role_labels: Mapping[str, str] | None = None,
) -> StoryItem:
    """A story row (selectors.StoryRow or RestrictedRow) as shown everywhere."""
    if not row.readable:
        return present_restricted(row)
    return present_entry(
        row.entry, viewer_agency_id=viewer_agency_id, role=row.role, role_labels=role_labels
    )


# --- the identity bar ---------------------------------------------------------------------


@dataclass(frozen=True)
class IdentifierView:
    label: str
    value: str
    issuer: str
    is_valid: bool
    invalid_reason: str


@dataclass(frozen=True)
class IdentityView:
    reference: str
    name: str
    birth_date: str
    age: str
    sex: str
    identifiers: list[IdentifierView]
    address: str
    address_since: str
    other_names: list[str]
    # How the agencies' records differ from what is shown (people.selectors.RecordedIdentity).
    recorded: Any = None


IDENTIFIER_ORDER = {"nhs_number": 0, "upn": 1, "pnc_id": 2, "local_id": 3}


def issuer_label(code: str, names: Mapping[str, str] | None = None) -> str:
    """The agency that issued a reference, never the feed's code: its name when known, else
    the code in words ("child_exploitation_team": "Child exploitation team")."""
    if names and code in names:
        return names[code]
    return code.replace("_", " ").replace("-", " ").strip().capitalize()


def present_identity(
    person: Any,
    *,
    identifiers: list[Any],
    address: Any | None,
    other_names: list[str],
    today: dt.date,
    recorded: Any = None,
    issuer_names: Mapping[str, str] | None = None,
) -> IdentityView:
    ids = sorted(
        identifiers,
        key=lambda i: (not i.is_valid, IDENTIFIER_ORDER.get(i.scheme, 9), i.issuer, i.value),
    )
    return IdentityView(
        reference=person.reference,
        name=person.full_name,
        birth_date=format_partial(person.birth_date, person.birth_date_precision)
        if person.birth_date
        else "Not known",
        age=age_text(person.birth_date, person.birth_date_precision, today),
        sex=person.get_sex_display(),
        identifiers=[
            IdentifierView(
                label=i.get_scheme_display(),
                value=i.value,
                issuer=issuer_label(i.issuer, issuer_names) if i.issuer else "",
                is_valid=i.is_valid,
                invalid_reason=i.invalid_reason,
            )
            for i in ids
        ],
        address=", ".join(v for v in (address.line, address.postcode) if v) if address else "",
        address_since=long_date(address.from_on) if address and address.from_on else "",
        other_names=other_names,
        recorded=recorded,
    )
