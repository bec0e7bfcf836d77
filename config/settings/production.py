"""Production settings: behind TLS, two-factor sign-in compulsory, no debug pages
(docs/security.md has the checklist; `manage.py check --deploy` passes with them, tested).

Use with DJANGO_SETTINGS_MODULE=config.settings.production. Required from the environment:
SECRET_KEY (never the demo's key file) and ALLOWED_HOSTS (the names the service answers to)."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

for _name in ("SECRET_KEY", "ALLOWED_HOSTS"):
    if not os.environ.get(_name, "").strip():
        raise ImproperlyConfigured(f"{_name} must be set in the environment in production")

from config.settings.base import *  # noqa: E402, F403
from config.settings.base import TRUSTED_PROXY_COUNT  # noqa: E402

# Never the technical error pages, whatever DEBUG says in the environment.
DEBUG = False
WHITENOISE_AUTOREFRESH = False
ALLOWED_HOSTS = [h.strip() for h in os.environ["ALLOWED_HOSTS"].split(",") if h.strip()]

# TLS: every request over HTTPS, and browsers told to keep to it (HSTS, a year, subdomains,
# preload-ready: the domain is put on the browsers' preload list by its owner, separately).
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("SECURE_HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
SECURE_HSTS_PRELOAD = os.environ.get("SECURE_HSTS_PRELOAD", "1") == "1"
if TRUSTED_PROXY_COUNT:
    # The TLS ends at the proxy in front, which says so; believed only when a proxy is trusted.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Cookies: sent over HTTPS only, out of reach of scripts, not sent on other sites' requests.
# The __Host- prefix makes the browser refuse them unless Secure, for this host, on path /.
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "__Host-sightline_session"
CSRF_COOKIE_NAME = "__Host-sightline_csrf"

# Two-factor sign-in for every role that sees case data (accounts.twofactor).
OTP_REQUIRED = os.environ.get("OTP_REQUIRED", "1") == "1"
