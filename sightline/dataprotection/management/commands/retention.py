"""`sightline retention plan|approve|execute|show|hold|lift|holds` (docs/information-governance.md,
Retention and the deletion run)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sightline.core.errors import AccessDenied, NotFound
from sightline.dataprotection import retention
from sightline.dataprotection.services import person_by_reference
from sightline.governance.models import LegalHold, RetentionRun


def _officer(email: str) -> Any:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=email, is_active=True).first()
    if user is None:
        raise CommandError(f"No active user {email}.")
    return user


def _run(number: int) -> RetentionRun:
    run = RetentionRun.objects.filter(pk=number).first()
    if run is None:
        raise CommandError(f"No retention run {number}.")
    return run


class Command(BaseCommand):
    help = "The retention schedule: plan a deletion run, approve it (a second person), execute it; legal holds."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        plan = sub.add_parser("plan", help="Report and store who WOULD be deleted, and what.")
        plan.add_argument("--by", required=True, metavar="EMAIL")
        approve = sub.add_parser("approve", help="Approve a planned run (not by its planner).")
        approve.add_argument("run", type=int)
        approve.add_argument("--by", required=True, metavar="EMAIL")
        execute = sub.add_parser(
            "execute", help="Delete the approved run's people who still qualify (holds stop it)."
        )
        execute.add_argument("run", type=int)
        execute.add_argument("--by", metavar="EMAIL", help="default: the retention system actor")
        show = sub.add_parser("show", help="A run: its plan, status and outcome.")
        show.add_argument("run", type=int)
        hold = sub.add_parser("hold", help="Place a legal hold on a person's records.")
        hold.add_argument("reference", help="the person's Sightline reference")
        hold.add_argument("--reason", required=True)
        hold.add_argument("--by", required=True, metavar="EMAIL")
        lift = sub.add_parser("lift", help="Lift a legal hold.")
        lift.add_argument("hold", type=int)
        lift.add_argument("--by", required=True, metavar="EMAIL")
        sub.add_parser("holds", help="The holds in place.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "_" + options["action"])(options)
        except (retention.RetentionError, NotFound, AccessDenied) as exc:
            raise CommandError(str(exc) or "Not allowed.") from exc

    def _plan(self, options: dict[str, Any]) -> None:
        run = retention.retention_plan(actor=_officer(options["by"]))
        self._show({"run": run.pk})
        self.stdout.write(
            f"Nothing is deleted yet. Another person approves: sightline retention approve {run.pk} --by EMAIL"
        )

    def _approve(self, options: dict[str, Any]) -> None:
        run = retention.retention_approve(actor=_officer(options["by"]), run=_run(options["run"]))
        self.stdout.write(f"Run {run.pk} approved by {options['by']}: {len(run.plan)} people.")

    def _execute(self, options: dict[str, Any]) -> None:
        actor = _officer(options["by"]) if options.get("by") else retention.RETENTION
        done = retention.retention_run_execute(actor=actor, run=_run(options["run"]))
        self.stdout.write(
            f"Run {done.run.pk}: {len(done.deleted)} people deleted now; {len(done.kept)} kept."
        )
        for item in done.kept:
            self.stdout.write(f"  kept person {item['person_id']}: {item['why']}")

    def _show(self, options: dict[str, Any]) -> None:
        run = _run(options["run"])
        self.stdout.write(
            f"Run {run.pk} ({run.get_status_display()}), schedule {run.rules_version}, planned by "
            f"{run.planned_by_name} at {run.planned_at:%Y-%m-%d %H:%M}: {len(run.plan)} people."
        )
        for item in run.plan:
            counts = ", ".join(f"{k} {v}" for k, v in sorted(item["counts"].items()))
            self.stdout.write(
                f"  {item['reference']} (id {item['person_id']}): kept until {item['keep_until']} "
                f"({item['rule']}); {counts or 'no records'}"
            )
        if run.status == RetentionRun.Status.EXECUTED:
            self.stdout.write(f"Deleted: {len(run.deleted)}; kept: {len(run.kept)}.")

    def _hold(self, options: dict[str, Any]) -> None:
        person = person_by_reference(options["reference"])
        hold = retention.legal_hold_place(
            actor=_officer(options["by"]), person=person, reason=options["reason"]
        )
        self.stdout.write(f"Hold {hold.pk} placed on {person.reference}.")

    def _lift(self, options: dict[str, Any]) -> None:
        hold = LegalHold.objects.filter(pk=options["hold"]).first()
        if hold is None:
            raise CommandError(f"No hold {options['hold']}.")
        retention.legal_hold_lift(actor=_officer(options["by"]), hold=hold)
        self.stdout.write(f"Hold {hold.pk} lifted.")

    def _holds(self, options: dict[str, Any]) -> None:
        for hold in LegalHold.objects.filter(lifted_at__isnull=True).select_related("person"):
            self.stdout.write(
                f"{hold.pk}\t{hold.person.reference}\t{hold.placed_at:%Y-%m-%d}\t"
                f"{hold.placed_by_name}\t{hold.reason}"
            )
