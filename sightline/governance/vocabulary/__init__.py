"""Governance vocabularies as data: sensitivities (sensitivities.yaml) and which identifiers
each agency kind sees (identifiers.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ImproperlyConfigured

from sightline.agencies.vocabulary import agency_kinds

HERE = Path(__file__).parent
BY_ISSUER = "by_issuer"
EVERYONE = "*"


@cache
def sensitivities() -> dict[str, dict[str, Any]]:
    with (HERE / "sensitivities.yaml").open(encoding="utf-8") as fh:
        data: dict[str, dict[str, Any]] = yaml.safe_load(fh)
    return data


@cache
def sharing_vocabulary() -> dict[str, dict[str, dict[str, str]]]:
    """sharing.yaml: the lawful bases (`lawful_bases`) and the reasons for not sharing
    (`reasons_not_shared`), each a code -> {"label", "hint"}."""
    with (HERE / "sharing.yaml").open(encoding="utf-8") as fh:
        data: dict[str, dict[str, dict[str, str]]] = yaml.safe_load(fh)
    return data


@dataclass(frozen=True)
class IdentifierPolicy:
    """identifiers.yaml, its groups expanded: each value is a set of agency kinds ("*": all)."""

    schemes: dict[str, frozenset[str] | str]  # a scheme -> kinds, or BY_ISSUER
    issuers: dict[str, frozenset[str]]  # an issuer's kind (or "*") -> kinds


def parse_identifier_policy(data: Any) -> IdentifierPolicy:
    """The identifier policy from its YAML data. Every name must be "*", a group or an agency
    kind (agencies/vocabulary/agency_kinds.yaml), so a typing slip cannot hide a rule."""
    if not isinstance(data, dict):
        raise ImproperlyConfigured("identifiers.yaml: expected groups, schemes and issuers")
    kinds = set(agency_kinds())
    groups: dict[str, frozenset[str]] = {}
    for name, members in (data.get("groups") or {}).items():
        if name in kinds or name == EVERYONE:
            raise ImproperlyConfigured(f"identifiers.yaml: group {name!r} is named like a kind")
        unknown = sorted(set(members) - kinds)
        if unknown:
            raise ImproperlyConfigured(
                f"identifiers.yaml: group {name!r} names unknown agency kinds {unknown}"
            )
        groups[name] = frozenset(members)

    def expand(where: str, names: Any) -> frozenset[str]:
        if not isinstance(names, list):
            raise ImproperlyConfigured(f"identifiers.yaml: {where}: expected a list")
        out: set[str] = set()
        for name in names:
            if name == EVERYONE or name in kinds:
                out.add(name)
            elif name in groups:
                out |= groups[name]
            else:
                raise ImproperlyConfigured(
                    f"identifiers.yaml: {where}: {name!r} is neither a group nor an agency kind"
                )
        return frozenset(out)

    schemes: dict[str, frozenset[str] | str] = {}
    for scheme, rule in (data.get("schemes") or {}).items():
        schemes[str(scheme)] = rule if rule == BY_ISSUER else expand(f"schemes.{scheme}", rule)
    issuers: dict[str, frozenset[str]] = {}
    for issuer, rule in (data.get("issuers") or {}).items():
        if issuer != EVERYONE and issuer not in kinds:
            raise ImproperlyConfigured(f"identifiers.yaml: issuers: unknown agency kind {issuer!r}")
        issuers[str(issuer)] = expand(f"issuers.{issuer}", rule)
    if BY_ISSUER in schemes.values() and EVERYONE not in issuers:
        raise ImproperlyConfigured('identifiers.yaml: issuers needs a "*" row for other issuers')
    return IdentifierPolicy(schemes=schemes, issuers=issuers)


@cache
def identifier_policy() -> IdentifierPolicy:
    with (HERE / "identifiers.yaml").open(encoding="utf-8") as fh:
        return parse_identifier_policy(yaml.safe_load(fh))


def parse_break_glass_reasons(data: Any) -> dict[str, str]:
    """break_glass_reasons.yaml: a list of {code, label}, each code once."""
    if not isinstance(data, list) or not data:
        raise ImproperlyConfigured("break_glass_reasons.yaml: expected a list of {code, label}")
    reasons: dict[str, str] = {}
    for item in data:
        code = item.get("code") if isinstance(item, dict) else None
        label = item.get("label") if isinstance(item, dict) else None
        if not isinstance(code, str) or not code or not isinstance(label, str) or not label:
            raise ImproperlyConfigured(f"break_glass_reasons.yaml: {item!r} needs a code and label")
        if code in reasons:
            raise ImproperlyConfigured(f"break_glass_reasons.yaml: {code!r} is listed twice")
        if len(code) > 40:
            raise ImproperlyConfigured(f"break_glass_reasons.yaml: {code!r} is over 40 characters")
        reasons[code] = label
    return reasons


@cache
def break_glass_reasons() -> dict[str, str]:
    """The reasons a practitioner may give for break-glass access: code -> label, in order."""
    with (HERE / "break_glass_reasons.yaml").open(encoding="utf-8") as fh:
        return parse_break_glass_reasons(yaml.safe_load(fh))
