"""Production settings (config.settings.production): `manage.py check --deploy` is clean, the
required environment is required, and no debug page is possible; `Cache-Control: no-store` on
every answer to a signed-in user."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.security.conftest import signed_up

ROOT = Path(__file__).resolve().parents[2]
# A key of the length and variety check --deploy asks for; made here, never used elsewhere.
KEY = "pr0duction-test-key-" + "x7Qm2Lw9Zr4Tn8Vb6Kc1" * 3


def _run(tmp_path: Path, code: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG")
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SIGHTLINE_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **env,
    )
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


_CHECK = (
    "import sys, django; from django.core.management import call_command; django.setup(); "
    "call_command('check', deploy=True, fail_level='WARNING')"
)


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    done = _run(tmp_path, _CHECK, SECRET_KEY=KEY, ALLOWED_HOSTS="sightline.partnership.example")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_its_environment(tmp_path, missing):
    env = {"SECRET_KEY": KEY, "ALLOWED_HOSTS": "sightline.partnership.example"}
    env.pop(missing)
    done = _run(tmp_path, "import django; django.setup()", **env)
    assert done.returncode != 0
    assert f"{missing} must be set in the environment in production" in done.stderr


def test_no_debug_pages_and_the_secure_settings(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, "
        "s.OTP_REQUIRED, s.ALLOWED_HOSTS)"
    )
    done = _run(tmp_path, code, SECRET_KEY=KEY, ALLOWED_HOSTS="a.example, b.example", DEBUG="1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split(" ", 8) == [
        "False",
        "True",
        "31536000",
        "True",
        "True",
        "True",
        "Lax",
        "True",
        "['a.example', 'b.example']\n",
    ]


@pytest.mark.django_db
def test_every_answer_to_a_signed_in_user_is_no_store():
    user = signed_up("social_worker")
    client = Client()
    client.force_login(user)
    for path in ("/children/", "/my-work/", "/account/", "/notifications/", "/api/health"):
        assert client.get(path)["Cache-Control"] == "no-store", path
    assert "no-store" in Client().get("/sign-in")["Cache-Control"]
