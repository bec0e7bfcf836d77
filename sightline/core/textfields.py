"""Checking the free text a workflow form or API call carries (a reason, a response), with the
GOV.UK error message for each way it can be wrong. Pure."""

from __future__ import annotations

from sightline.core.text import CONTROL, CONTROL_MULTILINE

TEXT_MAX = 5000


def check_text(
    errors: dict[str, str],
    field: str,
    value: object,
    *,
    missing: str,
    name: str,
    max_length: int = TEXT_MAX,
    required: bool = True,
    multiline: bool = True,
) -> str:
    """The text stripped, or "" with an error recorded under `field` (`missing` when it is
    required and empty; `name` starts the other messages: "The reason must be…")."""
    text = value.strip() if isinstance(value, str) else ""
    if not isinstance(value, str) and value is not None:
        errors[field] = missing
        return ""
    if not text:
        if required:
            errors[field] = missing
        return ""
    if len(text) > max_length:
        errors[field] = f"{name} must be {max_length:,} characters or fewer"
        return ""
    if (CONTROL_MULTILINE if multiline else CONTROL).search(text):
        errors[field] = f"{name} must not contain control characters"
        return ""
    return text
