"""The JSON API (django-ninja); OpenAPI documentation at /api/docs. Apps add routers here."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, django_auth

from sightline.core.errors import AccessDenied, DomainError, NotFound, ValidationFailed


class ApiToken(HttpBearer):
    """`Authorization: Bearer slt_…`: a system integration's token (docs/api.md#tokens). The
    check is the governance app's, named by a setting: the api layer imports no app above it."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return import_string(settings.SIGHTLINE_API_TOKEN_AUTHENTICATE)(request, token)


api = NinjaAPI(
    title="Sightline API",
    version="1",
    description="Read and record a child's story across agencies. Every call is audited. Sign "
    "in on the website (a session), or send an API token an administrator made for your "
    "integration: `Authorization: Bearer slt_…`.",
    auth=[django_auth, ApiToken()],
    urls_namespace="api",
)
_log = logging.getLogger("django.request")


# Every answer, error or not, is JSON; an error is {"error": message} and, when parameters were
# wrong, "errors": {parameter: message}. No HTML page and no traceback reaches a caller.


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = 404 if isinstance(exc, NotFound) else 403 if isinstance(exc, AccessDenied) else 400
    body: dict[str, Any] = {"error": exc.message}
    if isinstance(exc, ValidationFailed):
        body["errors"] = exc.errors
    return api.create_response(request, body, status=status)


@api.exception_handler(ValidationError)
def invalid_parameters(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: dict[str, str] = {}
    for error in exc.errors:
        # ("query", "agency", 0) names the parameter "agency"; a body field "intelligence_grade.
        # source".
        location = [
            part
            for part in error.get("loc", ())
            if isinstance(part, str) and part not in ("query", "body", "path")
        ]
        errors.setdefault(".".join(location) or "request", str(error.get("msg", "Not valid")))
    body = {"error": "Check the request", "errors": errors}
    return api.create_response(request, body, status=400)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    # The same answer as the sign-in middleware's, whether a session or a token was missing.
    return api.create_response(request, {"error": "Sign in to use the API."}, status=401)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"error": str(exc)}, status=exc.status_code)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"error": "Not found"}, status=404)


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    _log.error("Internal Server Error: %s", request.path, exc_info=exc, extra={"request": request})
    body = {"error": "Sorry, there is a problem with the service. Try again later."}
    return api.create_response(request, body, status=500)


@api.get("/health", auth=None, summary="Liveness check")
def health(request: HttpRequest) -> dict[str, str]:
    return {"status": "ok"}


# Apps' routers, by import path (the api layer never imports the apps above it).
api.add_router("/people", "sightline.people.api.router")
api.add_router("/", "sightline.chronology.api.router")
api.add_router("/", "sightline.accounts.api.router")
api.add_router("/", "sightline.agencies.api.router")
api.add_router("/", "sightline.alerts.api.router")
api.add_router("/referrals", "sightline.referrals.api.router")
api.add_router("/", "sightline.cases.api.router")
api.add_router("/", "sightline.cases.lockdown_api.router")
api.add_router("/", "sightline.decisions.api.router")
api.add_router("/", "sightline.escalations.api.router")
