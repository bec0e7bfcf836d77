"""The alerts engine: rules as data evaluated over plain data, with no Django and no ORM.

The app (sightline.alerts) builds a child's `History` from the database and calls `evaluate`;
`sightline replay` calls `replay`. Both read the same rules, loaded and checked by `loader`.
See docs/alerts.md for the condition language and its exact semantics."""
