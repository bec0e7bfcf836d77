"""The authorisation matrix: every page and API endpoint of the URL configuration, read (GET) by
every role, as a practitioner whose agency is involved with the child, one whose agency is not,
and one who has broken glass, against the expected outcome written in `RULES` below.

- Every URL name must have a rule: a new page or endpoint without an access decision fails
  `test_every_url_has_an_access_decision`.
- A rule says who may read the page, in terms of the role policy (governance/vocabulary/
  roles.yaml) and the viewer's relationship with the child, so a change to either changes the
  expected table with it; the test then proves the code agrees, role by role.
- Outcomes: `ok` (200, or a redirect elsewhere on the site), `no` (403 or 404: "not found" and
  "not allowed" look the same, docs/access.md), `-` (the path answers no GET: a write, walked
  by test_urls_unrelated_practitioner.py and each app's own tests).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from sightline.agencies.models import Role
from sightline.agencies.tests.factories import AgencyFactory, TeamFactory, practitioner
from sightline.governance import access, breakglass
from sightline.governance.models import AccessGrant
from sightline.governance.policy import capabilities_of
from tests.architecture import test_urls_unrelated_practitioner as walk
from tests.architecture.test_urls_require_sign_in import ROUTES

pytestmark = pytest.mark.django_db

world = walk.world  # the fixture: a child, their records, an alert, a referral, a disagreement…

# The agency kind each role works in, for the matrix's viewers.
ROLE_KINDS = {
    "social_worker": "childrens_social_care",
    "school_dsl": "school",
    "police_officer": "police",
    "health_nurse": "health_ae",
    "early_help_worker": "early_help",
    "youth_justice_worker": "youth_justice",
    "team_manager": "childrens_social_care",
    "head_of_service": "childrens_social_care",
    "mash_manager": "mash",
    "data_officer": "other",
    "analyst": "other",
    "sysadmin": "other",
    "auditor": "other",
}
SITUATIONS = ("involved", "not_involved", "break_glass")


class Viewer:
    """One cell's viewer: their capabilities and their relationship with the child."""

    def __init__(self, role: str, situation: str) -> None:
        self.role = role
        self.situation = situation
        self.caps = capabilities_of(role)

    def can(self, capability: str) -> bool:
        return capability in self.caps

    @property
    def sees_child(self) -> bool:
        if self.can("view_all_children"):
            return True
        if not self.can("view_granted_children"):
            return False
        return self.situation == "involved" or (
            self.situation == "break_glass" and self.can("break_glass")
        )


Rule = Callable[[Viewer], str]


def anyone(_: Viewer) -> str:
    return "ok"


def write(_: Viewer) -> str:
    return "-"


def cap(capability: str) -> Rule:
    return lambda v: "ok" if v.can(capability) else "no"


def administers(v: Viewer) -> str:
    return "ok" if v.can("administer") or v.can("administer_agency") else "no"


def child(v: Viewer) -> str:
    return "ok" if v.sees_child else "no"


def child_and(capability: str) -> Rule:
    return lambda v: "ok" if v.sees_child and v.can(capability) else "no"


def lockdown(v: Viewer) -> str:
    # A viewer who may see the child is sent on to the child's page (ok); one with the
    # lock-down view sees whom to contact (ok); nobody else learns the child exists.
    return "ok" if v.sees_child or v.can("view_lockdown") else "no"


def break_glass_form(v: Viewer) -> str:
    return "ok" if v.sees_child or v.can("break_glass") else "no"


def the_story_of(v: Viewer) -> str:
    # The story's pages and files, for a viewer who may see the child.
    return child(v)


def referral_sides(_: Viewer) -> str:
    # A referral is read by its two sides (the agency that made it and the one it went to):
    # the world's referral was made by the world's MASH to itself, and no viewer of the matrix
    # is of that agency, so no role reads it, not even another MASH (it sees the child).
    return "no"


def nobody(_: Viewer) -> str:
    return "no"


def case_roles(v: Viewer) -> str:
    # Lists of children's records (alerts): the roles that see children at all.
    return "ok" if v.can("view_granted_children") or v.can("view_all_children") else "no"


def lockdown_api(v: Viewer) -> str:
    # The API tells a viewer who may see the child to read the child's record instead.
    if v.sees_child:
        return "HTTP 400"
    return "ok" if v.can("view_lockdown") else "no"


RULES: dict[str, Rule] = {
    # Everyone signed in: their own account, work, notifications, search, the API's root.
    "ui:home": anyone,
    "api:api-root": nobody,  # the API has no page of its own: its documents are at /api/docs
    "accounts:account": anyone,
    "accounts:backup_codes": anyone,
    "accounts:two_factor_setup": anyone,
    "accounts:notifications": anyone,
    "agencies:my_work": anyone,
    "people:search": anyone,
    "api:openapi-view": anyone,
    "api:openapi-json": anyone,
    "api:health": anyone,
    "api:my_work": anyone,
    "api:notifications": anyone,
    "api:people_search": anyone,
    "alerts:inbox": case_roles,
    "api:inbox": case_roles,
    "referrals:mine": cap("make_referrals"),
    "api:referrals_mine": cap("make_referrals"),
    # Public pages (signing in and out): a signed-in visitor is sent on.
    "accounts:sign_in": anyone,
    "accounts:two_factor": anyone,
    "accounts:signed_out": anyone,
    # A manager's view of their teams' work.
    "agencies:team_work": cap("view_team_work"),
    "api:team_work": cap("view_team_work"),
    # The front door's queue.
    "referrals:front_door": cap("receive_referrals"),
    "api:referrals_front_door": cap("receive_referrals"),
    # The audit log and break-glass review: the auditor only.
    "audit:search": cap("audit_access"),
    "audit:flags": cap("audit_access"),
    "audit:child": cap("audit_access"),
    "audit:break_glass_uses": cap("audit_access"),
    # Administration: users, roles, leavers, manual grants, API tokens. The system
    # administrator only; the buttons are writes.
    # An agency's information governance lead (administer_agency) administers their own
    # agency: the walk's user is another agency's, not found for them.
    "administration:home": administers,
    "administration:users": administers,
    "administration:user": cap("administer"),
    "administration:user_new": administers,
    "administration:user_role": cap("administer"),
    "administration:user_leave": cap("administer"),
    "administration:user_action": write,
    "administration:grants": administers,
    "administration:grant_new": administers,
    "administration:grant_end": write,
    "administration:tokens": cap("administer"),
    "administration:token_new": cap("administer"),
    "administration:token_made": cap("administer"),
    "administration:token_revoke": write,
    # A new user's password link: the walk's is made up, so it works for nobody.
    "accounts:set_password": nobody,
    # Identity review: the data officer and the MASH.
    "identity:queue": cap("review_identity"),
    "identity:find": cap("review_identity"),
    "identity:pair": cap("review_identity"),
    "identity:person": cap("review_identity"),
    "identity:split": cap("review_identity"),
    # The disagreement report (the partnership's use of escalation, in aggregate).
    "escalations:report": cap("view_insight"),
    "api:disagreements_report": cap("view_insight"),
    # The child's page and story.
    "chronology:child": the_story_of,
    "chronology:export_csv": the_story_of,
    "chronology:export_pdf": the_story_of,
    "chronology:entry_history": the_story_of,
    "api:story": the_story_of,
    "api:sharing_decisions": the_story_of,
    "alerts:child": child,
    "api:child_alerts": child,
    "api:closures_of_child": child,
    "api:disagreements_of_child": child,
    "api:step_requests_of_child": child,
    # Forms about the child for the roles that may act.
    "chronology:entry_new": child_and("record_entries"),
    "chronology:sharing_new": child_and("record_entries"),
    "referrals:new": child_and("make_referrals"),
    "escalations:new": child,
    "decisions:new": child,
    "cases:closure_new": child,
    # The lock-down view and break-glass.
    "cases:lockdown": lockdown,
    "api:lockdown": lockdown_api,
    "cases:break_glass": break_glass_form,
    # Records about the child (an alert, a referral, a disagreement, a step request, a
    # closure): the child's viewers, within each record's own rules.
    "alerts:alert": child,
    "api:alert_detail": child,
    "referrals:detail": referral_sides,
    "api:referrals_detail": referral_sides,
    "escalations:detail": child,
    "api:disagreement": child,
    "decisions:request": child,
    "api:step_request": child,
    "cases:closure": child,
    "api:closure": child,
    # Subject access and retention: the officer who handles requests (the auditor).
    "dataprotection:list": cap("handle_subject_access"),
    "dataprotection:new": cap("handle_subject_access"),
    "dataprotection:retention": cap("handle_subject_access"),
    "dataprotection:request": cap("handle_subject_access"),
    # A request's files exist only once exported (walked by dataprotection's own tests): until
    # then, not found for everyone, the officer included.
    "dataprotection:file": nobody,
}
# Every path that answers no GET (writes), by name: walked by the write tests, not here.
WRITES = {
    "accounts:sign_out",
    "accounts:keep_alive",
    "accounts:sign_out_everywhere",
    "accounts:notification_read",
    "accounts:notifications_read_all",
    "accounts:notification_open",
    "alerts:acknowledge",
    "alerts:action",
    "alerts:dismiss",
    "api:acknowledge",
    "api:action",
    "api:dismiss",
    "api:break_glass",
    "api:break_glass_end",
    "api:closures_propose",
    "api:disagreements_raise",
    "api:record_entry",
    "api:record_sharing_decision",
    "api:step_requests_make",
    "api:closure_respond",
    "api:closure_withdraw",
    "api:disagreement_escalate",
    "api:disagreement_resolve",
    "api:disagreement_respond",
    "api:disagreement_withdraw",
    "api:notification_read",
    "api:notifications_read_all",
    "api:referrals_make",
    "api:referrals_acknowledge",
    "api:referrals_allocate",
    "api:referrals_assessment",
    "api:referrals_decide",
    "api:referrals_ask",
    "api:referrals_answer",
    "api:referrals_reconsider",
    "api:referrals_triage",
    "api:step_request_decide",
    "api:step_request_view",
    "api:step_request_withdraw",
    "audit:break_glass",
    "cases:break_glass_end",
    "cases:closure_respond",
    "cases:closure_withdraw",
    "chronology:entry_correct",
    "chronology:entry_entered_in_error",
    "escalations:escalate",
    "escalations:resolve",
    "escalations:respond",
    "escalations:withdraw",
    "referrals:acknowledge",
    "referrals:allocate",
    "referrals:ask",
    "referrals:assessment",
    "referrals:decide",
    "referrals:answer",
    "referrals:reconsider",
    "referrals:triage",
    "decisions:decide",
    "decisions:view",
    "decisions:withdraw",
}
for _name in WRITES:
    RULES.setdefault(_name, write)

# One GET per path (an API path may carry a GET and a POST under two names).
_GET_NAMES: dict[str, str] = {}
for _route, _name in ROUTES:
    if RULES.get(_name) is not write:
        _GET_NAMES.setdefault(_route, _name)
GETS = sorted((name, route) for route, name in _GET_NAMES.items())


def test_every_url_has_an_access_decision() -> None:
    names = {name for _, name in ROUTES}
    missing = sorted(names - set(RULES))
    assert not missing, (
        "Say who may reach each new page or endpoint in RULES (tests/access/"
        f"test_authorisation_matrix.py): {missing}"
    )
    assert not sorted(set(RULES) - names), "RULES names a URL that no longer exists"


# A query for the paths that need one.
QUERIES = {"people:search": "?q=Jordan+Ellis", "api:people_search": "?name=Jordan+Ellis"}


def _viewer(role: str, situation: str, child: Any) -> Any:
    agency = AgencyFactory.create(code=f"m-{role}", kind=ROLE_KINDS[role])
    team = TeamFactory.create(agency=agency) if role == "team_manager" else None
    user = practitioner(role, agency=agency, team=team)
    user.first_name, user.last_name = "Avery", "Quinlan"
    user.save(update_fields=["first_name", "last_name"])
    if situation == "involved":
        access.grant(person_id=child.pk, agency_id=agency.pk, basis=AccessGrant.Basis.INVOLVEMENT)
    elif situation == "break_glass" and "break_glass" in capabilities_of(role):
        breakglass.break_glass_open(
            actor=user,
            person_id=child.pk,
            reason="immediate_risk",
            reason_text="Found at night with an older man; no one at home answers.",
        )
    return user


def _subject_access_request(child: Any) -> Any:
    from sightline.dataprotection.services import subject_access_open

    officer = practitioner("auditor", agency=AgencyFactory.create(code="m-dpo", kind="other"))
    return subject_access_open(
        actor=officer,
        person_reference=child.reference,
        reference="SAR-2026-001",
        requested_on=dt.date(2026, 11, 2),
        received_on=dt.date(2026, 11, 3),
    )


def _outcome(response: Any) -> str:
    if response.status_code == 405:
        return "-"
    if response.status_code in (403, 404):
        return "no"
    if response.status_code in (200, 201) or response.status_code in (301, 302, 303):
        location = response.get("Location", "")
        return "no" if "/sign-in" in location else "ok"
    return f"HTTP {response.status_code}"


CELLS = [
    (role, situation)
    for role in ROLE_KINDS
    for situation in SITUATIONS
    if situation != "break_glass" or "break_glass" in capabilities_of(role)
]


def test_the_matrix_names_every_role() -> None:
    assert set(ROLE_KINDS) == set(Role.values)


@pytest.mark.parametrize(("role", "situation"), CELLS, ids=[f"{r}-{s}" for r, s in CELLS])
def test_each_role_reaches_what_the_matrix_says(
    world: dict[str, Any], role: str, situation: str
) -> None:
    user = _viewer(role, situation, world["child"])
    viewer = Viewer(role, situation)
    values = walk._values(world, world["child"].reference)
    values["sar_id"] = str(_subject_access_request(world["child"]).pk)
    client = Client()
    client.force_login(user)
    wrong = []
    for name, route in GETS:
        path = walk._fill(route, values) if walk._PARAM.search(route) else "/" + route
        got = _outcome(client.get(path + QUERIES.get(name, "")))
        want = RULES[name](viewer)
        if got != want:
            wrong.append(f"{name} ({path}): expected {want}, got {got}")
    assert not wrong, f"{role}, {situation}:\n" + "\n".join(wrong)
