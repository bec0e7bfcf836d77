"""The child's story as a file: CSV for analysis, PDF for a conference, a strategy meeting or a
court bundle. Both are built from presented entries (presenters.EntryView), so an entry the
exporter may not read is exported as restricted, exactly as on screen, never with its content.
No queries here: the view gathers the rows and audits the export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
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

from sightline.chronology.presenters import EntryView, IdentityView

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


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _yes(flag: bool) -> str:
    return "Yes" if flag else "No"


def csv_row(entry: EntryView) -> list[str]:
    return [
        _cell(v)
        for v in (
            entry.when,
            entry.agency_name,
            entry.type_label,
            entry.theme_label,
            _yes(entry.is_significant),
            entry.grade_text,
            entry.sensitivity_text or ("Standard" if entry.is_readable else ""),
            entry.summary if entry.is_readable else entry.restricted,
            entry.detail,
            entry.location,
            entry.source,
            entry.version,
            _yes(entry.is_corrected),
            _yes(not entry.is_readable),
            entry.lineage,
        )
    ]


def story_csv(entries: Iterable[EntryView]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens names like "Zoë" correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        writer.writerow(csv_row(entry))
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


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


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _numbered_canvas(footer_left: str) -> type[rl_canvas.Canvas]:
    regular, bold = _fonts()

    class NumberedCanvas(rl_canvas.Canvas):
        """Draws the protective marking and "Page n of m" once every page is known."""

        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, object]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
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
    filters = context.filters or ["None: the whole story"]
    story: list[object] = [
        Spacer(1, 10 * mm),
        _p(f"The child's story: {identity.name}", styles["title"]),
        _p(
            "Chronology merged from every agency in the partnership, newest first.",
            styles["subtitle"],
        ),
        identity_table,
        _p("About this export", styles["h2"]),
        _p(
            f"Exported by {context.exported_by} on {context.exported_at:%-d %B %Y at %H:%M}.",
            styles["body"],
        ),
        _p(
            f"Entries: {context.total}"
            + (
                f", of which {context.restricted} restricted: shown without their content, "
                "because the person exporting is not cleared to read them"
                if context.restricted
                else ""
            )
            + ".",
            styles["body"],
        ),
        _p("Filters applied: " + "; ".join(filters) + ".", styles["body"]),
    ]
    if context.as_known_on:
        story.append(
            _p(
                f"As known on {context.as_known_on}: entries recorded after that day are left out, "
                "and corrections made after it are not applied.",
                styles["body"],
            )
        )
    story += [
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
            "reported or intelligence) and where it came from.",
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


def _entry_cells(entry: EntryView, styles: dict[str, ParagraphStyle]) -> list[object]:
    what: list[Paragraph] = [_p(entry.type_label, styles["bold"])]
    if entry.is_significant:
        what.append(_p("Significant", styles["significant"]))
    notes = []
    if entry.is_readable:
        notes.append(entry.grade_text)
        if entry.sensitivity_text:
            notes.append(entry.sensitivity_text)
    else:
        notes.append("Restricted")
    if entry.is_corrected:
        notes.append(f"Corrected (version {entry.version})")
    if entry.is_later_corrected:
        notes.append("Corrected later")
    what += [_p(note, styles["small"]) for note in notes]
    if entry.is_readable:
        body = [_p(entry.summary, styles["base"])]
        if entry.is_voice_of_child:
            body.insert(0, _p("In the child's words:", styles["bold"]))
        if entry.detail:
            body.append(_p(entry.detail, styles["base"]))
        if entry.handling_conditions:
            body.append(_p(f"Handling conditions: {entry.handling_conditions}", styles["small"]))
        if entry.location:
            body.append(_p(f"Where: {entry.location}", styles["small"]))
        body.append(_p(entry.source, styles["small"]))
    else:
        body = [_p(entry.restricted, styles["base"])]
    return [
        _p(entry.when, styles["base"]),
        _p(entry.agency_name, styles["base"]),
        what,
        body,
    ]


def story_pdf(context: ExportContext, entries: Sequence[EntryView]) -> bytes:
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
    style = _grid_style()
    style.add("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#0b0c0c"))
    for row, entry in enumerate(entries, start=1):
        data.append(_entry_cells(entry, styles))
        if entry.is_significant:
            style.add("LINEBEFORE", (0, row), (0, row), 4, colors.HexColor("#d4351c"))
        if not entry.is_readable:
            style.add("BACKGROUND", (0, row), (-1, row), colors.HexColor("#f3f2f1"))
    if len(data) == 1:
        flow.append(_p("No entries match the filters.", styles["body"]))
    else:
        table = Table(data, colWidths=[29 * mm, 30 * mm, 35 * mm, 80 * mm], repeatRows=1)
        table.setStyle(style)
        flow.append(table)
    identity = context.identity
    footer = f"{identity.name} ({identity.reference}) — exported {context.exported_at:%-d %B %Y}"
    doc.build(flow, canvasmaker=_numbered_canvas(footer))
    return buffer.getvalue()
