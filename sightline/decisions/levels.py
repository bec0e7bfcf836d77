"""The partnership's levels of need as versioned data (data/levels.yaml, or the file the
DECISION_LEVELS_FILE setting names)."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ImproperlyConfigured

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "levels.yaml"


class LevelsError(ImproperlyConfigured):
    """The levels file is missing or malformed."""


@dataclass(frozen=True)
class Level:
    code: str
    level: int
    label: str
    description: str


@dataclass(frozen=True)
class Levels:
    version: int
    effective_from: dt.date
    levels: tuple[Level, ...]

    def get(self, code: str) -> Level | None:
        return next((level for level in self.levels if level.code == code), None)


def parse_levels(data: Any, *, name: str = "levels.yaml") -> tuple[Levels, ...]:
    try:
        out = []
        for raw in data["versions"]:
            effective = raw["effective_from"]
            if not isinstance(effective, dt.date):
                effective = dt.date.fromisoformat(str(effective))
            levels = tuple(
                Level(
                    code=str(item["code"]),
                    level=int(item["level"]),
                    label=str(item["label"]),
                    description=" ".join(str(item.get("description", "")).split()),
                )
                for item in raw["levels"]
            )
            out.append(Levels(int(raw["version"]), effective, levels))
    except (KeyError, TypeError, ValueError) as exc:
        raise LevelsError(
            f"{name}: expected versions: [{{version, effective_from, levels: [{{code, level, "
            f"label}}]}}] ({exc})"
        ) from exc
    for version in out:
        codes = [level.code for level in version.levels]
        numbers = [level.level for level in version.levels]
        if not codes or len(set(codes)) != len(codes) or numbers != sorted(set(numbers)):
            raise LevelsError(
                f"{name}: version {version.version}: each level needs its own code, and levels "
                "rise in order"
            )
    if not out:
        raise LevelsError(f"{name}: no versions")
    return tuple(sorted(out, key=lambda v: v.effective_from))


@functools.cache
def _load(path: str) -> tuple[Levels, ...]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise LevelsError(f"{path}: no such levels file") from exc
    return parse_levels(data, name=Path(path).name)


def levels_on(day: dt.date) -> Levels:
    from django.conf import settings

    found = [
        v
        for v in _load(str(getattr(settings, "DECISION_LEVELS_FILE", None) or DEFAULT_FILE))
        if v.effective_from <= day
    ]
    if not found:
        raise LevelsError(f"no levels of need in force on {day.isoformat()}")
    return found[-1]
