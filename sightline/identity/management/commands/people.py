"""`sightline people export`: every Sightline person and the source records linked to it.

    sightline people export                         # JSON Lines on standard output
    sightline people export --format csv --out people.csv

JSON Lines: one person a line, {"reference": "SL…", "records": [{"source", "source_id"}]}.
CSV: one row per source record (reference, source, source_id); a person with no record has one
row with the source columns empty. People merged into another are not listed: their records are
listed under the person they were merged into. The export is audited (people_exported)."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any, TextIO

import orjson
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from sightline.core.actors import SystemActor, actor_for_command
from sightline.governance import audit
from sightline.governance.audit import AuditAction
from sightline.identity.selectors import people_export_for

EXPORTER = SystemActor("export")
FORMATS = ("jsonl", "csv")


class Command(BaseCommand):
    help = "People commands: `export` writes every person and the source records linked to it."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Every person's reference and source records.")
        export.add_argument("--format", choices=FORMATS, default="jsonl")
        export.add_argument("--out", type=Path, metavar="FILE", help="default: standard output")
        export.add_argument("--user", metavar="USERNAME", help="the person exporting (audit)")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_for_command(options.get("user"), default=EXPORTER)
        out: Path | None = options.get("out")
        fmt: str = options["format"]
        with transaction.atomic():
            audit.record(
                actor,
                AuditAction.PEOPLE_EXPORTED,
                object_type="people",
                purpose="sightline people export",
                detail={"format": fmt, "out": str(out) if out else "stdout"},
            )
        if out is None:
            people, records = self._write(actor, getattr(self.stdout, "_out", sys.stdout), fmt)
        else:
            with out.open("w", encoding="utf-8", newline="") as fh:
                people, records = self._write(actor, fh, fmt)
            self.stderr.write(f"Wrote {people:,} people and {records:,} source records to {out}.")

    def _write(self, actor: Any, fh: Any, fmt: str) -> tuple[int, int]:
        people = records = 0
        stream: TextIO = fh
        if fmt == "csv":
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(["reference", "source", "source_id"])
            for person in people_export_for(viewer=actor):
                people += 1
                records += len(person.records)
                for source, source_id in person.records or [("", "")]:
                    writer.writerow([person.reference, source, source_id])
        else:
            for person in people_export_for(viewer=actor):
                people += 1
                records += len(person.records)
                line = {
                    "reference": person.reference,
                    "records": [{"source": s, "source_id": i} for s, i in person.records],
                }
                stream.write(orjson.dumps(line).decode() + "\n")
        return people, records
