"""Project-wide pytest configuration. App-specific factories live in each app's tests/factories.py."""
