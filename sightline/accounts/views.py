"""Sign in, sign out, keep the session alive.

Sign-in rotates the session key (django.contrib.auth.login) and the CSRF token; every attempt is
counted by the sign-in throttle before its password is checked (accounts.throttle, ADR 10), and a
browser that signs in becomes a trusted device for the account; every attempt and every sign-out
is announced (accounts.signals) and audited by the governance app."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sightline.accounts import throttle
from sightline.accounts.forms import INCORRECT, SignInForm
from sightline.accounts.middleware import LAST_SEEN_KEY, TIMED_OUT_KEY
from sightline.accounts.signals import sign_in_refused, signed_in, signed_out
from sightline.core import clock
from sightline.core.requests import client_address

# One message whichever limit refused the attempt, and whether or not the account exists.
THROTTLED = "Too many attempts to sign in. Wait {wait} and try again."
_NOT_NEXT = ("accounts:sign_in", "accounts:sign_out", "accounts:signed_out", "accounts:keep_alive")


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    """Where to go after signing in: `candidate` when it is a path on this site, else home."""
    default = resolve_url(settings.LOGIN_REDIRECT_URL)
    if not candidate or not candidate.startswith("/") or candidate.startswith("//"):
        return default
    if "\\" in candidate or not url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return default
    path = candidate.split("?", 1)[0]
    if any(path == reverse(name) for name in _NOT_NEXT):
        return default
    return candidate


def _duration(delta: dt.timedelta) -> str:
    minutes = max(1, int(delta.total_seconds()) // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return "1 hour" if hours == 1 else f"{hours} hours"
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def _idle_minutes() -> int:
    return max(1, int(settings.SESSION_IDLE_SECONDS) // 60)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") if request.method == "POST" else request.GET.get("next")
    if request.user.is_authenticated:
        return HttpResponseRedirect(safe_next(request, next_url))
    timed_out = bool(request.session.pop(TIMED_OUT_KEY, False) or request.GET.get("timed_out"))
    status = 200
    if request.method == "POST":
        form = SignInForm(request.POST)
        if form.is_valid():
            username = form.cleaned_data["email"]
            device = throttle.device_for(request.COOKIES.get(throttle.DEVICE_COOKIE), username)
            admission = throttle.sign_in_attempt_admit(
                username=username, address=client_address(request), device=device
            )
            if not admission.admitted:
                form.add_error("email", THROTTLED.format(wait=_duration(throttle.longest_wait())))
                sign_in_refused.send(
                    sender=SignInForm,
                    request=request,
                    username=username,
                    reason="throttled",
                    limit=admission.refused_by,
                )
                status = 429
            else:
                user = authenticate(
                    request, username=username, password=form.cleaned_data["password"]
                )
                if user is None:
                    form.add_error("email", INCORRECT)
                    sign_in_refused.send(
                        sender=SignInForm, request=request, username=username, reason="incorrect"
                    )
                else:
                    throttle.sign_in_attempt_succeeded(admission)
                    login(request, user)  # rotates the session key and the CSRF token
                    request.session[LAST_SEEN_KEY] = int(clock.now().timestamp())
                    signed_in.send(sender=SignInForm, request=request, user=user)
                    redirect = HttpResponseRedirect(safe_next(request, form.cleaned_data["next"]))
                    _trust_this_device(request, redirect, username)
                    return redirect
    else:
        form = SignInForm(initial={"next": next_url or ""})
    response = render(
        request,
        "accounts/sign_in.html",
        {
            "form": form,
            "page_has_errors": bool(form.errors),
            "timed_out": timed_out and not form.is_bound,
            "idle_minutes": _idle_minutes(),
            "next_url": next_url if next_url and safe_next(request, next_url) == next_url else "",
        },
        status=status,
    )
    return response


def _trust_this_device(request: HttpRequest, response: HttpResponse, username: str) -> None:
    """Remember this browser as a trusted device for the account: its later attempts count
    against its own limit, not the pool anyone elsewhere can fill."""
    response.set_cookie(
        throttle.DEVICE_COOKIE,
        throttle.device_cookie_after_sign_in(request.COOKIES.get(throttle.DEVICE_COOKIE), username),
        max_age=throttle.device_cookie_max_age(),
        path=reverse("accounts:sign_in"),
        secure=bool(settings.SESSION_COOKIE_SECURE),
        httponly=True,
        samesite="Strict",
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Sign out (POST only, with CSRF, so a link or an image cannot sign anyone out)."""
    if request.user.is_authenticated:
        signed_out.send(sender=SignInForm, request=request, user=request.user, reason="signed_out")
    logout(request)
    return HttpResponseRedirect(reverse("accounts:signed_out"))


@never_cache
@require_GET
def signed_out_page(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return HttpResponseRedirect(resolve_url(settings.LOGIN_REDIRECT_URL))
    return render(request, "accounts/signed_out.html", {})


@never_cache
@require_POST
def keep_alive(request: HttpRequest) -> HttpResponse:
    """Called by the session time-out warning's "Stay signed in" button. The session middleware
    has already recorded this request as activity; nothing else to do."""
    return HttpResponse(status=204)


# --- Notifications ------------------------------------------------------------------------------

NOTIFICATIONS_PER_PAGE = 50


def _page_number(request: HttpRequest) -> int:
    text = request.GET.get("page", "1")
    # isascii(): "²".isdigit() is true and int("²") a ValueError.
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) < 100_000 else 1


@never_cache
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    """The signed-in user's notifications, newest first, unread marked; each links to its
    subject (through `notification_open`, which marks it read)."""
    from django.contrib import messages
    from django.core.paginator import Paginator
    from django.utils import timezone

    from sightline.accounts.selectors import notifications_for, unread_count_for

    rows = notifications_for(viewer=request.user)
    paginator = Paginator(rows, NOTIFICATIONS_PER_PAGE)
    page = paginator.get_page(_page_number(request))
    base = reverse("accounts:notifications")
    pagination: dict[str, object] = {}
    if paginator.num_pages > 1:
        pagination = {
            "items": [
                {"number": n, "href": f"{base}?page={n}", "current": n == page.number}
                for n in paginator.page_range
                if n in (1, paginator.num_pages) or abs(n - page.number) <= 2
            ],
            "landmarkLabel": "Pages of notifications",
        }
        if page.has_previous():
            pagination["previous"] = {"href": f"{base}?page={page.previous_page_number()}"}
        if page.has_next():
            pagination["next"] = {"href": f"{base}?page={page.next_page_number()}"}
    items = [
        {
            "id": n.pk,
            "subject": n.subject,
            "body": n.body,
            "href": reverse("accounts:notification_open", args=[n.pk]),
            "unread": n.read_at is None,
            "when": timezone.localtime(n.created_at),
        }
        for n in page.object_list
    ]
    return render(
        request,
        "accounts/notifications.html",
        {
            "items": items,
            "total": paginator.count,
            "unread": unread_count_for(viewer=request.user),
            "page": page,
            "pagination": pagination,
            "flash": [str(m) for m in messages.get_messages(request)],
        },
    )


@never_cache
@require_GET
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Open a notification's subject, marking it read. Only the recipient's own: another's is
    "not found", as one that does not exist."""
    from sightline.accounts.services import notification_mark_read

    notification = notification_mark_read(actor=request.user, notification_id=notification_id)  # type: ignore[arg-type]
    return HttpResponseRedirect(notification.url)


@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    from django.contrib import messages

    from sightline.accounts.services import notification_mark_read

    notification_mark_read(actor=request.user, notification_id=notification_id)  # type: ignore[arg-type]
    messages.success(request, "Notification marked as read.")
    return HttpResponseRedirect(_back_to_list(request))


@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    from django.contrib import messages

    from sightline.accounts.services import notification_mark_all_read

    count = notification_mark_all_read(actor=request.user)  # type: ignore[arg-type]
    messages.success(
        request,
        "Every notification is marked as read." if count else "There were no unread notifications.",
    )
    return HttpResponseRedirect(_back_to_list(request))


def _back_to_list(request: HttpRequest) -> str:
    base = reverse("accounts:notifications")
    page = request.POST.get("page", "")
    return f"{base}?page={page}" if page.isascii() and page.isdigit() and page != "1" else base
