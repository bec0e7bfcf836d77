"""The `synth` management command is a thin wrapper (no database needed)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def test_synth_command(tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("synth", "--children", "40", "--seed", "3", "--out", str(tmp_path), stdout=out)
    text = out.getvalue()
    assert "synthetic county of 40 children" in text
    assert "csc.jsonl" in text
    assert "schools.person.csv" in text
    assert (tmp_path / "truth" / "persons.jsonl").exists()


def test_synth_command_requires_out() -> None:
    with pytest.raises(CommandError):
        call_command("synth", "--children", "10")
