"""Sign in, sign out, keep the session alive.

Sign-in rotates the session key (django.contrib.auth.login) and the CSRF token; every attempt is
counted by the sign-in throttle before its password is checked (accounts.throttle, ADR 10), and a
browser that signs in becomes a trusted device for the account; every attempt and every sign-out
is announced (accounts.signals) and audited by the governance app."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login

from sightline.accounts import throttle, twofactor
from sightline.accounts.forms import INCORRECT, CodeForm, SignInForm
from sightline.accounts.middleware import LAST_SEEN_KEY, TIMED_OUT_KEY
from sightline.accounts.signals import sign_in_refused, signed_in, signed_out
from sightline.core import clock
from sightline.core.requests import client_address

# One message whichever limit refused the attempt, and whether or not the account exists.
THROTTLED = "Too many attempts to sign in. Wait {wait} and try again."
_NOT_NEXT = (
    "accounts:sign_in",
    "accounts:sign_out",
    "accounts:signed_out",
    "accounts:keep_alive",
    "accounts:two_factor",
)


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
                    if twofactor.has_two_factor(user):
                        # The password was right; the code is asked for before any session is
                        # signed in (two_factor below).
                        return _ask_for_code(request, user, form.cleaned_data["next"])
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
            "password_set": request.GET.get("password_set") == "1" and not form.is_bound,
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


# --- Two-factor sign-in ---------------------------------------------------------------------

# The sign-in waiting for its code: who, since when, where to go after, and the session hash
# the password was checked against (a password change or "sign out everywhere" meanwhile ends it).
PENDING_KEY = "sl_two_factor_pending"
# Backup codes just made, shown once by the backup codes page and then forgotten.
NEW_CODES_KEY = "sl_two_factor_new_codes"
CODE_INCORRECT = (
    "The code is not right. Enter the code your authenticator app shows now, or a backup code"
)
CODE_THROTTLED = "Too many codes tried. Wait {wait} and sign in again."
PENDING_SECONDS = 5 * 60


def _ask_for_code(request: HttpRequest, user: Any, next_url: str) -> HttpResponse:
    # A fresh session key for the half-signed-in state, as login() would give a signed-in one.
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "at": int(clock.now().timestamp()),
        "next": next_url or "",
        "hash": user.get_session_auth_hash(),
    }
    return HttpResponseRedirect(reverse("accounts:two_factor"))


def _pending_user(request: HttpRequest) -> tuple[Any, str] | None:
    """The user whose password was right in this session, and where they were going, while
    the code is still awaited (PENDING_SECONDS)."""
    from sightline.accounts.models import User

    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    at, user_id = pending.get("at"), pending.get("user")
    if not isinstance(at, int) or not isinstance(user_id, int):
        return None
    if clock.now().timestamp() - at > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not constant_time_compare(
        str(pending.get("hash", "")), user.get_session_auth_hash()
    ):
        return None
    return user, str(pending.get("next") or "")


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """The second step of signing in, for a user with two-factor sign-in: the code from their
    authenticator app, or a backup code. Counted by the throttle before it is checked."""
    if request.user.is_authenticated:
        return HttpResponseRedirect(resolve_url(settings.LOGIN_REDIRECT_URL))
    found = _pending_user(request)
    if found is None:
        request.session.pop(PENDING_KEY, None)
        return HttpResponseRedirect(reverse("accounts:sign_in"))
    user, next_url = found
    status = 200
    if request.method == "POST":
        form = CodeForm(request.POST)
        if form.is_valid():
            admission = throttle.code_attempt_admit(
                user_id=user.pk, address=client_address(request)
            )
            if not admission.admitted:
                form.add_error(
                    "code", CODE_THROTTLED.format(wait=_duration(throttle.longest_wait()))
                )
                sign_in_refused.send(
                    sender=CodeForm,
                    request=request,
                    username=user.get_username(),
                    reason="throttled",
                    limit=admission.refused_by,
                    stage="code",
                )
                status = 429
            else:
                device = twofactor.check_code(user, form.cleaned_data["code"])
                if device is None:
                    form.add_error("code", CODE_INCORRECT)
                    sign_in_refused.send(
                        sender=CodeForm,
                        request=request,
                        username=user.get_username(),
                        reason="incorrect_code",
                        stage="code",
                    )
                else:
                    throttle.sign_in_attempt_succeeded(admission)
                    request.session.pop(PENDING_KEY, None)
                    login(request, user)  # rotates the session key and the CSRF token
                    otp_login(request, device)
                    request.session[LAST_SEEN_KEY] = int(clock.now().timestamp())
                    kind = (
                        "backup_code" if device.name == twofactor.BACKUP_NAME else "authenticator"
                    )
                    signed_in.send(sender=CodeForm, request=request, user=user, two_factor=kind)
                    redirect = HttpResponseRedirect(safe_next(request, next_url))
                    _trust_this_device(request, redirect, user.get_username())
                    return redirect
    else:
        form = CodeForm()
    return render(
        request,
        "accounts/two_factor.html",
        {"form": form, "page_has_errors": bool(form.errors)},
        status=status,
    )


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up two-factor sign-in: scan the QR code (or type the secret) into an authenticator
    app, and type the code it shows. Then the backup codes, once."""
    from django.contrib.auth import update_session_auth_hash

    from sightline.accounts.services import otp_confirm
    from sightline.core.errors import ValidationFailed

    user = request.user
    device = twofactor.unconfirmed_authenticator(user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            confirmed, codes = otp_confirm(actor=user, user=user, code=form.cleaned_data["code"])  # type: ignore[arg-type]
        except ValidationFailed as exc:
            for name, message in exc.errors.items():
                form.add_error(name if name in form.fields else None, message)
        else:
            # Setting it up ends every other session (they signed in without a code); this
            # one goes on, verified by the code just typed.
            update_session_auth_hash(request, user)  # type: ignore[arg-type]
            otp_login(request, confirmed)
            request.session[NEW_CODES_KEY] = codes
            return HttpResponseRedirect(reverse("accounts:backup_codes"))
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "page_has_errors": bool(form.errors),
            "qr_code": twofactor.qr_code_svg(device),
            "secret": twofactor.secret_text(device),
            "replacing": twofactor.has_two_factor(user),
            "required": twofactor.two_factor_required(user),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def backup_codes(request: HttpRequest) -> HttpResponse:
    """The backup codes just made, shown once (GET); POST makes new ones (the old stop working)."""
    from sightline.accounts.services import otp_backup_codes_replace

    if request.method == "POST":
        if not twofactor.has_two_factor(request.user):
            return HttpResponseRedirect(reverse("accounts:two_factor_setup"))
        codes = otp_backup_codes_replace(actor=request.user, user=request.user)  # type: ignore[arg-type]
        request.session[NEW_CODES_KEY] = codes
        return HttpResponseRedirect(reverse("accounts:backup_codes"))
    codes = request.session.pop(NEW_CODES_KEY, None)
    if not isinstance(codes, list) or not codes:
        return HttpResponseRedirect(reverse("accounts:account"))
    return render(request, "accounts/backup_codes.html", {"codes": [str(c) for c in codes]})


@never_cache
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    """The signed-in user's account: two-factor sign-in and their sessions."""
    from django.contrib import messages

    user = request.user
    return render(
        request,
        "accounts/account.html",
        {
            "has_two_factor": twofactor.has_two_factor(user),
            "required": twofactor.two_factor_required(user),
            "codes_left": twofactor.backup_codes_left(user),
            "flash": [str(m) for m in messages.get_messages(request)],
        },
    )


@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    """End every session of the signed-in user, on every browser, this one too."""
    from sightline.accounts.services import user_sessions_end

    user = request.user
    user_sessions_end(actor=user, user=user)  # type: ignore[arg-type]
    logout(request)
    return HttpResponseRedirect(reverse("accounts:signed_out"))


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


# --- A new user's password, from the link an administrator's invitation sent ------------------


def _invited_user(uidb64: str, token: str) -> Any:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.http import urlsafe_base64_decode

    from sightline.accounts.models import User

    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, UnicodeDecodeError, OverflowError):
        return None
    # An integration's account never has a password (it calls the API with tokens).
    user = User.objects.filter(pk=pk, is_active=True, is_integration=False).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


@sensitive_post_parameters("password", "password2")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def set_password(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Choose a password with the one-time link (it stops working once used, or after
    PASSWORD_RESET_TIMEOUT). A link that does not work says so, and whom to ask."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from sightline.accounts.signals import account_changed

    user = _invited_user(uidb64[:40], token[:80])
    if user is None:
        return render(request, "accounts/set_password.html", {"invalid": True}, status=404)
    errors: dict[str, str] = {}
    if request.method == "POST":
        password = str(request.POST.get("password", ""))
        again = str(request.POST.get("password2", ""))
        if not password:
            errors["password"] = "Enter a password"  # noqa: S105 (a message)
        elif len(password) > 200:
            errors["password"] = "Enter a password of at most 200 characters"  # noqa: S105
        else:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                errors["password"] = " ".join(exc.messages)
        if not errors and password != again:
            errors["password2"] = "The passwords do not match"
        if not errors:
            user.set_password(password)
            user.save(update_fields=["password"])
            account_changed.send(
                sender=type(user), actor=user, user=user, change="password_set", detail={}
            )
            return HttpResponseRedirect(reverse("accounts:sign_in") + "?password_set=1")
    context = {
        "email": user.username,
        "errors": errors,
        "error_list": [{"text": m, "href": f"#{f}"} for f, m in errors.items()],
        "page_has_errors": bool(errors),
    }
    return render(request, "accounts/set_password.html", context, status=400 if errors else 200)
