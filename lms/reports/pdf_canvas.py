"""The canvas every report is drawn on: it holds each page until the end of the one layout
pass, then writes "page X of Y" and draws, once, what is known only then (the contents' page
numbers, the charts). Split from ``pdf`` so that module keeps to the flowables."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdfcanvas

from lms.core.pdf_text import FONT

if TYPE_CHECKING:
    from lms.reports.pdf import OnePassContents


class LongEnough(Exception):
    """The document reached the page count asked for (``numbered_canvas(stop_at=...)``)."""


def numbered_canvas(
    page_label: str,
    counter: list[int] | None = None,
    *,
    contents: OnePassContents | None = None,
    stop_at: int | None = None,
):
    """A canvas that holds every page until the end, then writes "page X of Y" on each, in
    the one layout pass; ``counter`` (a one-item list) receives the page count. With
    ``stop_at``, laying out stops (``LongEnough``) once that many pages are done.

    What is known only at the end is drawn then, once, as a PDF form the pages refer to: the
    page numbers of the contents (``contents``) and every chart (``ChartFigure``), so a chart
    is drawn once per document, however often it is laid out or placed."""

    class NumberedCanvas(pdfcanvas.Canvas):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._saved_pages: list[dict] = []
            self.charts: dict[str, Drawing] = {}

        def showPage(self) -> None:
            self._saved_pages.append(dict(self.__dict__))
            if stop_at is not None and len(self._saved_pages) >= stop_at:
                raise LongEnough
            self._startPage()

        def chart_form(self, drawing: Drawing) -> str:
            """The name of the form that draws ``drawing`` (drawn at save)."""
            name = f"chart{id(drawing)}"
            self.charts.setdefault(name, drawing)
            return name

        def _draw_forms(self) -> None:
            from reportlab.graphics import renderPDF

            for name, drawing in self.charts.items():
                w, h = drawing.width, drawing.height
                self.beginForm(name, -w, -h, 2 * w, 2 * h)
                renderPDF.draw(drawing, self, 0, 0)
                self.endForm()
            if contents is not None:
                contents.draw_forms(self)

        def save(self) -> None:
            total = len(self._saved_pages)
            if counter is not None:
                counter[:] = [total]
            self._draw_forms()
            for state in self._saved_pages:
                self.__dict__.update(state)
                self.setFont(FONT, 8)
                self.setFillColor(colors.HexColor("#495057"))
                width = self._pagesize[0]
                self.drawRightString(
                    width - 18 * mm,
                    10 * mm,
                    page_label.replace("{page}", str(self._pageNumber)).replace(
                        "{total}", str(total)
                    ),
                )
                super().showPage()
            super().save()

    return NumberedCanvas
