"""`sightline serve`: serve Sightline with waitress (static files through WhiteNoise).

Listens on 127.0.0.1 and the port in PORT (8000 when unset) unless told otherwise. One process,
several threads: enough for a demo, a training copy or a small partnership. Behind a reverse proxy
in production, set ALLOWED_HOSTS, SECRET_KEY and SECURE_COOKIES=1."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


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

    def handle(self, *args: Any, **options: Any) -> None:
        host: str = options["host"]
        port: int = options["port"] if options["port"] is not None else default_port()
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
        self.stdout.flush()
        # Stop cleanly on SIGTERM (a service manager, `kill`) as on Ctrl-C.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            server.run()
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
        finally:
            server.close()
