"""An email backend for the outbox's two-sender test: each message takes a moment to "send" (so
the other sender is claiming meanwhile) and is logged as one line, whichever process sends it."""

from __future__ import annotations

import os
import time
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        for message in email_messages:
            time.sleep(0.1)
            fd = os.open(os.environ["OUTBOX_TEST_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
            try:
                os.write(fd, f"{message.subject} {os.getpid()}\n".encode())
            finally:
                os.close(fd)
        return len(email_messages)
