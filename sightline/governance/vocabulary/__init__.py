"""Sensitivities as data (sensitivities.yaml)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml


@cache
def sensitivities() -> dict[str, dict[str, Any]]:
    with (Path(__file__).parent / "sensitivities.yaml").open(encoding="utf-8") as fh:
        data: dict[str, dict[str, Any]] = yaml.safe_load(fh)
    return data
