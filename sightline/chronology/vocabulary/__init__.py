"""Entry types, themes, grades as data (entry_types.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml


@dataclass(frozen=True)
class EntryType:
    code: str
    label: str
    theme: str
    significant: bool
    cin_factor: str | None


@cache
def _load() -> tuple[dict[str, str], dict[str, EntryType]]:
    with (Path(__file__).parent / "entry_types.yaml").open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    types = {
        code: EntryType(
            code=code,
            label=spec["label"],
            theme=spec["theme"],
            significant=bool(spec.get("significant", False)),
            cin_factor=spec.get("cin_factor"),
        )
        for code, spec in data["types"].items()
    }
    return data["themes"], types


def themes() -> dict[str, str]:
    return _load()[0]


def entry_types() -> dict[str, EntryType]:
    return _load()[1]


def types_in_theme(theme: str) -> list[str]:
    return [t.code for t in entry_types().values() if t.theme == theme]
