"""The Content Security Policy (django-csp; docs/security.md): every page carries it; no page
has an inline script without the response's nonce, nor a style attribute; no template could
write one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from sightline.governance import access
from sightline.governance.models import AccessGrant
from tests.security.conftest import enrol, signed_up

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2] / "sightline"
_SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
_STYLE_ATTR = re.compile(r"<[a-zA-Z][^>]*\sstyle\s*=", re.IGNORECASE)
_STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)


def _directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def assert_strict(response, path: str) -> None:
    header = response.get("Content-Security-Policy", "")
    policy = _directives(header)
    assert policy.get("default-src") == ["'self'"], (path, header)
    assert policy.get("style-src") == ["'self'"], (path, header)
    assert policy.get("object-src") == ["'none'"], (path, header)
    assert policy.get("frame-ancestors") == ["'none'"], (path, header)
    script_src = policy.get("script-src", [])
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    # A nonce is in the header when the page used one (a redirect has no script).
    nonces = [s[len("'nonce-") : -1] for s in script_src if s.startswith("'nonce-")]
    assert len(nonces) <= 1, (path, header)
    body = response.content.decode()
    for attributes in _SCRIPT.findall(body):
        if "src=" in attributes or 'type="application/json"' in attributes:
            continue
        assert nonces, (path, "an inline script, and no nonce in the policy")
        assert f'nonce="{nonces[0]}"' in attributes, (path, attributes)
    assert not _STYLE_ATTR.search(body), (path, _STYLE_ATTR.search(body))
    assert not _STYLE_ELEMENT.search(body), path


@pytest.fixture
def child():
    from sightline.agencies.tests.factories import AgencyFactory
    from sightline.chronology.tests.factories import new_person

    person = new_person(given_names="Robin", family_name="Marsh")
    police = AgencyFactory.create(code="police", kind="police", name="Hallowford Police")
    access.grant(person_id=person.pk, agency_id=police.pk, basis=AccessGrant.Basis.HOLDS_RECORDS)
    return person


def test_pages_anyone_sees_carry_the_policy(db):
    client = Client()
    for path in ("/sign-in", "/signed-out", "/no-such-page"):
        assert_strict(client.get(path), path)
    assert "'nonce-" in Client().get("/sign-in")["Content-Security-Policy"]


def test_the_main_pages_carry_the_policy_and_no_inline_script_or_style(child):
    manager = signed_up("mash_manager", agency_kind="mash")
    client = Client()
    client.force_login(manager)
    paths = [
        "/children/",
        f"/children/?name={child.family_name}",
        f"/children/{child.reference}/",
        f"/children/{child.reference}/entries/new",
        f"/alerts/children/{child.reference}/",
        "/my-work/",
        "/my-work/team",
        "/alerts/",
        "/referrals/",
        "/referrals/front-door/",
        f"/referrals/new/{child.reference}/",
        "/identity/review/",
        f"/identity/people/{child.reference}/",
        "/notifications/",
        "/account/",
        "/account/two-factor",
        "/disagreements/report",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert_strict(response, path)


def test_the_auditors_pages_and_the_code_page_carry_the_policy(child):
    auditor = signed_up("auditor", agency_kind="other")
    client = Client()
    client.force_login(auditor)
    for path in ("/audit/", f"/audit/children/{child.reference}/", "/audit/flags/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_strict(response, path)
    enrol(auditor)
    signing_in = Client()
    signing_in.post("/sign-in", {"email": auditor.username, "password": "security-test-password-1"})
    response = signing_in.get("/sign-in/code")
    assert response.status_code == 200
    assert_strict(response, "/sign-in/code")


def test_no_template_has_a_style_attribute_or_an_inline_script():
    """What the pages above do not reach: every template in every app. The one inline script
    is GOV.UK's own template's (with the nonce), which is not ours."""
    found: list[str] = []
    for template in ROOT.glob("*/templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        name = template.relative_to(ROOT)
        found += [f"{name}: style attribute {m.group(0)!r}" for m in _STYLE_ATTR.finditer(text)]
        if _STYLE_ELEMENT.search(text):
            found.append(f"{name}: a <style> element")
        found += [f"{name}: inline <script{a}>" for a in _SCRIPT.findall(text) if "src=" not in a]
    assert not found, "\n".join(found)


def test_the_policy_is_sent_to_api_answers_too(db):
    response = Client().get("/api/health")
    assert "default-src 'self'" in response["Content-Security-Policy"]
