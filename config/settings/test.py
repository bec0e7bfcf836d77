"""Test settings: fast hashing; everything else as in production."""

from config.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_AUTOREFRESH = True
# Tests link explicitly (identity.linking), never as a side effect of an import.
IDENTITY_LINK_ON_IMPORT = False
