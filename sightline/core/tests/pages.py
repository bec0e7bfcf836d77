"""What a test reads of a page: its markup or its visible text, without the per-response tokens.

A CSRF token and a CSP nonce are fresh random letters on every response, so a check that a
name is absent ("Hart" not in the page) would fail, now and then, when a token happened to
spell it. Both helpers take them out first.
"""

from __future__ import annotations

import html
import re
from typing import Any

_TOKENS = re.compile(r'(name="csrfmiddlewaretoken" value=|nonce=)"[^"]*"')
_SCRIPTS = re.compile(r"<(script|style)\b.*?</\1>", flags=re.S)


def page_html(response: Any) -> str:
    """The page's markup, whitespace collapsed, tokens removed."""
    return re.sub(r"\s+", " ", _TOKENS.sub(r'\1""', response.content.decode()))


def page_text(response: Any) -> str:
    """The page's visible text, whitespace collapsed and entities decoded."""
    body = _SCRIPTS.sub(" ", response.content.decode())
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))).strip()
