"""The child's story as a file: CSV for analysis, PDF for a conference, a strategy meeting or a
court bundle. Both are built from presented rows (presenters.EntryView, RestrictedView), so an
entry the exporter may not read is exported as on screen: its period, agency and whom to ask,
nothing else. Both start with what the file is: the child, the filters, "as known on", when and
by whom it was produced. No queries here: the view gathers the rows, and audits the export once
the file is built."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from sightline.chronology.presenters import EntryView, IdentityView, StoryItem

MARKING = "OFFICIAL-SENSITIVE"
CSV_COLUMNS = (
    "Date",
    "Agency",
    "What happened",
    "Theme",
    "Significant",
    "Grade",
    "Sensitivity",
    "Summary",
    "Detail",
    "Location",
    "Source",
    "Version",
    "Corrected",
    "Restricted",
    "Entry number",
)
# Spreadsheet programs run a cell starting with these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportContext:
    """What the export is of, and by whom: printed on the PDF's title page."""

    identity: IdentityView
    exported_by: str
    exported_at: dt.datetime
    filters: list[str]
    as_known_on: str
    total: int
    restricted: int = 0

    @property
    def produced(self) -> str:
        return f"{self.exported_at:%-d %B %Y at %H:%M}"

    @property
    def filters_text(self) -> str:
        return "; ".join(self.filters) if self.filters else "None: the whole story"

    @property
    def as_known_on_text(self) -> str:
        if not self.as_known_on:
            return "Today: the story as it is now"
        return (
            f"{self.as_known_on}: entries recorded after that day are left out, and "
            "corrections made after it are not applied"
        )

    @property
    def entries_text(self) -> str:
        if not self.restricted:
            return str(self.total)
        return (
            f"{self.total}, of which {self.restricted} restricted: shown without their "
            "content, because the person who produced this file is not cleared to read them"
        )


@dataclass(frozen=True)
class ExportFile:
    """A built export and what it holds, for the audit log."""

    content: bytes
    rows: int
    pages: int | None = None


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _yes(flag: bool) -> str:
    return "Yes" if flag else "No"


def csv_row(entry: StoryItem) -> list[str]:
    if not isinstance(entry, EntryView):
        # Restricted: the period, the agency, whom to ask; every other column empty.
        values: tuple[object, ...] = (
            entry.when,
            entry.agency_name,
            entry.title,
            "",
            "",
            "",
            "",
            entry.restricted,
            "",
            "",
            "",
            "",
            "",
            "Yes",
            "",
        )
    else:
        values = (
            entry.when,
            entry.agency_name,
            entry.type_label,
            entry.theme_label,
            _yes(entry.is_significant),
            entry.grade_text,
            entry.sensitivity_text or "Standard",
            (f"[Entered in error: {entry.correction_reason}] " if entry.is_entered_in_error else "")
            + entry.summary,
            entry.detail,
            entry.location,
            entry.source,
            entry.version,
            _yes(entry.is_corrected),
            "No",
            entry.lineage,
        )
    return [_cell(v) for v in values]


def csv_header(context: ExportContext) -> list[list[str]]:
    """What the file is, above the table: a CSV passed on or opened later still says whose
    story it is, which part of it, as known when, and who produced it."""
    identity = context.identity
    return [
        [MARKING],
        ["The child's story", _cell(identity.name)],
        ["Sightline reference", identity.reference],
        ["Filters", _cell(context.filters_text)],
        ["As known on", _cell(context.as_known_on_text)],
        ["Produced at", context.produced],
        ["Produced by", _cell(context.exported_by)],
        ["Entries", context.entries_text],
        [],
    ]


def story_csv(context: ExportContext, entries: Iterable[StoryItem]) -> ExportFile:
    """UTF-8 with a byte-order mark, so Excel opens names like "Zoë" correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(csv_header(context))
    writer.writerow(CSV_COLUMNS)
    rows = 0
    for entry in entries:
        writer.writerow(csv_row(entry))
        rows += 1
    return ExportFile("\ufeff".encode() + buffer.getvalue().encode("utf-8"), rows=rows)


# --- PDF ------------------------------------------------------------------------------------

_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)


@cache
def _fonts() -> tuple[str, str]:
    """DejaVu Sans when the system has it (every Latin, Greek and Cyrillic name prints);
    otherwise the PDF base font, which covers Western European names only."""
    for folder in _FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("SlSans", str(regular)))
            pdfmetrics.registerFont(TTFont("SlSans-Bold", str(bold)))
            return "SlSans", "SlSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=9, leading=11.5)
    return {
        "base": base,
        "small": ParagraphStyle(
            "small", parent=base, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#484949")
        ),
        "bold": ParagraphStyle("bold", parent=base, fontName=bold),
        "title": ParagraphStyle(
            "title", parent=base, fontName=bold, fontSize=22, leading=27, spaceAfter=4 * mm
        ),
        "subtitle": ParagraphStyle(
            "subtitle",
            parent=base,
            fontSize=12,
            leading=16,
            spaceAfter=6 * mm,
            textColor=colors.HexColor("#484949"),
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=bold,
            fontSize=13,
            leading=17,
            spaceBefore=5 * mm,
            spaceAfter=2 * mm,
        ),
        "body": ParagraphStyle("body", parent=base, fontSize=10, leading=14, spaceAfter=2 * mm),
        "marking": ParagraphStyle(
            "marking", parent=base, fontName=bold, fontSize=11, alignment=TA_CENTER
        ),
        "head": ParagraphStyle("head", parent=base, fontName=bold, textColor=colors.white),
        "significant": ParagraphStyle(
            "significant", parent=base, fontName=bold, textColor=colors.HexColor("#aa2a16")
        ),
    }


def _p(text: str, style: ParagraphStyle, *, struck: bool = False) -> Paragraph:
    markup = escape(text).replace("\n", "<br/>")
    return Paragraph(f"<strike>{markup}</strike>" if struck else markup, style)


def _numbered_canvas(footer_left: str, pages: list[int]) -> type[rl_canvas.Canvas]:
    regular, bold = _fonts()

    class NumberedCanvas(rl_canvas.Canvas):  # type: ignore[misc]  # reportlab is untyped
        """Draws the protective marking and "Page n of m" once every page is known (and tells
        `pages` how many there were, for the audit log)."""

        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, object]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            pages.append(total)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            width, height = self._pagesize
            self.saveState()
            self.setFont(bold, 10)
            self.drawCentredString(width / 2, height - 10 * mm, MARKING)
            self.drawCentredString(width / 2, 8 * mm, MARKING)
            self.setFont(regular, 8)
            self.setFillColor(colors.HexColor("#484949"))
            self.drawString(18 * mm, 14 * mm, footer_left)
            self.drawRightString(width - 18 * mm, 14 * mm, f"Page {self._pageNumber} of {total}")
            self.restoreState()

    return NumberedCanvas


def _title_page(context: ExportContext, styles: dict[str, ParagraphStyle]) -> list[object]:
    identity = context.identity
    rows = [
        ("Name", identity.name),
        (
            "Date of birth",
            f"{identity.birth_date}" + (f" (age {identity.age})" if identity.age else ""),
        ),
        ("Sightline reference", identity.reference),
    ]
    rows += [
        (
            i.label,
            f"{i.value}"
            + (f" ({i.issuer})" if i.issuer else "")
            + ("" if i.is_valid else " — not valid, not used for matching"),
        )
        for i in identity.identifiers
    ]
    if identity.address:
        rows.append(("Current address", identity.address))
    if identity.other_names:
        rows.append(("Also known as", ", ".join(identity.other_names)))
    identity_table = Table(
        [[_p(k, styles["bold"]), _p(v, styles["base"])] for k, v in rows],
        colWidths=[50 * mm, 124 * mm],
        hAlign="LEFT",
    )
    identity_table.setStyle(_grid_style())
    about = Table(
        [
            [_p(k, styles["bold"]), _p(v, styles["base"])]
            for k, v in (
                ("Sightline reference", identity.reference),
                ("Filters", context.filters_text),
                ("As known on", context.as_known_on_text),
                ("Produced at", context.produced),
                ("Produced by", context.exported_by),
                ("Entries", context.entries_text),
            )
        ],
        colWidths=[50 * mm, 124 * mm],
        hAlign="LEFT",
    )
    about.setStyle(_grid_style())
    story: list[object] = [
        Spacer(1, 10 * mm),
        _p(f"The child's story: {identity.name}", styles["title"]),
        _p(
            "Chronology merged from every agency in the partnership, newest first.",
            styles["subtitle"],
        ),
        identity_table,
        _p("About this file", styles["h2"]),
        about,
        _p("Handling", styles["h2"]),
        _p(
            f"{MARKING}. This document holds personal information shared for safeguarding "
            "purposes under the partnership's information sharing agreement. Do not share it "
            "further without the agreement of the agencies that provided it. Entries marked "
            "restricted are held by the agency named; contact them for the content.",
            styles["body"],
        ),
        _p(
            "Each entry shows the date at the precision the agency knew it (a month, a season "
            "or a year where that is all that is known), its grade (fact, professional opinion, "
            "reported or intelligence) and where it came from. A restricted entry shows only "
            "its month and agency.",
            styles["body"],
        ),
        PageBreak(),
    ]
    return story


def _grid_style() -> TableStyle:
    return TableStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.HexColor("#b1b4b6")),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ]
    )


# A table row must fit on a page (reportlab refuses a taller one), so an entry's text is cut
# into pieces of at most this many lines, each piece its own row: a long entry then flows
# across pages. Lines are counted as if every letter were the widest (9 point bold, in the
# summary column), so a piece is never longer than counted; 25 such lines are under half a page.
_CHARS_PER_LINE = 24
_LINES_PER_ROW = 25


def _lines(text: str) -> int:
    return sum(max(1, math.ceil(len(line) / _CHARS_PER_LINE)) for line in text.split("\n"))


def _pieces(text: str, budget: int = _LINES_PER_ROW) -> Iterator[str]:
    """`text` in pieces of at most `budget` counted lines, cut between lines, else between
    words, else (a long unbroken string) anywhere."""
    piece: list[str] = []
    used = 0
    for line in text.split("\n"):
        while _lines(line) > budget:
            room = budget * _CHARS_PER_LINE
            cut = line.rfind(" ", 0, room + 1)
            cut = cut if cut > room // 2 else room
            head, line = line[:cut], line[cut:].lstrip(" ")
            if piece:
                yield "\n".join(piece)
                piece, used = [], 0
            yield head
        cost = _lines(line)
        if used + cost > budget and piece:
            yield "\n".join(piece)
            piece, used = [], 0
        piece.append(line)
        used += cost
    if piece:
        yield "\n".join(piece)


def _what_cell(entry: StoryItem, styles: dict[str, ParagraphStyle]) -> list[Paragraph]:
    if not isinstance(entry, EntryView):
        return [_p(entry.title, styles["bold"])]
    what: list[Paragraph] = [_p(entry.type_label, styles["bold"])]
    if entry.is_significant:
        what.append(_p("Significant", styles["significant"]))
    notes = [entry.grade_text]
    if entry.sensitivity_text:
        notes.append(entry.sensitivity_text)
    if entry.is_entered_in_error:
        notes.append("Entered in error")
    if entry.is_corrected:
        notes.append(f"Corrected (version {entry.version})")
    if entry.is_later_corrected:
        notes.append("Corrected later")
    what += [_p(note, styles["small"]) for note in notes]
    return what


@dataclass(frozen=True)
class _Text:
    text: str
    style: str
    struck: bool = False


def _body(entry: StoryItem) -> list[_Text]:
    """The summary column's paragraphs, each short enough to be its own row."""
    if not isinstance(entry, EntryView):
        return [_Text(entry.restricted, "base")]
    body: list[_Text] = []
    if entry.is_entered_in_error:
        note = f"Entered in error: {entry.correction_reason}"
        body += [_Text(piece, "significant") for piece in _pieces(note)]
    if entry.is_voice_of_child:
        body.append(_Text("In the child's words:", "bold"))
    struck = entry.is_entered_in_error
    body += [_Text(piece, "base", struck) for piece in _pieces(entry.summary)]
    if entry.detail:
        body += [_Text(piece, "base", struck) for piece in _pieces(entry.detail)]
    if entry.handling_conditions:
        conditions = f"Handling conditions: {entry.handling_conditions}"
        body += [_Text(piece, "small") for piece in _pieces(conditions)]
    if entry.location:
        body += [_Text(piece, "small") for piece in _pieces(f"Where: {entry.location}")]
    body.append(_Text(entry.source, "small"))
    return body


def _rows_of(body: list[_Text], styles: dict[str, ParagraphStyle]) -> list[list[Paragraph]]:
    """Group an entry's paragraphs into rows of at most `_LINES_PER_ROW` counted lines."""
    rows: list[list[Paragraph]] = [[]]
    used = 0
    for item in body:
        cost = _lines(item.text)
        if rows[-1] and used + cost > _LINES_PER_ROW:
            rows.append([])
            used = 0
        rows[-1].append(_p(item.text, styles[item.style], struck=item.struck))
        used += cost
    return rows


def story_pdf(context: ExportContext, entries: Sequence[StoryItem]) -> ExportFile:
    styles = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=22 * mm,
        title=f"The child's story: {context.identity.name} ({context.identity.reference})",
        author=context.exported_by,
        subject=MARKING,
    )
    flow = _title_page(context, styles)
    header = [_p(h, styles["head"]) for h in ("Date", "Agency", "What happened", "Summary")]
    data: list[list[object]] = [header]
    style = TableStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#0b0c0c")),
        ]
    )
    for entry in entries:
        first = len(data)
        pieces = _rows_of(_body(entry), styles)
        data.append(
            [
                _p(entry.when, styles["base"]),
                _p(entry.agency_name, styles["base"]),
                _what_cell(entry, styles),
                pieces[0],
            ]
        )
        data += [[_p("(continued)", styles["small"]), "", "", more] for more in pieces[1:]]
        last = len(data) - 1
        style.add("LINEBELOW", (0, last), (-1, last), 0.5, colors.HexColor("#b1b4b6"))
        if isinstance(entry, EntryView) and entry.is_significant:
            style.add("LINEBEFORE", (0, first), (0, last), 4, colors.HexColor("#d4351c"))
        if not entry.is_readable:
            style.add("BACKGROUND", (0, first), (-1, last), colors.HexColor("#f3f2f1"))
    if len(data) == 1:
        flow.append(_p("No entries match the filters.", styles["body"]))
    else:
        table = Table(data, colWidths=[29 * mm, 30 * mm, 35 * mm, 80 * mm], repeatRows=1)
        table.setStyle(style)
        flow.append(table)
    identity = context.identity
    footer = f"{identity.name} ({identity.reference})"
    if context.as_known_on:
        footer += f" as known on {context.as_known_on}"
    footer += f" — produced {context.exported_at:%-d %B %Y}"
    pages: list[int] = []
    doc.build(flow, canvasmaker=_numbered_canvas(footer, pages))
    return ExportFile(buffer.getvalue(), rows=len(entries), pages=pages[-1] if pages else None)
