"""The local escalation procedure as versioned data (data/procedure.yaml, or the file the
ESCALATION_PROCEDURE_FILE setting names): its stages, who answers at each, and the timescale
key each stage's deadline is computed from. A disagreement keeps the version it was raised
under (Escalation.procedure_version)."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ImproperlyConfigured

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "procedure.yaml"
RESPONDERS = ("practitioners", "team_managers", "heads_of_service", "partnership")


class ProcedureError(ImproperlyConfigured):
    """The procedure file is missing or does not have the shape the module doc describes."""


@dataclass(frozen=True)
class Stage:
    number: int
    title: str
    responders: str
    timescale: str
    guidance: str


@dataclass(frozen=True)
class Procedure:
    version: int
    effective_from: dt.date
    source: str
    stages: tuple[Stage, ...]

    def stage(self, number: int) -> Stage:
        for stage in self.stages:
            if stage.number == number:
                return stage
        raise ProcedureError(f"procedure version {self.version} has no stage {number}")

    @property
    def last(self) -> int:
        return self.stages[-1].number


def parse_procedure(data: Any, *, name: str = "procedure.yaml") -> tuple[Procedure, ...]:
    """The versions of the procedure, oldest first, checked: stages numbered 1, 2, 3… with a
    known kind of responder and a timescale key each."""
    try:
        raw_versions = data["versions"]
        versions = []
        for raw in raw_versions:
            stages = tuple(
                Stage(
                    number=int(s["number"]),
                    title=str(s["title"]).strip(),
                    responders=str(s["responders"]),
                    timescale=str(s["timescale"]),
                    guidance=" ".join(str(s.get("guidance", "")).split()),
                )
                for s in raw["stages"]
            )
            effective = raw["effective_from"]
            if not isinstance(effective, dt.date):
                effective = dt.date.fromisoformat(str(effective))
            versions.append(
                Procedure(
                    version=int(raw["version"]),
                    effective_from=effective,
                    source=" ".join(str(raw.get("source", "")).split()),
                    stages=stages,
                )
            )
    except (KeyError, TypeError, ValueError) as exc:
        raise ProcedureError(
            f"{name}: expected versions: [{{version, effective_from, stages: [{{number, title, "
            f"responders, timescale}}]}}] ({exc})"
        ) from exc
    if not versions:
        raise ProcedureError(f"{name}: no versions")
    for procedure in versions:
        numbers = [s.number for s in procedure.stages]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ProcedureError(
                f"{name}: version {procedure.version}'s stages must be numbered 1, 2, 3…"
            )
        for stage in procedure.stages:
            if stage.responders not in RESPONDERS:
                raise ProcedureError(
                    f"{name}: version {procedure.version} stage {stage.number}: responders "
                    f"must be one of {', '.join(RESPONDERS)}"
                )
            if not stage.title or not stage.timescale:
                raise ProcedureError(
                    f"{name}: version {procedure.version} stage {stage.number} needs a title "
                    "and a timescale"
                )
    numbers = [p.version for p in versions]
    if len(set(numbers)) != len(numbers):
        raise ProcedureError(f"{name}: two versions share a number")
    return tuple(sorted(versions, key=lambda p: p.effective_from))


@functools.cache
def _load(path: str) -> tuple[Procedure, ...]:
    file = Path(path)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ProcedureError(f"{file}: no such escalation procedure file") from exc
    return parse_procedure(data, name=file.name)


def versions() -> tuple[Procedure, ...]:
    from django.conf import settings

    return _load(str(getattr(settings, "ESCALATION_PROCEDURE_FILE", None) or DEFAULT_FILE))


def procedure_on(day: dt.date) -> Procedure:
    """The version in force on `day` (the latest that had begun)."""
    found = [p for p in versions() if p.effective_from <= day]
    if not found:
        raise ProcedureError(f"no escalation procedure in force on {day.isoformat()}")
    return found[-1]


def procedure_version(number: int) -> Procedure:
    for procedure in versions():
        if procedure.version == number:
            return procedure
    raise ProcedureError(f"no escalation procedure version {number}")
