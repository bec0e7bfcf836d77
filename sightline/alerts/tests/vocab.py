"""The shipped vocabularies read straight from their YAML files, so engine tests need no
Django (the app reads the same files through alerts.rulesets.vocabulary)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from sightline.alerts.engine.loader import Vocabulary

ROOT = Path(__file__).resolve().parents[2]


@cache
def vocabulary() -> Vocabulary:
    chronology = yaml.safe_load((ROOT / "chronology/vocabulary/entry_types.yaml").read_text())
    kinds = yaml.safe_load((ROOT / "agencies/vocabulary/agency_kinds.yaml").read_text())
    sensitivities = yaml.safe_load((ROOT / "governance/vocabulary/sensitivities.yaml").read_text())
    return Vocabulary(
        agency_labels=kinds,
        entry_types={code: spec["theme"] for code, spec in chronology["types"].items()},
        themes=frozenset(chronology["themes"]),
        agency_kinds=frozenset(kinds),
        grades=frozenset({"fact", "professional_opinion", "reported", "intelligence"}),
        sensitivities=frozenset(sensitivities),
        relationships=frozenset(
            {
                "parent",
                "child",
                "sibling",
                "half_sibling",
                "step_parent",
                "parents_partner",
                "carer",
                "grandparent",
                "aunt_or_uncle",
                "cousin",
                "extended_family",
                "family_friend",
                "partner",
                "peer",
                "associate",
                "suspected_exploiter",
                "other",
            }
        ),
    )
