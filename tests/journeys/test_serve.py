"""`sightline serve`: waitress serving the application and, through WhiteNoise, its static files."""

from __future__ import annotations

import datetime as dt
import io
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sightline.core import queue
from sightline.core.actors import SystemActor
from sightline.ui.management.commands import serve


@pytest.fixture
def server(transactional_db: None) -> Iterator[str]:
    srv: Any = serve.make_server("127.0.0.1", 0, threads=2)
    stopping = threading.Event()

    def run() -> None:
        try:
            srv.run()
        except OSError:
            # Closing the server's socket while its loop waits on it ends the loop this way.
            if not stopping.is_set():
                raise

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.effective_port}"
    finally:
        stopping.set()
        srv.close()
        thread.join(timeout=5)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_pages_need_sign_in_and_static_files_are_served(server: str) -> None:
    status, headers, _ = fetch(server + "/")
    assert status == 302
    assert "/sign-in" in headers["Location"]
    status, _, body = fetch(server + "/sign-in")
    assert status == 200
    assert b"Sign in to Sightline" in body
    status, headers, body = fetch(server + "/static/vendor/govuk/govuk-frontend.min.css")
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert len(body) > 10_000


def test_the_port_comes_from_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "8123")
    assert serve.default_port() == 8123
    monkeypatch.delenv("PORT")
    assert serve.default_port() == 8000
    monkeypatch.setenv("PORT", "eighty")
    with pytest.raises(CommandError, match="PORT must be a number"):
        serve.default_port()


@pytest.mark.django_db
def test_a_busy_port_is_explained(server: str) -> None:
    port = server.rsplit(":", 1)[1]
    with pytest.raises(CommandError, match="Set PORT"):
        call_command("serve", "--port", port)


# --- the clock: `sightline serve` runs tick every minute in a thread -----------------------------


@pytest.mark.django_db(transaction=True)  # the thread reads what the test has committed
def test_the_serve_thread_runs_the_queue_and_says_what_it_did() -> None:
    ran = threading.Event()

    def work(*, scope: Any) -> None:
        ran.set()

    kind = queue.TaskKind(
        name="tests.serve",
        handler=work,
        purpose="tests: work for the server's clock",
        actor=SystemActor("tester"),
        max_attempts=1,
        lease=dt.timedelta(minutes=1),
    )
    out = io.StringIO()
    with queue.registered(kind):
        task = queue.enqueue("tests.serve")
        ticker = serve.Ticker(every=0.2, out=out)
        ticker.start()
        try:
            assert ran.wait(timeout=20), "the serve thread ran the task"
            deadline = time.monotonic() + 20
            while "done: tests.serve" not in out.getvalue() and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            ticker.stop()
    assert not ticker.is_alive()
    assert ticker.ticks >= 1
    assert "Background work: Tick at" in out.getvalue()
    assert f"done: tests.serve (task {task.pk})" in out.getvalue()
    task.refresh_from_db()
    assert task.status == "done"


@pytest.mark.django_db
def test_serve_starts_the_clock_unless_told_not_to(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[float] = []

    class Server:
        def run(self) -> None:
            return None

        def close(self) -> None:
            return None

    class Clock:
        def __init__(self, *, every: float = serve.TICK_SECONDS, out: Any = None) -> None:
            self.every = every

        def start(self) -> None:
            started.append(self.every)

        def stop(self, timeout: float = 10.0) -> None:
            return None

    monkeypatch.setattr(serve, "make_server", lambda *a, **k: Server())
    monkeypatch.setattr(serve, "Ticker", Clock)
    monkeypatch.setattr(serve.signal, "signal", lambda *a: None)
    out = io.StringIO()
    call_command("serve", "--port", "8765", stdout=out)
    assert started == [60.0]
    assert "Background work (sightline tick) runs every minute." in out.getvalue()
    call_command("serve", "--port", "8765", "--no-tick", stdout=io.StringIO())
    assert started == [60.0]
