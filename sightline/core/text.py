"""Rules about text that every way in (feeds, forms, the API) applies the same way."""

from __future__ import annotations

import re

# Control characters: none belongs in what a practitioner reads, and a NUL cannot be stored in
# PostgreSQL's text or JSON. A field that holds paragraphs (an entry's summary, detail, a
# reason) may keep line breaks and tabs.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
