"""The API answers JSON, whatever answers: a 404 for a path no endpoint has, a 405 for a method
an endpoint does not take, a refused form token, a 500 that escaped every handler. django-ninja
turns the errors its endpoints raise into JSON (sightline.api.router); these come from Django
around it, as HTML pages meant for a browser."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

API_PREFIX = "/api/"
_MESSAGES = {
    400: "The request could not be read.",
    401: "Sign in to use the API.",
    403: "You do not have permission to do that.",
    404: "Not found.",
    405: "That method is not allowed here.",
    500: "Sorry, there is a problem with the service. Try again later.",
}


class ApiErrorsAsJsonMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path_info.startswith(API_PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            message = _MESSAGES.get(response.status_code, response.reason_phrase)
            response.content = json.dumps({"error": message}).encode()
            response["Content-Type"] = "application/json; charset=utf-8"
        return response
