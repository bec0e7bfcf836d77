"""Project-wide fixtures. App-specific factories live in each app's tests/factories.py."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fresh_scope_cache() -> None:
    """Nothing to reset today; the access scope is cached per user object, not globally."""
