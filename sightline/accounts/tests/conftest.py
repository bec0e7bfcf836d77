import pytest

from sightline.accounts import signals
from sightline.accounts.models import User

PASSWORD = "correct horse battery staple"
_SIGNALS = ("signed_in", "sign_in_refused", "signed_out", "account_changed")


@pytest.fixture
def announced():
    """What the accounts app announced, as (signal name, arguments) in order. The audit rows
    those announcements become are tested with the receivers (governance/tests)."""
    events: list[tuple[str, dict]] = []
    receivers = {}
    for name in _SIGNALS:

        def receiver(sender, _name=name, **kwargs):
            kwargs.pop("signal", None)
            events.append((_name, kwargs))

        receivers[name] = receiver
        getattr(signals, name).connect(receiver, weak=False)
    yield events
    for name, receiver in receivers.items():
        getattr(signals, name).disconnect(receiver)


@pytest.fixture
def user(db):
    user = User.objects.create_user(
        username="sam.patel@example.org",
        email="sam.patel@example.org",
        password=PASSWORD,
        first_name="Sam",
        last_name="Patel",
    )
    return user
