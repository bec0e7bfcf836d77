"""`sightline replay PATH...`: what could we have known, and when (docs/replay.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from sightline.alerts.engine.loader import RuleSetError
from sightline.alerts.replay import replaying, report, throwaway
from sightline.alerts.rulesets import active_rule_set, rule_dirs
from sightline.core.errors import ValidationFailed
from sightline.records.management.commands._help import SightlineCommand
from sightline.records.services import feed_listing

HELP = """\
Replay agency feeds (sightline/1 JSON Lines or CSV, files or directories) in a
throwaway database of the replay's own, and report, for each person, every alert
the rules would have raised and on which day, with its evidence.

The replay never touches the partnership's database (DATABASE_URL): it imports
the feeds into a new temporary SQLite database, registering each source as
agency kind `other` (each entry names its own agency), links the people as
`sightline link` does, replays every day from --from to --to with the rules in
force, and deletes the database. Nobody acknowledges anything in a replay, so an
alert is taken as decided when its rule's suppression window ends.

A feed with a bad line stops the replay: every problem is printed as
file:line: field: reason, as `sightline import` prints it."""

EXAMPLES = """\
examples:
  sightline replay tests/replay_feeds/james/
  sightline replay feeds/ --from 2019-01-01 --to 2020-12-31 --format json --out replay.json"""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text}: not a date; give one like 2019-08-04") from None


class Command(SightlineCommand):
    help = HELP
    # The rule set is checked below (the system check would run every rule's cases a second
    # time); nothing else the system checks covers is used by a replay.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.epilog = EXAMPLES
        parser.add_argument(
            "paths", nargs="+", type=Path, metavar="PATH", help="feed files or directories"
        )
        parser.add_argument(
            "--from",
            dest="start",
            metavar="DATE",
            help="first day replayed (default: the first day in the feeds)",
        )
        parser.add_argument(
            "--to",
            dest="end",
            metavar="DATE",
            help="last day replayed (default: the last day anything was recorded)",
        )
        parser.add_argument(
            "--format", choices=("text", "json"), default="text", help="default: text"
        )
        parser.add_argument("--out", type=Path, metavar="FILE", help="write here (default: stdout)")
        parser.add_argument(
            "--rules",
            type=Path,
            action="append",
            metavar="DIR",
            help="replay these rule directories instead of the configured rule set (repeatable)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        start = _date(options["start"]) if options.get("start") else None
        end = _date(options["end"]) if options.get("end") else None
        if start and end and end < start:
            raise CommandError(f"--to {end} is before --from {start}")
        try:
            files, _ = feed_listing(options["paths"])
        except ValidationFailed as exc:
            raise CommandError(exc.message) from exc
        if not files:
            raise CommandError("No feed files (.jsonl or .csv) in the paths given.")
        dirs = options.get("rules") or rule_dirs()
        for directory in dirs:
            if not directory.is_dir():
                raise CommandError(f"{directory}: no such rule directory")
        try:
            if options.get("rules"):
                replaying.rule_set(dirs)
            else:
                active_rule_set()
        except (replaying.ReplayProblem, RuleSetError) as exc:
            problems = exc.messages if isinstance(exc, replaying.ReplayProblem) else exc.problems
            for problem in problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(
                "Nothing was replayed: the rule set is broken (`sightline alerts check`).",
                returncode=2,
            ) from exc
        job = throwaway.Job(
            paths=options["paths"], start=start, end=end, rule_dirs=dirs, cases_checked=True
        )
        try:
            result = throwaway.run(job)
        except throwaway.ReplayFailed as exc:
            if exc.input_error:
                for message in exc.messages[:200]:
                    self.stderr.write("  " + message)
                rest = len(exc.messages) - 200
                if rest > 0:
                    self.stderr.write(f"  … and {rest} more.")
                raise CommandError(
                    "Nothing was replayed: correct the problems above and replay again.",
                    returncode=2,
                ) from exc
            raise CommandError("\n".join(exc.messages)) from exc
        text = report.as_json(result) if options["format"] == "json" else report.as_text(result)
        out = options.get("out")
        if out is None:
            self.stdout.write(text, ending="")
            return
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{out}: {exc.strerror or exc}") from exc
        self.stdout.write(f"Wrote the replay of {len(result['people'])} people to {out}.")
