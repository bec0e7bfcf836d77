"""Small builders for engine tests: rules from YAML text, entries from a few words."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path
from typing import Any

from sightline.alerts.engine.cases import parse_partial, wall_clock
from sightline.alerts.engine.loader import Rule, read_rule_yaml
from sightline.alerts.engine.model import Entry, History, Involvement
from sightline.alerts.engine.schema import RuleSpec
from sightline.alerts.tests.vocab import vocabulary
from sightline.core.workingdays import DEFAULT_FILE, calendar_from_file

CAL = calendar_from_file(DEFAULT_FILE)

RULE_HEAD = """
id: {id}
version: 1
title: A test rule
effective_from: 2000-01-01
severity: high
prompt: Do something.
suppress_days: {suppress}
reference: [{{id: JAMES-N38, review: James, paragraph: "000:230", learning: test}}]
"""


def rule(when: str, *, rule_id: str = "test-rule", suppress: int = 28, extra: str = "") -> Rule:
    """A rule from the YAML of its `when` (indented as a block under `when:`)."""
    text = (
        RULE_HEAD.format(id=rule_id, suppress=suppress)
        + extra
        + "when:\n"
        + textwrap.indent(textwrap.dedent(when).strip("\n"), "  ")
    )
    spec = RuleSpec.model_validate(read_rule_yaml(text))
    return Rule(spec=spec, path=Path(f"{rule_id}.yaml"), vocabulary=vocabulary())


def entry(
    key: str,
    type_: str,
    on: str,
    *,
    kind: str = "police",
    agency: str | None = None,
    recorded: str | None = None,
    ended: str | None = None,
    version: int = 1,
    superseded: str | None = None,
    error: bool = False,
    **more: Any,
) -> Entry:
    p = parse_partial(on)
    rec = parse_partial(recorded) if recorded else None
    return Entry(
        key=key,
        version=version,
        type=type_,
        theme=vocabulary().entry_types[type_],
        agency=agency or kind,
        agency_kind=kind,
        agency_name=(agency or kind).replace("_", " ").capitalize(),
        start=p.start,
        end=p.end,
        precision=p.precision,
        occurred_at=p.instant,
        ended_at=_instant(ended) if ended else None,
        recorded_at=(rec.instant or wall_clock(rec.start, 12))
        if rec
        else (p.instant or wall_clock(p.end, 12)),
        superseded_at=_instant(superseded) if superseded else None,
        entered_in_error=error,
        **more,
    )


def _instant(text: str) -> dt.datetime:
    p = parse_partial(text)
    return p.instant or wall_clock(p.start, 12)


def history(
    *entries: Entry,
    born: str | None = "2005-03-04",
    involvements: tuple[Involvement, ...] = (),
    related: tuple[Any, ...] = (),
) -> History:
    b = parse_partial(born) if born else None
    return History(
        person="child",
        birth_start=b.start if b else None,
        birth_end=b.end if b else None,
        entries=tuple(entries),
        involvements=involvements,
        related=related,
    )


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
