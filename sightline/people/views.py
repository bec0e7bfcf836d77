"""Find a child. (Being built; see the foundation issue.)"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def search(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError
