"""The documentation says what the code does: the layer order in docs/architecture.md is the
import-linter contract in pyproject.toml, and every relative link in README.md and docs/ leads
somewhere."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def contract_layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")
    return [
        # A parenthesised module is optional (import-linter): a sibling still to come.
        " | ".join(part.strip().strip("()").removeprefix("sightline.") for part in layer.split("|"))
        for layer in contract["layers"]
    ]


def documented_layers() -> list[str]:
    text = (ROOT / "docs" / "architecture.md").read_text("utf-8")
    block = re.search(r"<!-- layers.*?-->\s*```\n(.*?)```", text, re.S)
    assert block, "docs/architecture.md has no layer block"
    return [
        re.sub(r"\s+\|\s+", " | ", line.strip())
        for line in block.group(1).splitlines()
        if line.strip() and "(to come)" not in line
    ]


def test_the_documented_layer_order_is_the_enforced_one() -> None:
    assert documented_layers() == contract_layers()


def test_every_app_is_documented() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text("utf-8")
    apps = sorted(p.parent.name for p in (ROOT / "sightline").glob("*/apps.py"))
    missing = [app for app in apps if f"`{app}`" not in text]
    assert not missing, f"apps missing from docs/architecture.md: {missing}"


def test_relative_links_lead_somewhere() -> None:
    broken = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        for target in re.findall(r"\]\(([^)\s]+)\)", doc.read_text("utf-8")):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            path = (doc.parent / target.split("#")[0]).resolve()
            if not path.exists():
                broken.append(f"{doc.relative_to(ROOT)} -> {target}")
    assert not broken, broken


def test_the_readme_gives_the_two_commands_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "make demo" in readme
    assert "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text("utf-8")
