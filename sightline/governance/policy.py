"""What each role may do, as data. Kept apart from the access checks so a partnership can read
(and later configure) its policy without reading code."""

from __future__ import annotations

from enum import StrEnum


class Capability(StrEnum):
    VIEW_ALL_CHILDREN = "view_all_children"  # partnership-wide front door (MASH)
    VIEW_GRANTED_CHILDREN = "view_granted_children"  # need-to-know through a grant
    RECORD_ENTRIES = "record_entries"
    REVIEW_IDENTITY = "review_identity"
    VIEW_INSIGHT = "view_insight"
    ADMINISTER = "administer"


_PRACTITIONER = {Capability.VIEW_GRANTED_CHILDREN, Capability.RECORD_ENTRIES}

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    "social_worker": frozenset(_PRACTITIONER),
    "school_dsl": frozenset(_PRACTITIONER),
    "police_officer": frozenset(_PRACTITIONER),
    "health_nurse": frozenset(_PRACTITIONER),
    "early_help_worker": frozenset(_PRACTITIONER),
    "youth_justice_worker": frozenset(_PRACTITIONER),
    "mash_manager": frozenset(
        {
            Capability.VIEW_ALL_CHILDREN,
            Capability.RECORD_ENTRIES,
            Capability.REVIEW_IDENTITY,
            Capability.VIEW_INSIGHT,
        }
    ),
    # The data officer settles identity questions: sees who a record is, not the story.
    "data_officer": frozenset({Capability.REVIEW_IDENTITY}),
    # The analyst sees the partnership in aggregate, never a named child.
    "analyst": frozenset({Capability.VIEW_INSIGHT}),
    # Administrators run the system; they do not read case files.
    "sysadmin": frozenset({Capability.ADMINISTER}),
}
