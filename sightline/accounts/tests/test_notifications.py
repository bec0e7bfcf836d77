"""Notifications: one per key (a database constraint), shown in the app and emailed through the
outbox, which `sightline tick` sends once, with retries on a failing mail server."""

import datetime as dt
import smtplib

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, connection, transaction

from sightline.accounts import outbox
from sightline.accounts.models import Notification, OutboxEmail, User
from sightline.accounts.services import notification_mark_read, notification_send
from sightline.core.errors import NotFound

pytestmark = pytest.mark.django_db


class UserFactory:
    """Users without a role (accounts sits below agencies, whose factories give one)."""

    made = 0

    @classmethod
    def create(cls, **fields):
        cls.made += 1
        email = f"notified{cls.made}@example.org"
        return User.objects.create_user(username=email, email=email, **fields)


# A day after the real present, so what a test makes before it travels is already due then.
NOW = (dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=1)).replace(microsecond=0)


def send(user, key="referral:42:decision-overdue:tm:1", **kwargs):
    values = {
        "recipient": user,
        "key": key,
        "subject": "A referral is waiting for a decision",
        "body": "The decision was due yesterday.",
        "url": "/referrals/42/",
    }
    values.update(kwargs)
    return notification_send(**values)


def test_a_notification_is_stored_once_per_key_with_its_email():
    user = UserFactory.create()
    first = send(user)
    assert first is not None
    assert send(user) is None
    assert Notification.objects.count() == 1
    email = OutboxEmail.objects.get()
    assert email.to == user.email
    assert email.subject == "Sightline: A referral is waiting for a decision"
    assert "http://127.0.0.1:8000/referrals/42/" in email.body


def test_the_database_refuses_a_second_notification_with_the_same_key():
    user = UserFactory.create()
    send(user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            recipient=user,
            key="referral:42:decision-overdue:tm:1",
            subject="x",
            url="/",
            created_at=NOW,
        )


def test_an_inactive_user_is_not_told():
    user = UserFactory.create(is_active=False)
    assert send(user) is None
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"key": ""},
        {"subject": ""},
        {"url": "https://elsewhere.example/"},
        {"url": "//x"},
        {"body": "\x00"},
    ],
)
def test_a_malformed_notification_is_a_programming_error(bad):
    with pytest.raises(ValueError, match="notification_send"):
        send(UserFactory.create(), **bad)


def test_only_the_recipient_marks_it_read():
    user, other = UserFactory.create(), UserFactory.create()
    notification = send(user)
    with pytest.raises(NotFound):
        notification_mark_read(actor=other, notification_id=notification.pk)
    assert notification_mark_read(actor=user, notification_id=notification.pk).read_at is not None


def test_the_outbox_sends_each_email_once():
    user = UserFactory.create()
    send(user)
    report = outbox.send_due()
    assert report.sent == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert outbox.send_due().sent == 0
    assert len(mail.outbox) == 1
    assert OutboxEmail.objects.get().status == OutboxEmail.Status.SENT


def test_a_failing_mail_server_is_tried_again_with_backoff(monkeypatch):
    user = UserFactory.create()
    send(user)

    def refuse(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("the mail server did not answer")

    with time_machine.travel(NOW, tick=False):
        monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
        assert outbox.send_due().retrying == 1
        email = OutboxEmail.objects.get()
        assert (email.status, email.attempts) == (OutboxEmail.Status.PENDING, 1)
        assert email.next_attempt_at == NOW + dt.timedelta(minutes=1)
        assert "did not answer" in email.last_error
        assert outbox.send_due().retrying == 0  # not due yet
    monkeypatch.undo()
    with time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False):
        assert outbox.send_due().sent == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="SQLite's in-memory test database is one connection (the constraint test above)",
)
def test_two_senders_of_one_key_at_once_store_it_once():
    import threading

    user = UserFactory.create()
    barrier = threading.Barrier(2)
    results: list[object] = []
    errors: list[BaseException] = []

    def sender() -> None:
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                results.append(send(user))
                threading.Event().wait(0.2)  # hold the insert while the other tries its own
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert sorted(r is None for r in results) == [False, True]
    assert Notification.objects.count() == 1
    assert OutboxEmail.objects.count() == 1
