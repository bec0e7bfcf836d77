"""Settings for `sightline tick` run in a subprocess by the tests: production's, plus the test
app whose task and periodic job record each run (sightline/core/tests/tickapp)."""

from config.settings.base import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "sightline.core.tests.tickapp"]  # noqa: F405
