from typing import Any

from django.apps import AppConfig


def _landing_without_children(capability: str, url_name: str) -> Any:
    """A landing for a role with `capability` that reads no child's story (the auditor at the
    audit log, the administrator at administration)."""

    def landing(viewer: Any) -> str | None:
        from django.urls import reverse

        from sightline.governance import access
        from sightline.governance.policy import Capability

        if viewer is None or not getattr(viewer, "is_authenticated", False):
            return None
        scope = access.scope_for(viewer)
        if scope.can(Capability(capability)) and not (
            scope.can(Capability.VIEW_ALL_CHILDREN) or scope.can(Capability.VIEW_GRANTED_CHILDREN)
        ):
            return reverse(url_name)
        return None

    return landing


_audit_landing = _landing_without_children("audit_access", "audit:search")
_administration_landing = _landing_without_children("administer", "administration:home")


class GovernanceConfig(AppConfig):
    name = "sightline.governance"
    label = "governance"
    # The access levels the access module checks (governance.policy; the role policy gives
    # them to roles).
    capabilities = {
        "view_all_children": "Finds and opens every child (the partnership's front door)",
        "view_granted_children": "Finds and opens the children their agency or team has a "
        "legitimate relationship with",
        "view_insight": "Sees the partnership in aggregate, never a named child",
        "administer": "Runs the system; reads no case file",
        "administer_agency": "Administers their own agency's practitioners and managers (adds "
        "them, changes their team and role, records leavers) and the access given by hand to "
        "it; reads no case file",
        "audit_access": "Reads the audit log: who looked at what, when and why (never case "
        "content); the unusual-access flags, and break-glass uses to review",
        "view_lockdown": "Finds a child outside their relationships and sees only which "
        "agencies work with them and whom to contact (the lock-down view)",
        "break_glass": "Opens a child outside their relationships for a stated reason, for a "
        "limited time, notified and reviewed (break-glass)",
        "handle_subject_access": "Answers subject access requests (a person's own records, "
        "redacted, with a log of what was withheld), places legal holds and runs the retention "
        "schedule's deletion runs; reads no child's story on screen",
    }

    def ready(self) -> None:
        from sightline.core import extensions, queue
        from sightline.governance import (
            access,
            checks,  # noqa: F401  (registers the system checks)
            receivers,  # noqa: F401  (connects the audit receivers)
            tasks,
        )
        from sightline.governance.policy import CASE_DATA_CAPABILITIES, Capability

        # core may not import governance: the task queue opens each task's system scope, and
        # the navigation checks each item's capability, through what is registered here.
        queue.register_scope_opener(access.system_scope)
        extensions.register_capability_check(
            lambda user, capability: access.scope_for(user).can(Capability(capability))
        )

        # Who must sign in with a second factor (accounts.twofactor, when OTP_REQUIRED is on).
        extensions.register_case_data_rule(
            lambda user: any(
                access.scope_for(user).can(Capability(c)) for c in CASE_DATA_CAPABILITIES
            )
        )

        # The audit chain's head, exported daily (tick), so a rewrite of the log is found.
        tasks.register()

        # The auditor's pages: the log, and unusual access; "/" is the log for the auditor.
        extensions.register_nav_item(
            "audit", "Audit log", "audit:search", capabilities=["audit_access"], order=60
        )
        extensions.register_nav_item(
            "audit_flags",
            "Unusual access",
            "audit:flags",
            capabilities=["audit_access"],
            order=61,
        )
        extensions.register_nav_item(
            "break_glass",
            "Break-glass uses",
            "audit:break_glass_uses",
            capabilities=["audit_access"],
            order=62,
        )
        extensions.register_landing("audit", _audit_landing, order=40)
        # The administrator's pages: users, roles, leavers, manual grants, API tokens.
        extensions.register_nav_item(
            "administration",
            "Administration",
            "administration:home",
            capabilities=["administer", "administer_agency"],
            order=70,
        )
        extensions.register_landing("administration", _administration_landing, order=41)

        # Grants point at a person: a merge moves them to the survivor (identity.merging).
        extensions.register_person_fields(
            "governance.AccessGrant.person",
            "governance.BreakGlass.person",
            "governance.SharingDecision.person",
            "governance.SubjectAccessRequest.person",
            "governance.LegalHold.person",
        )
