"""`sightline sources add|list|kinds`: the agency feeds Sightline accepts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from sightline.agencies.vocabulary import agency_kinds
from sightline.core.actors import IMPORTER
from sightline.core.errors import DomainError, ValidationFailed
from sightline.records.management.commands._help import SightlineCommand
from sightline.records.models import SourceSystem
from sightline.records.selectors import source_system_list_for
from sightline.records.services import source_system_register


class Command(SightlineCommand):
    help = """\
Register and list agency feeds (source systems). A feed must be registered
before its first import: its lines name it in their `source` field.

examples:
  sightline sources add police --agency-kind police --name "Police RMS"
  sightline sources add camhs --agency-kind camhs --name "CAMHS" --access team
  sightline sources list"""

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        add = sub.add_parser(
            "add",
            help="register a feed",
            description="Register a feed. Its records are held by an agency: the organisation "
            "named (created if new), or else the partnership's agency of that kind.",
        )
        add.add_argument("code", metavar="CODE", help="the `source` code lines carry, like police")
        add.add_argument(
            "--agency-kind",
            required=True,
            metavar="KIND",
            help="the kind of agency holding the records (see `sightline sources kinds`)",
        )
        add.add_argument("--name", required=True, help="the feed's name, like 'Police RMS'")
        add.add_argument(
            "--organisation",
            metavar="NAME",
            help="the agency holding the records, like 'Warwickshire Police'",
        )
        add.add_argument(
            "--access",
            choices=SourceSystem.AccessScope.values,
            default=SourceSystem.AccessScope.AGENCY,
            help="who may see the people it sends: everyone in the agency (default), or only "
            "the team named on each involvement",
        )
        sub.add_parser("list", help="list registered feeds")
        sub.add_parser("kinds", help="list the agency kinds a feed or line may name")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "add":
            self._add(options)
        elif action == "list":
            self._list()
        else:
            for code, label in agency_kinds().items():
                self.stdout.write(f"{code:<28}{label}")

    def _add(self, options: dict[str, Any]) -> None:
        try:
            system = source_system_register(
                actor=IMPORTER,
                code=options["code"],
                name=options["name"],
                agency_kind=options["agency_kind"],
                organisation=options.get("organisation"),
                access_scope=options["access"],
            )
        except ValidationFailed as exc:
            details = "; ".join(f"{field}: {reason}" for field, reason in exc.errors.items())
            raise CommandError(f"{exc.message}: {details}" if details else exc.message) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Registered {system.code} ({system.name}), held by {system.agency.name}; "
            f"access: {system.access_scope}."
        )

    def _list(self) -> None:
        systems = list(source_system_list_for(viewer=IMPORTER))
        if not systems:
            self.stdout.write("No sources registered. Add one: sightline sources add CODE …")
            return
        rows = [
            [
                s.code,
                s.name,
                s.agency.name,
                s.agency.kind,
                s.access_scope,
                str(getattr(s, "current_records", 0)),
            ]
            for s in systems
        ]
        headers = ["Code", "Name", "Agency", "Kind", "Access", "Records"]
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
        for row in [headers, ["-" * w for w in widths], *rows]:
            self.stdout.write("  ".join(c.ljust(widths[i]) for i, c in enumerate(row)).rstrip())
