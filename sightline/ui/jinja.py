"""The Jinja2 environment: each app's templates/ folder, the GOV.UK Frontend macros
(govuk-frontend-jinja, under "govuk_frontend_jinja/"), and the few helpers templates need."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.middleware.csrf import get_token
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader

from sightline.core.dates import format_partial
from sightline.core.extensions import (
    HeaderLink,
    PageBanner,
    header_links_for,
    nav_items_for,
    page_banners_for,
)


def _url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def _csrf_input(request: Any) -> str:
    from markupsafe import Markup

    token = get_token(request)  # URL-safe characters only
    return Markup(f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">')  # noqa: S704


def _csp_nonce(request: Any) -> str:
    """This response's Content Security Policy nonce (django-csp's middleware), or "" for a
    page rendered without a request or the middleware."""
    nonce = getattr(request, "csp_nonce", None) if request is not None else None
    return str(nonce) if nonce is not None else ""


def _navigation(request: Any, active: str | None = None) -> list[dict[str, Any]]:
    """The service navigation for this user: every app's registered item they may use
    (core.extensions.register_nav_item), `active` marking the current one."""
    return [
        {"href": reverse(item.url_name), "text": item.text, "active": item.name == active}
        for item in nav_items_for(getattr(request, "user", None))
    ]


def _header_links(request: Any) -> list[HeaderLink]:
    """The signed-in user's links in the header (core.extensions.register_header_link: their
    notifications, with the unread count). Worked out once per request."""
    cached: list[HeaderLink] | None = getattr(request, "_sightline_header_links", None)
    if cached is None:
        cached = header_links_for(getattr(request, "user", None))
        if request is not None:
            request._sightline_header_links = cached
    return cached


def _page_banners(request: Any) -> list[PageBanner]:
    """Notices for this user on every page (core.extensions.register_page_banner: their
    break-glass access while it lasts)."""
    cached: list[PageBanner] | None = getattr(request, "_sightline_page_banners", None)
    if cached is None:
        cached = page_banners_for(getattr(request, "user", None))
        if request is not None:
            request._sightline_page_banners = cached
    return cached


def _flash_messages(request: Any) -> list[dict[str, Any]]:
    """The messages waiting for this request (django.contrib.messages), unless its view has
    read them already to show them its own way: a success as a success banner, anything else
    (an access that has ended) as an important one."""
    if request is None:
        return []
    from django.contrib.messages import SUCCESS, get_messages

    storage = get_messages(request)
    if getattr(storage, "used", False):
        return []
    return [{"text": str(m), "success": m.level == SUCCESS} for m in storage]


def environment(**options: Any) -> Environment:
    dirs = [
        str(Path(cfg.path) / "templates")
        for cfg in apps.get_app_configs()
        if (Path(cfg.path) / "templates").is_dir() and cfg.name.startswith("sightline.")
    ]
    options["loader"] = ChoiceLoader(
        [
            FileSystemLoader(dirs),
            PrefixLoader(
                {"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja", "templates")}
            ),
        ]
    )
    options.setdefault("trim_blocks", True)
    options.setdefault("lstrip_blocks", True)
    env = Environment(**options)  # noqa: S701 - autoescape is set in settings.TEMPLATES
    env.globals.update(
        static=static,
        url=_url,
        csrf_input=_csrf_input,
        csp_nonce=_csp_nonce,
        navigation=_navigation,
        header_links=_header_links,
        page_banners=_page_banners,
        flash_messages=_flash_messages,
        session_idle_seconds=settings.SESSION_IDLE_SECONDS,
        session_warning_seconds=settings.SESSION_WARNING_SECONDS,
    )
    env.filters["partial_date"] = format_partial
    return env
