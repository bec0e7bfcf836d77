"""`sightline synth --children N --seed S --out DIR`: write a synthetic county's feeds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sightline.synth.generator import generate_county


class Command(BaseCommand):
    help = (
        "Generate a synthetic county: one feed per agency in the sightline/1 exchange format "
        "(JSON Lines; the schools feed as CSV) plus ground truth under DIR/truth/."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--children", type=int, default=6000, help="children (default 6000)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--out", type=Path, required=True, help="directory to write to")

    def handle(self, *args: Any, **options: Any) -> None:
        children: int = options["children"]
        if children < 1:
            self.stderr.write("--children must be at least 1")
            raise SystemExit(2)
        out: Path = options["out"]
        verbosity: int = options["verbosity"]
        step = max(1, children // 10)
        marks = {"next": step}

        def progress(done: int) -> None:
            if verbosity >= 2 and (done >= marks["next"] or done == children):
                self.stdout.write(f"  {done:,} / {children:,} children")
                marks["next"] = done + step

        summary = generate_county(
            children=children, seed=options["seed"], out=out, progress=progress
        )
        lines = summary["lines"]
        files = summary["files"]
        trajectories = summary["trajectories"]
        self.stdout.write(
            f"Wrote a synthetic county of {children:,} children (seed {options['seed']}) to "
            f"{out} in {summary['seconds']} s:"
        )
        self.stdout.write("  " + ", ".join(f"{n:,} {kind} lines" for kind, n in lines.items()))
        width = max(len(name) for name in files)
        for name, n in files.items():
            self.stdout.write(f"  {name.ljust(width)}  {n:>10,}")
        self.stdout.write(
            "  trajectories planted: "
            + ", ".join(f"{kind} {n}" for kind, n in trajectories.items())
        )
