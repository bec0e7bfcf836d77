"""Settings for the outbox's senders run in subprocesses by the tests: production's, with an
email backend that logs each message sent (sightline/accounts/tests/slowmail.py)."""

from config.settings.base import *  # noqa: F403

EMAIL_BACKEND = "sightline.accounts.tests.slowmail.EmailBackend"
