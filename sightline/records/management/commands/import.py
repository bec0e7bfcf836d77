# ruff: noqa: N999  (the command is `sightline import`; Django finds it by file name)
"""`sightline import FILE...`: import agency feeds in the sightline/1 exchange format."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser
from django.db import DatabaseError
from tqdm import tqdm

from sightline.core.actors import IMPORTER
from sightline.core.errors import DomainError
from sightline.records.ingest.pipeline import BatchResult
from sightline.records.ingest.quality import format_error
from sightline.records.management.commands._help import SightlineCommand
from sightline.records.services import feeds_import

PRINTED_ERRORS = 50

HELP = """\
Import agency feeds: JSON Lines (.jsonl) or CSV (.csv) files in the sightline/1
exchange format (docs/exchange-format.md). Register each source first
(`sightline sources add`).

Each file is one batch, imported whole or not at all: a file with any bad line
is refused, nothing from it is written, and every problem is printed as
file:line: field: reason. With --accept-valid the good lines are imported and
the bad ones reported. Importing a file again changes nothing; a changed line
supersedes its earlier version.

A directory imports every *.jsonl and *.csv file directly in it, in name order,
and names everything else it holds. Symbolic links are never followed. With more
than one file, the person lines of every file go first, then the other lines,
so an entry may name a person sent in another file of the same source; a file
refused leaves nothing, and the other files are imported without it."""

EXAMPLES = """\
examples:
  sightline import var/feeds/police.jsonl
  sightline import var/feeds/ --accept-valid --rejects var/rejects/"""


class Command(SightlineCommand):
    help = HELP

    def add_arguments(self, parser: CommandParser) -> None:
        parser.epilog = EXAMPLES
        parser.add_argument(
            "paths", nargs="+", type=Path, metavar="FILE", help="feed files or directories"
        )
        parser.add_argument(
            "--accept-valid",
            action="store_true",
            help="import the good lines of a file with bad ones, and report the bad ones",
        )
        parser.add_argument(
            "--rejects",
            type=Path,
            metavar="PATH",
            help="where to write the report of refused lines (a directory when importing "
            "several files; default: FILE.rejects.jsonl beside each feed)",
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="the person importing, for the audit log (default: the system importer)",
        )
        parser.add_argument(
            "--quiet", action="store_true", help="no progress bar and no summary table"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self._actor(options.get("user"))
        quiet = options["quiet"]
        show_progress = not quiet and sys.stderr.isatty()
        bars: list[tqdm[Any]] = []

        def progress(path: Path, phase: str) -> Callable[[int], None] | None:
            if not show_progress:
                return None
            label = path.name if phase == "all" else f"{path.name} ({_phase_label(phase)})"
            bar = tqdm(
                total=path.stat().st_size,
                unit="B",
                unit_scale=True,
                desc=label,
                file=sys.stderr,
                leave=False,
            )
            bars.append(bar)

            def update(done: int) -> None:
                bar.update(done - bar.n)
                if done >= (bar.total or 0):
                    bar.close()

            return update

        try:
            results = feeds_import(
                actor=actor,
                paths=options["paths"],
                accept_valid=options["accept_valid"],
                rejects=options.get("rejects"),
                progress=progress,
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        except OSError as exc:  # unreadable file, full disk for the report…
            raise CommandError(f"{exc.filename or ''}: {exc.strerror or exc}") from exc
        except DatabaseError as exc:  # locked (another import), unreachable, …
            raise CommandError(
                f"The database refused the import ({str(exc).strip() or type(exc).__name__}); "
                "nothing from the files being imported was written."
            ) from exc
        finally:
            for bar in bars:
                bar.close()
        if not quiet:
            self.stdout.write(summary_table(results))
        refused = sorted({r.filename for r in results if r.status == "rejected"})
        for result in results:
            if result.errors:
                self._print_errors(result)
        if refused:
            several = len(refused) > 1
            raise CommandError(
                f"{len(refused)} file{'s' if several else ''} refused ({', '.join(refused)}): "
                f"nothing from {'them' if several else 'it'} was imported. Correct the lines "
                "above and import again, or use --accept-valid to import the good lines."
            )

    def _actor(self, username: str | None) -> Any:
        if not username:
            return IMPORTER
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username}.")
        return user

    def _print_errors(self, result: BatchResult) -> None:
        err = self.stderr
        verb = "refused" if result.status == "rejected" else "imported without these lines"
        err.write(f"{result.filename}: {verb}: {len(result.errors)} problem(s)")
        for error in result.errors[:PRINTED_ERRORS]:
            err.write("  " + format_error(result.filename, error))
        rest = len(result.errors) - PRINTED_ERRORS
        if rest > 0:
            err.write(f"  … and {rest} more.")
        if result.rejects_path is not None:
            err.write(f"  Every problem, with the line as received: {result.rejects_path}")


def _phase_label(phase: str) -> str:
    return {"people": "person lines", "rest": "other lines"}.get(phase, "all lines")


def summary_table(results: list[BatchResult]) -> str:
    """Every batch's counts, then every file that was not imported: empty files and what a
    directory held that is not a feed."""
    headers = ["File", "Lines", "Read", "Created", "Superseded", "Unchanged", "Rejected", "Result"]
    rows = []
    for r in results:
        if r.status in ("empty", "skipped"):
            continue
        c = r.counts
        if r.status == "empty file":
            result = "empty file: nothing to import"
        elif r.status == "rejected":
            result = f"refused ({r.note})" if r.note else "refused"
        else:
            result = "imported"
        rows.append(
            [
                r.filename,
                _phase_label(r.phase),
                str(c.read),
                str(c.created),
                str(c.superseded),
                str(c.unchanged),
                str(c.rejected),
                result,
            ]
        )
    lines: list[str] = []
    if rows:
        widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
        numeric = {2, 3, 4, 5, 6}

        def fmt(cells: list[str]) -> str:
            return "  ".join(
                cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
                for i, cell in enumerate(cells)
            ).rstrip()

        lines += [fmt(headers), fmt(["-" * w for w in widths])]
        lines += [fmt(row) for row in rows]
    skipped = [r for r in results if r.status == "skipped"]
    if skipped:
        lines += ["", "Not imported:"] if lines else ["Not imported:"]
        lines += [f"  {r.path}: {r.note}" for r in skipped]
    return "\n".join(lines) if lines else "No files to import."
