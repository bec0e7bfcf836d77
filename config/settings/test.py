"""Test settings: fast hashing; everything else as in production."""

from config.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_AUTOREFRESH = True
# An import queues its linking as in production; nothing runs it until a test drains the queue
# (the `run_tasks` fixture, or `call_command("tick")`).
# Emails stay in memory (django.core.mail.outbox); nothing is written or sent.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
