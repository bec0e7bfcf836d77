"""`sightline link`: link people across feeds (probabilistic identity resolution).

    sightline link               # every imported batch not linked yet (the first time: everyone)
    sightline link --batch 12    # one import batch against everyone known
    sightline link --full        # everyone again

Pairs above the auto-link weight are merged; pairs in the grey zone wait in the review queue
(/identity/review/); feeds whose person lines carry nothing to link on are reported. Without a
trained model (identity/linkage/trained/), one is trained on the records held first."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sightline.core.actors import LINKER, actor_for_command
from sightline.governance import access
from sightline.identity import linking
from sightline.identity.models import LinkRun


class Command(BaseCommand):
    help = "Link people across feeds: merge strong matches, queue the uncertain for review."

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--full", action="store_true", help="link everyone again")
        which.add_argument("--batch", type=int, metavar="ID", help="link one import batch")
        parser.add_argument("--again", action="store_true", help="with --batch: even if linked")
        parser.add_argument("--model", metavar="VERSION", help="model version (default: newest)")
        parser.add_argument(
            "--user", metavar="USERNAME", help="the person linking, for the audit log"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_for_command(options.get("user"), default=LINKER)
        started = time.perf_counter()
        version = options.get("model")
        # Linking reads every person held: as the linker, for this purpose, audited once.
        scope = access.system_scope(
            actor=LINKER,
            purpose="link people across feeds (sightline link)",
            detail={
                "requested_by": str(actor) if actor is LINKER else actor.get_username(),
                "full": options["full"],
                "batch": options.get("batch"),
            },
        )
        pending = (
            options["full"] or options.get("batch") is not None or linking.batches_to_link(scope)
        )
        if pending and version is None and linking.load_model() is None:
            self.stdout.write(
                "No trained linkage model yet: training one on the records held first."
            )
        try:
            if options["full"]:
                runs = [linking.link_full(actor=actor, scope=scope, model_version=version)]
            elif options.get("batch") is not None:
                run = linking.link_batch(
                    actor=actor,
                    scope=scope,
                    batch_id=options["batch"],
                    model_version=version,
                    again=options["again"],
                )
                if run is None:
                    self.stdout.write(f"Batch {options['batch']} holds no person records.")
                runs = [run] if run is not None else []
            else:
                runs = linking.link_pending(actor=actor, scope=scope, model_version=version)
        except linking.LinkError as exc:
            raise CommandError(str(exc)) from exc
        if not runs:
            self.stdout.write("Nothing to link: every imported batch has been linked.")
        for run in runs:
            self._report(run)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{linking.people_count():,} people; "
            f"{linking.open_candidates():,} pairs waiting for review ({seconds:.1f} s)."
        )

    def _report(self, run: LinkRun) -> None:
        c = run.counts
        what = "everyone" if run.kind == LinkRun.Kind.FULL else f"batch {run.batch_id}"
        self.stdout.write(
            f"Linked {what} ({c.get('records', 0):,} records, model {run.model_version or '-'}): "
            f"{c.get('merged', 0):,} merged, {c.get('candidates', 0):,} queued for review, "
            f"{c.get('kept_apart', 0):,} kept apart by a reviewer's decision, "
            f"{c.get('refused', 0):,} refused (different NHS numbers or UPNs)."
        )
        for feed, n in run.report.get("unusable", {}).items():
            whole = feed in run.report.get("unusable_feeds", [])
            self.stderr.write(
                f"  {feed}: {n:,} person {'line' if n == 1 else 'lines'} with "
                f"{linking.USABLE_TEXT}: not linked to anyone."
                + (
                    " No line of this feed can be linked: ask the agency to check it."
                    if whole
                    else ""
                )
            )
