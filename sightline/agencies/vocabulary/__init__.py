"""Agency kinds as data (agency_kinds.yaml)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml


@cache
def agency_kinds() -> dict[str, str]:
    with (Path(__file__).parent / "agency_kinds.yaml").open(encoding="utf-8") as fh:
        data: dict[str, str] = yaml.safe_load(fh)
    return data
