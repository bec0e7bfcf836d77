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
from sightline.core.extensions import HeaderLink, header_links_for, nav_items_for


def _url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def _csrf_input(request: Any) -> str:
    from markupsafe import Markup

    token = get_token(request)  # URL-safe characters only
    return Markup(f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">')  # noqa: S704


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
        navigation=_navigation,
        header_links=_header_links,
        session_idle_seconds=settings.SESSION_IDLE_SECONDS,
        session_warning_seconds=settings.SESSION_WARNING_SECONDS,
    )
    env.filters["partial_date"] = format_partial
    return env
