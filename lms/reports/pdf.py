"""The PDF foundation every report shares: fonts that render French accents, a cover block,
a header and footer on every page, "page X of Y", heading and table styles, and a table of
contents for reports that run over a few pages.

Report code hands over plain flowables built from plain data and gets bytes back; nothing
here touches the database.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from xml.sax.saxutils import escape  # nosec B406  # only its escape: nothing is parsed

from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from lms.core.charts import clip
from lms.core.i18n import format_day, format_number
from lms.core.pdf_text import FONT, FONT_BOLD, paragraph, plain, register_fonts, text
from lms.reports.pdf_canvas import LongEnough, numbered_canvas


def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = getSampleStyleSheet()
    body = ParagraphStyle("Body", parent=base["BodyText"], fontName=FONT, fontSize=9, leading=12)
    return {
        "body": body,
        "small": ParagraphStyle("Small", parent=body, fontSize=7.5, leading=9.5),
        "muted": ParagraphStyle("Muted", parent=body, textColor=colors.HexColor("#6c757d")),
        "cell": ParagraphStyle("Cell", parent=body, fontSize=8, leading=10),
        "title": ParagraphStyle(
            "CoverTitle", parent=body, fontName=FONT_BOLD, fontSize=22, leading=27, spaceAfter=6
        ),
        "subtitle": ParagraphStyle(
            "CoverSubtitle", parent=body, fontSize=13, leading=17, spaceAfter=10
        ),
        "h1": ParagraphStyle(
            "Heading1",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=14,
            leading=18,
            spaceBefore=12,
            spaceAfter=6,
            keepWithNext=1,
            textColor=colors.HexColor("#0d3b66"),
        ),
        "h2": ParagraphStyle(
            "Heading2",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=11,
            leading=14,
            spaceBefore=8,
            spaceAfter=4,
            keepWithNext=1,
        ),
        "label": ParagraphStyle(
            "Label",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=11,
            leading=14,
            spaceBefore=8,
            spaceAfter=4,
        ),
        "center": ParagraphStyle("Center", parent=body, alignment=TA_CENTER),
        "toc1": ParagraphStyle("TOC1", parent=body, fontSize=10, leading=14, leftIndent=10),
        "toc2": ParagraphStyle("TOC2", parent=body, fontSize=9, leading=12, leftIndent=24),
    }


def para(value: object, style: str | ParagraphStyle = "body") -> Paragraph:
    """A paragraph of plain text (escaped), in a named style of ``styles()`` or a given one."""
    return paragraph(value, styles()[style] if isinstance(style, str) else style)


def heading(value: object, level: int = 1) -> Paragraph:
    """A heading of plain text. Level-1 and level-2 headings feed the contents: the plain
    text rides along on the paragraph and is escaped again there, since the contents lays
    each entry out as a Paragraph (markup) of its own. Headings stay with what follows."""
    entry = plain(value)
    flowable = Paragraph(escape(entry), styles()[f"h{level}"])
    flowable.toc_entry = (level - 1, entry)  # type: ignore[attr-defined]
    return flowable


def markup(template: str, **values: object) -> Paragraph:
    """The one way to styled text: ``template`` is markup written in code (e.g.
    ``"<b>%(label)s</b>: %(value)s"``); every value is plain text and escaped."""
    return Paragraph(template % {k: text(v) for k, v in values.items()}, styles()["body"])


@dataclass
class Cover:
    title: str
    subtitle: str = ""
    filters: list[tuple[str, str]] = field(default_factory=list)
    generated_on: date | None = None
    generated_label: str = "Generated on"
    filters_label: str = "Filters"


PAGE_MARGINS = {"left": 18 * mm, "right": 18 * mm, "top": 22 * mm, "bottom": 20 * mm}
FRAME_WIDTH = A4[0] - PAGE_MARGINS["left"] - PAGE_MARGINS["right"]
FRAME_HEIGHT = A4[1] - PAGE_MARGINS["top"] - PAGE_MARGINS["bottom"]
# A report's last page holds at least this much of the body (when the report has it): the
# final sections are kept together, so no page carries only a heading or a few lines.
LAST_PAGE_MIN_HEIGHT = FRAME_HEIGHT / 3


def _height(flowable: Flowable) -> float:
    """The height a flowable takes in the body frame, with its space before and after."""
    if isinstance(flowable, KeepTogether):  # it answers a huge height, to force a split
        return sum(_height(part) for part in flowable._content)
    _width, height = flowable.wrap(FRAME_WIDTH, FRAME_HEIGHT)
    return height + flowable.getSpaceBefore() + flowable.getSpaceAfter()


def _keeps_with_next(flowable: Flowable) -> bool:
    style = getattr(flowable, "style", None)
    return bool(getattr(flowable, "keepWithNext", 0) or getattr(style, "keepWithNext", 0))


def keep_ending_together(
    body: list[Flowable], min_height: float = LAST_PAGE_MIN_HEIGHT
) -> list[Flowable]:
    """``body`` with its last flowables, from the end back until they are ``min_height``
    tall (never more than a page), as one ``KeepTogether``: when they do not fit under what
    comes before, they move to a new page together, so the last page is never near-empty."""
    tail: list[Flowable] = []
    total = 0.0
    index = len(body)
    while index > 0 and total < min_height:
        height = _height(body[index - 1])
        if tail and total + height > FRAME_HEIGHT * 0.9:
            break
        index -= 1
        tail.insert(0, body[index])
        total += height
    # A heading stays with its section: one left just above the tail joins it.
    while index > 0 and _keeps_with_next(body[index - 1]):
        index -= 1
        tail.insert(0, body[index])
    return [*body[:index], KeepTogether(tail)] if tail else body


class ReportDocument(BaseDocTemplate):
    """A4 pages with a header (report title) and a footer (generation date, page X of Y);
    level-0 and level-1 headings feed the table of contents."""

    def __init__(self, buffer, *, header: str, footer: str, **kwargs) -> None:
        super().__init__(
            buffer,
            pagesize=A4,
            leftMargin=PAGE_MARGINS["left"],
            rightMargin=PAGE_MARGINS["right"],
            topMargin=PAGE_MARGINS["top"],
            bottomMargin=PAGE_MARGINS["bottom"],
            title=header,
            author="Capacity LMS",
            **kwargs,
        )
        self.header, self.footer = header, footer
        self.contents: OnePassContents | None = None
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._decorate)])

    def _decorate(self, canv, doc) -> None:
        canv.saveState()
        width, height = self.pagesize
        canv.setFont(FONT, 8)
        canv.setFillColor(colors.HexColor("#495057"))
        canv.drawString(self.leftMargin, height - 12 * mm, self.header[:110])
        canv.setStrokeColor(colors.HexColor("#adb5bd"))
        canv.line(self.leftMargin, height - 14 * mm, width - self.rightMargin, height - 14 * mm)
        canv.line(self.leftMargin, 14 * mm, width - self.rightMargin, 14 * mm)
        canv.drawString(self.leftMargin, 10 * mm, clip(self.footer, 90))
        canv.restoreState()

    def afterFlowable(self, flowable) -> None:
        # Only headings made by ``heading``, whose key ``contents_entries`` gave before the
        # build: the page each one lands on is what its contents line prints.
        key = getattr(flowable, "toc_key", None)
        if key is not None and self.contents is not None:
            self.canv.bookmarkPage(key)
            self.contents.pages.setdefault(key, self.page)


def contents_entries(body: Sequence[Flowable]) -> list[tuple[int, str, str]]:
    """Every heading of ``body`` (inside ``KeepTogether`` too) that feeds the contents, as
    (level, plain text, key), in order; each heading is given its key (``toc_key``)."""
    found: list[tuple[int, str, str]] = []

    def scan(items: Sequence[Flowable]) -> None:
        for item in items:
            if isinstance(item, KeepTogether):
                scan(item._content)
                continue
            entry = getattr(item, "toc_entry", None)
            if entry is not None:
                item.toc_key = f"h{len(found)}"  # type: ignore[attr-defined]
                found.append((entry[0], entry[1], item.toc_key))  # type: ignore[attr-defined]

    scan(body)
    return found


class OnePassContents(TableOfContents):
    """ReportLab's table of contents laid out in one pass: its lines are the body's headings,
    known before the build (``contents_entries``), and each line's page number (with its
    leader dots) is a PDF form the canvas draws at save, once every heading's page is known.
    """

    def __init__(self, entries: list[tuple[int, str, str]], **kwargs) -> None:
        super().__init__(**kwargs)
        self.entries = entries
        self.pages: dict[str, int] = {}  # heading key → its page (``afterFlowable``)
        # heading key → where its page number goes: style, x, y, line width, leader
        self.ends: dict[str, tuple[ParagraphStyle, float, float, float, str]] = {}

    def isIndexing(self) -> int:
        return 0  # nothing to settle over passes

    def beforeBuild(self) -> None:
        pass  # the entries are known: keep them

    def wrap(self, availWidth, availHeight):
        def entry_end(canvas, kind, key) -> None:
            """Where the line's text ends, in the line's own coordinates."""
            level = levels[key]
            dots = " . " if self.dotsMinLevel >= 0 and level >= self.dotsMinLevel else ""
            info = canvas._curr_tx_info
            style = self.getLevelStyle(level)
            self.ends[key] = (style, info["cur_x"], info["cur_y"], availWidth, dots)

        self.canv.setNamedCB("lmsContentsEnd", entry_end)
        levels = {key: level for level, _entry, key in self.entries}
        rows: list[list[Flowable]] = []
        for level, entry, key in self.entries:
            style = self.getLevelStyle(level)
            # Plain text, escaped: the contents lays each entry out as a Paragraph (markup).
            line = Paragraph(
                f'<a href="#{key}">{escape(entry)}</a>'
                f'<onDraw name="lmsContentsEnd" label="{key}"/>',
                style,
            )
            if style.spaceBefore:
                rows.append([Spacer(1, style.spaceBefore)])
            rows.append([_ContentsLine(line, f"toc-{key}")])
        self._table = Table(
            rows or [[Spacer(1, 0)]], colWidths=(availWidth,), style=self.tableStyle
        )
        self.width, self.height = self._table.wrapOn(self.canv, availWidth, availHeight)
        return self.width, self.height

    def draw_forms(self, canvas) -> None:
        """Each contents line's page number, right-aligned after leader dots (as ReportLab's
        ``drawPageNumbers`` sets them), in the coordinates of the line that refers to it."""
        for key, (style, x, y, width, dots) in self.ends.items():
            page = str(self.pages.get(key, ""))
            font_size = style.fontSize
            page_width = stringWidth(page, style.fontName, font_size)
            while page_width > width - x and font_size >= 1.0:
                font_size *= 0.9
                page_width = stringWidth(page, style.fontName, font_size)
            dot_width = stringWidth(dots, style.fontName, font_size) if dots else 0
            count = int((width - x - page_width) / dot_width) if dots else 0
            canvas.beginForm(f"toc-{key}", -2 * width, -2 * width, 2 * width, 2 * width)
            line = canvas.beginText(width - count * dot_width - page_width, y)
            line.setFont(style.fontName, font_size)
            line.setFillColor(style.textColor)
            line.textLine(f"{count * dots}{page}")
            canvas.drawText(line)
            canvas.endForm()


class _ContentsLine(Flowable):
    """One line of the contents: the entry, then (read after it) its page-number form."""

    def __init__(self, line: Paragraph, form: str) -> None:
        super().__init__()
        self.line, self.form = line, form

    def wrap(self, avail_width, avail_height):
        self.width, self.height = self.line.wrap(avail_width, avail_height)
        return self.width, self.height

    def draw(self) -> None:
        self.line.drawOn(self.canv, 0, 0)
        self.canv.doForm(self.form)


def cover_block(cover: Cover) -> list[Flowable]:
    s = styles()
    items: list[Flowable] = [Spacer(1, 6 * mm), Paragraph(text(cover.title), s["title"])]
    if cover.subtitle:
        items.append(Paragraph(text(cover.subtitle), s["subtitle"]))
    rows = (
        [[text(cover.generated_label), text(format_day(cover.generated_on))]]
        if (cover.generated_on)
        else []
    )
    rows += [[text(name), text(value)] for name, value in cover.filters]
    if rows:
        items.append(Paragraph(text(cover.filters_label), s["label"]))
        items.append(
            Table(
                [[Paragraph(a, s["cell"]), Paragraph(b, s["cell"])] for a, b in rows],
                colWidths=[45 * mm, None],
                style=TableStyle(
                    [
                        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#e9ecef")),
                        ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#ced4da")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                ),
                hAlign="LEFT",
            )
        )
    items.append(Spacer(1, 6 * mm))
    return items


TABLE_STYLE = TableStyle(
    [
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#0d3b66")),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#ced4da")),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f8f9fa")]),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
)


SHORT_CELL = 24  # characters: longer text is a paragraph, free to wrap in its column


def short_cell(words: str) -> bool:
    """Whether a cell's text can be a plain string: one short line with no space to break
    at (a number, date, code, "—") or a very short one ("12 %"). Such a text is never wider
    than the narrowest column the table gives it (a column is at least its longest word)."""
    if len(words) > SHORT_CELL or "\n" in words:
        return False
    return len(words) <= 6 or not any(ch.isspace() for ch in words)


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _cell_day(value: object) -> object:
    """A day in a table's data (ISO, for CSV and XLSX) in the reader's language in the PDF;
    a decimal (a score, hours) too (``82,5`` in French). Integers stay as they are: a year
    or a code must not gain a thousands separator."""
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        try:
            return format_day(date.fromisoformat(value))
        except ValueError:
            return value
    return value


def data_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    col_widths: Sequence[float | None] | None = None,
    highlight_rows: Sequence[int] = (),
    total_rows: Sequence[int] = (),
    numeric_cols: Sequence[int] = (),
) -> Table:
    """A table with a repeated header row; ``highlight_rows`` (0-based data rows) are tinted
    red, e.g. late milestones; ``total_rows`` are set in bold under a rule, e.g. a total;
    ``numeric_cols`` are aligned right."""
    s = styles()
    header_style = ParagraphStyle(
        "HeadCell", parent=s["cell"], fontName=FONT_BOLD, textColor=colors.white
    )
    totals, numeric = set(total_rows), set(numeric_cols)

    def cell_style(base: ParagraphStyle, column: int, bold: bool) -> ParagraphStyle:
        if not bold and column not in numeric:
            return base
        return ParagraphStyle(
            f"{base.name}-{int(bold)}{int(column in numeric)}",
            parent=base,
            fontName=FONT_BOLD if bold else base.fontName,
            alignment=TA_RIGHT if column in numeric else base.alignment,
        )

    data: list[list[object]] = [
        [Paragraph(text(h), cell_style(header_style, j, False)) for j, h in enumerate(headers)]
    ]
    for i, row in enumerate(rows):
        cells: list[object] = []
        for j, value in enumerate(row):
            words = plain(_cell_day(value))
            # A short cell that needs no wrapping is drawn as the string itself: the table
            # never reads it as markup, so it is not escaped (only control characters go).
            cells.append(
                words
                if short_cell(words)
                else Paragraph(text(words), cell_style(s["cell"], j, i in totals))
            )
        data.append(cells)
    table = Table(data, colWidths=col_widths, repeatRows=1, hAlign="LEFT")
    style = TableStyle(TABLE_STYLE.getCommands())
    body_font = s["cell"]  # strings in the cells set like the cells' paragraphs
    style.add("FONT", (0, 1), (-1, -1), body_font.fontName, body_font.fontSize, body_font.leading)
    for column in numeric:
        style.add("ALIGN", (column, 1), (column, -1), "RIGHT")
    for index in highlight_rows:
        style.add("BACKGROUND", (0, index + 1), (-1, index + 1), colors.HexColor("#f8d7da"))
    for index in totals:
        style.add("LINEABOVE", (0, index + 1), (-1, index + 1), 0.8, colors.HexColor("#0d3b66"))
        style.add("FONTNAME", (0, index + 1), (-1, index + 1), FONT_BOLD)
    table.setStyle(style)
    return table


class ScaledDrawing(Flowable):
    """A chart drawing shrunk to the frame's width when it is wider."""

    def __init__(self, drawing: Drawing) -> None:
        super().__init__()
        self.drawing = drawing

    def wrap(self, avail_width, avail_height):
        scale = min(1.0, avail_width / self.drawing.width) if self.drawing.width else 1.0
        self.scale = scale
        self.width, self.height = self.drawing.width * scale, self.drawing.height * scale
        return self.width, self.height

    def draw(self) -> None:
        from reportlab.graphics import renderPDF

        self.canv.saveState()
        self.canv.scale(self.scale, self.scale)
        chart_form = getattr(self.canv, "chart_form", None)
        if chart_form is None:  # a canvas of its own: drawn here
            renderPDF.draw(self.drawing, self.canv, 0, 0)
        else:  # the report's canvas draws it once, at save, and each placing refers to it
            self.canv.doForm(chart_form(self.drawing))
        self.canv.restoreState()


class ChartFigure(Flowable):
    """A chart and its caption as one unsplittable flowable (a plain flowable, unlike
    ``KeepTogether``, so a heading's keep-with-next takes it along to the next page)."""

    def __init__(self, drawing: Drawing, caption: str = "") -> None:
        super().__init__()
        self.figure = ScaledDrawing(drawing)
        self.caption = para(caption, "muted") if caption else None

    def wrap(self, avail_width, avail_height):
        width, height = self.figure.wrap(avail_width, avail_height)
        self._caption_height = (
            self.caption.wrap(avail_width, avail_height)[1] if self.caption else 0
        )
        self.width, self.height = max(width, avail_width), height + self._caption_height
        return self.width, self.height

    def draw(self) -> None:
        self.figure.drawOn(self.canv, 0, self._caption_height)
        if self.caption:
            self.caption.drawOn(self.canv, 0, 0)


def chart(drawing: Drawing, caption: str = "") -> Flowable:
    return ChartFigure(drawing, caption)


TOC_FROM_PAGES = 4  # "when a report runs over a few pages"


def build_pdf(
    cover: Cover,
    body: list[Flowable] | Callable[[], list[Flowable]],
    *,
    page_label: str = "page {page} of {total}",
    footer: str = "",
    with_toc: bool | None = None,
    toc_title: str = "Contents",
    toc_from_pages: int = TOC_FROM_PAGES,
) -> bytes:
    """Cover, a table of contents, then ``body``; returns the PDF's bytes, laid out once:
    "page X of Y", the contents' page numbers and the charts are drawn at save.
    ``with_toc=None`` adds the contents only when the report runs to ``toc_from_pages``
    pages or more: laid out without, and when the pages reach that count the layout stops
    and starts again with the contents (flowables keep layout state, so ``body`` is then a
    function that makes them afresh)."""
    register_fonts()
    make = body if callable(body) else (lambda: body)
    if with_toc is None:
        try:
            return _build(cover, make(), page_label, footer, False, toc_title, toc_from_pages)
        except LongEnough:
            if not callable(body):
                raise ValueError(
                    "give a function that makes the body to decide on a contents page"
                ) from None
        with_toc = True
    return _build(cover, make(), page_label, footer, with_toc, toc_title, None)


def _build(cover, body, page_label, footer, with_toc, toc_title, stop_at) -> bytes:
    s = styles()
    buffer = io.BytesIO()
    generated = format_day(cover.generated_on) if cover.generated_on else ""
    doc = ReportDocument(buffer, header=cover.title, footer=footer or f"Capacity LMS · {generated}")
    story = cover_block(cover)
    if with_toc:
        doc.contents = OnePassContents(contents_entries(body))
        doc.contents.levelStyles = [s["toc1"], s["toc2"]]
        story += [Paragraph(text(toc_title), s["label"]), doc.contents, PageBreak()]
    story += body
    doc.build(
        story, canvasmaker=numbered_canvas(page_label, contents=doc.contents, stop_at=stop_at)
    )
    return buffer.getvalue()
