"""The text a story PDF shows, for tests: built with the PDF base font (whose text is stored as
readable strings; the embedded DejaVu subset stores glyph numbers), then read back from the
page streams. No PDF library is needed."""

from __future__ import annotations

import base64
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import pytest

from sightline.chronology import export

_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\n?endstream", re.S)
# A string to draw, or an operator that starts a new line (a space in the text).
_TOKEN = re.compile(rb"(\((?:\\.|[^\\)])*\))|(?<![A-Za-z])(T\*|Td|TD|Tm|ET)(?![A-Za-z])", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


@contextmanager
def base_font(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Build PDFs with Helvetica while inside."""
    with monkeypatch.context() as patch:
        patch.setattr(export, "_fonts", lambda: ("Helvetica", "Helvetica-Bold"))
        yield


def _unescape(literal: bytes) -> bytes:
    def one(match: re.Match[bytes]) -> bytes:
        code = match.group(1)
        if code[:1].isdigit():
            return bytes([int(code, 8)])
        return _ESCAPES.get(code, code)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, literal[1:-1], flags=re.S)


def pdf_text(content: bytes) -> str:
    """Every string drawn on the PDF's pages, in order, separated by single spaces (so a phrase
    wrapped onto two lines of a cell still reads as one)."""
    lines = []
    for match in _STREAM.finditer(content):
        data = match.group(1).strip()
        if data.endswith(b"~>"):  # reportlab's /ASCII85Decode /FlateDecode
            data = base64.a85decode(data, adobe=True)
        with suppress(zlib.error):
            data = zlib.decompress(data)
        if b"Tj" not in data and b"TJ" not in data:
            continue
        for literal, new_line in _TOKEN.findall(data):
            if new_line:
                lines.append(" ")
            else:
                lines.append(_unescape(literal).decode("cp1252", errors="replace"))
    return " ".join("".join(lines).split())
