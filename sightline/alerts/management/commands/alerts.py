"""`sightline alerts check [DIR...]`: validate a rule set and run every rule's cases.

    sightline alerts check                 # the shipped rules and the ALERT_RULE_DIRS setting's
    sightline alerts check local-rules/    # the shipped rules with this directory's
    sightline alerts check --only DIR      # just this directory

One line per rule file, each problem beneath it naming the file, rule and field; the exit status
is non-zero when there is any problem (docs/alerts.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sightline.alerts import rulesets
from sightline.alerts.engine.loader import SHIPPED_RULES_DIR


class Command(BaseCommand):
    help = "Alert rules: `check` validates a rule set and runs every rule's own cases."
    # A broken rule set stops the other commands (alerts.E001); this one reports it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="Validate a rule set and run its rules' cases.")
        check.add_argument(
            "dirs",
            nargs="*",
            type=Path,
            help="directories of rule files, checked with the shipped rules "
            "(default: the ALERT_RULE_DIRS setting's)",
        )
        check.add_argument("--only", action="store_true", help="check only the directories given")

    def handle(self, *args: Any, **options: Any) -> None:
        dirs: list[Path] = options["dirs"]
        if options["only"] and not dirs:
            raise CommandError("--only needs at least one directory")
        if options["only"]:
            chosen = dirs
        elif dirs:
            chosen = [SHIPPED_RULES_DIR, *dirs]
        else:
            chosen = rulesets.rule_dirs()
        report = rulesets.check(chosen)
        by_file: dict[str, list[str]] = {}
        named: dict[str, str] = {}
        for problem in report.problems:
            if problem.rule:
                named.setdefault(problem.file, problem.rule)
            by_file.setdefault(problem.file, []).append(
                (f"{problem.field}: " if problem.field else "") + problem.reason
            )
        for name in sorted(set(report.files) | set(by_file)):
            rule, run, passed = report.files.get(name, (None, 0, 0))
            problems = by_file.get(name, [])
            label = rule or named.get(name) or Path(name).name
            cases = f"{passed}/{run} cases pass" if run else "cases not run"
            if problems:
                self.stdout.write(self.style.ERROR(f"FAIL  {label}  ({name})"))
                for text in problems:
                    self.stdout.write(f"      - {text}")
            else:
                self.stdout.write(self.style.SUCCESS(f"ok    {label}  ({cases})"))
        rules = len(report.rule_set.rules) if report.rule_set else 0
        if report.problems:
            raise CommandError(
                f"{len(report.problems)} problem(s) in the rule set ({', '.join(str(d) for d in chosen)})"
            )
        self.stdout.write(
            f"{rules} rule(s) checked in {', '.join(str(d) for d in chosen)}: all good."
        )
