"""`sightline sar export REFERENCE --out DIR --by EMAIL`, `sightline sar sign-off REQUEST --by
EMAIL` and `sightline sar list` (docs/information-governance.md, Subject access)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sightline.core import clock
from sightline.core.errors import AccessDenied, NotFound
from sightline.dataprotection import services
from sightline.dataprotection.subject_access import file_name
from sightline.governance.models import SubjectAccessRequest


def _officer(email: str) -> Any:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=email, is_active=True).first()
    if user is None:
        raise CommandError(f"No active user {email}.")
    return user


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = "Subject access requests: export a person's records (redacted), sign off, list."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser(
            "export",
            help="Export a person's records (PDF and JSON for the requester; the withheld log "
            "for the officer), opening the request if it is new.",
        )
        export.add_argument("reference", help="the person's Sightline reference")
        export.add_argument("--out", type=Path, required=True, metavar="DIR")
        export.add_argument("--by", required=True, metavar="EMAIL", help="the officer")
        export.add_argument(
            "--request", metavar="REF", help="the request's reference (default: SAR-<person>)"
        )
        export.add_argument("--requested", metavar="DATE", help="default: the date received")
        export.add_argument("--received", metavar="DATE", help="default: today")
        sign = sub.add_parser("sign-off", help="Sign off an exported request's pack.")
        sign.add_argument("request", help="the request's reference")
        sign.add_argument("--by", required=True, metavar="EMAIL")
        sub.add_parser("list", help="Every request, with its deadline and status.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "_" + options["action"].replace("-", "_"))(options)
        except (services.SubjectAccessError, NotFound, AccessDenied) as exc:
            raise CommandError(str(exc) or "Not allowed.") from exc

    def _export(self, options: dict[str, Any]) -> None:
        officer = _officer(options["by"])
        reference = options["request"] or f"SAR-{options['reference']}"
        sar = SubjectAccessRequest.objects.filter(reference=reference).first()
        if sar is None:
            received = _date(options["received"]) if options["received"] else clock.today()
            requested = _date(options["requested"]) if options["requested"] else received
            sar = services.subject_access_open(
                actor=officer,
                person_reference=options["reference"],
                reference=reference,
                requested_on=requested,
                received_on=received,
            )
        elif sar.person.reference != options["reference"].strip():
            raise CommandError(f"Request {reference} is about another person.")
        pack = services.subject_access_export(actor=officer, sar=sar)
        sar.refresh_from_db()
        out: Path = options["out"]
        out.mkdir(parents=True, exist_ok=True)
        for kind, field in (
            ("pdf", "pack_pdf"),
            ("json", "pack_json"),
            ("withheld_log", "withheld_log"),
        ):
            path = out / file_name(sar.reference, kind)
            path.write_bytes(bytes(getattr(sar, field)))
            self.stdout.write(f"Wrote {path}")
        self.stdout.write(
            f"Request {sar.reference}: {len(pack.entries)} entries disclosed, "
            f"{sum(1 for line in pack.log if line.action == 'withheld')} withheld, "
            f"{sum(1 for line in pack.log if line.action == 'redacted')} redacted, "
            f"{sum(1 for line in pack.log if line.action == 'check')} to check; "
            f"due {sar.due_on:%-d %B %Y}. The withheld log is for the officer only."
        )

    def _sign_off(self, options: dict[str, Any]) -> None:
        officer = _officer(options["by"])
        sar = SubjectAccessRequest.objects.filter(reference=options["request"]).first()
        if sar is None:
            raise CommandError(f"No request {options['request']}.")
        services.subject_access_sign_off(actor=officer, sar=sar)
        self.stdout.write(f"Request {sar.reference} signed off by {officer.username}.")

    def _list(self, options: dict[str, Any]) -> None:
        for sar in SubjectAccessRequest.objects.select_related("person"):
            self.stdout.write(
                f"{sar.reference}\t{sar.person.reference}\treceived {sar.received_on}\t"
                f"due {sar.due_on}\t{sar.get_status_display()}"
            )
