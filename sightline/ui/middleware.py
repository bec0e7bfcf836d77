"""Turns domain refusals raised in views into GOV.UK-style pages; no traceback reaches a user."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from sightline.core.errors import AccessDenied, DomainError, NotFound
from sightline.core.requests import client_address, current_client_address, current_request_path
from sightline.ui import views


class ClientAddressMiddleware:
    """Makes the caller's address (and the path asked for) known to the audit log for the
    length of the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_client_address.set(client_address(request))
        path_token = current_request_path.set(request.path[:200])
        try:
            return self.get_response(request)
        finally:
            current_request_path.reset(path_token)
            current_client_address.reset(token)


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            return views.render_error(request, 404, message=exception.message)
        if isinstance(exception, AccessDenied):
            return views.render_error(request, 403, message=exception.message)
        if isinstance(exception, DomainError):
            return views.render_error(request, 400, message=exception.message)
        return None


class NoStoreMiddleware:
    """Every response to a signed-in user may hold case data (a child's page, a form filled in
    with an entry, an export, an API answer): `Cache-Control: no-store`, so neither the browser
    nor a proxy keeps a copy after sign-out (the back button shows nothing from the cache)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response
