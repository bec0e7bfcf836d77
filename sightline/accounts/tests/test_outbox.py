"""The email outbox: claimed with a lease before sending, so two senders at once (two threads on
PostgreSQL; two processes on either database) never send one email twice; retries with backoff;
a lost claim records nothing; `sightline tick` sends through the configured backend."""

import datetime as dt
import io
import os
import smtplib
import subprocess
import sys
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection

from sightline.accounts import outbox
from sightline.accounts.models import OutboxEmail, User
from sightline.accounts.services import notification_send

pytestmark = pytest.mark.django_db
# A day after the real present, so what a test makes before it travels is already due then.
NOW = (dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=1)).replace(microsecond=0)
ROOT = Path(__file__).resolve().parents[3]


def _user(n: int) -> User:
    email = f"person{n}@example.org"
    return User.objects.create_user(username=email, email=email)


def _notify(count: int) -> None:
    users = [_user(n) for n in range(count)]
    for n, user in enumerate(users):
        notification_send(
            recipient=user, key=f"test:{n}", subject=f"Notice {n}", body="", url="/my-work/"
        )


def test_a_claimed_email_is_not_claimed_again_until_its_lease_runs_out():
    _notify(1)
    with time_machine.travel(NOW, tick=False) as traveller:
        first = outbox.claim_email("w1")
        assert first is not None
        assert outbox.claim_email("w2") is None  # held
        traveller.shift(outbox.LEASE + dt.timedelta(seconds=1))
        second = outbox.claim_email("w2")  # the first sender stopped: claimed again
        assert second is not None
        assert second.id == first.id
        assert second.attempt == 2
        # The first sender's late result is not recorded: its claim was lost.
        assert not outbox._record(first, status=OutboxEmail.Status.SENT, sent_at=NOW)
        report = outbox.SendReport()
        assert outbox.send_claimed(second, mail.get_connection(), report)
    assert len(mail.outbox) == 1
    assert OutboxEmail.objects.get().claimed_by == "w2"


def test_the_backoff_doubles_up_to_an_hour():
    assert [outbox.retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 4, 7, 12)] == [
        1,
        2,
        4,
        8,
        60,
        60,
    ]


def test_after_its_last_attempt_an_email_fails_for_good(monkeypatch, settings):
    settings.NOTIFICATION_EMAIL_ATTEMPTS = 2
    _notify(1)

    def refuse(self, fail_silently=False):
        raise smtplib.SMTPConnectError(421, "try later")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with time_machine.travel(NOW, tick=False) as traveller:
        assert outbox.send_due().retrying == 1
        traveller.shift(dt.timedelta(minutes=1))
        assert outbox.send_due().failed == 1
        traveller.shift(dt.timedelta(hours=2))
        assert outbox.send_due().failed == 0
    email = OutboxEmail.objects.get()
    assert (email.status, email.attempts) == (OutboxEmail.Status.FAILED, 2)
    assert "try later" in email.last_error


def test_a_refused_recipient_fails_at_once(monkeypatch):
    _notify(1)

    def refuse(self, fail_silently=False):
        raise smtplib.SMTPRecipientsRefused({"person0@example.org": (550, b"no such user")})

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    assert outbox.send_due().failed == 1
    assert OutboxEmail.objects.get().status == OutboxEmail.Status.FAILED


def test_one_failure_does_not_stop_the_rest(monkeypatch):
    _notify(3)
    real = mail.EmailMessage.send

    def flaky(self, fail_silently=False):
        if self.subject.endswith("Notice 1"):
            raise smtplib.SMTPServerDisconnected("gone")
        return real(self, fail_silently=fail_silently)

    monkeypatch.setattr("django.core.mail.EmailMessage.send", flaky)
    report = outbox.send_due()
    assert (report.sent, report.retrying) == (2, 1)
    assert sorted(m.subject for m in mail.outbox) == ["Sightline: Notice 0", "Sightline: Notice 2"]


def test_tick_sends_the_outbox():
    _notify(2)
    out = io.StringIO()
    call_command("tick", stdout=out)
    assert "accounts.outbox" in out.getvalue()
    assert len(mail.outbox) == 2
    assert set(OutboxEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_no_email_when_notification_emails_are_off(settings):
    settings.NOTIFICATION_EMAILS = False
    _notify(1)
    assert not OutboxEmail.objects.exists()


def test_a_user_without_an_email_address_is_told_in_the_app_only():
    user = User.objects.create_user(username="nomail")
    assert notification_send(recipient=user, key="k", subject="S", body="", url="/") is not None
    assert not OutboxEmail.objects.exists()


def test_the_file_backend_writes_under_the_var_directory(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    _notify(1)
    outbox.send_due()
    [written] = (tmp_path / "mail").iterdir()
    assert "Subject: Sightline: Notice 0" in written.read_text()


def test_the_demo_writes_emails_to_files_under_var():
    from config.settings import base

    assert base.EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend" or (
        "EMAIL_BACKEND" in os.environ
    )
    assert str(base.EMAIL_FILE_PATH).startswith(str(base.VAR_DIR))


# --- two senders at once ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="SQLite's in-memory test database is one connection; two processes: below",
)
def test_two_threads_sending_one_outbox_send_each_email_once(monkeypatch):
    _notify(40)
    sent: list[str] = []
    lock = threading.Lock()
    real = mail.EmailMessage.send

    def slow(self, fail_silently=False):
        threading.Event().wait(0.01)
        with lock:
            sent.append(self.subject)
        return real(self, fail_silently=fail_silently)

    monkeypatch.setattr("django.core.mail.EmailMessage.send", slow)

    def drain(name: str) -> None:
        try:
            outbox.send_due(worker=name)
        finally:
            connection.close()

    threads = [threading.Thread(target=drain, args=(f"w{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    counts = Counter(sent)
    assert len(counts) == 40
    assert set(counts.values()) == {1}, "no email sent twice"
    senders = Counter(OutboxEmail.objects.values_list("claimed_by", flat=True))
    assert len(senders) == 2, f"both senders sent some: {senders}"


@pytest.fixture
def sender_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """An environment for senders in subprocesses, on a database of their own (a SQLite file, or
    a new database on the tests' PostgreSQL server)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SIGHTLINE_VAR_DIR"] = str(tmp_path / "var")
    env["DJANGO_SETTINGS_MODULE"] = "sightline.accounts.tests.outbox_settings"
    env["OUTBOX_TEST_LOG"] = str(tmp_path / "sent.log")
    env["PYTHONPATH"] = str(ROOT)
    name = None
    url = os.environ.get("DATABASE_URL", "")
    if connection.vendor == "postgresql" and url:
        name = f"sightline_outbox_{uuid.uuid4().hex[:10]}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = url.rsplit("/", 1)[0] + f"/{name}"
    _program(env, "migrate", "-v0").check_returncode()
    yield env
    if name:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _program(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own program)
        [sys.executable, "-m", "sightline.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


SEND = "from sightline.accounts import outbox\nprint(outbox.send_due().sent)\n"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_processes_sending_one_outbox_send_each_email_once(sender_env):
    made = _program(
        sender_env,
        "shell",
        "-c",
        "from sightline.accounts.models import User\n"
        "from sightline.accounts.services import notification_send\n"
        "for n in range(40):\n"
        "    u = User.objects.create_user(username=f'p{n}@example.org', email=f'p{n}@example.org')\n"
        "    notification_send(recipient=u, key=f'k{n}', subject=f'Notice {n}', body='', url='/')\n"
        "    notification_send(recipient=u, key=f'k{n}', subject=f'Notice {n}', body='', url='/')\n",
    )
    assert made.returncode == 0, made.stderr
    senders = [
        subprocess.Popen(  # noqa: S603 (our own program)
            [sys.executable, "-m", "sightline.cli", "shell", "-c", SEND],
            env=sender_env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [p.communicate(timeout=300) for p in senders]
    for process, (_, err) in zip(senders, results, strict=True):
        assert process.returncode == 0, err
    lines = Path(sender_env["OUTBOX_TEST_LOG"]).read_text().splitlines()
    subjects = Counter(line.rsplit(" ", 1)[0] for line in lines)
    assert len(subjects) == 40
    assert set(subjects.values()) == {1}, "no email sent twice"
    assert sum(int(out.strip().splitlines()[-1]) for out, _ in results) == 40
    assert len({line.rsplit(" ", 1)[1] for line in lines}) == 2, "both processes sent some"


def test_tick_runs_the_outbox_job_only_when_an_email_is_due():
    from sightline.core.models import PeriodicRun, Task

    out = io.StringIO()
    call_command("tick", stdout=out)
    # Other apps' daily jobs may be due on the first tick; the outbox's is not.
    assert outbox.JOB not in out.getvalue().split("\nTasks:")[0]
    assert not Task.objects.filter(name=outbox.JOB).exists()
    _notify(1)
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=1), tick=False):
        out = io.StringIO()
        call_command("tick", stdout=out)
    assert outbox.JOB in out.getvalue().split("\nTasks:")[0]
    assert PeriodicRun.objects.filter(job=outbox.JOB).count() == 1
    assert len(mail.outbox) == 1
