"""The referral code lists as local, versioned data: the services a child can be referred to
(services.yaml) and the reasons a referral is decided as it is (reasons.yaml). A partnership
replaces either with the REFERRAL_SERVICES_FILE / REFERRAL_REASONS_FILE settings; each file has
a `version`, which every referral and decision stores."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

HERE = Path(__file__).parent

ACCEPTED = "accepted_for_assessment"
EARLY_HELP = "early_help"
NO_FURTHER_ACTION = "no_further_action"
SIGNPOSTED = "signposted"
DECISIONS: dict[str, str] = {
    ACCEPTED: "Accepted for assessment",
    EARLY_HELP: "Early help",
    NO_FURTHER_ACTION: "No further action",
    SIGNPOSTED: "Signposted elsewhere",
}
# Decisions after which the service works with the child (allocated next) and those after which
# it does not (the referral is closed, with its reason).
WORKING_DECISIONS = (ACCEPTED, EARLY_HELP)
CLOSING_DECISIONS = (NO_FURTHER_ACTION, SIGNPOSTED)


class VocabularyError(ImproperlyConfigured):
    """A referral code list that does not fit its documented shape."""


@dataclass(frozen=True)
class Service:
    code: str
    label: str
    agency_kinds: tuple[str, ...]
    team: str | None
    allocation: str | None
    made_entry_type: str
    hint: str
    available_from: dt.date | None
    available_to: dt.date | None

    def available_on(self, day: dt.date) -> bool:
        return (self.available_from is None or self.available_from <= day) and (
            self.available_to is None or day <= self.available_to
        )


@dataclass(frozen=True)
class Reason:
    code: str
    label: str
    decisions: tuple[str, ...]
    from_feed: bool
    not_alone_when_significant_harm: bool


@dataclass(frozen=True)
class Services:
    version: int
    by_code: dict[str, Service]


@dataclass(frozen=True)
class Reasons:
    version: int
    by_code: dict[str, Reason]

    def for_decision(self, decision: str, *, include_feed: bool = False) -> list[Reason]:
        return [
            r
            for r in self.by_code.values()
            if decision in r.decisions and (include_feed or not r.from_feed)
        ]


def _read(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as exc:
        raise VocabularyError(f"{path}: {exc}") from exc


def _date(value: Any, where: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise VocabularyError(f"{where}: not a date (YYYY-MM-DD): {value!r}") from exc


def _version(data: Any, path: Path) -> int:
    if not isinstance(data, dict) or not isinstance(data.get("version"), int):
        raise VocabularyError(f"{path}: expected a mapping with an integer `version`")
    return int(data["version"])


def parse_services(data: Any, path: Path = HERE / "services.yaml") -> Services:
    version = _version(data, path)
    out: dict[str, Service] = {}
    for i, spec in enumerate(data.get("services") or []):
        where = f"{path}: services[{i}]"
        try:
            code = str(spec["code"])
            service = Service(
                code=code,
                label=str(spec["label"]),
                agency_kinds=tuple(str(k) for k in spec["agency_kinds"]),
                team=str(spec["team"]) if spec.get("team") else None,
                allocation=str(spec["allocation"]) if spec.get("allocation") else None,
                made_entry_type=str(spec.get("made_entry_type") or "referral_made"),
                hint=str(spec.get("hint") or ""),
                available_from=_date(spec.get("available_from"), where),
                available_to=_date(spec.get("available_to"), where),
            )
        except (KeyError, TypeError) as exc:
            raise VocabularyError(f"{where}: missing or wrong field {exc}") from exc
        if code in out:
            raise VocabularyError(f"{where}: the code {code!r} is used twice")
        if not service.agency_kinds:
            raise VocabularyError(f"{where}: name at least one agency kind")
        out[code] = service
    if not out:
        raise VocabularyError(f"{path}: no services")
    return Services(version, out)


def parse_reasons(data: Any, path: Path = HERE / "reasons.yaml") -> Reasons:
    version = _version(data, path)
    out: dict[str, Reason] = {}
    for i, spec in enumerate(data.get("reasons") or []):
        where = f"{path}: reasons[{i}]"
        try:
            code = str(spec["code"])
            decisions = tuple(str(d) for d in spec["decisions"])
        except (KeyError, TypeError) as exc:
            raise VocabularyError(f"{where}: missing or wrong field {exc}") from exc
        unknown = sorted(set(decisions) - set(DECISIONS))
        if unknown:
            raise VocabularyError(f"{where}: unknown decisions {unknown}")
        if code in out:
            raise VocabularyError(f"{where}: the code {code!r} is used twice")
        out[code] = Reason(
            code=code,
            label=str(spec.get("label") or code),
            decisions=decisions,
            from_feed=bool(spec.get("from_feed", False)),
            not_alone_when_significant_harm=bool(spec.get("not_alone_when_significant_harm")),
        )
    for decision in DECISIONS:
        if not any(decision in r.decisions and not r.from_feed for r in out.values()):
            raise VocabularyError(f"{path}: no reason may be given for {decision!r}")
    return Reasons(version, out)


def _path(setting: str, default: str) -> Path:
    return Path(getattr(settings, setting, None) or HERE / default)


@cache
def _services(path: str) -> Services:
    return parse_services(_read(Path(path)), Path(path))


@cache
def _reasons(path: str) -> Reasons:
    return parse_reasons(_read(Path(path)), Path(path))


def services() -> Services:
    return _services(str(_path("REFERRAL_SERVICES_FILE", "services.yaml")))


def reasons() -> Reasons:
    return _reasons(str(_path("REFERRAL_REASONS_FILE", "reasons.yaml")))


def service_label(code: str) -> str:
    """A service's label; a code no longer in the list is shown as it was stored."""
    found = services().by_code.get(code)
    return found.label if found else code.replace("_", " ").capitalize()


def reason_label(code: str) -> str:
    found = reasons().by_code.get(code)
    return found.label if found else code.replace("_", " ").capitalize()


def clear_caches() -> None:
    """For tests that point the settings at another file."""
    _services.cache_clear()
    _reasons.cache_clear()
