"""The partnership's rule set: the shipped rules plus the ALERT_RULE_DIRS setting's, checked
against the vocabularies the rest of Sightline uses. The engine takes the vocabularies as plain
sets; this module reads them from the apps that own them."""

from __future__ import annotations

import threading
from pathlib import Path

from django.conf import settings

from sightline.agencies.vocabulary import agency_kinds
from sightline.alerts.engine.loader import (
    SHIPPED_RULES_DIR,
    Report,
    RuleSet,
    Vocabulary,
    check_rule_set,
    load_rule_set,
)
from sightline.chronology.models import ChronologyEntry
from sightline.chronology.vocabulary import entry_types, themes
from sightline.core.workingdays import england
from sightline.governance.vocabulary import sensitivities
from sightline.people.models import Relationship

_lock = threading.Lock()
_cached: dict[tuple[str, ...], RuleSet] = {}


def vocabulary() -> Vocabulary:
    return Vocabulary(
        agency_labels=dict(agency_kinds()),
        entry_types={code: spec.theme for code, spec in entry_types().items()},
        themes=frozenset(themes()),
        agency_kinds=frozenset(agency_kinds()),
        grades=frozenset(ChronologyEntry.Grade.values),
        sensitivities=frozenset(sensitivities()),
        relationships=frozenset(Relationship.Type.values),
    )


def rule_dirs() -> list[Path]:
    """The shipped rules first, then each local directory (the ALERT_RULE_DIRS setting)."""
    return [SHIPPED_RULES_DIR, *(Path(d) for d in getattr(settings, "ALERT_RULE_DIRS", []))]


def check(dirs: list[Path] | None = None) -> Report:
    return check_rule_set(dirs or rule_dirs(), vocabulary(), calendar=england())


def active_rule_set() -> RuleSet:
    """The configured rule set, loaded and checked once per process (RuleSetError if broken:
    the system check alerts.E001 refuses to start in that case)."""
    key = tuple(str(d) for d in rule_dirs())
    with _lock:
        if key not in _cached:
            _cached[key] = load_rule_set([Path(k) for k in key], vocabulary(), calendar=england())
        return _cached[key]


def clear_cache() -> None:
    with _lock:
        _cached.clear()
