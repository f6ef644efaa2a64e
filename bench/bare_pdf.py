"""The PDF ceiling: a bare ReportLab document holding the same tables as a report (its
``tables()``), with plain string cells, ReportLab's default styles and fonts, no cover, no
charts, no header or footer, one layout pass. Pages per second of this is what ReportLab
itself can do with the report's tables on this machine."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

_STYLE = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
        ("FONTSIZE", (0, 0), (-1, -1), 7),
        ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
    ]
)
_PAGE = re.compile(rb"/Type\s*/Page(?!s)")


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def render(tables: Iterable) -> bytes:
    """One PDF with each table's title and its rows (header row repeated on every page)."""
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    story = []
    for table in tables:
        story.append(Paragraph(_escape(table.title), styles["Heading2"]))
        data = [[_cell(h) for h in table.headers]] + [[_cell(c) for c in r] for r in table.rows]
        if len(data) > 1:
            grid = Table(data, repeatRows=1, hAlign="LEFT")
            grid.setStyle(_STYLE)
            story.append(grid)
    SimpleDocTemplate(buffer, pagesize=A4).build(story)
    return buffer.getvalue()


def _escape(value: object) -> str:
    return _cell(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def page_count(pdf: bytes) -> int:
    """Pages of a PDF, counted from its page objects (ReportLab writes them uncompressed)."""
    return len(_PAGE.findall(pdf))


@dataclass(frozen=True)
class Timed:
    pages: int
    seconds: float
    size: int


def timed_render(tables: list) -> Timed:
    start = time.perf_counter()
    pdf = render(tables)
    return Timed(page_count(pdf), time.perf_counter() - start, len(pdf))
