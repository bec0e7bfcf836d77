"""Sign in, sign out, keep the session alive. (Being built; see the foundation issue.)"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def sign_in(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def sign_out(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def keep_alive(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError
