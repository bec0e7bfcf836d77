"""The administration pages (docs/administration.md): users, their roles and teams, leavers,
manual access grants and API tokens. For the `administer` capability (everything) and
`administer_agency` (an agency's information governance lead: their own agency's users and
grants; the API tokens are the administrator's only); 403 otherwise; never any case content. The services (governance.administration, governance.tokens) check the
capability again and audit every page and change."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sightline.accounts.models import ApiToken
from sightline.core.dateinput import read_date
from sightline.core.errors import ValidationFailed
from sightline.governance import access, administration, tokens
from sightline.governance.policy import Capability

STATES = {"active": "Current users", "left": "Users who have left", "all": "Everyone"}
GRANT_STATES = {"current": "Current and future", "ended": "Ended", "all": "All"}


def _require(request: HttpRequest) -> administration.AdminScope:
    return administration.admin_scope_for(request.user)


def _require_partnership(request: HttpRequest) -> None:
    access.require(request.user, Capability.ADMINISTER)


def _text(params: QueryDict, key: str, limit: int = 200) -> str:
    """A field as sent, trimmed and cut to a length; a NUL (which PostgreSQL's text refuses)
    makes it nothing. The services check what is left."""
    value = params.get(key, "")
    if not isinstance(value, str) or "\x00" in value:
        return ""
    return value.strip()[:limit]


def _int(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) < 10 else None


def _summary(errors: dict[str, str]) -> list[dict[str, str]]:
    # A date's message links to its first box, as GOV.UK's date input asks.
    boxes = {"ends_on": "ends_on-day", "user": "role"}  # a refusal of the user: at their role
    return [{"text": m, "href": f"#{boxes.get(f, f)}"} for f, m in errors.items()]


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    errors = extra.get("errors") or {}
    return {
        "active_nav": "administration",
        "admin_scope": administration.admin_scope_for(request.user),
        "error_list": _summary(errors),
        "page_has_errors": bool(errors),
        "flash": [
            {"text": str(m), "success": m.level == messages.SUCCESS}
            for m in messages.get_messages(request)
        ],
        **extra,
    }


def _choices(scope: administration.AdminScope) -> dict[str, Any]:
    agencies, teams = administration.agencies_and_teams(scope)
    return {
        "agencies": [(a.code, a.name) for a in agencies],
        "teams": [(str(t.pk), f"{t.name} ({t.agency.name})") for t in teams],
        "roles": scope.roles(),
    }


@never_cache
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    _require(request)
    return render(request, "governance/admin/home.html", _context(request))


# --- users ---------------------------------------------------------------------------------------


@never_cache
@require_GET
def users(request: HttpRequest) -> HttpResponse:
    scope = _require(request)
    query = _text(request.GET, "q", administration.QUERY_MAX)
    agency = _text(request.GET, "agency", 60)
    state = _text(request.GET, "state", 10)
    state = state if state in STATES else "active"
    page_number = _int(_text(request.GET, "page", 6)) or 1
    page = administration.users_for(
        viewer=request.user, query=query, agency=agency, state=state, page=page_number
    )

    def href(number: int) -> str:
        return "?" + urlencode({"q": query, "agency": agency, "state": state, "page": number})

    context = _context(
        request,
        page=page,
        query=query,
        agency=agency,
        state=state,
        states=list(STATES.items()),
        agencies=_choices(scope)["agencies"],
        previous_href=href(page.page - 1) if page.page > 1 else "",
        next_href=href(page.page + 1) if page.page < page.pages else "",
    )
    return render(request, "governance/admin/users.html", context)


@never_cache
@require_GET
def user(request: HttpRequest, user_id: int) -> HttpResponse:
    _require(request)
    detail = administration.user_get_for(viewer=request.user, user_id=user_id)
    return render(
        request,
        "governance/admin/user.html",
        _context(request, detail=detail, me=detail.user.pk == request.user.pk),
    )


_NEW_FIELDS = ("email", "given_name", "family_name", "job_title", "phone", "agency", "role", "team")


@never_cache
@require_http_methods(["GET", "POST"])
def user_new(request: HttpRequest) -> HttpResponse:
    scope = _require(request)
    values: dict[str, Any] = dict.fromkeys(_NEW_FIELDS, "")
    values["agency"] = scope.agency_code
    values["integration"] = False
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {k: _text(request.POST, k) for k in _NEW_FIELDS}
        values["integration"] = request.POST.get("integration") == "yes"
        try:
            made, link = administration.user_invite(actor=request.user, **values)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            # An integration has no link; an agency's lead is never shown one (it goes to the
            # new user's mailbox only, so the lead cannot set the password of an account they
            # made): both go on to the user's page with a message.
            said = (
                f"{made.get_full_name()} is a system integration's account. Make it an API "
                "token to use."
                if not link
                else f"{made.get_full_name()} has an account. We have emailed {made.username} "
                "a link to set their password; it works once, for three days."
            )
            if not link or not scope.partnership:
                messages.success(request, said)
                return HttpResponseRedirect(
                    reverse("administration:user", args=[made.pk]), status=303
                )
            return render(
                request,
                "governance/admin/user_invited.html",
                _context(request, made=made, link=request.build_absolute_uri(link)),
            )
    context = _context(request, values=values, errors=errors, **_choices(scope))
    return render(request, "governance/admin/user_new.html", context, status=400 if errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
def user_role(request: HttpRequest, user_id: int) -> HttpResponse:
    scope = _require(request)
    detail = administration.user_get_for(viewer=request.user, user_id=user_id)
    membership = getattr(detail.user, "membership", None)
    values = {
        "agency": membership.agency.code if membership else "",
        "role": membership.role if membership else "",
        "team": str(membership.team_id) if membership and membership.team_id else "",
    }
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {k: _text(request.POST, k) for k in values}
        try:
            administration.user_role_change(actor=request.user, user=detail.user, **values)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            messages.success(request, f"{detail.row.name}'s agency, team and role are saved.")
            return HttpResponseRedirect(reverse("administration:user", args=[user_id]), status=303)
    context = _context(request, detail=detail, values=values, errors=errors, **_choices(scope))
    return render(
        request, "governance/admin/user_role.html", context, status=400 if errors else 200
    )


@never_cache
@require_http_methods(["GET", "POST"])
def user_leave(request: HttpRequest, user_id: int) -> HttpResponse:
    """A confirmation page, then the leaving itself."""
    _require(request)
    detail = administration.user_get_for(viewer=request.user, user_id=user_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            left = administration.user_leave(actor=request.user, user=detail.user)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            messages.success(
                request,
                f"{detail.row.name} has left. They can no longer sign in or see anything"
                + (
                    f"; {left.tokens_revoked} API token{'s' if left.tokens_revoked != 1 else ''}"
                    " revoked"
                    if left.tokens_revoked
                    else ""
                )
                + ".",
            )
            return HttpResponseRedirect(reverse("administration:user", args=[user_id]), status=303)
    return render(
        request,
        "governance/admin/user_leave.html",
        _context(request, detail=detail, errors=errors),
        status=400 if errors else 200,
    )


@require_POST
def user_action(request: HttpRequest, user_id: int) -> HttpResponse:
    """The user page's buttons: give a leaver their account back, reset two-factor sign-in,
    sign out everywhere, email a link to set a password."""
    _require(request)
    # Another agency's user is not found by an agency's lead.
    target = administration.user_to_change_for(viewer=request.user, user_id=user_id)
    action = _text(request.POST, "action", 20)
    name = target.get_full_name() or target.username
    try:
        if action == "return":
            administration.user_return(actor=request.user, user=target)
            messages.success(
                request,
                f"{name} has their account back. Check their role"
                + (
                    "."
                    if target.is_integration
                    else "; we have emailed them a link to set a password."
                ),
            )
        elif action == "reset_2fa":
            administration.user_two_factor_reset(actor=request.user, user=target)
            messages.success(
                request,
                f"{name}'s two-factor sign-in is reset: they set it up at their next sign-in.",
            )
        elif action == "sign_out":
            administration.user_sign_out(actor=request.user, user=target)
            messages.success(request, f"{name} is signed out everywhere.")
        elif action == "link":
            administration.password_link_send(actor=request.user, user=target)
            messages.success(
                request,
                f"We have emailed {target.username} a link to set their password. It works "
                "once, for three days.",
            )
    except ValidationFailed as exc:
        messages.error(request, exc.errors.get("user", exc.message))
    return HttpResponseRedirect(reverse("administration:user", args=[user_id]), status=303)


# --- manual grants -------------------------------------------------------------------------------


@never_cache
@require_GET
def grants(request: HttpRequest) -> HttpResponse:
    _require(request)
    state = _text(request.GET, "state", 10)
    state = state if state in GRANT_STATES else "current"
    rows = administration.manual_grants_for(viewer=request.user, state=state)
    context = _context(request, rows=rows, state=state, states=list(GRANT_STATES.items()))
    return render(request, "governance/admin/grants.html", context)


_GRANT_FIELDS = ("reference", "agency", "team", "reason", "ends_on-day", "ends_on-month",
                 "ends_on-year")  # fmt: skip


@never_cache
@require_http_methods(["GET", "POST"])
def grant_new(request: HttpRequest) -> HttpResponse:
    scope = _require(request)
    values = dict.fromkeys(_GRANT_FIELDS, "")
    values["agency"] = scope.agency_code
    values["reference"] = _text(request.GET, "reference", 20)
    errors: dict[str, str] = {}
    date_parts: tuple[str, ...] = ()
    if request.method == "POST":
        values = {k: _text(request.POST, k, 1100) for k in _GRANT_FIELDS}
        ends = read_date(values, "ends_on", "The date the access ends", required=True)
        try:
            administration.manual_grant_give(
                actor=request.user,
                reference=values["reference"],
                agency=values["agency"],
                team=values["team"],
                ends_on=ends.value,
                reason=values["reason"],
                errors={"ends_on": ends.error.message} if ends.error is not None else None,
            )
        except ValidationFailed as exc:
            errors = exc.errors
        if ends.error is not None:
            date_parts = ends.error.parts
        if not errors:
            messages.success(request, f"Access to {values['reference'].upper()} has been given.")
            return HttpResponseRedirect(reverse("administration:grants"), status=303)
        if "ends_on" in errors and not date_parts:
            date_parts = ("day", "month", "year")
    context = _context(
        request, values=values, errors=errors, date_parts=date_parts, **_choices(scope)
    )
    return render(
        request, "governance/admin/grant_new.html", context, status=400 if errors else 200
    )


@require_POST
def grant_end(request: HttpRequest, grant_id: int) -> HttpResponse:
    _require(request)
    row = administration.manual_grant_end(actor=request.user, grant_id=grant_id)
    messages.success(request, f"The access to {row.person.reference} has ended.")
    return HttpResponseRedirect(reverse("administration:grants"), status=303)


# --- API tokens ----------------------------------------------------------------------------------


@never_cache
@require_GET
def api_tokens(request: HttpRequest) -> HttpResponse:
    _require_partnership(request)
    rows = tokens.api_tokens_for(viewer=request.user)
    return render(request, "governance/admin/tokens.html", _context(request, rows=rows))


_NEW_TOKEN = "sl_new_api_token"  # noqa: S105 (a session key)


@never_cache
@require_http_methods(["GET", "POST"])
def api_token_new(request: HttpRequest) -> HttpResponse:
    _require_partnership(request)
    values: dict[str, Any] = {
        "user": _text(request.GET, "user", 200),
        "name": "",
        "scopes": ["read"],
        "days": str(tokens.DAYS_DEFAULT),
    }
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {
            "user": _text(request.POST, "user", 200),
            "name": _text(request.POST, "name", 200),
            "scopes": [s for s in request.POST.getlist("scopes")[:5] if isinstance(s, str)],
            "days": _text(request.POST, "days", 10),
        }
        try:
            row, token = tokens.api_token_create(
                actor=request.user,
                username=values["user"],
                name=values["name"],
                scopes=values["scopes"],
                days=values["days"],
            )
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            # Shown once, on the page after the redirect: sending the form again makes nothing.
            request.session[_NEW_TOKEN] = {"pk": row.pk, "token": token}
            return HttpResponseRedirect(reverse("administration:token_made"), status=303)
    context = _context(
        request,
        values=values,
        errors=errors,
        scopes=list(tokens.SCOPES.items()),
        days_max=tokens.DAYS_MAX,
        integrations=administration.integration_accounts(),
    )
    return render(
        request, "governance/admin/token_new.html", context, status=400 if errors else 200
    )


@never_cache
@require_GET
def api_token_made(request: HttpRequest) -> HttpResponse:
    _require_partnership(request)
    made = request.session.pop(_NEW_TOKEN, None)
    row = ApiToken.objects.select_related("user").filter(pk=(made or {}).get("pk", 0)).first()
    if made is None or row is None:
        return HttpResponseRedirect(reverse("administration:tokens"))
    return render(
        request,
        "governance/admin/token_made.html",
        _context(request, row=row, token=str(made["token"])),
    )


@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    _require_partnership(request)
    row = tokens.api_token_revoke(actor=request.user, token_id=token_id)
    messages.success(request, f"The token {row.name} ({row.prefix}…) is revoked.")
    return HttpResponseRedirect(reverse("administration:tokens"), status=303)
