"""Error pages (including the refused-form page for CSRF failures) and the home redirect."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from sightline.core.extensions import landing_for

_TITLES = {
    400: ("There is a problem", "The request could not be completed."),
    403: (
        "You do not have permission to see this page",
        "Speak to your manager if you need access.",
    ),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    500: (
        "Sorry, there is a problem with the service",
        "Try again later. Nothing you entered has been lost or half-saved.",
    ),
}


def render_error(request: HttpRequest, status: int, *, message: str | None = None) -> HttpResponse:
    title, default = _TITLES[status]
    return render(
        request, "ui/error.html", {"title": title, "message": message or default}, status=status
    )


def home(request: HttpRequest) -> HttpResponse:
    """The page an app registered for this viewer (core.extensions.register_landing), or Find a
    child."""
    return HttpResponseRedirect(landing_for(request.user) or reverse("people:search"))


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return render_error(request, 400)


def forbidden(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return render_error(request, 403)


def not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return render_error(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render_error(request, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form was sent without a valid security token, most often because the
    page was open for a long time, the person signed out or in another tab, or the browser
    blocks cookies. Said plainly, with a link back to the page the form was on; Django's own
    reason is for the log (django.security.csrf), not the page."""
    back = request.headers.get("Referer", "")
    if not back or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("ui:home")
    return render(request, "ui/csrf_failure.html", {"back_url": back}, status=403)
