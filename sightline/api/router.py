"""The JSON API (django-ninja); OpenAPI documentation at /api/docs. Apps add routers here."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import django_auth

from sightline.core.errors import AccessDenied, DomainError, NotFound, ValidationFailed

api = NinjaAPI(
    title="Sightline API",
    version="1",
    description="Read and record a child's story across agencies. Every call is audited.",
    auth=django_auth,
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = 404 if isinstance(exc, NotFound) else 403 if isinstance(exc, AccessDenied) else 400
    body: dict[str, Any] = {"error": exc.message}
    if isinstance(exc, ValidationFailed):
        body["errors"] = exc.errors
    return api.create_response(request, body, status=status)


@api.get("/health", auth=None, summary="Liveness check")
def health(request: HttpRequest) -> dict[str, str]:
    return {"status": "ok"}


# Apps' routers, by import path (the api layer never imports the apps above it).
api.add_router("/people", "sightline.people.api.router")
api.add_router("/", "sightline.chronology.api.router")
