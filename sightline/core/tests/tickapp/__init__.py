"""A small app for the tests that run `sightline tick` in several processes at once: it
registers a task and a periodic job that write one line per run to the file $TICK_TEST_LOG."""
