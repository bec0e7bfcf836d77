"""Session time-out and the sign-in requirement.

- SessionTimeoutMiddleware ends a session after SESSION_IDLE_SECONDS without a request (the page
  warns first, session-timeout.js) and leaves a flag so the sign-in page can say why.
- SignInRequiredMiddleware sends anonymous users to the sign-in page from every page except the
  few that must be public (PUBLIC_URL_NAMES, static files, the API health check). API endpoints
  and the keep-alive answer 401 instead of a redirect, so scripts see a clear refusal.
- TwoFactorRequiredMiddleware, when OTP_REQUIRED is on, keeps a user whose roles see case data
  and whose session was not signed in with a code to setting up two-factor sign-in (or, if they
  have it, sends them to sign in again with a code): nothing else answers them.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url
from django.urls import Resolver404, resolve
from django.utils.http import urlencode

from sightline.accounts.signals import signed_out

LAST_SEEN_KEY = "sl_last_seen"
TIMED_OUT_KEY = "sl_timed_out"
# The browser's timer redirects to sign-in?timed_out=1 at the idle limit; allow it a minute of
# clock difference so the message it shows is true.
_BROWSER_GRACE_SECONDS = 60

# Pages anyone may open. Everything else requires sign-in (tests/architecture).
PUBLIC_URL_NAMES = frozenset(
    {
        "accounts:sign_in",
        "accounts:two_factor",  # the code after the password: the session is not signed in yet
        "accounts:sign_out",
        "accounts:signed_out",
        "accounts:set_password",  # a new user's one-time link (the link is the credential)
        "api:health",
    }
)
# Answer anonymous requests with 401 rather than a redirect to the sign-in page.
UNAUTHORISED_URL_NAMES = frozenset({"accounts:keep_alive"})


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_SEEN_KEY)
            limit = int(settings.SESSION_IDLE_SECONDS)
            if request.GET.get("timed_out"):
                limit = max(0, limit - _BROWSER_GRACE_SECONDS)
            if last is not None and now - int(last) > limit:
                signed_out.send(
                    sender=SessionTimeoutMiddleware,
                    request=request,
                    user=request.user,
                    reason="timed_out",
                )
                logout(request)
                request.session[TIMED_OUT_KEY] = True
            else:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


def _url_name(request: HttpRequest) -> str | None:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    return match.view_name


def _bearer(request: HttpRequest) -> bool:
    return request.headers.get("Authorization", "").startswith("Bearer ")


class SignInRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated or request.path_info.startswith(settings.STATIC_URL):
            return self.get_response(request)
        name = _url_name(request)
        if name in PUBLIC_URL_NAMES:
            return self.get_response(request)
        if name in UNAUTHORISED_URL_NAMES or request.path_info.startswith("/api/"):
            if name in {"api:openapi-view"}:
                return self._to_sign_in(request)
            if (
                request.path_info.startswith("/api/")
                and name not in (None, "api:openapi-json")
                and _bearer(request)
            ):
                # An integration's token: the API checks it (every endpoint requires one).
                return self.get_response(request)
            return JsonResponse({"error": "Sign in to use the API."}, status=401)
        return self._to_sign_in(request)

    def _to_sign_in(self, request: HttpRequest) -> HttpResponse:
        target = resolve_url(settings.LOGIN_URL)
        next_path = request.get_full_path() if request.method == "GET" else request.path
        if next_path and next_path != "/":
            target = f"{target}?{urlencode({'next': next_path})}"
        if request.headers.get("HX-Request"):
            return HttpResponse(status=204, headers={"HX-Redirect": target})
        return HttpResponseRedirect(target)


# What a signed-in user who must still set up two-factor sign-in may reach.
TWO_FACTOR_SETUP_URL_NAMES = frozenset(
    {
        "accounts:two_factor_setup",
        "accounts:backup_codes",
        "accounts:sign_out",
        "accounts:signed_out",
        "accounts:keep_alive",
        "accounts:sign_in",
        "accounts:two_factor",
    }
)


class TwoFactorRequiredMiddleware:
    """After django_otp's OTPMiddleware (which tells whether this session was verified with a
    code, `request.user.is_verified()`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from sightline.accounts import twofactor

        user = request.user
        if (
            not getattr(settings, "OTP_REQUIRED", False)
            or not user.is_authenticated
            or request.path_info.startswith(settings.STATIC_URL)
            or user.is_verified()  # type: ignore[attr-defined]
            or not twofactor.two_factor_required(user)
        ):
            return self.get_response(request)
        name = _url_name(request)
        if name in TWO_FACTOR_SETUP_URL_NAMES:
            return self.get_response(request)
        if twofactor.has_two_factor(user):
            # A session signed in without the code it now needs (two-factor was set up on
            # another browser since): sign in again, with the code.
            signed_out.send(
                sender=TwoFactorRequiredMiddleware, request=request, user=user, reason="code_needed"
            )
            logout(request)
            target = resolve_url(settings.LOGIN_URL)
        else:
            target = resolve_url("accounts:two_factor_setup")
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {"error": "Two-factor sign-in is required: sign in with a code on the website."},
                status=403,
            )
        if request.headers.get("HX-Request"):
            return HttpResponse(status=204, headers={"HX-Redirect": target})
        return HttpResponseRedirect(target)
