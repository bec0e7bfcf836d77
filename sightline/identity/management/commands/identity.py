"""`sightline identity train|evaluate`: train the linkage model, and measure it.

    sightline identity train --data DIR                 # feeds of a synthetic county (or any feeds)
    sightline identity train --children 23000 --seed 11  # generate them first (sightline synth)
    sightline identity evaluate --data DIR [--febrl febrl3,febrl4] [--methods exact,untuned,sightline]

Training writes sightline/identity/linkage/trained/model-<version>.json (the next version unless
--version is given); evaluation prints Markdown tables (docs/identity.md) and can write JSON.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sightline.identity.linkage import evaluate, training
from sightline.identity.linkage.guard import Thresholds
from sightline.identity.linkage.standardise import standardise_records

METHODS = ("exact", "untuned", "sightline")
FEBRL = ("febrl1", "febrl2", "febrl3", "febrl4")


class Command(BaseCommand):
    help = "Identity resolution: `train` the linkage model, or `evaluate` it against ground truth."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)

        train = sub.add_parser("train", help="Train the model and save it as versioned JSON.")
        self._data_arguments(train)
        train.add_argument("--version", help="model version (default: the next number)")
        train.add_argument("--seed", dest="train_seed", type=int, default=42)
        train.add_argument("--u-max-pairs", type=float, default=1e7)
        train.add_argument("--em-max-pairs", type=float, default=2e6)
        train.add_argument("--out", type=Path, help="directory for the model (default: trained/)")
        train.add_argument("--description", default="")

        ev = sub.add_parser("evaluate", help="Precision, recall and review queue vs truth.")
        self._data_arguments(ev)
        ev.add_argument("--febrl", default="", help="comma-separated: " + ",".join(FEBRL))
        ev.add_argument("--methods", default=",".join(METHODS))
        ev.add_argument("--model", help="model version to evaluate (default: the newest)")
        ev.add_argument("--model-dir", type=Path, help="directory holding the model")
        ev.add_argument("--auto-link", type=float, help="auto-link weight (default: settings)")
        ev.add_argument("--review", type=float, help="review weight (default: settings)")
        ev.add_argument("--json", type=Path, help="write the full report as JSON here")
        ev.add_argument("--markdown", type=Path, help="write the Markdown tables here")

    def _data_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data", type=Path, help="directory of feeds with truth/")
        parser.add_argument("--children", type=int, help="generate a county of this size first")
        parser.add_argument("--synth-seed", type=int, default=1, help="seed for --children")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "train":
            self.train(options)
        else:
            self.evaluate(options)

    def _data(self, options: dict[str, Any], *, required: bool) -> Path | None:
        data: Path | None = options.get("data")
        children = options.get("children")
        if children:
            data = data or Path(tempfile.mkdtemp(prefix="sightline-synth-"))
            if not (data / "truth" / "persons.jsonl").exists():
                self.stdout.write(
                    f"Generating {children:,} children (seed {options['synth_seed']})"
                )
                call_command(
                    "synth", children=children, seed=options["synth_seed"], out=data, verbosity=0
                )
        if data is None and required:
            raise CommandError("give --data DIR (feeds of a county) or --children N")
        if data is not None and not data.is_dir():
            raise CommandError(f"{data} is not a directory")
        return data

    def train(self, options: dict[str, Any]) -> None:
        data = self._data(options, required=True)
        assert data is not None
        records = standardise_records(evaluate.read_person_lines(data))
        if records.num_rows < 100:
            raise CommandError(f"only {records.num_rows} person lines in {data}")
        version = options.get("version") or training.next_version(options.get("out"))
        self.stdout.write(f"Training model {version} on {records.num_rows:,} records from {data}")
        model = training.train(
            records,
            version=version,
            seed=options["train_seed"],
            u_max_pairs=options["u_max_pairs"],
            em_max_pairs=options["em_max_pairs"],
            description=options["description"] or f"trained on the person lines in {data.name}",
        )
        path = training.save_model(model, options.get("out"))
        log = model["training"]
        self.stdout.write(
            f"Saved {path} ({log['seconds']} s; {log.get('silver_pairs', 0):,} silver pairs, "
            f"{log.get('identifiers_dropped_as_collisions', 0)} identifiers dropped as collisions)."
        )
        for change in log.get("floored_levels", []) + log.get("filled_missing", []):
            self.stdout.write(f"  floor: {change}")
        for row in training.model_summary(model):
            self.stdout.write(
                f"  {row['comparison']:<11} {row['level']:<38} m={row['m']:.4g} u={row['u']:.4g} "
                f"weight {row['weight']:+.2f}"
            )

    def evaluate(self, options: dict[str, Any]) -> None:
        thresholds = Thresholds(
            auto_link=_first(options.get("auto_link"), settings.IDENTITY_AUTO_LINK_WEIGHT),
            review=_first(options.get("review"), settings.IDENTITY_REVIEW_WEIGHT),
        )
        methods = tuple(m for m in options["methods"].split(",") if m)
        if unknown := set(methods) - set(METHODS):
            raise CommandError(f"unknown methods: {', '.join(sorted(unknown))}")
        febrl = [f for f in options["febrl"].split(",") if f]
        if unknown := set(febrl) - set(FEBRL):
            raise CommandError(f"unknown FEBRL sets: {', '.join(sorted(unknown))}")
        data = self._data(options, required=not febrl)
        reports = []
        for name in febrl:
            self.stdout.write(f"Evaluating on {name} (trained on itself: EM, no labels)")
            reports.append(evaluate.evaluate_febrl(name, thresholds, methods))
        if data is not None:
            model = None
            if "sightline" in methods:
                model = training.load_model(options.get("model"), options.get("model_dir"))
            self.stdout.write(f"Evaluating on {data}")
            reports.append(evaluate.evaluate_synth(data, model, thresholds, methods))
        markdown = "\n".join(evaluate.render_markdown(r) for r in reports)
        self.stdout.write(markdown)
        if options.get("markdown"):
            options["markdown"].write_text(markdown, encoding="utf-8")
        if options.get("json"):
            options["json"].write_text(json.dumps(reports, indent=2), encoding="utf-8")


def _first(value: float | None, default: float) -> float:
    return float(default if value is None else value)
