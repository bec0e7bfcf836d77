"""Write the review feeds from the stories, and each child's README from its story and its
missed moments: `python -m tests.replay_feeds.build [DIRECTORY]`.

The feeds in tests/replay_feeds/<child>/ are this script's output and are committed; a test
checks they are what the stories give, so a story, its feed and its README never drift apart.
missed_moments.yaml is written by hand (it is what the review says), and read here."""

from __future__ import annotations

import inspect
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import yaml

from tests.replay_feeds import (
    moments,
    story_adam,
    story_child_q,
    story_child_s,
    story_james,
    story_sam,
)
from tests.replay_feeds.feedkit import Feed

HERE = Path(__file__).resolve().parent
STORIES: dict[str, ModuleType] = {
    "james": story_james,
    "child-q": story_child_q,
    "child-s": story_child_s,
    "sam": story_sam,
    "adam": story_adam,
}


def feeds_of(child: str) -> list[Feed]:
    build: Callable[[], list[Feed]] = STORIES[child].feeds
    return build()


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def readme(child: str, feeds: list[Feed], root: Path) -> str:
    data = yaml.safe_load((root / child / "missed_moments.yaml").read_text("utf-8"))
    found = moments.load(child, root)
    story = inspect.getdoc(STORIES[child]) or ""
    _, _, body = story.partition("\n")
    lines = [
        f"# Replay feed: {data['review']['title']}",
        "",
        "<!-- Written by `python -m tests.replay_feeds.build` from "
        f"story_{child.replace('-', '_')}.py and missed_moments.yaml: edit those. -->",
        "",
        f"From the review `{data['review']['seed']}` in ../shared/seeds/.",
        "",
        " ".join(body.split()),
        "",
        "The people are synthetic: invented names, dates of birth, addresses and identifiers "
        "(NHS numbers in the never-issued 999 range, UPNs with a valid check letter, PNC ids in "
        "the right shape). Each agency records the child as agencies do, with small "
        "differences of name, date of birth and identifiers, so the replay must link them. "
        "Entries the review dates only by month, season or year keep that precision; entries "
        "the agencies learned late are recorded late.",
        "",
        f"Replay it: `sightline replay tests/replay_feeds/{child}/` (docs/replay.md).",
        "",
        "## Feeds",
        "",
        "| File | Source | Agency | Person lines | Entries | Other lines |",
        "|---|---|---|---:|---:|---:|",
    ]
    for feed in feeds:
        kinds = Counter(line["kind"] for line in feed.lines)
        other = kinds["relationship"] + kinds["involvement"]
        lines.append(
            f"| `{feed.file}` | `{feed.code}` | {feed.agency} | {kinds['person']} | "
            f"{kinds['entry']} | {other} |"
        )
    lines += [
        "",
        "## Missed moments",
        "",
        "Machine-readable in `missed_moments.yaml` (bench/measure_alerts.py and the review-feed "
        "tests read it). *Asserted*: the tests fail unless one of the rules fires in the "
        "moment's window.",
        "",
        "| Moment | Happened | What should have happened | Review | Agencies responded | "
        "Rules | Asserted |",
        "|---|---|---|---|---|---|---|",
    ]
    for m in found:
        responded = f"{m.responded_on.isoformat()}: {m.response}" if m.responded_on else m.response
        rules = ", ".join(f"`{r}`" for r in m.rules) or "none (no rule reads this)"
        lines.append(
            f"| **{m.id}**: {_cell(m.what)} | {m.happened_on.isoformat()} | "
            f"{_cell(m.should_have)} | {_cell(m.reference_text)} | {_cell(responded)} | "
            f"{rules} | {'yes' if m.asserted else 'no'} |"
        )
    return "\n".join(lines) + "\n"


def build(root: Path = HERE) -> list[Path]:
    written: list[Path] = []
    for child in STORIES:
        directory = root / child
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.jsonl"):
            stale.unlink()
        feeds = feeds_of(child)
        written += [feed.write(directory) for feed in feeds]
        if (HERE / child / "missed_moments.yaml").exists() and root != HERE:
            target = directory / "missed_moments.yaml"
            target.write_text((HERE / child / "missed_moments.yaml").read_text("utf-8"), "utf-8")
        path = directory / "README.md"
        path.write_text(readme(child, feeds, root), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(path)  # noqa: T201
