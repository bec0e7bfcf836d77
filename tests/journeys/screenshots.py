"""Screenshots of the journeys' pages: set SIGHTLINE_SCREENSHOTS to a folder to keep one of each
page a journey names (docs/images/ holds them)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def shot(page: Any, name: str) -> None:
    folder = os.environ.get("SIGHTLINE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
