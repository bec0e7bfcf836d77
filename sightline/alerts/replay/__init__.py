"""`sightline replay`: replay agency feeds in a throwaway database and report every alert as it
would first have been raised (docs/replay.md, ADR 17)."""
