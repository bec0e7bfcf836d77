"""A form refused for want of a valid CSRF token (the page was open too long, the person signed
out in another tab) gets a GOV.UK page in plain English, never Django's technical page."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

TITLE = "Your form could not be sent"


@pytest.fixture
def strict_client() -> Client:
    """A browser whose forms are checked for a CSRF token, as every real browser's are."""
    return Client(enforce_csrf_checks=True)


def _assert_styled_refusal(html: str) -> None:
    assert f"<title>{TITLE} \u2013 Sightline</title>" in html
    assert f'<h1 class="govuk-heading-l">{TITLE}</h1>' in html
    assert "govuk-template__body" in html
    assert "nothing you entered has been saved" in html
    # none of Django's technical CSRF page
    for technical in ("CSRF verification failed", "Reason given for failure", "Traceback", "DEBUG"):
        assert technical not in html


def test_signing_in_without_a_token_shows_the_styled_page(strict_client: Client) -> None:
    response = strict_client.post(
        reverse("accounts:sign_in"),
        {"email": "sam.patel@example.org", "password": "whatever it was"},
        HTTP_REFERER="http://testserver/sign-in?next=/children/",
    )
    assert response.status_code == 403
    html = response.content.decode()
    _assert_styled_refusal(html)
    assert '<a class="govuk-link" href="http://testserver/sign-in?next=/children/">' in html


def test_a_signed_in_practitioner_keeps_the_header_and_navigation(
    strict_client: Client, django_user_model
) -> None:
    user = django_user_model.objects.create_user(
        username="sam.patel@example.org",
        email="sam.patel@example.org",
        password="correct horse battery staple",
        first_name="Sam",
        last_name="Patel",
    )
    # A social worker (looked up, not imported: ui sits below agencies in the layers).
    agency = apps.get_model("agencies", "Agency").objects.create(
        code="csc", name="Children's social care", kind="childrens_social_care"
    )
    apps.get_model("agencies", "Membership").objects.create(
        user=user, agency=agency, role="social_worker"
    )
    strict_client.force_login(user)
    response = strict_client.post(reverse("accounts:sign_out"))
    assert response.status_code == 403
    html = response.content.decode()
    _assert_styled_refusal(html)
    assert "Sign out" in html
    assert "Find a child" in html
    # no usable page to go back to: the link goes home
    assert f'<a class="govuk-link" href="{reverse("ui:home")}">' in html
    # and the practitioner is still signed in: nothing was done
    assert "_auth_user_id" in strict_client.session


def test_the_link_back_never_leaves_sightline(strict_client: Client, settings) -> None:
    settings.DEBUG = True  # even with DEBUG on, no technical page
    response = strict_client.post(
        reverse("accounts:sign_in"), {}, HTTP_REFERER="https://elsewhere.example/phish"
    )
    assert response.status_code == 403
    html = response.content.decode()
    _assert_styled_refusal(html)
    assert "elsewhere.example" not in html
    assert f'<a class="govuk-link" href="{reverse("ui:home")}">' in html


def test_a_form_with_its_token_is_not_refused(strict_client: Client) -> None:
    page = strict_client.get(reverse("accounts:sign_in"))
    token = page.cookies["csrftoken"].value
    response = strict_client.post(
        reverse("accounts:sign_in"),
        {"email": "", "password": "", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 200
    assert TITLE not in response.content.decode()
