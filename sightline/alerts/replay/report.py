"""The replay report as JSON (`sightline-replay/1`, docs/schema/replay.schema.json) or as a
readable timeline per person."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from typing import Any

from sightline.core.dates import format_partial

WIDTH = 100
INDENT = " " * 14


def as_json(report: dict[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


def _day(text: str) -> str:
    return format_partial(dt.date.fromisoformat(text), "day")


def _wrap(text: str, indent: str = INDENT, later: str | None = None) -> list[str]:
    return textwrap.wrap(
        text,
        width=WIDTH,
        initial_indent=indent,
        subsequent_indent=indent if later is None else later,
        break_long_words=True,
        break_on_hyphens=False,
    ) or [indent]


def _evidence_lines(evidence: list[dict[str, Any]]) -> list[str]:
    lines = []
    for e in evidence:
        where = f"{e.get('source')} {e.get('source_id')}"
        head = f"{e.get('occurred', '')}, {e.get('agency', '')}, {e.get('type', '')} ({where})"
        lines += _wrap(head, INDENT + "- ", INDENT + "  ")
        if e.get("summary"):
            lines += _wrap(e["summary"], INDENT + "    ")
    return lines


REASONS = {"new": "", "new_evidence": " (again: new evidence)", "reminder": " (reminder)"}


def _alert_lines(alert: dict[str, Any], again: bool) -> list[str]:
    """An alert in full the first time its rule is raised for the person; after that, what
    brought it back (the new evidence, or that the condition still holds)."""
    head = (
        f"  {alert['first_raised_on']}  {alert['severity'].upper():<8}  {alert['title']} "
        f"[{alert['rule']} v{alert['version']}]{REASONS.get(alert.get('reason', ''), '')}"
    )
    lines = _wrap(head, "", INDENT)
    # A "possible" finding's explanation says itself which imprecise dates it rests on.
    if again and alert.get("reason") == "new_evidence" and alert.get("new_evidence"):
        lines += _wrap(alert["explanation"])
        return [*lines, INDENT + "New evidence:", *_evidence_lines(alert["new_evidence"])]
    if again:
        return lines + _wrap("Still holds: " + alert["explanation"])
    lines += _wrap(alert["explanation"])
    if alert.get("prompt"):
        lines += _wrap("Consider: " + alert["prompt"])
    lines += [INDENT + "Evidence:", *_evidence_lines(alert["evidence"])]
    for update in alert.get("updates", []):
        lines += _wrap(f"{_day(update['on'])}: new evidence while open:")
        lines += _evidence_lines(update["evidence"])
    return lines


def as_text(report: dict[str, Any]) -> str:
    stats = report.get("stats", {})
    rules = report.get("rules", [])
    lines = [
        f"Replay ({report['format']}) from {_day(report['from'])} to {_day(report['to'])}: "
        f"{stats.get('files', '?')} feed files, {stats.get('lines', '?')} lines, "
        f"{len(rules)} rules.",
        "Nobody acknowledges anything in a replay: each alert is taken as decided when its "
        "suppression window ends.",
    ]
    quiet = []
    for person in report["people"]:
        if not person["alerts"]:
            quiet.append(person)
            continue
        born = f", born {person['born']}" if person.get("born") else ""
        records = ", ".join(f"{r['source']} {r['source_id']}" for r in person["records"])
        count = len(person["alerts"])
        lines += [
            "",
            f"{person['name']}{born} ({person['reference']}): "
            f"{count} alert{'s' if count != 1 else ''} over {person['entries']} entries",
            *_wrap("Records: " + (records or "none"), "  ", "    "),
        ]
        seen: set[str] = set()
        for alert in person["alerts"]:
            lines += _alert_lines(alert, alert["rule"] in seen)
            seen.add(alert["rule"])
    if quiet:
        names = ", ".join(f"{p['name']} ({p['reference']})" for p in quiet)
        lines += ["", *_wrap("No alerts: " + names, "", "  ")]
    possible = report.get("possible_matches") or []
    if possible:
        lines += [
            "",
            "Possible matches a person would decide (not linked in this replay):",
        ]
        for match in possible:
            a, b = match["records"]
            lines.append(
                f"  {a['source']} {a['source_id']} and {b['source']} {b['source_id']} "
                f"(match weight {match['match_weight']})"
            )
    return "\n".join(lines) + "\n"
