"""What each role may do, as data. Kept apart from the access checks so a partnership can read
(and later configure) its policy without reading code.

- **Roles** are defined once, in `agencies.models.Role`.
- **Capabilities** are declared by the app whose code checks them, in its AppConfig
  (`capabilities = {code: description}`): governance declares the access levels, chronology
  `record_entries`, identity `review_identity`. `Capability` names them for code.
- **The role policy** (`vocabulary/roles.yaml`) gives each role its capabilities. It must name
  every role and no other: loading it otherwise raises `PolicyError`, so a role can never
  silently get nothing. `python manage.py check` (governance.checks) also refuses a capability
  no installed app declares.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from sightline.agencies.models import Role

ROLE_POLICY_FILE = Path(__file__).parent / "vocabulary" / "roles.yaml"


class Capability(StrEnum):
    """The capabilities the foundation's apps check (each declared by the app named)."""

    VIEW_ALL_CHILDREN = "view_all_children"  # governance: the partnership-wide front door (MASH)
    VIEW_GRANTED_CHILDREN = "view_granted_children"  # governance: need-to-know through a grant
    VIEW_INSIGHT = "view_insight"  # governance: aggregates only, never a named child
    ADMINISTER = "administer"  # governance: runs the system, reads no case file
    # governance: their own agency's users and manual grants only (the information governance
    # lead); never roles that administer or audit, never API tokens
    ADMINISTER_AGENCY = "administer_agency"
    AUDIT_ACCESS = "audit_access"  # governance: the audit log and its flags, never case content
    VIEW_LOCKDOWN = "view_lockdown"  # governance: a child outside their relationships: whom to ask
    BREAK_GLASS = "break_glass"  # governance: open such a child for a stated reason, for a time
    # governance: subject access requests, legal holds and deletion runs (dataprotection)
    HANDLE_SUBJECT_ACCESS = "handle_subject_access"
    RECORD_ENTRIES = "record_entries"  # chronology
    REVIEW_IDENTITY = "review_identity"  # identity
    VIEW_TEAM_WORK = "view_team_work"  # agencies: a manager's view of their team's work
    MAKE_REFERRALS = "make_referrals"  # referrals: make a contact or referral about a child
    RECEIVE_REFERRALS = "receive_referrals"  # referrals: the front door's queue and triage
    DECIDE_REFERRALS = "decide_referrals"  # referrals: decide and allocate


# Capabilities that show case data (a child's story or who a record is), the audit log of who
# looked at whom, or run the system: a user holding any of them must sign in with a second
# factor when OTP_REQUIRED is on (accounts.twofactor). An analyst, who sees only aggregates,
# is not made to.
CASE_DATA_CAPABILITIES = frozenset(
    {
        Capability.VIEW_ALL_CHILDREN,
        Capability.VIEW_GRANTED_CHILDREN,
        Capability.REVIEW_IDENTITY,
        Capability.AUDIT_ACCESS,
        Capability.ADMINISTER,
        Capability.ADMINISTER_AGENCY,
        Capability.RECORD_ENTRIES,
        Capability.MAKE_REFERRALS,
        Capability.RECEIVE_REFERRALS,
        Capability.DECIDE_REFERRALS,
        Capability.VIEW_TEAM_WORK,
        Capability.HANDLE_SUBJECT_ACCESS,
    }
)


class PolicyError(ImproperlyConfigured):
    """The role policy does not fit the roles or the capabilities the apps declare."""


class UnknownRole(PolicyError):
    """A membership holds a role the policy does not know."""


def parse_role_policy(data: Any) -> dict[str, frozenset[str]]:
    """The role policy from its YAML data, checked against the roles defined."""
    if not isinstance(data, dict):
        raise PolicyError(f"{ROLE_POLICY_FILE.name}: expected a role: [capabilities] mapping")
    roles = set(Role.values)
    unknown = sorted(set(map(str, data)) - roles)
    missing = sorted(roles - set(map(str, data)))
    problems = []
    if unknown:
        problems.append(f"names roles that agencies.models.Role does not define: {unknown}")
    if missing:
        problems.append(f"gives no capabilities to roles: {missing} (write [] for none)")
    policy: dict[str, frozenset[str]] = {}
    for role, capabilities in data.items():
        if capabilities is None:
            capabilities = []
        if not isinstance(capabilities, list) or not all(isinstance(c, str) for c in capabilities):
            problems.append(f"{role}: expected a list of capability codes")
            continue
        policy[str(role)] = frozenset(capabilities)
    if problems:
        raise PolicyError(f"{ROLE_POLICY_FILE.name} " + "; ".join(problems))
    return policy


@cache
def role_policy() -> dict[str, frozenset[str]]:
    with ROLE_POLICY_FILE.open(encoding="utf-8") as fh:
        return parse_role_policy(yaml.safe_load(fh))


def capabilities_of(role: str) -> frozenset[str]:
    """A role's capabilities. A role the policy does not know is an error, never nothing."""
    try:
        return role_policy()[role]
    except KeyError:
        raise UnknownRole(
            f"The role {role!r} is not in the role policy ({ROLE_POLICY_FILE.name}); "
            "add it to agencies.models.Role and give it its capabilities there."
        ) from None


def declared_capabilities() -> dict[str, tuple[str, str]]:
    """Every capability the installed apps declare: code -> (app label, description). The same
    code declared by two apps is an error (one app owns each)."""
    declared: dict[str, tuple[str, str]] = {}
    for config in apps.get_app_configs():
        for code, description in getattr(config, "capabilities", {}).items():
            if code in declared:
                raise PolicyError(
                    f"The capability {code!r} is declared by both {declared[code][0]} "
                    f"and {config.label}"
                )
            declared[str(code)] = (config.label, str(description))
    return declared


def policy_problems() -> list[str]:
    """What is wrong with the role policy against the declared capabilities (for the checks)."""
    try:
        policy = role_policy()
        declared = declared_capabilities()
    except PolicyError as exc:
        return [str(exc)]
    problems = []
    for role, capabilities in sorted(policy.items()):
        undeclared = sorted(capabilities - set(declared))
        if undeclared:
            problems.append(
                f"{ROLE_POLICY_FILE.name}: {role} is given {undeclared}, which no installed "
                "app declares"
            )
    problems += [
        f"Capability.{c.name} ({c.value!r}) is declared by no installed app"
        for c in Capability
        if c.value not in declared
    ]
    return problems
