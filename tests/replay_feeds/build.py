"""Write the review feeds from the stories: `python -m tests.replay_feeds.build`.

The feeds in tests/replay_feeds/<child>/ are the output of this script and are committed; a
test checks they are what the stories give, so a story and its feed never drift apart."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.replay_feeds import story_adam, story_child_q, story_child_s, story_james, story_sam
from tests.replay_feeds.feedkit import Feed

HERE = Path(__file__).resolve().parent
STORIES = {
    "james": story_james.feeds,
    "child-q": story_child_q.feeds,
    "child-s": story_child_s.feeds,
    "sam": story_sam.feeds,
    "adam": story_adam.feeds,
}


def feeds_of(child: str) -> list[Feed]:
    return STORIES[child]()


def build(root: Path = HERE) -> list[Path]:
    written: list[Path] = []
    for child in STORIES:
        directory = root / child
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.jsonl"):
            stale.unlink()
        written += [feed.write(directory) for feed in feeds_of(child)]
    return written


if __name__ == "__main__":
    for path in build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(path)  # noqa: T201
