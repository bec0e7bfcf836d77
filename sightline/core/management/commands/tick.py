"""`sightline tick`: run the periodic jobs that are due and the tasks waiting in the queue.

    sightline tick                  # what is due now, then a short summary
    sightline tick --max-seconds 50 # stop claiming new tasks after 50 seconds

Safe to run as often as you like, and twice at once (docs/background-work.md): `sightline serve`
runs it every minute; in production a systemd timer does."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sightline.core.tick import tick


class Command(BaseCommand):
    help = "Run the periodic jobs that are due and the background tasks waiting, then say what ran."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--max-tasks", type=int, default=None, metavar="N", help="run at most N tasks"
        )
        parser.add_argument(
            "--max-seconds",
            type=float,
            default=None,
            metavar="S",
            help="claim no new task after S seconds (a task already running is finished)",
        )
        parser.add_argument(
            "--quiet", action="store_true", help="print nothing when nothing was due"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = tick(max_tasks=options["max_tasks"], max_seconds=options["max_seconds"])
        if options["quiet"] and not report.did_something:
            return
        for line in report.lines():
            self.stdout.write(line)
