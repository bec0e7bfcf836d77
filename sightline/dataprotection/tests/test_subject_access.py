"""Subject access: the pack discloses the person's own records and nothing that the rules
withhold; the withheld log names each withheld or redacted item and its rule; the request is
audited, read in a system scope named for it, and signed off. Synthetic people only."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sightline.agencies.tests.factories import AgencyFactory, practitioner
from sightline.chronology.models import ChronologyEntry, EntrySubject
from sightline.chronology.tests.factories import entry_for, new_person
from sightline.core import clock
from sightline.core.errors import AccessDenied
from sightline.dataprotection import services, subject_access
from sightline.governance.models import AuditEvent, SubjectAccessRequest
from sightline.people.models import Identifier, Relationship

pytestmark = pytest.mark.django_db

S = ChronologyEntry.Sensitivity


@pytest.fixture
def officer():
    return practitioner("auditor", agency_kind="local_authority_education")


@pytest.fixture
def story():
    """A child with an entry of every kind the rules treat apart, and a third party."""
    police = AgencyFactory.create(kind="police", code="police", name="Test Constabulary")
    child = new_person(given_names="Amber", family_name="Testwood")
    adult = new_person(given_names="Rowan", family_name="Quillfeather")
    Identifier.objects.create(person=adult, scheme="pnc_id", value="26/123456X")
    plain = entry_for(
        child, summary="Amber seen at home; Rowan Quillfeather (26/123456X) was there."
    )
    EntrySubject.objects.create(
        entry=plain, person=adult, role=EntrySubject.Role.PERPETRATOR, occurred_at=plain.occurred_at
    )
    secret = entry_for(
        child, sensitivity=S.NOT_FOR_FAMILY_DISCLOSURE, summary="Live investigation X"
    )
    informant = entry_for(
        child, agency=police, sensitivity=S.INFORMANT_PROTECTED, summary="Informant Y"
    )
    code_c = entry_for(
        child,
        agency=police,
        police_intelligence=True,
        intelligence_grade={"system": "3x5x2", "source": "2", "assessment": "B", "handling": "C"},
        summary="Intelligence Z",
    )
    code_p = entry_for(child, agency=police, police_intelligence=True, summary="Intelligence P")
    health = entry_for(child, health=True)
    Relationship.objects.create(from_person=adult, to_person=child, type="parent")
    return {
        "child": child,
        "adult": adult,
        "plain": plain,
        "withheld": [secret, informant, code_c],
        "disclosed": [plain, code_p, health],
    }


def _open(officer, child, ref="SAR-1"):
    return services.subject_access_open(
        actor=officer,
        person_reference=child.reference,
        reference=ref,
        requested_on=clock.today(),
        received_on=clock.today(),
    )


def test_pack_withholds_and_redacts_by_rule(officer, story):
    sar = _open(officer, story["child"])
    pack = services.subject_access_export(actor=officer, sar=sar)
    disclosed = json.loads(bytes(SubjectAccessRequest.objects.get(pk=sar.pk).pack_json))
    text = json.dumps(disclosed)
    for entry in story["withheld"]:
        assert entry.summary not in text
    assert "Intelligence P" in text
    assert "laceration" in text
    assert "Quillfeather" not in text
    assert "Rowan" not in text
    assert "26/123456X" not in text
    assert "Amber" in text  # the requester's own name stays
    assert disclosed["entries"][0]["others_named"] == ["[third party: alleged perpetrator]"]
    assert disclosed["relationships"][0]["other_person"] == subject_access.THIRD_PARTY
    # The log: each withheld entry with its rule; the redaction; the checks.
    rules = {(line.item.split(" (")[0], line.action, line.rule) for line in pack.log}
    for entry, rule in zip(
        story["withheld"],
        (
            subject_access.RULE_NOT_FOR_FAMILY,
            subject_access.RULE_INFORMANT,
            subject_access.RULE_HANDLING_C,
        ),
        strict=True,
    ):
        assert (f"entry {entry.lineage}", "withheld", rule) in rules
    assert (f"entry {story['plain'].lineage}", "redacted", subject_access.RULE_THIRD_PARTY) in rules
    assert any(r[2] == subject_access.RULE_HEALTH for r in rules)
    assert any(r[2] == subject_access.RULE_POLICE for r in rules)
    # The log is not in the requester's files, and names no withheld content.
    log = bytes(SubjectAccessRequest.objects.get(pk=sar.pk).withheld_log).decode("utf-8-sig")
    assert "officer only" in log
    assert "Live investigation X" not in log
    assert "Informant Y" not in log
    assert "withheld" not in text.replace("withheld or redacted", "")


def test_export_reads_in_a_system_scope_named_for_the_request_and_is_audited(officer, story):
    sar = _open(officer, story["child"], ref="SAR-77")
    services.subject_access_export(actor=officer, sar=sar)
    scope_row = AuditEvent.objects.filter(action="system_access").latest("seq")
    assert scope_row.purpose == "subject access request SAR-77"
    assert scope_row.actor_name == "system:subject_access"
    actions = list(
        AuditEvent.objects.filter(person_id=story["child"].pk).values_list("action", flat=True)
    )
    assert "subject_access_opened" in actions
    assert "subject_access_exported" in actions


def test_deadline_is_one_calendar_month():
    assert services.one_calendar_month(dt.date(2025, 1, 31)) == dt.date(2025, 2, 28)
    assert services.one_calendar_month(dt.date(2024, 12, 15)) == dt.date(2025, 1, 15)
    assert services.one_calendar_month(dt.date(2024, 1, 31)) == dt.date(2024, 2, 29)


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31)))
def test_deadline_is_within_a_month_and_after_receipt(received: dt.date) -> None:
    due = services.one_calendar_month(received)
    assert received < due <= received + dt.timedelta(days=31)


def test_sign_off_needs_an_export_and_then_freezes_the_pack(officer, story):
    sar = _open(officer, story["child"])
    with pytest.raises(services.SubjectAccessError):
        services.subject_access_sign_off(actor=officer, sar=sar)
    services.subject_access_export(actor=officer, sar=sar)
    services.subject_access_sign_off(actor=officer, sar=sar)
    sar.refresh_from_db()
    assert sar.status == SubjectAccessRequest.Status.SIGNED_OFF
    assert sar.signed_off_by == officer
    with pytest.raises(services.SubjectAccessError):
        services.subject_access_export(actor=officer, sar=sar)


def test_only_the_officer_role_handles_requests(story):
    worker = practitioner("social_worker")
    with pytest.raises(AccessDenied):
        _open(worker, story["child"])


def test_cli_exports_three_files_and_signs_off(officer, story, tmp_path: Path):
    out = io.StringIO()
    call_command(
        "sar",
        "export",
        story["child"].reference,
        "--out",
        str(tmp_path),
        "--by",
        officer.username,
        "--request",
        "SAR-9",
        stdout=out,
    )
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "SAR-9-WITHHELD-LOG-officer-only.csv",
        "SAR-9-records.json",
        "SAR-9-records.pdf",
    ]
    assert (tmp_path / "SAR-9-records.pdf").read_bytes().startswith(b"%PDF")
    rows = list(csv.reader(io.StringIO((tmp_path / names[0]).read_text("utf-8-sig"))))
    assert ["Item", "Action", "Rule", "What", "Why"] in rows
    call_command("sar", "sign-off", "SAR-9", "--by", officer.username, stdout=io.StringIO())
    assert SubjectAccessRequest.objects.get(reference="SAR-9").status == "signed_off"
    with pytest.raises(CommandError):
        call_command("sar", "sign-off", "SAR-9", "--by", officer.username, stdout=io.StringIO())


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([s.value for s in S]),
            st.sampled_from([None, "P", "C"]),
            st.booleans(),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_no_withheld_entry_or_third_party_ever_reaches_the_requester(officer, entries) -> None:
    child = new_person(given_names="Skye", family_name="Morrowfen")
    other = new_person(given_names="Tamsin", family_name="Okonkwo-Vale")
    expected_withheld = set()
    for n, (sensitivity, handling, with_other) in enumerate(entries):
        grade = (
            {"system": "3x5x2", "source": "1", "assessment": "A", "handling": handling}
            if handling
            else None
        )
        e = entry_for(
            child,
            sensitivity=sensitivity,
            intelligence_grade=grade,
            summary=f"Note {n} marker{n} about Tamsin Okonkwo-Vale",
        )
        if with_other:
            EntrySubject.objects.create(
                entry=e, person=other, role="witness", occurred_at=e.occurred_at
            )
        if sensitivity in (S.NOT_FOR_FAMILY_DISCLOSURE, S.INFORMANT_PROTECTED) or handling == "C":
            expected_withheld.add(f"marker{n} ")
    scope = services.access.system_scope(
        actor=subject_access.READER, purpose="subject access request T"
    )
    pack = subject_access.pack_build(scope=scope, person=child, reference="T")
    text = subject_access.pack_json(pack).decode()
    # A name is known to be another person's when the records link them (a co-subject); then
    # it is cut from every text. A name in free text alone is for the officer's reading.
    if any(with_other for _, _, with_other in entries):
        assert "Tamsin" not in text
        assert "Okonkwo" not in text
    for marker in expected_withheld:
        assert marker not in text
    assert len(pack.entries) + sum(line.action == "withheld" for line in pack.log) == len(entries)


def test_the_commands_are_listed_by_sightline_help() -> None:
    from django.core.management import get_commands

    from sightline.cli import COMMANDS, _usage

    for name in ("sar", "retention"):
        assert name in COMMANDS
        assert get_commands()[COMMANDS[name][0]] == "sightline.dataprotection"
        assert f"  {name}" in _usage()
