"""Session time-out and the sign-in requirement.

- SessionTimeoutMiddleware ends a session after SESSION_IDLE_SECONDS without a request (the page
  warns first, session-timeout.js) and leaves a flag so the sign-in page can say why.
- SignInRequiredMiddleware sends anonymous users to the sign-in page from every page except the
  few that must be public (PUBLIC_URL_NAMES, static files, the API health check). API endpoints
  and the keep-alive answer 401 instead of a redirect, so scripts see a clear refusal.
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
    {"accounts:sign_in", "accounts:sign_out", "accounts:signed_out", "api:health"}
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
