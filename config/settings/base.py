"""Every setting, read from the environment. A fresh clone runs on SQLite with no environment;
PostgreSQL is used when DATABASE_URL names it."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONCE

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("SIGHTLINE_VAR_DIR", BASE_DIR / "var"))


def _secret_key() -> str:
    """From the environment in production; otherwise a random key kept in var/ so sessions
    survive a restart of the demo. Never a key in the repository."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("DEBUG", "") == "1"
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Two-factor sign-in (accounts.twofactor): TOTP apps and backup codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "sightline.core",
    "sightline.ui",
    "sightline.api",
    "sightline.accounts",
    "sightline.agencies",
    "sightline.governance",
    "sightline.people",
    "sightline.chronology",
    "sightline.records",
    "sightline.identity",
    "sightline.cases",
    "sightline.alerts",
    "sightline.referrals",
    "sightline.decisions",
    "sightline.escalations",
    "sightline.dataprotection",
    "sightline.synth",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "sightline.ui.middleware.ClientAddressMiddleware",
    "sightline.api.middleware.ApiErrorsAsJsonMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "sightline.ui.middleware.NoStoreMiddleware",
    "sightline.accounts.middleware.SessionTimeoutMiddleware",
    "sightline.accounts.middleware.SignInRequiredMiddleware",
    "sightline.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "sightline.ui.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "sightline.ui.jinja.environment",
            "autoescape": True,
        },
    },
    {
        # Django's own templates (none of our pages); kept for third-party apps.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'sightline.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the demo server read while an import writes; IMMEDIATE avoids lock upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
            " PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:sign_in"
# After sign-in, "/" sends each viewer to their landing page (core.extensions.register_landing:
# "my work" for those who work with children, the review queue for the data officer).
LOGIN_REDIRECT_URL = "ui:home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The sign-in throttle (accounts.throttle, docs/adr/0010-sign-in-throttle.md): failed attempts
# per account from one address, and per trusted device, in the window; per address across
# accounts in the window; per account from anywhere (untrusted) in the account window.
SIGN_IN_MAX_FAILURES = int(os.environ.get("SIGN_IN_MAX_FAILURES", "5"))
SIGN_IN_WINDOW_SECONDS = int(os.environ.get("SIGN_IN_WINDOW_SECONDS", str(15 * 60)))
SIGN_IN_ADDRESS_MAX_FAILURES = int(os.environ.get("SIGN_IN_ADDRESS_MAX_FAILURES", "20"))
SIGN_IN_ACCOUNT_MAX_FAILURES = int(os.environ.get("SIGN_IN_ACCOUNT_MAX_FAILURES", "50"))
SIGN_IN_ACCOUNT_WINDOW_SECONDS = int(os.environ.get("SIGN_IN_ACCOUNT_WINDOW_SECONDS", str(60 * 60)))
SIGN_IN_DEVICE_DAYS = int(os.environ.get("SIGN_IN_DEVICE_DAYS", "180"))

# Sessions end after inactivity; the page warns before (see accounts.middleware).
# Reverse proxies in front of the server whose X-Forwarded-For may be believed (core.requests).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
SESSION_IDLE_SECONDS = int(os.environ.get("SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_WARNING_SECONDS = int(os.environ.get("SESSION_WARNING_SECONDS", str(5 * 60)))
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = os.environ.get("SECURE_COOKIES", "") == "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# A form refused for want of a valid CSRF token gets a GOV.UK page, not Django's technical one.
CSRF_FAILURE_VIEW = "sightline.ui.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Two-factor sign-in (accounts.twofactor, docs/security.md). A user with a confirmed
# authenticator is always asked for a code after the password. OTP_REQUIRED makes it compulsory
# for every role that sees case data: such a user without one is sent to set it up and can reach
# nothing else. Off by default so the demo and the test suite sign in with a password;
# config.settings.production turns it on.
OTP_REQUIRED = os.environ.get("OTP_REQUIRED", "") == "1"
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Sightline")
OTP_BACKUP_CODES = 10

# The API's bearer tokens for system integrations (governance.tokens, docs/api.md#tokens).
# (A function's path, not a secret: S105.)
_TOKENS = "sightline.governance.tokens"
SIGHTLINE_API_TOKEN_AUTHENTICATE = f"{_TOKENS}.api_token_authenticate"

# The Content Security Policy (django-csp 4; docs/security.md): everything from this site, no
# inline script or style; the one inline script GOV.UK's template needs (marking the body
# js-enabled) and the module that starts GOV.UK Frontend carry the request's nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Days an agency keeps a child in view after its involvement with them ends (governance.access;
# docs/access.md). 0: access ends with the involvement's last day.
ACCESS_GRACE_DAYS = int(os.environ.get("ACCESS_GRACE_DAYS", "0"))
# How long break-glass access to a child outside a practitioner's relationships lasts, in
# minutes (governance.breakglass; docs/access.md, Break-glass).
BREAK_GLASS_MINUTES = int(os.environ.get("BREAK_GLASS_MINUTES", "240"))

# Identity resolution thresholds (match weight, bits); see docs/identity.md.
IDENTITY_AUTO_LINK_WEIGHT = float(os.environ.get("IDENTITY_AUTO_LINK_WEIGHT", "6"))
IDENTITY_REVIEW_WEIGHT = float(os.environ.get("IDENTITY_REVIEW_WEIGHT", "5"))

# Feed files at least this big are checked in a second process while the importer writes
# (records/ingest/reading.py); smaller ones are checked in the importer (a process costs more
# to start than they take to check).
IMPORT_WORKER_MIN_BYTES = int(os.environ.get("IMPORT_WORKER_MIN_BYTES", str(4 * 1024 * 1024)))
# After each import, queue the linking of what it imported against everyone known (records'
# batch_imported signal; `sightline tick` runs the task). Off: `sightline link` links it.
IDENTITY_LINK_ON_IMPORT = os.environ.get("IDENTITY_LINK_ON_IMPORT", "1") == "1"
# Where the linkage model is read from: None for identity/linkage/trained/. Without a model
# there, `sightline link` trains one on the records held and keeps it in VAR_DIR/linkage/.
IDENTITY_MODEL_DIR = os.environ.get("IDENTITY_MODEL_DIR") or None

# Evaluate the alert rules for the children a change to the story touched (a task tick runs);
# off: the daily sweep evaluates them (docs/alerts.md, "When rules are evaluated").
ALERTS_EVALUATE_ON_CHANGE = os.environ.get("ALERTS_EVALUATE_ON_CHANGE", "1") == "1"
# Processes the daily alerts sweep reads and evaluates in: 1, in tick's own; 0, one per core.
ALERTS_SWEEP_WORKERS = int(os.environ.get("ALERTS_SWEEP_WORKERS", "1"))
# Directories of local alert rules, beside the shipped sightline/alerts/rules/ (docs/alerts.md,
# "Adding a local rule"): paths separated by the OS path separator (":" on Linux).
ALERT_RULE_DIRS = [p for p in os.environ.get("ALERT_RULE_DIRS", "").split(os.pathsep) if p]
# The partnership's timescales (core.timescales; docs/workflow.md): a YAML file of versioned
# timescales with effective dates. None: the shipped core/data/timescales.yaml.
TIMESCALES_FILE = os.environ.get("TIMESCALES_FILE") or None
# The bank holidays working days skip (core.workingdays): GOV.UK's bank-holidays.json shape.
BANK_HOLIDAYS_FILE = os.environ.get("BANK_HOLIDAYS_FILE") or None
# The partnership's escalation procedure (its stages, who answers, each stage's timescale key)
# and its levels of need, as versioned data (docs/workflow.md); None: the shipped files.
ESCALATION_PROCEDURE_FILE = os.environ.get("ESCALATION_PROCEDURE_FILE") or None
DECISION_LEVELS_FILE = os.environ.get("DECISION_LEVELS_FILE") or None

# Notifications' emails (accounts.outbox, sent by `sightline tick`). By default they are written
# to files under var/mail/ and nothing leaves the machine; production names its mail server
# (EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend, EMAIL_HOST, …).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH") or str(VAR_DIR / "mail")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "") == "1"
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "sightline@partnership.example.org")
# Whether notifications are emailed as well as shown in the app, and how often a failed email
# is tried (1, 2, 4… minutes apart, at most an hour).
NOTIFICATION_EMAILS = os.environ.get("NOTIFICATION_EMAILS", "1") == "1"
NOTIFICATION_EMAIL_ATTEMPTS = int(os.environ.get("NOTIFICATION_EMAIL_ATTEMPTS", "5"))
# The address emails link to (the service as its users reach it).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# The audit log (docs/audit.md). The chain's head is exported every AUDIT_HEAD_EXPORT_HOURS
# (by `sightline tick`) to AUDIT_HEAD_EXPORT_DIR: in production a directory the database's
# users cannot write (another machine's share, write-once storage), so a rewritten log is found.
AUDIT_HEAD_EXPORT_DIR = os.environ.get("AUDIT_HEAD_EXPORT_DIR") or str(VAR_DIR / "audit-heads")
AUDIT_HEAD_EXPORT_HOURS = float(os.environ.get("AUDIT_HEAD_EXPORT_HOURS", "24"))
# The auditor's unusual-access flags (governance.flags): children opened in a day with no
# relationship; break-glass uses in the period shown; refusals in a day; looks outside working
# hours (local time; weekends and bank holidays are outside; empty turns the rule off), except
# for the roles named (comma-separated role codes, e.g. police_officer for a 24-hour service).
AUDIT_FLAG_OUTSIDE_CHILDREN_PER_DAY = int(
    os.environ.get("AUDIT_FLAG_OUTSIDE_CHILDREN_PER_DAY", "10")
)
AUDIT_FLAG_BREAK_GLASS_COUNT = int(os.environ.get("AUDIT_FLAG_BREAK_GLASS_COUNT", "3"))
AUDIT_FLAG_REFUSED_PER_DAY = int(os.environ.get("AUDIT_FLAG_REFUSED_PER_DAY", "5"))
AUDIT_FLAG_OUT_OF_HOURS_VIEWS = int(os.environ.get("AUDIT_FLAG_OUT_OF_HOURS_VIEWS", "1"))
AUDIT_WORKING_HOURS = os.environ.get("AUDIT_WORKING_HOURS", "08:00-18:00")
AUDIT_OUT_OF_HOURS_ROLES = os.environ.get("AUDIT_OUT_OF_HOURS_ROLES", "")
