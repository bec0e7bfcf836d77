"""`sightline serve`: serve Sightline with waitress (static files through WhiteNoise).

Listens on 127.0.0.1 and the port in PORT (8000 when unset) unless told otherwise. One process,
several threads: enough for a demo, a training copy or a small partnership. Behind a reverse proxy
in production, set ALLOWED_HOSTS, SECRET_KEY and SECURE_COOKIES=1.

It also runs `sightline tick` every minute in a background thread (the queue's tasks, the
periodic jobs), so the demo needs nothing else; in production a systemd timer runs tick and the
server is started with `--no-tick` (docs/background-work.md)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from io import TextIOBase
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from sightline.core.tick import tick

log = logging.getLogger(__name__)
TICK_SECONDS = 60.0


def default_port() -> int:
    value = os.environ.get("PORT", "") or "8000"
    try:
        return int(value)
    except ValueError as exc:
        raise CommandError(f"PORT must be a number, not {value!r}") from exc


def pending_migrations() -> int:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def make_server(host: str, port: int, *, threads: int = 8) -> Any:
    """A waitress server for the Django application, bound but not yet running.

    `server.run()` serves until `server.close()`; the browser tests run one in a thread."""
    from django.conf import settings
    from waitress.server import create_server  # type: ignore[import-untyped, unused-ignore]

    # WhiteNoise serves the apps' static files through the finders; STATIC_ROOT (collectstatic's
    # output) is optional, but WhiteNoise warns when the folder is missing.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    from config.wsgi import application

    return create_server(
        application,
        host=host,
        port=port,
        threads=threads,
        ident="Sightline",
        clear_untrusted_proxy_headers=True,
        channel_timeout=120,
    )


class Ticker(threading.Thread):
    """`sightline tick` every `every` seconds, the first at once, until `stop()`. What a tick
    did is written to `out` (nothing when nothing was due); a failing tick is logged and the
    next one tried, so the server never stops over background work."""

    def __init__(self, *, every: float = TICK_SECONDS, out: TextIOBase | None = None) -> None:
        super().__init__(name="sightline-tick", daemon=True)
        self.every = every
        self.out = out
        self.stopping = threading.Event()
        self.ticks = 0

    def run(self) -> None:
        while not self.stopping.is_set():
            self.tick_once()
            self.stopping.wait(self.every)

    def tick_once(self) -> None:
        try:
            report = tick(max_seconds=self.every)
            if report.did_something and self.out is not None:
                self.out.write("Background work: " + "\n  ".join(report.lines()) + "\n")
                self.out.flush()
        except Exception:
            log.exception("sightline tick failed; the next one runs in %s s", self.every)
        finally:
            self.ticks += 1
            connections.close_all()  # this thread's connection; a new one next time

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        self.join(timeout=timeout)


class Command(BaseCommand):
    help = "Serve Sightline with waitress on 127.0.0.1 and PORT (8000 when unset)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1)."
        )
        parser.add_argument(
            "--port",
            type=int,
            default=None,
            help="Port to listen on (default: the PORT environment variable, or 8000).",
        )
        parser.add_argument("--threads", type=int, default=8, help="Worker threads (default 8).")
        parser.add_argument(
            "--tick",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="run `sightline tick` every minute in the server (default; --no-tick when a "
            "systemd timer runs it)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host: str = options["host"]
        port: int = options["port"] if options["port"] is not None else default_port()
        # The system checks refuse to serve a broken configuration (a rule set, a role policy),
        # naming what is wrong, rather than serving pages that cannot work.
        self.check(display_num_errors=False)
        if pending := pending_migrations():
            raise CommandError(
                f"The database needs {pending} migration(s): run `sightline migrate` first."
            )
        try:
            server = make_server(host, port, threads=options["threads"])
        except OSError as exc:
            raise CommandError(
                f"Cannot listen on {host}:{port} ({exc.strerror or exc}). "
                "Is Sightline already running? Set PORT (or --port) to use another port."
            ) from exc
        shown = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104
        if ":" in shown:
            shown = f"[{shown}]"
        self.stdout.write(
            self.style.SUCCESS(f"Sightline is serving on http://{shown}:{port}/")
            + "  (press Ctrl-C to stop)",
        )
        ticker = None
        if options["tick"]:
            ticker = Ticker(out=self.stdout)
            ticker.start()
            self.stdout.write("Background work (sightline tick) runs every minute.")
        self.stdout.flush()
        # Stop cleanly on SIGTERM (a service manager, `kill`) as on Ctrl-C.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            server.run()
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
        finally:
            server.close()
            if ticker is not None:
                ticker.stop(timeout=1.0)
