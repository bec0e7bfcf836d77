"""Every URL that names a child, walked as a signed-in practitioner with no relationship to
that child (the anonymous walk is test_urls_require_sign_in.py): pages answer "not found" (or,
for identity pages the role may not use, "not allowed"), the API its JSON error, exactly as for
a child that does not exist, and no response carries anything of the child's.

The one deliberate exception is the lock-down view (docs/access.md): its pages and endpoints
tell a practitioner with `view_lockdown` that the child is known and whom to contact (so the
child's name), and nothing else; they are walked apart, below."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
import pytest
from django.test import Client
from django.utils import timezone

from sightline.accounts.services import notification_send
from sightline.agencies.models import Agency
from sightline.agencies.tests.factories import AgencyFactory, practitioner
from sightline.alerts.models import Alert
from sightline.cases.closures import ClosureFields, closure_propose
from sightline.cases.models import Involvement
from sightline.chronology.models import ChronologyEntry
from sightline.core.actors import IMPORTER, LINKER
from sightline.decisions.services import StepFields, step_request_make
from sightline.escalations.services import RaiseFields, escalation_raise
from sightline.identity.merging import MergeEvidence, person_merge
from sightline.identity.models import CandidateLink, PersonMerge
from sightline.people.models import Person
from sightline.records.ingest.pipeline import ImportOptions, import_file
from sightline.records.models import SourceRecord
from sightline.records.services import source_system_register
from sightline.records.tests.lines import entry, person
from sightline.referrals.services import ReferralFields, referral_ask, referral_make
from tests.architecture.test_urls_require_sign_in import ROUTES

pytestmark = pytest.mark.django_db

SECRET = "Disclosed that an older male collects him from the park after school."
NHS = "9434765919"
_PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
CHILD_ROUTES = [(route, name) for route, name in ROUTES if _PARAM.search(route)]
# The method each API endpoint answers (ninja's answer to another method does not reach the
# endpoint, so names no child). Pages are walked with GET and POST.
API_METHODS = {
    "api:story": "get",
    "api:record_entry": "post",
    "api:sharing_decisions": "get",
    "api:record_sharing_decision": "post",
    "api:child_alerts": "get",
    "api:alert_detail": "get",
    "api:acknowledge": "post",
    "api:action": "post",
    "api:dismiss": "post",
    "api:notification_read": "post",
    "api:referrals_detail": "get",
    "api:referrals_acknowledge": "post",
    "api:referrals_triage": "post",
    "api:referrals_decide": "post",
    "api:referrals_allocate": "post",
    "api:referrals_assessment": "post",
    "api:referrals_ask": "post",
    "api:referrals_answer": "post",
    "api:referrals_reconsider": "post",
    "api:disagreements_of_child": "get",
    "api:disagreements_raise": "post",
    "api:disagreement": "get",
    "api:disagreement_respond": "post",
    "api:disagreement_escalate": "post",
    "api:disagreement_resolve": "post",
    "api:disagreement_withdraw": "post",
    "api:step_requests_of_child": "get",
    "api:step_requests_make": "post",
    "api:step_request": "get",
    "api:step_request_view": "post",
    "api:step_request_decide": "post",
    "api:step_request_withdraw": "post",
    "api:closures_of_child": "get",
    "api:closures_propose": "post",
    "api:closure": "get",
    "api:closure_respond": "post",
    "api:closure_withdraw": "post",
    "api:lockdown": "get",
    "api:break_glass": "post",
    "api:break_glass_end": "post",
}
# The lock-down view and break-glass: what they may show is tested apart (see the module's
# docstring); the stranger's role (a school DSL) has the lock-down view but not break-glass.
LOCKDOWN_NAMES = {"cases:lockdown", "cases:break_glass", "api:lockdown", "api:break_glass"}
# A body each endpoint accepts, so the walk reaches the endpoint rather than its validation.
API_BODIES: dict[str, dict[str, Any]] = {
    "api:record_entry": {"type": "home_visit", "occurred_at": "2026-01-05", "summary": "Visit."},
    "api:record_sharing_decision": {"outcome": "shared", "what": "x", "recipient_agency": 1},
    "api:referrals_acknowledge": {},
    "api:referrals_triage": {"rag": "green"},
    "api:referrals_decide": {"decision": "early_help", "reasons": ["other"], "text": "x"},
    "api:referrals_allocate": {"worker_id": 1},
    "api:referrals_assessment": {"summary": "Done."},
    "api:referrals_ask": {"question": "Who is this?"},
    "api:referrals_answer": {"answer": "Nobody."},
    "api:referrals_reconsider": {"reason": "Reconsider."},
    "api:disagreements_raise": {"subject": "other", "disagreement": "x", "outcome_sought": "y"},
    "api:disagreement_respond": {"stage": 1, "response": "x"},
    "api:disagreement_escalate": {"stage": 1, "reason": "x"},
    "api:disagreement_resolve": {"stage": 1, "outcome": "agreed", "text": "x"},
    "api:disagreement_withdraw": {"stage": 1, "reason": "x"},
    "api:step_requests_make": {"from_level": "targeted", "to_level": "specialist", "reason": "x"},
    "api:step_request_view": {"view": "supports"},
    "api:step_request_decide": {"decision": "refused", "reason": "x", "participants": "y"},
    "api:step_request_withdraw": {"reason": "x"},
    "api:closures_propose": {"reason": "work_complete", "reason_text": "x"},
    "api:closure_respond": {"kind": "objection", "reason": "x"},
    "api:closure_withdraw": {"reason": "x"},
    "api:break_glass": {"reason": "immediate_risk", "reason_text": "Found at night."},
}
ALL_CALLS = [
    (route, name, method)
    for route, name in CHILD_ROUTES
    for method in ([API_METHODS.get(name, "?")] if route.startswith("api/") else ["get", "post"])
]
CALLS = [call for call in ALL_CALLS if call[1] not in LOCKDOWN_NAMES]
LOCKDOWN_CALLS = [call for call in ALL_CALLS if call[1] in LOCKDOWN_NAMES]
NOWHERE = {"reference": "SLT0000000", "int": "987654321"}


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Any]:
    """A child known to the police: two records of them (one merged into the other), an entry,
    and a pair of records waiting for review."""
    source_system_register(actor=IMPORTER, code="police", name="Police", agency_kind="police")
    lines = [
        person("P-1", "police", given_names="Jordan", family_name="Ellis"),
        person(
            "P-2",
            "police",
            given_names="Jordan",
            family_name="Elis",
            **{"identifiers.nhs_number": None},
        ),
        person(
            "P-3",
            "police",
            given_names="Jordon",
            family_name="Ellis",
            **{"identifiers.nhs_number": None},
        ),
        entry("E-1", "police", "P-1", summary=SECRET),
    ]
    path = tmp_path / "police.jsonl"
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    assert import_file(path, actor=IMPORTER, options=ImportOptions()).status == "imported"
    records = {r.source_id: r for r in SourceRecord.objects.filter(kind="person")}
    child, merged = (Person.objects.get(pk=records[key].person_id or 0) for key in ("P-1", "P-2"))
    merge = person_merge(
        actor=LINKER, survivor=child, merged=merged, evidence=MergeEvidence("confirmed")
    )
    now = timezone.now()
    first, second = sorted([records["P-1"].pk, records["P-3"].pk])
    candidate = CandidateLink.objects.create(
        record_a_id=first, record_b_id=second, match_weight=5.5, created_at=now, updated_at=now
    )
    # An alert about the child, resting on the entry (and saying what it says).
    alert = Alert.objects.create(
        person=child, rule="missing-escalating", rule_version=1, title="Missing episodes",
        severity="high", prompt="Hold a strategy discussion.", first_held_on=now.date(),
        parts=[{"text": SECRET, "evidence": [str(ChronologyEntry.objects.get().pk)],
                "certainty": "definite", "negative": False}],
        explanation=SECRET, evidence=[str(ChronologyEntry.objects.get().pk)], fingerprint="x",
        raised_at=now, updated_at=now,
    )  # fmt: skip
    # Someone else's notification about the child: its id is no way in for the stranger.
    mash = practitioner("mash_manager", agency=AgencyFactory.create(code="mash", kind="mash"))
    notification = notification_send(
        recipient=mash,
        key=f"referral:1:decision-due:{mash.pk}",
        subject="Jordan Ellis: a referral waits for your decision",
        body=SECRET,
        url=f"/children/{child.reference}/",
    )
    # A referral of the child, with a question about it: their numbers are no way in either.
    referral = referral_make(
        actor=mash,
        person=child,
        fields=ReferralFields(
            service="mash",
            concerns=SECRET,
            family_knows="Not told: the police asked us not to.",
            consent="not_asked",
            consent_note="The police asked us not to tell the family.",
            risk="significant_harm",
        ),
    )
    question = referral_ask(actor=mash, referral_id=referral.pk, question=SECRET)
    # A disagreement, a step request and a closure proposal about the child: no way in either.
    police = Agency.objects.get(kind="police")
    escalation = escalation_raise(
        actor=mash,
        person=child,
        fields=RaiseFields("other", None, "A decision", police.pk, SECRET, "Reconsider."),
    )
    step = step_request_make(
        actor=mash,
        person=child,
        fields=StepFields("targeted", "specialist", police.pk, SECRET, SECRET),
    )
    Involvement.objects.create(person=child, agency=mash.membership.agency, started_on=now.date())
    closure = closure_propose(
        actor=mash,
        person=child,
        fields=ClosureFields("work_complete", SECRET, SECRET, "universal"),
    )
    stranger = practitioner("school_dsl", agency=AgencyFactory.create(code="sch", kind="school"))
    # Their own name is on every page they see: one that cannot be taken for the child's.
    stranger.first_name, stranger.last_name = "Avery", "Quinlan"
    stranger.save(update_fields=["first_name", "last_name"])
    return {
        "child": child,
        "merged": merged,
        "entry": ChronologyEntry.objects.get(source_record__isnull=False),
        "merge": merge,
        "candidate": candidate,
        "alert": alert,
        "notification": notification,
        "referral": referral,
        "question": question,
        "escalation": escalation,
        "step": step,
        "closure": closure,
        "stranger": stranger,
    }


def _fill(route: str, values: dict[str, str]) -> str:
    return "/" + _PARAM.sub(lambda m: values[m["name"]], route)


def _values(world: dict[str, Any], reference: str) -> dict[str, str]:
    entry_id = str(world["entry"].pk)
    return {
        "reference": reference,
        "entry_id": entry_id,
        "lineage": entry_id,
        "merge_id": str(world["merge"].pk),
        "candidate_id": str(world["candidate"].pk),
        "alert_id": str(world["alert"].pk),
        "notification_id": str(world["notification"].pk),
        "referral_id": str(world["referral"].pk),
        "question_id": str(world["question"].pk),
        "escalation_id": str(world["escalation"].pk),
        "request_id": str(world["step"].pk),
        "closure_id": str(world["closure"].pk),
        "access_id": NOWHERE["int"],  # no break-glass access exists to end
        "sar_id": NOWHERE["int"],  # subject access: the officer's pages, refused by role
        # Administration: the administrator's pages, refused by role; a made-up password link.
        "user_id": str(world["stranger"].pk),
        "grant_id": NOWHERE["int"],
        "token_id": NOWHERE["int"],
        "uidb64": "MQ",
        "token": "made-up",
        "kind": "pdf",
    }


def _nowhere(route: str) -> str:
    return "/" + _PARAM.sub(
        lambda m: NOWHERE["reference"] if m["name"] == "reference" else NOWHERE["int"], route
    )


def _call(client: Client, method: str, path: str, name: str = "") -> Any:
    if path.startswith("/api/") and method == "post":
        body = API_BODIES.get(name, API_BODIES["api:record_entry"])
        return client.post(path, orjson.dumps(body), content_type="application/json")
    if method == "post":
        return client.post(path, {"type": "home_visit", "summary": "Visit.", "reason": "x"})
    return client.get(path)


def test_the_walk_covers_every_child_url() -> None:
    api = {name for route, name in CHILD_ROUTES if route.startswith("api/")}
    assert api == set(API_METHODS), "name the method of each API endpoint in API_METHODS"
    names = {name for _, name in CHILD_ROUTES}
    assert {
        "chronology:child",
        "chronology:export_pdf",
        "chronology:entry_history",
        "api:story",
        "api:record_entry",
        "identity:person",
        "identity:split",
        "alerts:alert",
        "alerts:child",
        "api:child_alerts",
    } <= names


@pytest.mark.parametrize(
    ("route", "name", "method"), CALLS, ids=[f"{m}-{n or r}" for r, n, m in CALLS]
)
@pytest.mark.parametrize("which", ["child", "merged"])
def test_an_unrelated_practitioner_gets_nothing_of_the_child(
    world: dict[str, Any], route: str, name: str, method: str, which: str
) -> None:
    client = Client()
    client.force_login(world["stranger"])
    entries_before = ChronologyEntry.objects.count()
    path = _fill(route, _values(world, world[which].reference))
    response = _call(client, method, path, name)
    nowhere = _call(client, method, _nowhere(route), name)
    body = response.content.decode("utf-8", "replace")

    assert response.status_code == nowhere.status_code, f"{method.upper()} {path}"
    if path.startswith("/api/"):
        assert response.status_code == 404, f"{method.upper()} {path}"
        assert response["Content-Type"].startswith("application/json")
        assert response.json() == nowhere.json()
    elif name.startswith(("identity:", "audit:", "dataprotection:", "administration:")):
        # Pages of a capability the role lacks (identity review, the audit log): not allowed.
        assert response.status_code in (403, 404, 405), f"{method.upper()} {path}"
    else:
        assert response.status_code in (404, 405), f"{method.upper()} {path}"
    for leak in (SECRET, "Jordan", "Ellis", NHS, "943 476 5919"):
        assert leak not in body, f"{method.upper()} {path} shows {leak!r}"
    assert ChronologyEntry.objects.count() == entries_before
    assert not PersonMerge.objects.filter(pk=world["merge"].pk, split_at__isnull=False).exists()


def test_the_walk_is_of_a_child_the_mash_does_see(world: dict[str, Any]) -> None:
    """The walk proves something only if the same URLs show the child to someone entitled."""
    mash = practitioner("mash_manager", agency=AgencyFactory.create(code="mash", kind="mash"))
    client = Client()
    client.force_login(mash)
    page = client.get(f"/children/{world['child'].reference}/")
    assert page.status_code == 200
    assert SECRET in page.content.decode()
    story = client.get(f"/api/children/{world['child'].reference}/story").json()
    workflow = {
        "referral_made",
        "professional_disagreement",
        "step_up_requested",
        "closure_proposed",
    }
    assert [e["summary"] for e in story["entries"] if e["type"] not in workflow] == [SECRET]


# What the lock-down routes answer the stranger (a school DSL: the lock-down view, no
# break-glass): (status, shows the child's name).
LOCKDOWN_ANSWERS = {
    ("cases:lockdown", "get"): (200, True),
    ("cases:lockdown", "post"): (405, False),
    ("cases:break_glass", "get"): (403, False),
    ("cases:break_glass", "post"): (403, False),
    ("api:lockdown", "get"): (200, True),
    ("api:break_glass", "post"): (403, False),
}


@pytest.mark.parametrize(
    ("route", "name", "method"),
    LOCKDOWN_CALLS,
    ids=[f"{m}-{n or r}" for r, n, m in LOCKDOWN_CALLS],
)
@pytest.mark.parametrize("which", ["child", "merged"])
def test_the_lockdown_view_shows_whom_to_contact_and_nothing_else(
    world: dict[str, Any], route: str, name: str, method: str, which: str
) -> None:
    assert {(n, m) for _, n, m in LOCKDOWN_CALLS} == set(LOCKDOWN_ANSWERS)
    client = Client()
    client.force_login(world["stranger"])
    path = _fill(route, _values(world, world[which].reference))
    response = _call(client, method, path, name)
    body = response.content.decode("utf-8", "replace")
    status, named = LOCKDOWN_ANSWERS[(name, method)]
    assert response.status_code == status, f"{method.upper()} {path}"
    assert ("Jordan" in body) is named
    for leak in (SECRET, NHS, "943 476 5919"):
        assert leak not in body, f"{method.upper()} {path} shows {leak!r}"
    # A reference that names nobody is "not found", as everywhere.
    assert _call(client, method, _nowhere(route), name).status_code in (404, 405)
