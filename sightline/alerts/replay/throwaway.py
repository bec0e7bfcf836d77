"""Run a replay in a throwaway database (ADR 17): a temporary directory holding a new SQLite
file, used by a worker process of its own and deleted afterwards, whatever happens.

The worker is a separate process so that the replay cannot touch the partnership's database:
its DATABASE_URL is the temporary file, set before Django starts, so no connection, cache or
background thread of this process is ever pointed elsewhere and back again."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sightline
from sightline.alerts.replay.worker import INPUT_ERROR

# Settings the worker's own settings would otherwise read from the environment differently.
PASSED_SETTINGS = ("IDENTITY_AUTO_LINK_WEIGHT", "IDENTITY_REVIEW_WEIGHT", "IDENTITY_MODEL_DIR")


class ReplayFailed(Exception):
    """The replay did not produce a report. `messages` say why; `input` is true when the
    feeds (or the rules) were at fault rather than the replay itself."""

    def __init__(self, messages: list[str], *, input_error: bool) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages
        self.input_error = input_error


@dataclass(frozen=True)
class Job:
    paths: list[Path]
    start: dt.date | None
    end: dt.date | None
    rule_dirs: list[Path]
    holidays: Path | None = None
    cases_checked: bool = False  # the rule set's cases ran in this process already


def _environment(workdir: Path, database: Path) -> dict[str, str]:
    from django.conf import settings

    env = dict(os.environ)
    root = str(Path(sightline.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    env["DJANGO_SETTINGS_MODULE"] = os.environ.get(
        "DJANGO_SETTINGS_MODULE", settings.SETTINGS_MODULE
    )
    env["DATABASE_URL"] = f"sqlite:///{database}"
    # Its own var directory (secret key, any model trained): nothing lands in the user's.
    env["SIGHTLINE_VAR_DIR"] = str(workdir / "var")
    env["IDENTITY_LINK_ON_IMPORT"] = "0"
    for name in PASSED_SETTINGS:
        value = getattr(settings, name, None)
        if value is None:
            env.pop(name, None)
        else:
            env[name] = str(value)
    return env


def run(job: Job, *, keep: Path | None = None) -> dict[str, Any]:
    """The replay report for `job`, or ReplayFailed. The temporary directory (the database,
    the import's reject reports) is removed afterwards; `keep` copies the database there
    first, for debugging a replay."""
    workdir = Path(tempfile.mkdtemp(prefix="sightline-replay-"))
    try:
        database = workdir / "replay.sqlite3"
        result = workdir / "result.json"
        spec = {
            "paths": [str(p.resolve()) for p in job.paths],
            "from": job.start.isoformat() if job.start else None,
            "to": job.end.isoformat() if job.end else None,
            "rule_dirs": [str(d) for d in job.rule_dirs],
            "holidays": str(job.holidays) if job.holidays else None,
            "cases_checked": job.cases_checked,
            "database": str(database),
            "result": str(result),
            "workdir": str(workdir),
        }
        job_file = workdir / "job.json"
        job_file.write_text(json.dumps(spec), encoding="utf-8")
        completed = subprocess.run(  # noqa: S603 - our own interpreter and module, no shell
            [sys.executable, "-m", "sightline.alerts.replay.worker", str(job_file)],
            env=_environment(workdir, database),
            capture_output=True,
            text=True,
            check=False,
        )
        if keep is not None and database.exists():
            shutil.copyfile(database, keep)
        report: dict[str, Any] | None = None
        if result.exists():
            report = json.loads(result.read_text(encoding="utf-8"))
        if completed.returncode == INPUT_ERROR and report and report.get("errors"):
            raise ReplayFailed(list(report["errors"]), input_error=True)
        if completed.returncode != 0 or report is None:
            tail = (completed.stderr or "").strip().splitlines()[-20:]
            raise ReplayFailed(
                ["the replay stopped unexpectedly:", *tail] if tail else ["the replay stopped"],
                input_error=False,
            )
        return report
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
