"""Find a child.

The form posts (so no child's name ever appears in a URL, a server log or the browser history),
the search is kept in the session, and the browser is redirected to the results (post, redirect,
get), so "Back" from a child's page returns to the results without resubmitting a form."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sightline.governance import access
from sightline.governance.policy import Capability
from sightline.people.forms import DATE_PARTS, PersonSearchForm, date_field
from sightline.people.presenters import present_match
from sightline.people.selectors import person_search_for

_SESSION_KEY = "sl_person_search"
_FIELDS = ("name", "identifier", *(date_field(p) for p in DATE_PARTS))


@never_cache
@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = PersonSearchForm(request.POST)
        if form.is_valid():
            request.session[_SESSION_KEY] = {f: str(request.POST.get(f, "")) for f in _FIELDS}
            return HttpResponseRedirect(f"{reverse('people:search')}?results", status=303)
        return _page(request, form)
    if "results" in request.GET and (stored := request.session.get(_SESSION_KEY)):
        form = PersonSearchForm(stored)
        if form.is_valid():
            return _page(request, form, searched=True)
    if "new" in request.GET:
        request.session.pop(_SESSION_KEY, None)
    return _page(request, PersonSearchForm())


def _page(request: HttpRequest, form: PersonSearchForm, *, searched: bool = False) -> HttpResponse:
    scope = access.scope_for(request.user)
    context: dict[str, Any] = {
        "form": form,
        "page_has_errors": bool(form.errors),
        "active_nav": "search",
        "searched": searched,
        "date_parts": DATE_PARTS,
        "can_view_children": scope.can(Capability.VIEW_ALL_CHILDREN)
        or scope.can(Capability.VIEW_GRANTED_CHILDREN),
        "sees_all_children": scope.can(Capability.VIEW_ALL_CHILDREN),
    }
    if searched:
        data = form.cleaned_data
        result = person_search_for(
            viewer=request.user,
            name=data["name"],
            birth_date=data["birth_date"],
            identifier=data["identifier"],
        )
        context["rows"] = [present_match(match) for match in result]
        context["locked_rows"] = [present_match(match) for match in result.locked]
        context["has_more"] = result.has_more
        context["lockdown_possible"] = result.lockdown_possible
    return render(request, "people/person_search.html", context)
