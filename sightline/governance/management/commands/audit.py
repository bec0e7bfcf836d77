"""`sightline audit verify [--against FILE...]` and `sightline audit export-head [--dir DIR]`
(docs/audit.md)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection

from sightline.core.actors import actor_for_command
from sightline.governance import audit, chain, triggers


class Command(BaseCommand):
    help = "The audit log's chain: check it has not been changed, export its head."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify",
            help="Walk the audit chain from its first row; name the first row that was edited, "
            "deleted or inserted. Exits 1 if there is one.",
        )
        verify.add_argument(
            "--against",
            nargs="+",
            type=Path,
            default=[],
            metavar="FILE",
            help="heads exported earlier (export-head, or the daily export): each must still be "
            "on the chain, or the table was rewritten",
        )
        verify.add_argument("--user", metavar="USERNAME", help="the person checking (audit)")
        export = sub.add_parser(
            "export-head",
            help="Write the chain's current head to a file (as the daily job does) and record it.",
        )
        export.add_argument(
            "--dir", type=Path, metavar="DIR", help="default: AUDIT_HEAD_EXPORT_DIR"
        )
        export.add_argument("--user", metavar="USERNAME", help="the person exporting (audit)")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_for_command(options.get("user"), default=audit.AUDIT_TOOL)
        if options["action"] == "export-head":
            exported = audit.head_export(actor=actor, directory=options.get("dir"))
            self.stdout.write(
                f"Exported the audit chain's head: seq {exported.head.seq}, hash "
                f"{exported.head.row_hash}, to {exported.path}."
            )
            return
        self._verify(actor, options["against"])

    def _verify(self, actor: Any, paths: list[Path]) -> None:
        try:
            heads = chain.heads_of(paths)
        except chain.HeadFileError as exc:
            raise CommandError(str(exc)) from exc
        started = time.perf_counter()

        def progress(rows: int) -> None:
            if rows % 100_000 == 0:
                self.stderr.write(f"  {rows:,} rows checked")

        report = chain.verify(against=heads, progress=progress)
        seconds = time.perf_counter() - started
        lines = [
            f"Checked {report.rows:,} rows of the audit chain in {seconds:.1f} s "
            f"(the chain head says {report.head.seq:,} rows were appended)."
        ]
        if report.problem is None:
            lines.append(
                f"The chain is intact. Its last row: seq {report.last.seq}, hash {report.last.row_hash}."
            )
        else:
            lines.append(f"The chain is broken at {report.problem.text()}.")
            lines.append(
                f"Rows 1 to {report.rows} are intact"
                if report.rows
                else "No row before it is intact"
            )
        lines += [check.text() for check in report.heads]
        if not triggers.present(connection):
            lines.append(
                "Warning: the database's triggers that refuse UPDATE and DELETE on the audit "
                "table are missing (see docs/audit.md)."
            )
        try:
            audit.verify_record(actor=actor, report=report, against=len(heads))
        except DatabaseError as exc:
            lines.append(f"This check could not be recorded in the audit log: {exc}")
        self.stdout.write("\n".join(lines))
        if not report.ok:
            raise CommandError("The audit chain does not verify.", returncode=1)
