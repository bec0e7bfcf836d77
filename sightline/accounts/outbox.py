"""The email outbox: notifications' emails sent by `sightline tick` (the periodic job
`accounts.outbox`, every minute) through Django's EMAIL_BACKEND (docs/background-work.md).

Each email is **claimed** before it is sent, like a task (core.queue): a conditional update
gives one sender a token and a lease, so two ticks at once never send the same email (on
PostgreSQL the candidate row is read `FOR UPDATE SKIP LOCKED`; on SQLite every claim is an
IMMEDIATE transaction, which takes the write lock first). Only the holder of the token records
the result. A failure (the mail server refused or did not answer) is tried again after 1, 2, 4…
minutes (at most an hour) up to the email's attempts; a recipient the server refuses fails at
once. A sender that stops between sending and recording (killed, a power cut) loses its lease
and the email is sent again later: at least once, never twice at the same time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import smtplib
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import F, Q

from sightline.accounts.models import OutboxEmail
from sightline.core import clock, queue

JOB = "accounts.outbox"
LEASE = dt.timedelta(minutes=2)
_FIRST_RETRY = dt.timedelta(minutes=1)
_LONGEST_RETRY = dt.timedelta(hours=1)
_ERROR_MAX = 2000


@dataclass(frozen=True)
class EmailClaim:
    id: int
    token: str
    attempt: int


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def retry_delay(attempt: int) -> dt.timedelta:
    delay: dt.timedelta = min(_FIRST_RETRY * 2 ** max(attempt - 1, 0), _LONGEST_RETRY)
    return delay


def _due(now: dt.datetime) -> Q:
    pending = Q(status=OutboxEmail.Status.PENDING, next_attempt_at__lte=now)
    abandoned = Q(status=OutboxEmail.Status.SENDING, lease_until__lt=now)
    return pending | abandoned


def claim_email(worker: str) -> EmailClaim | None:
    """Claim the next email due (oldest first), or None."""
    while True:
        with transaction.atomic():
            now = clock.now()
            rows = OutboxEmail.objects.filter(_due(now)).order_by("next_attempt_at", "pk")
            if connection.vendor == "postgresql":
                rows = rows.select_for_update(skip_locked=True)
            email = rows.first()
            if email is None:
                return None
            if email.status == OutboxEmail.Status.SENDING and email.attempts >= email.max_attempts:
                OutboxEmail.objects.filter(pk=email.pk, claim_token=email.claim_token).update(
                    status=OutboxEmail.Status.FAILED,
                    lease_until=None,
                    last_error=f"the sender stopped on the last attempt ({email.claimed_by})",
                )
                continue
            token = uuid.uuid4().hex
            took = OutboxEmail.objects.filter(
                pk=email.pk, status=email.status, claim_token=email.claim_token
            ).update(
                status=OutboxEmail.Status.SENDING,
                claim_token=token,
                claimed_by=worker[:200],
                lease_until=now + LEASE,
                attempts=F("attempts") + 1,
            )
            if not took:  # pragma: no cover - the row lock or SQLite's write lock prevents it
                continue
            return EmailClaim(email.pk, token, email.attempts + 1)


def _record(claim: EmailClaim, **values: Any) -> bool:
    """Record the result of a claimed send; False when the claim was lost meanwhile."""
    return bool(
        OutboxEmail.objects.filter(
            pk=claim.id, claim_token=claim.token, status=OutboxEmail.Status.SENDING
        ).update(claim_token="", lease_until=None, **values)
    )


def _permanent(exc: Exception) -> bool:
    return isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPSenderRefused)


def send_claimed(claim: EmailClaim, mail_connection: Any, report: SendReport) -> bool:
    """Send one claimed email and record how it went; False when it failed."""
    email = OutboxEmail.objects.get(pk=claim.id)
    message = EmailMessage(
        subject=email.subject,
        body=email.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        connection=mail_connection,
    )
    try:
        message.send(fail_silently=False)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:_ERROR_MAX]
        report.errors.append(f"email {email.pk} to {email.to}: {error}")
        if not _permanent(exc) and claim.attempt < email.max_attempts:
            _record(
                claim,
                status=OutboxEmail.Status.PENDING,
                next_attempt_at=clock.now() + retry_delay(claim.attempt),
                last_error=error,
            )
            report.retrying += 1
        else:
            _record(claim, status=OutboxEmail.Status.FAILED, last_error=error)
            report.failed += 1
        return False
    _record(claim, status=OutboxEmail.Status.SENT, sent_at=clock.now(), last_error="")
    report.sent += 1
    return True


def _close(mail_connection: Any) -> None:
    # A broken connection is dropped either way.
    with contextlib.suppress(Exception):
        mail_connection.close()


def send_due(*, worker: str | None = None, limit: int = 500) -> SendReport:
    """Send the emails that are due, at most `limit`, through settings.EMAIL_BACKEND."""
    who = worker or queue.worker_name("outbox")
    report = SendReport()
    mail_connection = None
    try:
        for _ in range(limit):
            claim = claim_email(who)
            if claim is None:
                break
            if mail_connection is None:
                mail_connection = get_connection()
            if not send_claimed(claim, mail_connection, report):
                # The server may have dropped us: the next email gets a new connection.
                _close(mail_connection)
                mail_connection = None
    finally:
        if mail_connection is not None:
            _close(mail_connection)
    return report


def send_outbox_job(*, scope: Any, slot: dt.datetime | None = None) -> None:
    """The periodic job: send what is due. A failed email is retried by its own schedule,
    so the job itself succeeds whatever the mail server said."""
    send_due()


def emails_due(now: dt.datetime) -> bool:
    """Whether an email is due (one query on an index): the job runs only then."""
    return OutboxEmail.objects.filter(_due(now)).exists()


def register() -> None:
    queue.register_periodic(
        JOB,
        send_outbox_job,
        every=dt.timedelta(minutes=1),
        purpose="send the notification emails waiting in the outbox",
        when=emails_due,
    )
