"""Load and check a rule set: every file parsed, every name checked against the vocabularies,
versions and effective dates checked, every rule's own cases run. A rule set never silently
loses a rule: any problem refuses the whole set, each problem naming its file, rule and field.

The vocabularies come in as plain sets (the app reads them from chronology's and agencies' YAML
files), so this module needs no Django."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sightline.alerts.engine.schema import (
    CaseChild,
    CaseEntry,
    InvolvementSpec,
    Match,
    OpenInvolvementsSpec,
    RelatedAlertsSpec,
    RelatedSpec,
    RuleSpec,
)
from sightline.core.workingdays import DEFAULT_FILE, Calendar, calendar_from_file

SHIPPED_RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
_VERSIONED_NAME = re.compile(r"^(?P<id>.+)\.v(?P<version>\d+)$")


class RuleYamlLoader(yaml.SafeLoader):
    """YAML 1.1 reads on/off/yes/no as booleans, so a case's `on:` key would become True:
    here only true and false are booleans (as in YAML 1.2)."""


RuleYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
RuleYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def read_rule_yaml(text: str) -> Any:
    return yaml.load(text, Loader=RuleYamlLoader)  # noqa: S506  (a SafeLoader subclass)


@dataclass(frozen=True)
class Vocabulary:
    """The names a rule may use. `entry_types` maps each entry type to its theme."""

    entry_types: Mapping[str, str]
    themes: frozenset[str]
    agency_kinds: frozenset[str]
    grades: frozenset[str]
    sensitivities: frozenset[str]
    relationships: frozenset[str] | None = None  # None: not checked
    agency_labels: Mapping[str, str] = field(default_factory=dict)  # kind -> its name

    def types_in(self, themes: Iterable[str]) -> frozenset[str]:
        wanted = set(themes)
        return frozenset(t for t, theme in self.entry_types.items() if theme in wanted)


@dataclass(frozen=True)
class Problem:
    file: str
    rule: str | None
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file
        if self.rule:
            where += f": rule {self.rule}"
        if self.field:
            where += f": {self.field}"
        return f"{where}: {self.reason}"


class RuleSetError(Exception):
    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Rule:
    """A checked rule: its file's content, where it came from, and the vocabulary it was
    checked against (themes expand to entry types with it)."""

    spec: RuleSpec
    path: Path
    vocabulary: Vocabulary = field(repr=False, compare=False)

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def version(self) -> int:
        return self.spec.version

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def severity(self) -> str:
        return self.spec.severity

    def effective_on(self, day: dt.date) -> bool:
        spec = self.spec
        return spec.effective_from <= day and (
            spec.effective_to is None or day <= spec.effective_to
        )


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    dirs: tuple[Path, ...] = ()

    def ids(self) -> list[str]:
        return sorted({r.id for r in self.rules})

    def effective(self, day: dt.date) -> list[Rule]:
        """The version of each rule in force on `day` (at most one each: versions' dates do not
        overlap)."""
        return [r for r in self.rules if r.effective_on(day)]

    def get(self, rule_id: str, version: int | None = None) -> Rule | None:
        found = [r for r in self.rules if r.id == rule_id]
        if version is not None:
            found = [r for r in found if r.version == version]
        return max(found, key=lambda r: r.version) if found else None

    def versions(self, rule_id: str) -> list[Rule]:
        return sorted((r for r in self.rules if r.id == rule_id), key=lambda r: r.version)

    def __len__(self) -> int:
        return len(self.rules)


@dataclass
class Report:
    """What `sightline alerts check` prints: per rule file, its problems and its cases' count."""

    rule_set: RuleSet | None
    problems: list[Problem]
    files: dict[str, tuple[str | None, int, int]]  # file -> (rule, cases run, cases passed)

    @property
    def ok(self) -> bool:
        return not self.problems


def rule_files(dirs: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for directory in dirs:
        found += sorted(p for p in Path(directory).glob("*.yaml") if p.is_file())
        found += sorted(p for p in Path(directory).glob("*.yml") if p.is_file())
    return found


def load_rule_set(
    dirs: Iterable[Path] | None = None,
    vocabulary: Vocabulary | None = None,
    *,
    calendar: Calendar | None = None,
    run_cases: bool = True,
) -> RuleSet:
    """The checked rule set from `dirs` (default: the shipped rules), or RuleSetError."""
    report = check_rule_set(dirs, vocabulary, calendar=calendar, run_cases=run_cases)
    if report.problems or report.rule_set is None:
        raise RuleSetError(report.problems)
    return report.rule_set


def check_rule_set(
    dirs: Iterable[Path] | None = None,
    vocabulary: Vocabulary | None = None,
    *,
    calendar: Calendar | None = None,
    run_cases: bool = True,
) -> Report:
    if vocabulary is None:
        raise ValueError("a rule set is checked against a vocabulary")
    directories = tuple(Path(d) for d in (dirs if dirs is not None else [SHIPPED_RULES_DIR]))
    problems: list[Problem] = []
    files: dict[str, tuple[str | None, int, int]] = {}
    rules: list[Rule] = []
    problems += [
        Problem(str(d), None, None, "no such directory") for d in directories if not d.is_dir()
    ]
    for path in rule_files(d for d in directories if d.is_dir()):
        rule, found = _load_file(path, vocabulary)
        problems += found
        files[str(path)] = (rule.id if rule else None, 0, 0)
        if rule is not None and not found:
            rules.append(rule)
    problems += _check_versions(rules)
    problems += _check_related_rule_ids(rules)
    if run_cases and rules:
        from sightline.alerts.engine.cases import run_cases as run

        cal = calendar or default_calendar()
        for rule in rules:
            failures = run(rule, cal)
            files[str(rule.path)] = (
                rule.id,
                len(rule.spec.cases),
                len(rule.spec.cases) - len(failures),
            )
            problems += [
                Problem(str(rule.path), rule.id, f"cases.{f.index}", f"case {f.name!r}: {f.reason}")
                for f in failures
            ]
    broken = {p.file for p in problems}
    rule_set = RuleSet(tuple(r for r in rules if str(r.path) not in broken), directories)
    return Report(rule_set, problems, files)


def default_calendar() -> Calendar:
    return calendar_from_file(DEFAULT_FILE)


def _load_file(path: Path, vocabulary: Vocabulary) -> tuple[Rule | None, list[Problem]]:
    name = str(path)
    try:
        data = read_rule_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(name, None, None, f"cannot be read ({exc})")]
    except yaml.YAMLError as exc:
        return None, [Problem(name, None, None, f"is not valid YAML ({exc})".replace("\n", " "))]
    if not isinstance(data, dict):
        return None, [Problem(name, None, None, "a rule file is a mapping (id, version, ...)")]
    rule_id = data.get("id") if isinstance(data.get("id"), str) else None
    try:
        spec = RuleSpec.model_validate(data)
    except ValidationError as exc:
        return None, [
            Problem(name, rule_id, _dotted(err["loc"]) or None, err["msg"]) for err in exc.errors()
        ]
    problems = [
        Problem(name, spec.id, where, reason)
        for where, reason in _vocabulary_problems(spec, vocabulary)
    ]
    stem = path.stem
    versioned = _VERSIONED_NAME.match(stem)
    if stem != spec.id and not (
        versioned and versioned["id"] == spec.id and int(versioned["version"]) == spec.version
    ):
        problems.append(
            Problem(
                name,
                spec.id,
                "id",
                f"the file is named after its rule: {spec.id}.yaml (or {spec.id}.v{spec.version}.yaml)",
            )
        )
    fires = [c for c in spec.cases if c.expect.fires]
    if not fires or len(fires) == len(spec.cases):
        problems.append(
            Problem(
                name,
                spec.id,
                "cases",
                "a rule needs at least one case that fires and one that does not",
            )
        )
    return Rule(spec=spec, path=path, vocabulary=vocabulary), problems


def _dotted(loc: Iterable[int | str]) -> str:
    parts: list[str] = []
    for piece in loc:
        text = str(piece)
        # The union's tag repeats the field it selects ("all.all.0"): say it once.
        if parts and parts[-1] == text and not text.isdigit():
            continue
        parts.append(text)
    return ".".join(parts)


def _vocabulary_problems(spec: RuleSpec, vocab: Vocabulary) -> Iterator[tuple[str, str]]:
    def unknown(
        where: str, values: Iterable[str], known: Iterable[str], what: str
    ) -> Iterator[tuple[str, str]]:
        known_set = set(known)
        for value in values:
            if value not in known_set:
                yield where, f"unknown {what} {value!r}{_suggest(value, known_set)}"

    for i, theme in enumerate(spec.themes):
        yield from unknown(f"themes.{i}", [theme], vocab.themes, "theme")
    for where, node in _walk(spec, ""):
        if isinstance(node, Match):
            yield from _match_problems(where, node, vocab, unknown)
        elif isinstance(node, InvolvementSpec | OpenInvolvementsSpec):
            yield from unknown(
                f"{where}.agency_kinds", node.agency_kinds, vocab.agency_kinds, "agency kind"
            )
        elif isinstance(node, RelatedSpec) and vocab.relationships is not None:
            yield from unknown(
                f"{where}.relationships", node.relationships, vocab.relationships, "relationship"
            )
        elif isinstance(node, CaseEntry):
            yield from unknown(f"{where}.type", [node.type], vocab.entry_types, "entry type")
            yield from unknown(
                f"{where}.agency_kind", [node.agency_kind], vocab.agency_kinds, "agency kind"
            )
            yield from unknown(f"{where}.grade", [node.grade], vocab.grades, "grade")
            yield from unknown(
                f"{where}.sensitivity", [node.sensitivity], vocab.sensitivities, "sensitivity"
            )
            if node.theme is not None:
                yield from unknown(f"{where}.theme", [node.theme], vocab.themes, "theme")
        elif isinstance(node, CaseChild):
            for j, inv in enumerate(node.involvements):
                yield from unknown(
                    f"{where}.involvements.{j}.agency_kind",
                    [inv.agency_kind],
                    vocab.agency_kinds,
                    "agency kind",
                )


def _match_problems(
    where: str, match: Match, vocab: Vocabulary, unknown: Any
) -> Iterator[tuple[str, str]]:
    yield from unknown(f"{where}.types", match.types, vocab.entry_types, "entry type")
    yield from unknown(f"{where}.not_types", match.not_types, vocab.entry_types, "entry type")
    yield from unknown(f"{where}.themes", match.themes, vocab.themes, "theme")
    yield from unknown(
        f"{where}.agency_kinds", match.agency_kinds, vocab.agency_kinds, "agency kind"
    )
    yield from unknown(
        f"{where}.not_agency_kinds", match.not_agency_kinds, vocab.agency_kinds, "agency kind"
    )
    yield from unknown(f"{where}.grades", match.grades, vocab.grades, "grade")
    yield from unknown(
        f"{where}.sensitivities", match.sensitivities, vocab.sensitivities, "sensitivity"
    )
    if match.types and match.themes:
        types = set(match.types) & set(vocab.entry_types)
        if types and not (types & vocab.types_in(match.themes)):
            yield where, "no entry type is both in types and in themes: it can never match"


def _walk(node: Any, where: str) -> Iterator[tuple[str, Any]]:
    """Every model inside a rule, with its dotted path as the rule file spells it."""
    if isinstance(node, BaseModel):
        yield where, node
        for name, info in type(node).model_fields.items():
            key = info.alias or name
            yield from _walk(getattr(node, name), f"{where}.{key}" if where else key)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _walk(item, f"{where}.{i}")


def _suggest(value: str, known: set[str]) -> str:
    import difflib

    close = difflib.get_close_matches(value, sorted(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check_versions(rules: list[Rule]) -> Iterator[Problem]:
    by_id: dict[str, list[Rule]] = {}
    for rule in rules:
        by_id.setdefault(rule.id, []).append(rule)
    for rule_id, versions in by_id.items():
        seen: dict[int, Rule] = {}
        for rule in sorted(versions, key=lambda r: (r.version, str(r.path))):
            if rule.version in seen:
                yield Problem(
                    str(rule.path),
                    rule_id,
                    "version",
                    f"version {rule.version} is also in {seen[rule.version].path}",
                )
            seen.setdefault(rule.version, rule)
        ordered = sorted(seen.values(), key=lambda r: r.spec.effective_from)
        for earlier, later in itertools.pairwise(ordered):
            end = earlier.spec.effective_to
            if end is None or end >= later.spec.effective_from:
                yield Problem(
                    str(later.path),
                    rule_id,
                    "effective_from",
                    f"version {later.version}'s dates overlap version {earlier.version}'s "
                    f"({earlier.path.name}, effective to {end or 'no end'})",
                )


def _check_related_rule_ids(rules: list[Rule]) -> Iterator[Problem]:
    ids = {r.id for r in rules}
    for rule in rules:
        for where, node in _walk(rule.spec, ""):
            if isinstance(node, RelatedAlertsSpec) and node.rules != "any":
                for i, rule_id in enumerate(node.rules):
                    if rule_id not in ids:
                        yield Problem(
                            str(rule.path),
                            rule.id,
                            f"{where}.rules.{i}",
                            f"unknown rule {rule_id!r}{_suggest(rule_id, ids)}",
                        )
