"""axe-core (vendored in sightline/ui/static/vendor/axe/) run on the page a browser is showing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE_JS = (
    Path(__file__).resolve().parents[2]
    / "sightline"
    / "ui"
    / "static"
    / "vendor"
    / "axe"
    / "axe.min.js"
)
# Moderate included: "region" (content outside every landmark) is moderate, and a page that
# puts its phase banner or anything else outside the header, main or footer must fail.
BLOCKING = ("moderate", "serious", "critical")


def violations(page: Any) -> list[dict[str, Any]]:
    """Every axe violation on the page as shown now (WCAG 2.2 A and AA and best practice)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    result: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html.slice(0, 200),
                                          summary: n.failureSummary})),
            }));
        }"""
    )
    return result


def describe(found: list[dict[str, Any]]) -> str:
    lines = []
    for v in found:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    at {node['target']}: {node['html']}")
            lines.append(f"       {node['summary']}".replace("\n", "\n       "))
    return "\n".join(lines)


def assert_accessible(page: Any, where: str) -> None:
    """No moderate, serious or critical axe violation on the page; minor ones are printed."""
    found = violations(page)
    blocking = [v for v in found if v["impact"] in BLOCKING]
    minor = [v for v in found if v["impact"] not in BLOCKING]
    if minor:
        print(f"axe, {where} ({page.url}): minor issues\n{describe(minor)}")  # noqa: T201
    assert not blocking, (
        f"axe found moderate, serious or critical accessibility violations on {where} "
        f"({page.url}):\n" + describe(blocking)
    )
